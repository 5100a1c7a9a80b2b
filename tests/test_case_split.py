"""Agents split a case: the customer's posts about another matter move to a new case with clocks of its own."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from fastapi.testclient import TestClient

from wakeful.api.auth import Role, create_user
from wakeful.api.deps import Desk
from wakeful.core.clock import FixedClock

from tests.desk_fixtures import Headers
from tests.factories import T0, make_post
from tests.signin import login

LOST = "@AuroraAirways you lost my bag on AU 2213, nobody answers. Still waiting for my suitcase!"
REFUND = "@AuroraAirways and separately: I still want the refund for my cancelled flight last month, booking X7"
BAG_AGAIN = "@AuroraAirways any news on my suitcase?"


def _at(minutes: float) -> str:
    return (T0 + timedelta(minutes=minutes)).isoformat().replace("+00:00", "Z")


def _timeline(client: TestClient, case: int, h: dict[str, str]) -> list[Any]:
    return [i.get("post_id") or i["kind"] for i in client.get(f"/api/v1/cases/{case}", headers=h).json()["timeline"]]


def _one_case_two_matters(desk: Desk, clock: FixedClock, client: TestClient, h: dict[str, str]) -> int:
    """Alice's lost bag (09:00, answered 09:10, assigned to ana), then a refund (10:00) and the bag again (10:10),
    and a supporter's reply in the thread."""
    desk.ingest.ingest([make_post("a1", LOST, conversation="a1")])
    [case] = client.get("/api/v1/cases", headers=h).json()
    clock.set(T0 + timedelta(minutes=10))
    assert client.post(f"/api/v1/cases/{case['id']}/assign", json={"assignee": "ana"}, headers=h).status_code == 200
    assert client.post(f"/api/v1/cases/{case['id']}/replies", json={"text": "Tracing it."}, headers=h).status_code \
        == 201
    clock.set(T0 + timedelta(minutes=75))
    desk.ingest.ingest([make_post("a2", REFUND, minutes=60), make_post("a3", BAG_AGAIN, minutes=70),
                        make_post("s1", "Same happened to me, awful", author="bob", minutes=72, reply_to="a1",
                                  conversation="a1")])
    return int(case["id"])


def test_split_posts_move_to_a_new_case_that_waits_from_its_first_moved_post(
        desk: Desk, clock: FixedClock, client: TestClient, auth: Headers) -> None:
    h = auth()
    case = _one_case_two_matters(desk, clock, client, h)
    assert client.get(f"/api/v1/cases/{case}", headers=h).json()["awaiting_since"] == _at(60)
    got = client.post(f"/api/v1/cases/{case}/split", json={"post_ids": ["a2"]}, headers=h)
    assert got.status_code == 201, got.text
    new = got.json()
    assert new["id"] != case and new["author"]["handle"] == "alice"
    assert (new["opened_at"], new["awaiting_since"], new["first_response_at"]) == (_at(60), _at(60), None)
    assert (new["assignee"], new["state"]) == ("ana", "open")
    old = client.get(f"/api/v1/cases/{case}", headers=h).json()
    # the old case keeps its opening and first answer, and waits for the bag post that was waiting there
    assert (old["opened_at"], old["first_response_at"], old["awaiting_since"]) == (_at(0), _at(10), _at(70))
    assert _timeline(client, new["id"], h) == ["a2", "split"]
    assert [i for i in _timeline(client, case, h) if i not in ("assigned", "state")] == [
        "a1", "reply", "a3", "s1", "split"]
    [event] = [i for i in old["timeline"] if i["kind"] == "split"]
    assert (event["actor"], event["data"]) == ("ana", {"source": case, "into": new["id"], "posts": ["a2"]})
    # a split is undone by merging the new case back
    assert client.post(f"/api/v1/cases/{new['id']}/merge", json={"into": case}, headers=h).status_code == 200
    back = client.get(f"/api/v1/cases/{case}", headers=h).json()
    assert {i["post_id"] for i in back["timeline"] if i["kind"] == "post"} == {"a1", "a2", "a3", "s1"}
    assert back["awaiting_since"] == _at(60)


def test_splitting_the_waiting_post_off_leaves_the_old_case_waiting_for_nothing(
        desk: Desk, clock: FixedClock, client: TestClient, auth: Headers) -> None:
    h = auth()
    case = _one_case_two_matters(desk, clock, client, h)
    assert client.post(f"/api/v1/cases/{case}/split", json={"post_ids": ["a2", "a3"]}, headers=h).status_code == 201
    old = client.get(f"/api/v1/cases/{case}", headers=h).json()
    assert old["awaiting_since"] is None
    waiting = {c["id"]: c["awaiting_since"] for c in client.get("/api/v1/cases", headers=h).json()
               if c["awaiting_since"]}
    assert list(waiting.values()) == [_at(60)] and case not in waiting  # the wait went with the posts, still on


def test_posts_that_cannot_be_split_off_are_named(
        desk: Desk, clock: FixedClock, client: TestClient, auth: Headers) -> None:
    h = auth()
    case = _one_case_two_matters(desk, clock, client, h)
    for ids, words in ((["s1"], "only the customer's own posts"), (["a1", "a2", "a3"], "leave at least one"),
                       (["nope"], "not posts of case"), ([], "at least 1")):
        got = client.post(f"/api/v1/cases/{case}/split", json={"post_ids": ids}, headers=h)
        assert got.status_code == 422 and words in got.text, (ids, got.text)
    assert len(client.get("/api/v1/cases", headers=h).json()) == 1


def test_the_case_page_offers_merge_and_split_and_a_merged_case_offers_unmerge(
        desk: Desk, clock: FixedClock, client: TestClient, auth: Headers) -> None:
    with desk.db.session() as s:
        create_user(s, "lee", "a long enough password", "aurora", Role.LEAD, desk.clock.now())
    h = auth()
    case = _one_case_two_matters(desk, clock, client, h)
    pages = TestClient(client.app)
    login(pages, {"username": "lee", "password": "a long enough password"})
    page = pages.get(f"/cases/{case}").text
    assert 'data-action="merge"' in page and 'id="split-form"' in page
    picks = [line for line in page.splitlines() if 'name="post_ids"' in line]
    assert [p.split('value="')[1].split('"')[0] for p in picks] == ["a1", "a2", "a3"]  # not bob's reply
    new = client.post(f"/api/v1/cases/{case}/split", json={"post_ids": ["a2"]}, headers=h).json()["id"]
    assert client.post(f"/api/v1/cases/{new}/merge", json={"into": case}, headers=h).status_code == 200
    merged = pages.get(f"/cases/{new}").text
    assert f'Merged into <a href="/cases/{case}">case #{case}</a>' in merged
    assert 'data-action="unmerge"' in merged and 'data-action="merge"' not in merged
    assert f'merged <a href="/cases/{new}">case #{new}</a> into this case' in pages.get(f"/cases/{case}").text
