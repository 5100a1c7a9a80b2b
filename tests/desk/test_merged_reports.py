"""Reports count a customer matter once: after a merge, every report counts the merged cases as their target, with
the target's combined times, and all of them agree with each other."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from fastapi.testclient import TestClient

from wakeful.api.deps import Desk
from wakeful.core.clock import FixedClock
from wakeful.core.models import Platform
from wakeful.desk.agent_report import agent_report, desk_figures
from wakeful.desk.daily import daily_report
from wakeful.desk.fairness import fairness_report
from wakeful.desk.metrics import first_response_by_brand
from wakeful.desk.report_page import page_figures
from wakeful.desk.reports import backlog_by_hour, summary

from tests.desk_fixtures import Headers
from tests.factories import T0, make_post

LOST = "@AuroraAirways you lost my bag on AU 2213, nobody answers. Still waiting for my suitcase!"


def _figures(desk: Desk) -> dict[str, Any]:
    """What each report counts for the day: cases, answered cases, and the first-response waits it saw."""
    since, until = T0 - timedelta(hours=1), T0 + timedelta(hours=5)
    settings = desk.settings
    with desk.db.session() as s:
        daily = daily_report(s, {"aurora"}, since, until, settings)
        fair = fairness_report(s, {"aurora"}, since, until)
        desk_row = desk_figures(s, {"aurora"}, settings, since, until)
        people, _ = agent_report(s, {"aurora"}, settings, since, until)
        morning = summary(s, {"aurora"})
        backlog = backlog_by_hour(s, {"aurora"}, since, until)
        [brand] = first_response_by_brand(s, {"aurora"}, since, until)
        page = page_figures(s, {"aurora"}, settings, since, until, since, until, team=True)
    assert page.daily == daily and page.fairness == fair and page.backlog == backlog
    assert page.team is not None and page.team.overall == desk_row
    return {
        "daily": (sum(d.cases_opened for d in daily), sum(d.answered for d in daily),
                  [d.first_response_median_min for d in daily]),
        "fairness bands": (sum(g.cases for g in fair.by_band), sum(g.answered for g in fair.by_band)),
        "fairness languages": (sum(g.cases for g in fair.by_lang), sum(g.answered for g in fair.by_lang)),
        "desk": (desk_row.cases, desk_row.answered, desk_row.first_response_median_min),
        "summary": (sum(morning.cases_by_state.values()), morning.answered, morning.first_response_median_min),
        "backlog": (sum(p.opened for p in backlog), sum(p.answered for p in backlog)),
        "by brand": (brand.cases, brand.answered, brand.first_response_median_min),
        "ana": [(p.cases, p.answered) for p in people if p.name == "ana"],
        "states": morning.cases_by_state,
    }


def test_every_report_counts_the_merged_matter_once_with_its_combined_times(
        desk: Desk, clock: FixedClock, client: TestClient, auth: Headers) -> None:
    h = auth()
    desk.ingest.ingest([make_post("x1", LOST, author="mira")])
    clock.set(T0 + timedelta(minutes=25))
    desk.ingest.ingest([make_post("b1", LOST, author="bob", minutes=20)])
    ids = {c["author"]["handle"]: c["id"] for c in client.get("/api/v1/cases", headers=h).json()}
    for case, minutes in ((ids["mira"], 10), (ids["bob"], 25)):
        clock.set(T0 + timedelta(minutes=minutes))
        assert client.post(f"/api/v1/cases/{case}/assign", json={"assignee": "ana"}, headers=h).status_code == 200
        assert client.post(f"/api/v1/cases/{case}/replies", json={"text": "On it."}, headers=h).status_code == 201
    clock.set(T0 + timedelta(minutes=50))
    desk.ingest.ingest([make_post("m1", LOST, author="mira_m", platform=Platform.MASTODON, minutes=5)])
    m = {c["author"]["handle"]: c["id"] for c in client.get("/api/v1/cases", headers=h).json()}["mira_m"]
    assert client.post(f"/api/v1/cases/{m}/assign", json={"assignee": "ana"}, headers=h).status_code == 200
    before = _figures(desk)
    assert before["desk"][:2] == (3, 2) and before["ana"] == [(3, 2)]

    assert client.post(f"/api/v1/cases/{m}/merge", json={"into": ids["mira"]}, headers=h).status_code == 200
    after = _figures(desk)
    # two matters: mira's (first post at 09:00, answered at 09:10, her Mastodon post of 09:05 in it) and bob's
    # (09:20, answered at 09:25); the waits are 10 and 5 minutes in every report
    assert after.pop("states") == {"open": 1, "waiting_on_customer": 1}
    assert after.pop("ana") == [(2, 2)]
    assert after == {"daily": (2, 2, [7.5]), "fairness bands": (2, 2), "fairness languages": (2, 2),
                     "desk": (2, 2, 7.5), "summary": (2, 2, 7.5), "backlog": (2, 2), "by brand": (2, 2, 7.5)}
