"""Backlog by hour and figures per agent and team: in the store, the reports API and `wakeful report`."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from typer.testing import CliRunner

from wakeful.api.auth import Role
from wakeful.api.deps import Desk
from wakeful.cli import app
from wakeful.desk import service
from wakeful.desk.reports import backlog_by_hour
from wakeful.store.models import CaseRow

from tests.desk_fixtures import Headers
from tests.factories import T0, make_post

LOST = "@AuroraAirways you lost my bag on AU {n}, nobody answers. Still waiting for my suitcase!"


def _day(desk: Desk) -> None:
    """Three cases: 09:00 (answered 09:40), 09:30 (answered and resolved 10:10), 10:30 (never answered)."""
    desk.clock.set(T0 + timedelta(minutes=90))  # type: ignore[attr-defined]  # the desk takes no post from its future
    desk.ingest.ingest([make_post("p1", LOST.format(n=1), author="ana"),
                        make_post("p2", LOST.format(n=2), author="ben", minutes=30),
                        make_post("p3", LOST.format(n=3), author="cem", minutes=90)])
    with desk.db.session() as s:
        cases = {c.author.handle: c for c in s.scalars(select(CaseRow))}
        service.assign(s, cases["ana"], "zoe", "zoe", T0 + timedelta(minutes=35))
        service.add_reply(s, cases["ana"], "Sorry, we are on it.", "zoe", T0 + timedelta(minutes=40))
        service.assign(s, cases["ben"], "yan", "yan", T0 + timedelta(minutes=60))
        service.add_reply(s, cases["ben"], "Found it, on its way.", "yan", T0 + timedelta(minutes=70), resolve=True)


def test_backlog_counts_open_and_unanswered_cases_at_each_hour_and_the_flow_through_it(desk: Desk) -> None:
    _day(desk)
    with desk.db.session() as s:
        points = backlog_by_hour(s, {"aurora"}, T0, T0 + timedelta(hours=3))
        other = backlog_by_hour(s, {"nordrail"}, T0, T0 + timedelta(hours=3))
    rows = [(p.hour.hour, p.open, p.unanswered, p.opened, p.answered, p.resolved) for p in points]
    assert rows == [(9, 1, 1, 2, 1, 0), (10, 2, 1, 1, 1, 1), (11, 2, 1, 0, 0, 0)]
    assert [(p.open, p.opened) for p in other] == [(0, 0)] * 3


def test_reports_api_gives_backlog_to_agents_and_team_figures_to_leads(
        desk: Desk, client: TestClient, auth: Headers) -> None:
    _day(desk)
    agent, lead = auth("ana"), auth("lee", role=Role.LEAD)
    window = {"since": T0.isoformat(), "until": (T0 + timedelta(hours=2)).isoformat()}
    backlog = client.get("/api/v1/reports/backlog", params=window, headers=agent)
    assert backlog.status_code == 200
    assert [(p["open"], p["unanswered"]) for p in backlog.json()] == [(1, 1), (2, 1)]
    assert client.get("/api/v1/reports/backlog", params={"since": window["until"], "until": window["since"]},
                      headers=agent).status_code == 422
    assert client.get("/api/v1/reports/backlog", params=window, headers=auth("nils", "nordrail")).json()[0]["open"] == 0
    assert client.get("/api/v1/reports/agents", headers=agent).status_code == 403
    figures = client.get("/api/v1/reports/agents", headers=lead).json()
    assert (figures["overall"]["cases"], figures["overall"]["answered"], figures["overall"]["resolved"]) == (3, 2, 1)
    assert figures["overall"]["first_response_median_min"] == 40.0  # 40 and 40 minutes
    by_name = {a["name"]: a for a in figures["agents"]}
    assert by_name["yan"]["resolved"] == 1 and by_name["zoe"]["first_response_median_min"] == 40.0
    early = client.get("/api/v1/reports/agents", params={"until": (T0 + timedelta(minutes=30)).isoformat()},
                       headers=lead).json()
    assert 0 < early["overall"]["cases"] < figures["overall"]["cases"]
    backwards = {"since": window["until"], "until": window["since"]}
    for path in ("/api/v1/reports/agents", "/api/v1/reports/fairness", "/api/v1/reports/first-response"):
        assert client.get(path, params=backwards, headers=lead).status_code == 422, path


def test_wakeful_report_prints_the_backlog_and_per_agent_figures(
        desk: Desk, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from wakeful.core.settings import get_settings

    _day(desk)
    monkeypatch.setenv("WAKEFUL_DATABASE_URL", desk.settings.database_url)
    (tmp_path / "none.toml").write_text("")  # no settings of its own
    monkeypatch.setenv("WAKEFUL_CONFIG", str(tmp_path / "none.toml"))
    get_settings.cache_clear()
    try:
        result = CliRunner().invoke(app, ["report", "--hours", "3"], env={"COLUMNS": "200"})
    finally:
        get_settings.cache_clear()
    assert result.exit_code == 0, result.output
    assert "first response: median 40 min" in result.output and "SLA met" in result.output
    assert "backlog by hour" in result.output and "2026-03-02 10:00" in result.output
    assert "per agent" in result.output and "zoe" in result.output and "yan" in result.output
