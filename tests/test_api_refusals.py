"""Input the desk refuses with a 422 naming what is wrong, instead of storing something that breaks it later: blank
replies that would stop the SLA clock, assignees nobody is, agents and SLA policies that never match or never count,
and report cells a spreadsheet would run as formulas."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from pydantic import BaseModel

from wakeful.api.auth import Role, create_user
from wakeful.api.deps import Desk
from wakeful.desk.daily import to_csv

from tests.desk_fixtures import Headers
from tests.factories import make_post

LOST = "@AuroraAirways you lost my bag on AU 2213, nobody answers. Still waiting for my suitcase!"
FORMULA = '=HYPERLINK("http://evil","x")'


def _case(desk: Desk) -> int:
    [case_id] = desk.ingest.ingest([make_post("g1", LOST)]).cases
    return case_id


def test_a_blank_reply_or_note_is_refused_and_the_first_response_clock_keeps_running(
        client: TestClient, auth: Headers, desk: Desk) -> None:
    case_id = _case(desk)
    agent = auth("ana")
    for kind, text in (("replies", "   "), ("replies", "\n\t "), ("notes", "   ")):
        r = client.post(f"/api/v1/cases/{case_id}/{kind}", json={"text": text}, headers=agent)
        assert r.status_code == 422 and "blank" in r.text, r.text
    detail = client.get(f"/api/v1/cases/{case_id}", headers=agent).json()
    assert detail["first_response_at"] is None and detail["state"] == "new"
    assert [i["kind"] for i in detail["timeline"]] == ["post"]
    desk.clock.advance(timedelta(hours=3))  # type: ignore[attr-defined]
    assert client.get("/api/v1/stats/queue", headers=agent).json()["breached"] == 1


def test_a_case_is_assigned_only_to_someone_who_can_work_it_or_to_nobody(
        client: TestClient, auth: Headers, desk: Desk) -> None:
    case_id = _case(desk)
    url = f"/api/v1/cases/{case_id}/assign"
    lead = auth("lee", role=Role.LEAD)
    assert client.post("/api/v1/agents", json={"name": "bo"}, headers=lead).status_code == 201
    nils = auth("nils", "nordrail", Role.LEAD)
    assert client.post("/api/v1/agents", json={"name": "nina"}, headers=nils).status_code == 201
    for bad, why in (("nonexistent-agent", "neither an agent of 'aurora' nor a user"), ("nina", "neither an agent"),
                     ("", "send null to unassign"), ("   ", "send null to unassign"), ("x" * 5000, "128"),
                     ("bo\u0000", "NUL")):
        r = client.post(url, json={"assignee": bad}, headers=lead)
        assert r.status_code == 422 and why in r.text, (bad[:20], r.text[:300])
    assert [c["id"] for c in client.get("/api/v1/cases?unassigned=true", headers=lead).json()] == [case_id]

    r = client.post(url, json={"assignee": " bo "}, headers=lead)
    assert (r.status_code, r.json()["assignee"], r.json()["state"]) == (200, "bo", "open")
    assert client.post(url, json={"assignee": None}, headers=lead).json()["assignee"] is None  # unassigning stays
    assert [c["id"] for c in client.get("/api/v1/cases?unassigned=true", headers=lead).json()] == [case_id]
    assert client.post(url, json={"assignee": "lee"}, headers=lead).json()["assignee"] == "lee"  # oneself
    with desk.db.session() as s:  # a dashboard user of the brand works cases without a rota entry
        create_user(s, "carla", "a-long-password", "aurora", Role.AGENT, desk.clock.now())
    assert client.post(url, json={"assignee": "carla"}, headers=lead).json()["assignee"] == "carla"


def test_agent_names_are_trimmed_and_languages_must_be_ones_the_desk_serves(
        client: TestClient, auth: Headers) -> None:
    lead = auth("lee", role=Role.LEAD)
    for body, why in (({"name": "   "}, "blank"), ({"name": "ana\u0000"}, "NUL"),
                      ({"name": "ana", "languages": ["zz"]}, "unknown language code(s) ['zz']"),
                      ({"name": "ana", "languages": []}, "at least 1")):
        r = client.post("/api/v1/agents", json=body, headers=lead)
        assert r.status_code == 422 and why in r.text, r.text
    r = client.post("/api/v1/agents", json={"name": "ana ", "languages": ["EN", " de", "en"]}, headers=lead)
    assert r.status_code == 201 and (r.json()["name"], r.json()["languages"]) == ("ana", ["en", "de"])
    duplicate = client.post("/api/v1/agents", json={"name": "ana"}, headers=lead)
    assert duplicate.status_code == 422 and "already exists" in duplicate.text
    r = client.patch(f"/api/v1/agents/{r.json()['id']}", json={"languages": ["fr", "xx"]}, headers=lead)
    assert r.status_code == 422 and "'xx'" in r.text
    assert [a["languages"] for a in client.get("/api/v1/agents", headers=lead).json()] == [["en", "de"]]
    assert client.put("/api/v1/teams", json={"name": "  ", "lead": "ana"}, headers=lead).status_code == 422
    assert client.put("/api/v1/teams", json={"name": "day ", "lead": " ana"}, headers=lead).json()["lead"] == "ana"


@pytest.mark.parametrize(("change", "why"), [
    ({"weekdays": [9, -1]}, "weekdays must be a non-empty list of days 0 (Monday) .. 6 (Sunday)"),
    ({"weekdays": []}, "weekdays must be a non-empty list"),
    ({"weekdays": [0, 7]}, "weekdays"),
    ({"day_start": "25:00"}, "25:00 is not a time of day"),
    ({"day_end": "17:60"}, "17:60 is not a time of day"),
    ({"day_start": "18:00", "day_end": "09:00"}, "must end after they start"),
    ({"first_response_minutes": -10}, "greater than 0"),
    ({"first_response_minutes": 0}, "greater than 0"),
    ({"next_response_minutes": -1}, "greater than 0"),
    ({"resolution_minutes": 10**12}, "less than or equal to 527040"),
])
def test_an_sla_policy_that_would_never_count_time_is_refused(
        client: TestClient, auth: Headers, change: dict[str, object], why: str) -> None:
    lead = auth("lee", role=Role.LEAD)
    body = {"priority": 3, "first_response_minutes": 10, "business_hours": True, **change}
    r = client.put("/api/v1/sla-policies", json=body, headers=lead)
    assert r.status_code == 422 and why in r.text, r.text
    assert client.get("/api/v1/sla-policies", headers=lead).json() == []


def test_an_sla_policy_may_count_weekends_only_and_whole_days(client: TestClient, auth: Headers) -> None:
    body = {"priority": 3, "first_response_minutes": 10, "business_hours": True, "weekdays": [6, 5, 5],
            "day_start": "00:00", "day_end": "24:00"}
    r = client.put("/api/v1/sla-policies", json=body, headers=auth("lee", role=Role.LEAD))
    assert r.status_code == 200, r.text
    assert (r.json()["weekdays"], r.json()["day_end"]) == ([5, 6], "24:00")

def test_the_agents_report_csv_shows_a_formula_name_as_text(client: TestClient, auth: Headers, desk: Desk) -> None:
    case_id = _case(desk)
    lead = auth("lee", role=Role.LEAD)
    assert client.post("/api/v1/agents", json={"name": FORMULA}, headers=lead).status_code == 201
    assert client.post(f"/api/v1/cases/{case_id}/assign", json={"assignee": FORMULA}, headers=lead).status_code == 200
    figures = client.get("/api/v1/reports/agents", params={"format": "csv"}, headers=lead)
    cells = [cell for row in csv.reader(io.StringIO(figures.text)) for cell in row]
    assert "'" + FORMULA in cells
    assert not any(cell.startswith(("=", "+", "@", "\t", "\r")) for cell in cells)


class _Row(BaseModel):
    name: str
    note: str | None
    count: int
    delta: float


def test_every_csv_export_prefixes_formula_cells_but_leaves_numbers_alone() -> None:
    rows = [_Row(name="@SUM(A1:A9)", note="+1+cmd|' /C calc'!A0", count=-3, delta=-2.5),
            _Row(name="\tTAB", note="\rCR", count=0, delta=0.0),
            _Row(name="-3", note="-1.5e3", count=7, delta=1.0),
            _Row(name="- a dash", note=None, count=1, delta=-0.25),
            _Row(name="ana", note="\uff1d1+1", count=2, delta=3.0)]
    parsed = list(csv.DictReader(io.StringIO(to_csv(rows), newline="")))
    assert [r["name"] for r in parsed] == ["'@SUM(A1:A9)", "'\tTAB", "-3", "'- a dash", "ana"]
    assert [r["note"] for r in parsed] == ["'+1+cmd|' /C calc'!A0", "'\rCR", "-1.5e3", "", "'\uff1d1+1"]
    assert [r["count"] for r in parsed] == ["-3", "0", "7", "1", "2"]
    assert [r["delta"] for r in parsed] == ["-2.5", "0.0", "1.0", "-0.25", "3.0"]
