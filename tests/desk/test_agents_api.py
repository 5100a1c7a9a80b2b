"""The agents API: leads manage their brand's agents, teams, on-call rota and SLA policies; agents read them and set
only themselves away (which hands their cases on); another brand's agents are invisible; a case shows its SLA."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from wakeful.api.auth import Role
from wakeful.api.deps import Desk
from wakeful.cli import app
from wakeful.core.settings import get_settings
from wakeful.desk import agents, routing

from tests.desk_fixtures import Headers
from tests.factories import T0, make_post

LOST = "@AuroraAirways you lost my bag on AU 2213, nobody answers. Still waiting for my suitcase!"


def add(client: TestClient, headers: dict[str, str], name: str, **extra: object) -> dict[str, object]:
    body = {"name": name, "languages": ["en"], "shifts": [{"weekday": 0, "start": "08:00", "end": "18:00"}], **extra}
    r = client.post("/api/v1/agents", json=body, headers=headers)
    assert r.status_code == 201, r.text
    data: dict[str, object] = r.json()
    return data


def test_leads_manage_agents_and_agents_only_read(client: TestClient, auth: Headers) -> None:
    lead, agent = auth("lena", role=Role.LEAD), auth("ana")
    created = add(client, lead, "ana", timezone="Europe/Berlin", skills=["Lost_Luggage "])
    assert created["skills"] == ["lost_luggage"]
    r = client.post("/api/v1/agents", json={"name": "bo", "skills": ["baggage"]}, headers=lead)
    assert r.status_code == 422 and "unknown skill(s) ['baggage']" in r.text  # no case is tagged "baggage"
    r = client.patch(f"/api/v1/agents/{created['id']}", json={"skills": ["bagage"]}, headers=lead)
    assert r.status_code == 422 and "bagage" in r.text
    assert created["brand"] == "aurora" and created["on_shift"] is True  # Monday 10:05 in Berlin
    assert client.post("/api/v1/agents", json={"name": "x"}, headers=agent).status_code == 403
    assert client.post("/api/v1/agents", json={"name": "x", "timezone": "Mars/Base"},
                       headers=lead).json()["detail"].startswith("unknown time zone 'Mars/Base'")
    assert client.post("/api/v1/agents", json={"name": "ana"}, headers=lead).status_code == 422  # duplicate
    assert [a["name"] for a in client.get("/api/v1/agents", headers=agent).json()] == ["ana"]
    r = client.patch(f"/api/v1/agents/{created['id']}", json={"max_cases": 2, "languages": ["en", "de"]},
                     headers=lead)
    assert (r.json()["max_cases"], r.json()["languages"]) == (2, ["en", "de"])
    assert client.patch(f"/api/v1/agents/{created['id']}", json={"max_cases": 9}, headers=agent).status_code == 403


def test_another_brand_cannot_see_or_change_our_agents(client: TestClient, auth: Headers) -> None:
    ours = add(client, auth("lena", role=Role.LEAD), "ana")
    other = auth("nils", "nordrail", Role.LEAD)
    assert client.get("/api/v1/agents", headers=other).json() == []
    assert client.patch(f"/api/v1/agents/{ours['id']}", json={"max_cases": 1}, headers=other).status_code == 404
    assert client.post("/api/v1/agents", json={"name": "x", "brand": "aurora"}, headers=other).status_code == 403
    admin = auth("root", "*", Role.ADMIN)
    assert client.post("/api/v1/agents", json={"name": "x"}, headers=admin).status_code == 422  # which brand?
    assert add(client, admin, "nina", brand="nordrail")["brand"] == "nordrail"


def test_an_agent_going_away_hands_cases_on_and_cannot_set_others_away(
        client: TestClient, auth: Headers, desk: Desk) -> None:
    lead = auth("lena", role=Role.LEAD)
    ana, ben = add(client, lead, "ana"), add(client, lead, "ben", max_cases=1)
    desk.ingest.case_hooks.append(routing.case_hook())
    result = desk.ingest.ingest([make_post("p1", LOST)])
    [case_id] = result.cases
    assert client.get(f"/api/v1/cases/{case_id}", headers=lead).json()["assignee"] == "ana"  # tie: by name
    assert client.post(f"/api/v1/agents/{ben['id']}/availability", json={"away": True},
                       headers=auth("ana")).status_code == 403
    r = client.post(f"/api/v1/agents/{ana['id']}/availability", json={"away": True}, headers=auth("ana"))
    assert (r.status_code, r.json()["rerouted"], r.json()["agent"]["away"]) == (200, 1, True)
    detail = client.get(f"/api/v1/cases/{case_id}", headers=lead).json()
    assert detail["assignee"] == "ben"
    assert [i["text"] for i in detail["timeline"] if i["kind"] == "routed"][-1].startswith("re-routed, ana is away")


def test_teams_on_call_and_sla_policies_and_a_cases_time_left(client: TestClient, auth: Headers, desk: Desk) -> None:
    lead, agent = auth("lena", role=Role.LEAD), auth("ana")
    assert client.put("/api/v1/teams", json={"name": "day", "lead": "lena"}, headers=agent).status_code == 403
    slot = {"agent": "olga", "starts_at": (T0 - timedelta(hours=1)).isoformat(),
            "ends_at": (T0 + timedelta(hours=8)).isoformat()}
    for refused in (client.put("/api/v1/teams", json={"name": "day", "lead": "lena"}, headers=lead),
                    client.post("/api/v1/oncall", json=slot, headers=lead)):  # neither is an agent or user yet:
        assert refused.status_code == 422 and "add them first" in refused.text  # nobody would be paged
    for name in ("lena", "olga"):
        assert client.post("/api/v1/agents", json={"name": name}, headers=lead).status_code == 201
    assert client.put("/api/v1/teams", json={"name": "day", "lead": " lena"}, headers=lead).json()["lead"] == "lena"
    assert client.post("/api/v1/oncall", json=slot, headers=lead).json() == {"brand": "aurora", "agent": "olga"}
    assert client.get("/api/v1/oncall", headers=agent).json() == [{"brand": "aurora", "agent": "olga"}]
    for level in range(4):
        r = client.put("/api/v1/sla-policies", json={"priority": level, "first_response_minutes": 30,
                                                     "resolution_minutes": 480}, headers=lead)
        assert r.status_code == 200, r.text
    assert len(client.get("/api/v1/sla-policies", headers=agent).json()) == 4
    [case_id] = desk.ingest.ingest([make_post("p1", LOST)]).cases
    timers = {t["name"]: t for t in client.get(f"/api/v1/cases/{case_id}/sla", headers=agent).json()["timers"]}
    assert (timers["first_response"]["target_minutes"], timers["first_response"]["left_minutes"]) == (30, 25)
    assert timers["resolution"]["left_minutes"] == 475
    assert client.get(f"/api/v1/cases/{case_id}/sla", headers=auth("nils", "nordrail")).status_code == 404
    assert client.get("/api/v1/agents/report", headers=agent).status_code == 403
    report = client.get("/api/v1/agents/report", headers=lead).json()
    assert [(a["name"], a["cases"]) for a in report["agents"]] == [("olga", 1)]  # on call, she was given the case


def test_cli_staffs_the_desk_and_runs_a_tick(desk: Desk, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("WAKEFUL_DATABASE_URL", desk.settings.database_url)
    (tmp_path / "none.toml").write_text("")  # no settings of its own
    monkeypatch.setenv("WAKEFUL_CONFIG", str(tmp_path / "none.toml"))
    monkeypatch.setenv("COLUMNS", "200")
    get_settings.cache_clear()
    runner = CliRunner()

    def run(*args: str) -> str:
        result = runner.invoke(app, ["agents", *args])
        assert result.exit_code == 0, result.output
        return result.output

    run("add", "ana", "--brand", "aurora", "--lang", "en", "--lang", "de", "--tz", "Europe/Berlin",
        "--shift", "mon-sun 00:00-00:00", "--skill", "lost_luggage")
    assert "ana" in run("list") and "on shift" in run("list", "--brand", "aurora")
    run("shift", "ana", "--brand", "aurora", "mon-fri 09:00-17:00")
    run("add", "lena", "--brand", "aurora")  # the lead and on-call below must be people the desk can reach
    run("add", "olga", "--brand", "aurora")
    run("team", "day", "--brand", "aurora", "--lead", "lena")
    run("oncall", "olga", "--brand", "aurora", "--from", "2026-01-01T00:00", "--until", "2036-01-01T00:00")
    run("sla", "--brand", "aurora", "--priority", "2", "--first", "30", "--business-tz", "Europe/Berlin")
    run("away", "ana", "--brand", "aurora")
    assert "away" in run("list")
    assert "re-routed 0" in run("tick")
    assert "per team" in run("report")
    bad = runner.invoke(app, ["agents", "shift", "ana", "--brand", "aurora", "someday 9-5"])
    assert bad.exit_code != 0 and "expected e.g." in bad.output
    with desk.db.session() as s:
        ana = agents.get_agent(s, "aurora", "ana")
        assert ana is not None and ana.away and len(ana.shifts) == 5 and ana.skills == ["lost_luggage"]
