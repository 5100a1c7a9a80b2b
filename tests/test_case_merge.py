"""Agents merge two cases that are one customer matter (the same person on X and on Mastodon), and undo it."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from wakeful.api.auth import Role
from wakeful.api.deps import Desk
from wakeful.core.clock import FixedClock
from wakeful.core.models import Platform
from wakeful.desk import scheduled
from wakeful.desk.merge import CorrectionConflict, merge
from wakeful.store.models import CaseRow

from tests.desk_fixtures import Headers
from tests.factories import T0, make_post

LOST = "@AuroraAirways you lost my bag on AU 2213, nobody answers. Still waiting for my suitcase!"
SMOKE = "@AuroraAirways smoke in the cabin on AU 2213 and the crew ignored it. I will call my lawyer."
AGAIN = "@AuroraAirways still nothing about my bag or the smoke, hours later"


def _cases(client: TestClient, h: dict[str, str], **params: Any) -> dict[str, dict[str, Any]]:
    """The cases listed (every state), by author handle."""
    got = client.get("/api/v1/cases", params={"state": ["new", "open", "waiting_on_customer", "resolved",
                                                        "merged"], **params}, headers=h)
    assert got.status_code == 200, got.text
    return {c["author"]["handle"]: c for c in got.json()}


def _two_accounts(desk: Desk, clock: FixedClock, client: TestClient, h: dict[str, str]) -> tuple[int, int]:
    """Mira's X case, answered after 10 minutes, and her Mastodon case 30 minutes in (urgent, unanswered, with a
    note and a bigger audience): (x case, mastodon case)."""
    desk.ingest.ingest([make_post("x1", LOST, author="mira", followers=150)])
    clock.set(T0 + timedelta(minutes=10))
    x = _cases(client, h)["mira"]["id"]
    assert client.post(f"/api/v1/cases/{x}/replies", json={"text": "So sorry, we are tracing it."},
                       headers=h).status_code == 201
    clock.set(T0 + timedelta(minutes=40))
    desk.ingest.ingest([make_post("m1", SMOKE, author="mira_m", platform=Platform.MASTODON, followers=9000,
                                  minutes=30)])
    m = _cases(client, h)["mira_m"]["id"]
    assert client.post(f"/api/v1/cases/{m}/notes", json={"text": "same person as @mira on X"},
                       headers=h).status_code == 201
    clock.set(T0 + timedelta(minutes=50))
    return x, m


def test_a_merged_case_joins_its_target_and_stays_closed_as_merged(
        desk: Desk, clock: FixedClock, client: TestClient, auth: Headers) -> None:
    h = auth()
    x, m = _two_accounts(desk, clock, client, h)
    before = _cases(client, h)
    got = client.post(f"/api/v1/cases/{m}/merge", json={"into": x}, headers=h)
    assert got.status_code == 200, got.text
    merged = got.json()
    assert merged["id"] == x
    target = client.get(f"/api/v1/cases/{x}", headers=h).json()
    kinds = [(i["kind"], i.get("post_id") or i["text"]) for i in target["timeline"]]
    assert ("post", "x1") in kinds and ("post", "m1") in kinds
    assert ("note", "same person as @mira on X") in kinds and ("reply", "So sorry, we are tracing it.") in kinds
    [event] = [i for i in target["timeline"] if i["kind"] == "merge"]
    assert (event["actor"], event["data"]["source"], event["at"]) == ("ana", m, clock.now().isoformat().replace(
        "+00:00", "Z"))
    assert {i["post_id"] for i in target["timeline"] if i["kind"] == "post" and i["customer"]} == {"x1", "m1"}
    # the source is kept for links and reports, closed as merged, and acts no more
    source = client.get(f"/api/v1/cases/{m}", headers=h).json()
    assert (source["state"], source["merged_into"]) == ("merged", x)
    assert [(i["kind"], i["actor"], i["data"]["into"]) for i in source["timeline"]] == [("merged", "ana", x)]
    assert client.post(f"/api/v1/cases/{m}/notes", json={"text": "x"}, headers=h).status_code == 409
    assert client.post(f"/api/v1/cases/{m}/merge", json={"into": x}, headers=h).status_code == 409
    assert client.post(f"/api/v1/cases/{x}/state", json={"state": "merged"}, headers=h).status_code == 422
    assert m not in [c["id"] for c in client.get("/api/v1/cases", headers=h).json()]  # not in the queue
    # the combination: the matter's first post and first answer, the Mastodon post still waiting, the louder of both
    assert merged["opened_at"] == before["mira"]["opened_at"]
    assert merged["first_response_at"] == before["mira"]["first_response_at"]
    assert merged["awaiting_since"] == before["mira_m"]["awaiting_since"]
    assert merged["severity"] == max(before["mira"]["severity"], before["mira_m"]["severity"])
    assert set(merged["topics"]) == set(before["mira"]["topics"]) | set(before["mira_m"]["topics"])
    assert merged["reach"] == 9000 and merged["state"] == "open"
    assert merged["priority"]["level"] >= max(before[a]["priority"]["level"] for a in ("mira", "mira_m"))


def test_merging_into_a_case_just_answered_does_not_hide_a_breach(
        desk: Desk, clock: FixedClock, client: TestClient, auth: Headers) -> None:
    h = auth()
    x, m = _two_accounts(desk, clock, client, h)
    clock.set(T0 + timedelta(hours=3))  # the urgent Mastodon post is long past its target
    assert client.post(f"/api/v1/cases/{x}/replies", json={"text": "Any news?"}, headers=h).status_code == 201
    assert [c["id"] for c in client.get("/api/v1/cases?breached=true", headers=h).json()] == [m]
    assert client.post(f"/api/v1/cases/{m}/merge", json={"into": x}, headers=h).status_code == 200
    [late] = client.get("/api/v1/cases?breached=true", headers=h).json()
    assert late["id"] == x and late["sla_left_minutes"] < 0
    assert late["awaiting_since"] == (T0 + timedelta(minutes=30)).isoformat().replace("+00:00", "Z")


def test_later_posts_of_the_merged_account_join_the_target_and_move_its_clock(
        desk: Desk, clock: FixedClock, client: TestClient, auth: Headers) -> None:
    h = auth()
    x, m = _two_accounts(desk, clock, client, h)
    assert client.post(f"/api/v1/cases/{m}/merge", json={"into": x}, headers=h).status_code == 200
    assert client.post(f"/api/v1/cases/{x}/replies", json={"text": "Crew informed."}, headers=h).status_code == 201
    assert _cases(client, h)["mira"]["state"] == "waiting_on_customer"
    clock.set(T0 + timedelta(minutes=70))
    desk.ingest.ingest([make_post("m2", AGAIN, author="mira_m", platform=Platform.MASTODON, minutes=60),
                        make_post("m3", "@mira_m sorry to hear, we are looking into it", author="AuroraHelp",
                                  platform=Platform.MASTODON, minutes=65, reply_to="m1", conversation="m1")])
    listed = _cases(client, h)
    assert set(listed) == {"mira", "mira_m"}  # no new case for her Mastodon account
    target = client.get(f"/api/v1/cases/{x}", headers=h).json()
    assert {"m2", "m3"} <= {i["post_id"] for i in target["timeline"] if i["kind"] == "post"}
    # m2 moved the clock (her own post), m3 (the brand in the Mastodon thread) answered it
    assert [i["data"].get("post_id") for i in target["timeline"] if i["kind"] == "reply"][-1] == "m3"
    assert (target["state"], target["awaiting_since"]) == ("waiting_on_customer", None)
    assert target["snippet"].startswith("@AuroraAirways still nothing")


def test_the_merged_in_account_writing_resumes_a_clock_paused_waiting_on_the_customer(
        desk: Desk, clock: FixedClock, client: TestClient, auth: Headers) -> None:
    """Her Mastodon post reopens the merged case; were it not her own post to the SLA clock, the resolution timer
    would stay paused from the first answer on, counting the desk's wait since as hers (and never escalating)."""
    h = auth()
    x, m = _two_accounts(desk, clock, client, h)
    assert client.post(f"/api/v1/cases/{m}/merge", json={"into": x}, headers=h).status_code == 200
    assert client.post(f"/api/v1/cases/{x}/replies", json={"text": "Crew informed."}, headers=h).status_code == 201
    assert _cases(client, h)["mira"]["state"] == "waiting_on_customer"  # paused since T0+50
    clock.set(T0 + timedelta(minutes=70))
    desk.ingest.ingest([make_post("m2", AGAIN, author="mira_m", platform=Platform.MASTODON, minutes=60)])
    assert _cases(client, h)["mira"]["state"] == "open"
    now = T0 + timedelta(minutes=100)
    with desk.db.session() as s:
        for level in range(4):
            scheduled.set_policy(s, "aurora", scheduled.PolicyIn(priority=level, first_response_minutes=60,
                                                                 resolution_minutes=240))
        case = s.get_one(CaseRow, x)
        pauses = scheduled.case_clock(s, case, now).pauses
        _, timers = scheduled.case_timers(s, case, now, desk.settings)
    # answered at 10, her Mastodon post (m1, merged in) at 30; answered at 50, her Mastodon post m2 at 60
    assert pauses == [(T0 + timedelta(minutes=10), T0 + timedelta(minutes=30)),
                      (T0 + timedelta(minutes=50), T0 + timedelta(minutes=60))]
    [resolution] = [t for t in timers if t.name == "resolution"]
    assert not resolution.paused and resolution.elapsed_minutes == pytest.approx(100 - 20 - 10)


def test_unmerge_restores_both_cases(desk: Desk, clock: FixedClock, client: TestClient, auth: Headers) -> None:
    h = auth()
    x, m = _two_accounts(desk, clock, client, h)
    before = _cases(client, h)
    assert client.post(f"/api/v1/cases/{m}/merge", json={"into": x}, headers=h).status_code == 200
    assert client.post(f"/api/v1/cases/{x}/unmerge", headers=h).status_code == 409  # x is not merged
    clock.set(T0 + timedelta(minutes=70))
    desk.ingest.ingest([make_post("m2", AGAIN, author="mira_m", platform=Platform.MASTODON, minutes=60)])
    got = client.post(f"/api/v1/cases/{m}/unmerge", headers=auth("lee", role=Role.LEAD))
    assert got.status_code == 200, got.text
    after = _cases(client, h)
    keys = ("state", "opened_at", "first_response_at", "severity", "topics", "reach", "assignee", "merged_into")
    assert {k: after["mira"][k] for k in keys} == {k: before["mira"][k] for k in keys}
    assert after["mira"]["awaiting_since"] is None
    kept = [k for k in keys if k != "topics"]  # m2, which came back with it, is about her bag too
    assert {k: after["mira_m"][k] for k in kept} == {k: before["mira_m"][k] for k in kept}
    assert set(after["mira_m"]["topics"]) == {*before["mira_m"]["topics"], "lost_luggage"}
    assert after["mira_m"]["awaiting_since"] == before["mira_m"]["awaiting_since"]
    source = client.get(f"/api/v1/cases/{m}", headers=h).json()
    assert [i.get("post_id") or i["kind"] for i in source["timeline"]] == ["m1", "note", "merged", "m2", "unmerge"]
    target = client.get(f"/api/v1/cases/{x}", headers=h).json()
    assert [i.get("post_id") or i["kind"] for i in target["timeline"]] == ["x1", "reply", "state", "merge",
                                                                               "unmerge"]
    assert target["timeline"][-1]["actor"] == "lee"
    clock.set(T0 + timedelta(minutes=90))  # her next Mastodon post goes to her Mastodon case again
    desk.ingest.ingest([make_post("m4", AGAIN + "!", author="mira_m", platform=Platform.MASTODON, minutes=80)])
    assert "m4" in [i.get("post_id") for i in client.get(f"/api/v1/cases/{m}", headers=h).json()["timeline"]]


def test_a_merge_into_a_case_merged_on_since_is_undone_from_the_outside_in(
        desk: Desk, clock: FixedClock, client: TestClient, auth: Headers) -> None:
    h = auth()
    x, m = _two_accounts(desk, clock, client, h)
    desk.ingest.ingest([make_post("b1", LOST, author="mira_b", platform=Platform.BLUESKY, minutes=45)])
    b = _cases(client, h)["mira_b"]["id"]
    assert client.post(f"/api/v1/cases/{m}/merge", json={"into": b}, headers=h).status_code == 200
    assert client.post(f"/api/v1/cases/{b}/merge", json={"into": x}, headers=h).status_code == 200
    listed = _cases(client, h)
    assert (listed["mira_m"]["merged_into"], listed["mira_b"]["merged_into"]) == (x, x)  # one step to the live case
    clock.set(T0 + timedelta(minutes=70))
    desk.ingest.ingest([make_post("m2", AGAIN, author="mira_m", platform=Platform.MASTODON, minutes=60)])
    assert "m2" in [i.get("post_id") for i in client.get(f"/api/v1/cases/{x}", headers=h).json()["timeline"]]
    refused = client.post(f"/api/v1/cases/{m}/unmerge", headers=h)
    assert refused.status_code == 409 and f"unmerge case {b} first" in refused.json()["detail"]
    assert client.post(f"/api/v1/cases/{b}/unmerge", headers=h).status_code == 200
    assert _cases(client, h)["mira_m"]["merged_into"] == b
    assert client.post(f"/api/v1/cases/{m}/unmerge", headers=h).status_code == 200
    posts = {a: {i.get("post_id") for i in client.get(f"/api/v1/cases/{c}", headers=h).json()["timeline"]} - {None}
             for a, c in (("x", x), ("m", m), ("b", b))}
    assert posts == {"x": {"x1"}, "m": {"m1", "m2"}, "b": {"b1"}}


def test_merges_that_cannot_be_made_are_refused_and_another_brands_case_is_missing(
        desk: Desk, clock: FixedClock, client: TestClient, auth: Headers) -> None:
    h = auth()
    x, m = _two_accounts(desk, clock, client, h)
    desk.ingest.ingest([make_post("n1", "@NordRail Zug ausgefallen, niemand hilft mir", author="zug")])
    n = _cases(client, auth("root", "*", Role.ADMIN))["zug"]["id"]
    assert client.post(f"/api/v1/cases/{x}/merge", json={"into": x}, headers=h).status_code == 422
    mixed = client.post(f"/api/v1/cases/{x}/merge", json={"into": n}, headers=auth("root", "*", Role.ADMIN))
    assert mixed.status_code == 422 and "different brands" in mixed.json()["detail"]
    answers = [client.post(f"/api/v1/cases/{x}/merge", json={"into": other}, headers=h) for other in (n, 999_999)]
    assert {a.status_code for a in answers} == {404}
    assert answers[0].text.replace(str(n), "ID") == answers[1].text.replace("999999", "ID")
    assert client.post(f"/api/v1/cases/{x}/merge", json={"into": 0}, headers=h).status_code == 422
    assert client.post(f"/api/v1/cases/{m}/merge", json={"into": x}, headers=h).status_code == 200
    assert client.post(f"/api/v1/cases/{x}/merge", json={"into": m}, headers=h).status_code == 409


def test_two_agents_merging_two_cases_into_each_other_at_once_merge_only_one(
        desk: Desk, clock: FixedClock, client: TestClient, auth: Headers) -> None:
    """The second agent's request loaded both cases before the first merge committed: neither was merged then. Its
    merge must read them again, or the two merges make a cycle and the matter leaves every queue."""
    x, m = _two_accounts(desk, clock, client, auth())
    now = desk.clock.now()
    with desk.db.session() as second:
        late = (second.get_one(CaseRow, m), second.get_one(CaseRow, x))
        assert late[0].merged_into_id is None and late[1].merged_into_id is None
        with desk.db.session() as first:
            merge(first, first.get_one(CaseRow, x), first.get_one(CaseRow, m), "ann", now)
        with pytest.raises(CorrectionConflict, match=f"case {x} was already merged into case {m}"):
            merge(second, *late, "bob", now)
    with desk.db.session() as s:
        assert {c.id: c.merged_into_id for c in s.scalars(select(CaseRow))} == {x: m, m: None}
