"""The JSON API: ingest with malformed records, the queue and actions, and who may do what."""

from __future__ import annotations

import time
from datetime import timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from wakeful.analyze import Analyzer
from wakeful.api.app import build_desk, create_app
from wakeful.api.auth import Role
from wakeful.api.deps import Desk
from wakeful.core.settings import Settings
from wakeful.store.models import PostRow, RejectedRecordRow

from tests.desk_fixtures import Headers
from tests.factories import make_post, post_record

LOST = "@AuroraAirways you lost my bag on AU 2213, nobody answers. Still waiting for my suitcase!"
TRAIN = "@NordRail Zug ausgefallen, keine Info, ich warte seit zwei Stunden am Bahnsteig!"



def ingest(client: TestClient, auth: Headers, *records: dict[str, object]) -> dict[str, object]:
    r = client.post("/api/v1/ingest", json={"posts": list(records)}, headers=auth("bot", "*", Role.ADMIN))
    assert r.status_code == 200, r.text
    body: dict[str, object] = r.json()
    return body


def test_healthz_needs_no_token(client: TestClient) -> None:
    assert client.get("/healthz").json() == {"status": "ok"}
    assert client.head("/healthz").status_code == 200  # load balancers probe with HEAD


def test_healthz_says_when_the_database_is_gone(tmp_path: Path, analyzer: Analyzer) -> None:
    dead = Settings(database_url=f"sqlite:///{tmp_path}/missing/dir/x.db")
    with TestClient(create_app(build_desk(dead, analyzer=analyzer))) as c:
        r = c.get("/healthz")
    assert r.status_code == 503 and "database unreachable" in r.json()["detail"]


def test_a_request_while_the_database_is_gone_is_a_503_to_retry(tmp_path: Path, analyzer: Analyzer) -> None:
    """Not a bare 500: a webhook sender or connector reads 503 + Retry-After as "deliver again later"."""
    dead = Settings(database_url=f"sqlite:///{tmp_path}/missing/dir/x.db")
    with TestClient(create_app(build_desk(dead, analyzer=analyzer))) as c:
        r = c.post("/api/v1/ingest", json={"posts": []}, headers={"Authorization": "Bearer wk_any"})
    assert r.status_code == 503 and r.headers["Retry-After"] == "30"
    assert "database unavailable" in r.json()["detail"]


@pytest.mark.parametrize("path", ["/api/v1/cases", "/api/v1/cases/1", "/api/v1/stats/volume"])
def test_every_api_endpoint_refuses_a_missing_or_bad_token(client: TestClient, path: str) -> None:
    assert client.get(path).status_code == 401
    assert client.get(path, headers={"Authorization": "Bearer wk_nope"}).status_code == 401
    assert client.post("/api/v1/ingest", json={"posts": []}).status_code == 401


def test_malformed_record_is_named_and_the_rest_of_the_batch_kept(
    client: TestClient, auth: Headers, desk: Desk
) -> None:
    good = post_record(make_post("g1", LOST))
    bad = post_record(make_post("b1", LOST, author="bob"))
    bad["author"]["followers"] = "lots"  # type: ignore[index]
    naive = post_record(make_post("n1", LOST, author="cy"))
    naive["created_at"] = "2026-03-02T09:00:00"
    body = ingest(client, auth, good, bad, naive, post_record(make_post("g2", TRAIN, author="dora")))
    assert body["accepted"] == 2
    rejected = body["rejected"]
    assert [(r["index"], r["id"], r["field"]) for r in rejected] == [  # type: ignore[union-attr]
        (1, "b1", "author.followers"), (2, "n1", "created_at")]
    with desk.db.session() as s:
        assert sorted(s.scalars(select(PostRow.platform_id))) == ["g1", "g2"]
        kept = s.scalars(select(RejectedRecordRow)).all()
    assert [k.field for k in kept] == ["author.followers", "created_at"]
    assert '"lots"' in kept[0].payload


def test_duplicate_delivery_through_the_api_is_reported_as_such(client: TestClient, auth: Headers) -> None:
    record = post_record(make_post("g1", LOST))
    ingest(client, auth, record)
    again = ingest(client, auth, record)
    assert (again["accepted"], again["duplicates"]) == (0, 1)


def test_agent_sees_only_their_brand(client: TestClient, auth: Headers) -> None:
    ingest(client, auth, post_record(make_post("g1", LOST)), post_record(make_post("t1", TRAIN, author="dora")))
    aurora, nord = auth("ana", "aurora"), auth("nils", "nordrail")
    queue = client.get("/api/v1/cases", headers=aurora).json()
    assert [c["brand"] for c in queue] == ["aurora"]
    nord_case = client.get("/api/v1/cases", headers=nord).json()[0]["id"]
    assert client.get(f"/api/v1/cases/{nord_case}", headers=aurora).status_code == 404
    assert client.post(f"/api/v1/cases/{nord_case}/replies", json={"text": "hi"}, headers=aurora).status_code == 404


def test_roles(client: TestClient, auth: Headers) -> None:
    agent = auth("ana", "aurora", Role.AGENT)
    r = client.post("/api/v1/ingest", json={"posts": []}, headers=agent)
    assert r.status_code == 403 and "admin" in r.json()["detail"]
    ingest(client, auth, post_record(make_post("g1", LOST)))
    case_id = client.get("/api/v1/cases", headers=agent).json()[0]["id"]
    assert client.post(f"/api/v1/cases/{case_id}/assign", json={"assignee": "bo"}, headers=agent).status_code == 403
    lead = auth("lee", "aurora", Role.LEAD)
    assert client.post("/api/v1/agents", json={"name": "bo"}, headers=lead).status_code == 201
    assert client.post(f"/api/v1/cases/{case_id}/assign", json={"assignee": "bo"}, headers=lead).status_code == 200
    with pytest.raises(ValueError, match="admin"):
        auth("x", "*", Role.LEAD)


def test_assign_reply_and_resolve_a_case(client: TestClient, auth: Headers) -> None:
    ingest(client, auth, post_record(make_post("g1", LOST)))
    agent = auth("ana")
    case_id = client.get("/api/v1/cases?unassigned=true", headers=agent).json()[0]["id"]
    r = client.post(f"/api/v1/cases/{case_id}/assign", json={"assignee": "ana"}, headers=agent)
    assert r.json()["state"] == "open" and r.json()["assignee"] == "ana"
    assert [c["id"] for c in client.get("/api/v1/cases?mine=true", headers=agent).json()] == [case_id]
    for kind in ("replies", "notes"):  # a 422 naming the field, not a database error (PostgreSQL refuses NUL)
        r = client.post(f"/api/v1/cases/{case_id}/{kind}", json={"text": "So sorry\u0000"}, headers=agent)
        assert r.status_code == 422 and "NUL" in r.text, r.text
    r = client.post(f"/api/v1/cases/{case_id}/replies", json={"text": "So sorry, please DM us"}, headers=agent)
    assert r.status_code == 201
    assert r.json()["state"] == "waiting_on_customer" and r.json()["sla_left_minutes"] is None
    client.post(f"/api/v1/cases/{case_id}/state", json={"state": "resolved"}, headers=agent)
    assert client.get("/api/v1/cases", headers=agent).json() == []
    detail = client.get(f"/api/v1/cases/{case_id}", headers=agent).json()
    assert [i["kind"] for i in detail["timeline"]] == ["post", "assigned", "reply", "state", "state"]
    r = client.post(f"/api/v1/cases/{case_id}/state", json={"state": "closed-ish"}, headers=agent)
    assert r.status_code == 422


def test_volume_chart_data(client: TestClient, auth: Headers) -> None:
    ingest(client, auth, post_record(make_post("g1", LOST)), post_record(make_post("t1", TRAIN, author="dora")))
    points = client.get("/api/v1/stats/volume", headers=auth()).json()
    assert sum(p["posts"] for p in points) == 1
    assert points[0]["negative_share"] == pytest.approx(points[0]["negative"] / points[0]["posts"])


def test_queue_counts(client: TestClient, auth: Headers, desk: Desk) -> None:
    ingest(client, auth, post_record(make_post("g1", LOST)), post_record(make_post("g2", LOST, author="bea")))
    agent = auth("ana")
    first = client.get("/api/v1/cases", headers=agent).json()[0]["id"]
    client.post(f"/api/v1/cases/{first}/assign", json={"assignee": "ana"}, headers=agent)
    assert client.get("/api/v1/stats/queue", headers=agent).json() == {"active": 2, "breached": 0, "unassigned": 1,
                                                                         "waiting": 2}
    desk.clock.advance(timedelta(hours=5))  # type: ignore[attr-defined]
    client.post(f"/api/v1/cases/{first}/replies", json={"text": "Sorry! DM us"}, headers=agent)
    assert client.get("/api/v1/stats/queue", headers=agent).json() == {"active": 2, "breached": 1, "unassigned": 1,
                                                                         "waiting": 1}
    assert client.get("/api/v1/stats/queue", headers=auth("nils", "nordrail")).json()["active"] == 0


def test_personal_data_is_masked_until_revealed_and_the_reveal_is_recorded(client: TestClient, auth: Headers) -> None:
    text = "@AuroraAirways lost my bag, booking ref QX7K2P, call me on +44 7700 900123 or mira@example.com"
    ingest(client, auth, post_record(make_post("p1", text, author="mira")))
    agent = auth("ana")
    case = client.get("/api/v1/cases", headers=agent).json()[0]
    assert "mira@example.com" not in case["snippet"] and "+44 7700" not in case["snippet"]
    post = client.get(f"/api/v1/cases/{case['id']}", headers=agent).json()["timeline"][0]
    assert post["redacted"] is True and "QX7K2P" not in post["text"] and "[email]" in post["text"]
    shown = client.post(f"/api/v1/cases/{case['id']}/reveal", headers=agent).json()
    assert shown == [{"post_id": "p1", "text": text, "earlier": []}]  # never edited
    timeline = client.get(f"/api/v1/cases/{case['id']}", headers=agent).json()["timeline"]
    assert [(i["kind"], i["actor"]) for i in timeline][-1] == ("reveal", "ana")
    assert timeline[0]["redacted"] is True  # revealing shows it once; the case stays masked


def test_the_server_runs_scheduled_jobs_and_survives_a_failing_one(desk: Desk) -> None:
    ran: list[object] = []

    def broken(_desk: Desk, _now: object) -> None:
        raise RuntimeError("boom")

    def job(d: Desk, now: object) -> None:
        ran.append(now)

    desk.settings.scheduler_interval_s = 0.05
    desk.jobs.extend([broken, job])
    with TestClient(create_app(desk)):
        deadline = time.monotonic() + 5
        while len(ran) < 2 and time.monotonic() < deadline:
            time.sleep(0.02)
    assert len(ran) >= 2 and ran[0] == desk.clock.now()


def test_daily_report_and_breakdown_as_json_and_csv(client: TestClient, auth: Headers, desk: Desk) -> None:
    ingest(client, auth, post_record(make_post("g1", LOST)), post_record(make_post("g2", LOST, author="bea")),
           post_record(make_post("t1", TRAIN, author="dora")))
    agent = auth("ana")
    first = client.get("/api/v1/cases", headers=agent).json()[0]["id"]
    desk.clock.advance(timedelta(minutes=20))  # type: ignore[attr-defined]
    client.post(f"/api/v1/cases/{first}/replies", json={"text": "Sorry! DM us"}, headers=agent)
    [day] = client.get("/api/v1/stats/daily", headers=agent).json()
    assert (day["posts"], day["complaints"], day["cases_opened"], day["answered"]) == (2, 2, 2, 1)
    assert day["first_response_median_min"] == pytest.approx(25.0)
    split = client.get("/api/v1/stats/breakdown", headers=agent).json()
    assert split["by_language"] == {"en": 2} and split["by_topic"]["lost_luggage"] == 2
    csv_text = client.get("/api/v1/stats/daily", params={"format": "csv"}, headers=agent)
    assert csv_text.headers["content-type"].startswith("text/csv")
    assert "attachment" in csv_text.headers["content-disposition"]
    header, row = csv_text.text.strip().splitlines()
    assert header.startswith("day,posts,negative") and row.split(",")[1] == "2"
    later = {"since": "2030-01-01T00:00:00Z", "until": "2030-01-02T00:00:00Z"}
    assert client.get("/api/v1/stats/daily", params=later, headers=agent).json() == []
    backwards = {"since": "2030-01-02T00:00:00Z", "until": "2030-01-01T00:00:00Z"}
    assert client.get("/api/v1/stats/daily", params=backwards, headers=agent).status_code == 422


def test_a_reply_to_an_accusation_waits_for_a_legal_review(client: TestClient, auth: Headers) -> None:
    theft = "@AuroraAirways your agent Mark at gate 12 stole my wallet, I am calling the police"
    ingest(client, auth, post_record(make_post("l1", theft, author="vic")))
    agent = auth("ana")
    [case] = client.get("/api/v1/cases", headers=agent).json()
    detail = client.get(f"/api/v1/cases/{case['id']}", headers=agent).json()
    assert detail["legal"] == ["crime:theft", "staff_accusation"]
    url = f"/api/v1/cases/{case['id']}/replies"
    held = client.post(url, json={"text": "We are looking into it."}, headers=agent)
    assert held.status_code == 409 and "legal flags (crime:theft, staff_accusation)" in held.json()["detail"]
    assert client.get(f"/api/v1/cases/{case['id']}", headers=agent).json()["first_response_at"] is None
    sent = client.post(url, json={"text": "We are looking into it.", "legal_reviewed": True}, headers=agent)
    assert sent.status_code == 201
    [reply] = [e for e in client.get(f"/api/v1/cases/{case['id']}", headers=agent).json()["timeline"]
               if e["kind"] == "reply"]
    assert reply["data"]["legal_reviewed"] == ["crime:theft", "staff_accusation"]


def test_fairness_by_reach_band_as_json_and_csv(client: TestClient, auth: Headers, desk: Desk) -> None:
    ingest(client, auth, post_record(make_post("s1", LOST, author="small", followers=300)),
           post_record(make_post("b1", LOST, author="big", followers=250_000)))
    agent = auth("ana")
    cases = {c["author"]["handle"]: c["id"] for c in client.get("/api/v1/cases", headers=agent).json()}
    desk.clock.advance(timedelta(minutes=10))  # type: ignore[attr-defined]
    client.post(f"/api/v1/cases/{cases['big']}/replies", json={"text": "Sorry! DM us"}, headers=agent)
    desk.clock.advance(timedelta(minutes=30))  # type: ignore[attr-defined]
    client.post(f"/api/v1/cases/{cases['small']}/replies", json={"text": "Sorry! DM us"}, headers=agent)

    report = client.get("/api/v1/stats/fairness", headers=agent).json()
    medians = {g["group"]: g["first_response_median_min"] for g in report["by_band"] if g["cases"]}
    assert medians == {"<1k": pytest.approx(45.0), ">100k": pytest.approx(15.0)}
    csv_text = client.get("/api/v1/stats/fairness", params={"format": "csv"}, headers=agent)
    assert "attachment" in csv_text.headers["content-disposition"]
    header, *rows = csv_text.text.strip().splitlines()
    assert header.startswith("group,cases,answered") and header.endswith(",dimension")
    assert {r.split(",")[0] for r in rows if r.endswith(",reach_band")} >= {"<1k", ">100k"}
    assert any(r.startswith("en,2,2") and r.endswith(",language") for r in rows)


def test_backlog_and_team_figures_download_as_csv(client: TestClient, auth: Headers, desk: Desk) -> None:
    ingest(client, auth, post_record(make_post("g1", LOST)), post_record(make_post("g2", LOST, author="bea")))
    desk.clock.advance(timedelta(hours=2))  # type: ignore[attr-defined]
    lead = auth("lee", role=Role.LEAD)
    backlog = client.get("/api/v1/reports/backlog", params={"format": "csv"}, headers=lead)
    assert "attachment" in backlog.headers["content-disposition"]
    header, *rows = backlog.text.strip().splitlines()
    assert header == "hour,open,unanswered,opened,answered,resolved" and any(r.split(",")[1] == "2" for r in rows)
    figures = client.get("/api/v1/reports/agents", params={"format": "csv"}, headers=lead)
    header, overall, *_ = figures.text.strip().splitlines()
    assert header.startswith("brand,name,team,cases") and overall.split(",")[3] == "2"
    assert client.get("/api/v1/reports/agents", headers=auth("ana")).status_code == 403


def test_queue_finds_a_customer_by_handle_or_display_name(client: TestClient, auth: Headers) -> None:
    """An agent looks up someone who wrote in by phone or e-mail: any case, a leading @ or none, part of the name."""
    named = post_record(make_post("n1", "@AuroraAirways still no news of my suitcase", author="bea_100"))
    named["author"]["display_name"] = "Béatrice Müller"
    ingest(client, auth, post_record(make_post("g1", LOST)), named,
           post_record(make_post("t1", TRAIN, author="bea_rail")))
    agent = auth("ana")  # aurora only

    def found(customer: str) -> list[str]:
        r = client.get("/api/v1/cases", params={"customer": customer}, headers=agent)
        assert r.status_code == 200, r.text
        return [c["author"]["handle"] for c in r.json()]

    assert found("@ALI") == ["alice"] and found("  alice ") == ["alice"]
    assert found("bea") == ["bea_100"]  # bea_rail wrote to another brand: still out of this agent's sight
    assert found("müller") == ["bea_100"]  # the display name, in any case
    assert found("_1") == ["bea_100"] and found("%") == [] and found("nobody") == []  # _ and % are plain characters
    assert sorted(found("")) == ["alice", "bea_100"]  # empty: no filter
    assert client.get("/api/v1/cases", params={"customer": "x" * 129}, headers=agent).status_code == 422


def test_queue_filters_by_topic_and_breach(client: TestClient, auth: Headers, desk: Desk) -> None:
    question = "@AuroraAirways can I pay for seat selection with my miles?"
    ingest(client, auth, post_record(make_post("g1", LOST)), post_record(make_post("q1", question, author="bea")))
    agent = auth("ana")
    lost = client.get("/api/v1/cases", params={"topic": "lost_luggage"}, headers=agent).json()
    assert [c["author"]["handle"] for c in lost] == ["alice"]
    assert client.get("/api/v1/cases", params={"breached": True}, headers=agent).json() == []
    desk.clock.advance(timedelta(minutes=90))  # type: ignore[attr-defined]
    late = client.get("/api/v1/cases", params={"breached": True}, headers=agent).json()
    assert [c["author"]["handle"] for c in late] == ["alice"]  # the question's target is longer
    assert all(c["sla_left_minutes"] < 0 for c in late)
