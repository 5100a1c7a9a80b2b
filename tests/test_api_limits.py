"""Numbers, times, ids and dates beyond what the desk can hold are a 4xx naming what is wrong, never a 500; in an
ingest batch such a record is refused alone and the rest is stored."""

from __future__ import annotations

import json
import re
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from wakeful.api.app import create_app
from wakeful.api.auth import Role, create_user
from wakeful.api.deps import MAX_ROW_ID, Desk
from wakeful.core.models import MAX_COUNT
from wakeful.store.models import CaseRow, EngagementRow, PostRow, RejectedRecordRow

from tests.desk_fixtures import Headers
from tests.factories import T0, make_post, post_record
from tests.signin import login

LOST = "@AuroraAirways you lost my bag on AU 2213, nobody answers. Still waiting for my suitcase!"
INT64_OVERFLOW = 2**63


def test_one_impossible_record_is_refused_alone_and_the_batch_is_stored(
        client: TestClient, auth: Headers, desk: Desk) -> None:
    """One follower count past 2**63 used to fail the whole batch with a 500, so a webhook resent it forever."""
    huge_followers = post_record(make_post("b1", LOST, author="bob"))
    huge_followers["author"]["followers"] = INT64_OVERFLOW
    huge_likes = post_record(make_post("b2", LOST, author="cy"))
    huge_likes["engagement"]["likes"] = INT64_OVERFLOW
    future = post_record(make_post("b3", LOST, author="dan"))
    future["created_at"] = future["engagement"]["observed_at"] = "2030-01-01T00:00:00Z"
    seen_early = post_record(make_post("b4", LOST, author="eve"))
    seen_early["engagement"]["observed_at"] = (T0 - timedelta(hours=1)).isoformat()
    placeholder = post_record(make_post("b5", LOST, author="flo"))
    placeholder["created_at"] = placeholder["engagement"]["observed_at"] = "0001-01-01T00:00:00+05:00"
    batch = [post_record(make_post("g1", LOST)), huge_followers, huge_likes, future, seen_early, placeholder]
    r = client.post("/api/v1/ingest", json={"posts": batch}, headers=auth("bot", "*", Role.ADMIN))
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["accepted"] == 1 and len(body["cases"]) == 1
    assert [(x["index"], x["id"], x["field"]) for x in body["rejected"]] == [
        (1, "b1", "author.followers"), (2, "b2", "engagement.likes"), (3, "b3", "created_at"),
        (4, "b4", "engagement.observed_at"), (5, "b5", "created_at")]
    assert "after the desk's clock" in body["rejected"][2]["error"]
    with desk.db.session() as s:
        assert s.scalars(select(PostRow.platform_id)).all() == ["g1"]
        assert sorted(s.scalars(select(RejectedRecordRow.record))) == [1, 2, 3, 4, 5]  # kept to fix and replay


def test_the_largest_counts_accepted_are_stored_on_every_database(client: TestClient, auth: Headers,
                                                                  desk: Desk) -> None:
    loud = post_record(make_post("g1", LOST, followers=MAX_COUNT, impressions=MAX_COUNT))
    loud["engagement"].update(likes=MAX_COUNT, reposts=MAX_COUNT, replies=MAX_COUNT, quotes=MAX_COUNT)
    r = client.post("/api/v1/ingest", json={"posts": [loud]}, headers=auth("bot", "*", Role.ADMIN))
    assert r.status_code == 200 and r.json()["accepted"] == 1, r.text
    with desk.db.session() as s:
        assert s.scalars(select(EngagementRow.likes)).one() == MAX_COUNT
        assert s.scalars(select(CaseRow.reach)).one() >= MAX_COUNT


def id_routes(desk: Desk) -> list[tuple[str, str, str]]:
    """(method, path, id parameter) of every API route taking an integer id in its path, as the API documents it."""
    found = []
    for path, methods in create_app(desk).openapi()["paths"].items():
        for method, operation in methods.items():
            found += [(method.upper(), path, param["name"]) for param in operation.get("parameters", [])
                      if param["in"] == "path" and param["schema"].get("type") == "integer"]
    return found


@pytest.mark.parametrize("value", [str(INT64_OVERFLOW), str(MAX_ROW_ID + 1), "0", str(-INT64_OVERFLOW - 1)])
def test_an_id_no_row_can_have_is_a_422_naming_it_on_every_route(
        client: TestClient, auth: Headers, desk: Desk, value: str) -> None:
    routes = id_routes(desk)
    assert {path for _, path, _ in routes} >= {  # the routes the tester hit, among all the others
        "/api/v1/cases/{case_id}", "/api/v1/cases/{case_id}/sla", "/api/v1/cases/{case_id}/suggestions",
        "/api/v1/incidents/{incident_id}", "/api/v1/connectors/replies/{reply_id}/retry"}
    admin = auth("root", "*", Role.ADMIN)
    for method, path, name in routes:
        url = re.sub(r"\{\w+\}", value, path)
        r = client.request(method, url, headers=admin, json={} if method in ("POST", "PATCH", "PUT") else None)
        assert r.status_code == 422, (method, url, r.status_code, r.text)
        assert ["path", name] in [e["loc"] for e in r.json()["detail"]], (method, url, r.text)


def test_the_largest_id_is_an_ordinary_not_found_on_every_database(client: TestClient, auth: Headers) -> None:
    """On PostgreSQL ids are 32-bit: the bound is what it can hold, so the look-up still runs."""
    agent = auth("ana")
    for path in (f"/api/v1/cases/{MAX_ROW_ID}", f"/api/v1/cases/{MAX_ROW_ID}/sla",
                 f"/api/v1/incidents/{MAX_ROW_ID}"):
        assert client.get(path, headers=agent).status_code == 404, path


@pytest.mark.parametrize(("query", "named"), [
    ({"until": "0001-01-01"}, "`until`"),  # no 24 hours before it for the default `since`
    ({"until": "0001-01-01T00:00:00+01:00"}, "`until`"),  # in year 0 in UTC
    ({"since": "0001-01-01T00:30:00+01:00", "until": "0001-01-02"}, "`since`"),
])
def test_a_backlog_bound_at_the_calendars_edge_is_a_422_naming_it(
        client: TestClient, auth: Headers, query: dict[str, str], named: str) -> None:
    r = client.get("/api/v1/reports/backlog", params=query, headers=auth("ana"))
    assert r.status_code == 422, r.text
    assert named in r.json()["detail"]


def test_a_backlog_at_the_calendars_edge_that_fits_is_reported(client: TestClient, auth: Headers) -> None:
    for query in ({"since": "0001-01-01", "until": "0001-01-02"}, {"until": "9999-12-31T23:00:00"}):
        r = client.get("/api/v1/reports/backlog", params=query, headers=auth("ana"))
        assert r.status_code == 200 and len(r.json()) == 24, (query, r.text)


def test_the_reports_page_keeps_dates_at_the_calendars_edge_inside_it(desk: Desk) -> None:
    with desk.db.session() as s:
        create_user(s, "lee", "edge-of-time-pw", "aurora", Role.LEAD, desk.clock.now())
    with TestClient(create_app(desk)) as browser:
        login(browser, {"username": "lee", "password": "edge-of-time-pw"})
        for query, shown in [({"until": "9999-12-31"}, "9999-12-30"),
                             ({"since": "0001-01-01", "until": "0001-01-02"}, "0001-02-01"),
                             ({"since": "9999-12-31", "until": "0001-01-01"}, "9999-12-30")]:
            r = browser.get("/reports", params=query)
            assert r.status_code == 200, (query, r.text[-500:])
            assert f'value="{shown}"' in r.text, query


@pytest.mark.parametrize("path", ["/api/v1/reports/fairness", "/api/v1/reports/agents",
                                  "/api/v1/reports/first-response", "/api/v1/stats/daily",
                                  "/api/v1/stats/breakdown", "/api/v1/stats/fairness"])
def test_report_dates_before_the_calendar_in_utc_are_a_422(client: TestClient, auth: Headers, path: str) -> None:
    lead = auth("lee", role=Role.LEAD)
    for query in ({"since": "0001-01-01T00:00:00+01:00"}, {"until": "0001-01-01T00:00:00+01:00"}):
        r = client.get(path, params=query, headers=lead)
        assert r.status_code == 422 and "calendar" in r.text, (path, query, r.text)


def test_a_page_for_an_id_no_row_can_have_is_the_not_found_page(desk: Desk) -> None:
    with desk.db.session() as s:
        create_user(s, "lee", "edge-of-time-pw", "aurora", Role.LEAD, desk.clock.now())
    with TestClient(create_app(desk)) as browser:
        login(browser, {"username": "lee", "password": "edge-of-time-pw"})
        for path in (f"/cases/{2**63}", f"/incidents/{2**63}", f"/cases/{MAX_ROW_ID + 1}", "/cases/0"):
            r = browser.get(path)
            assert r.status_code == 404 and "not found" in r.text.lower(), path


def test_a_language_filter_ignores_case_and_a_bad_limit_is_refused(desk: Desk, client: TestClient,
                                                                   auth: Headers) -> None:
    desk.ingest.ingest([make_post("p1", "@AuroraAirways Zug verspätet, Koffer weg, niemand antwortet!",
                                  at=desk.clock.now())])
    lead = auth("lee", role=Role.LEAD)
    lower = client.get("/api/v1/cases", params={"lang": "de"}, headers=lead).json()
    assert lower and client.get("/api/v1/cases", params={"lang": " DE "}, headers=lead).json() == lower
    for limit in (-1, 0, 1001):
        assert client.get("/api/v1/connectors/replies", params={"limit": limit}, headers=lead).status_code == 422


def test_an_item_that_is_not_a_post_object_is_refused_alone_by_its_index(
        client: TestClient, auth: Headers, desk: Desk) -> None:
    """`{"posts": [post, 5]}` used to be a 422 for the whole batch."""
    batch = [post_record(make_post("g1", LOST)), 5, "g2", None, [post_record(make_post("g3", LOST))], True]
    admin = auth("bot", "*", Role.ADMIN)
    for _ in range(2):  # a webhook retrying the batch
        r = client.post("/api/v1/ingest", json={"posts": batch}, headers=admin)
        assert r.status_code == 200, r.text
    body = r.json()
    assert (body["accepted"], body["duplicates"]) == (0, 1)
    assert [(x["index"], x["error"]) for x in body["rejected"]] == [
        (1, "expected a post object, got a number"), (2, "expected a post object, got a string"),
        (3, "expected a post object, got null"), (4, "expected a post object, got an array"),
        (5, "expected a post object, got a boolean")]
    assert {(x["id"], x["field"]) for x in body["rejected"]} == {(None, None)}
    with desk.db.session() as s:
        assert s.scalars(select(PostRow.platform_id)).all() == ["g1"]
        kept = dict(s.execute(select(RejectedRecordRow.record, RejectedRecordRow.payload)).all())
    assert kept == {1: "5", 2: '"g2"', 3: "null", 4: json.dumps([post_record(make_post("g3", LOST))]),
                    5: "true"}  # each once, with what was sent
    assert client.post("/api/v1/ingest", json={"posts": 5}, headers=admin).status_code == 422  # not a batch at all


def test_times_at_the_calendars_edge_in_any_offset_are_refused_alone(
        client: TestClient, auth: Headers, desk: Desk) -> None:
    """+14:00 on 0001-01-01 is year 0 in UTC: it once failed the whole batch with OverflowError."""
    edges = []
    for n, (field, value) in enumerate([("created_at", "0001-01-01T00:00:00+14:00"),
                                        ("author.created_at", "0001-01-01T00:00:00+05:00"),
                                        ("engagement.observed_at", "9999-12-31T23:59:59-14:00"),
                                        ("author.created_at", "2099-01-01T00:00:00Z")]):
        record = post_record(make_post(f"e{n}", LOST, author=f"user{n}"))
        if field == "created_at":
            record["created_at"] = record["engagement"]["observed_at"] = value
        else:
            part, name = field.split(".")
            record[part][name] = value
        edges.append(record)
    r = client.post("/api/v1/ingest", json={"posts": [post_record(make_post("g1", LOST)), *edges]},
                    headers=auth("bot", "*", Role.ADMIN))
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["accepted"] == 1
    assert [(x["index"], x["field"]) for x in body["rejected"]] == [
        (1, "created_at"), (2, "author.created_at"), (3, "engagement.observed_at"), (4, "author.created_at")]
    assert all("not between 1970-01-01 and 9999-01-01" in x["error"] for x in body["rejected"][:3])
    assert "after the desk's clock" in body["rejected"][3]["error"]


def test_a_json_escape_that_is_half_a_character_is_refused_alone_naming_its_key(
        client: TestClient, auth: Headers, desk: Desk) -> None:
    half = post_record(make_post("h1", LOST, author="bob"))
    half["raw"] = {"\ud83d": 1}
    text = json.dumps({"posts": [post_record(make_post("g1", LOST)), half]})  # ASCII: the key as "\ud83d"
    r = client.post("/api/v1/ingest", content=text, headers={**auth("bot", "*", Role.ADMIN),
                                                              "Content-Type": "application/json"})
    assert r.status_code == 200, r.text
    assert [(x["index"], x["field"]) for x in r.json()["rejected"]] == [(1, "raw.\\ud83d")]
    assert "lone surrogate" in r.json()["rejected"][0]["error"]
    with desk.db.session() as s:
        assert s.scalars(select(RejectedRecordRow.field)).all() == ["raw.\\ud83d"]
