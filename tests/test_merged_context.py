"""A merged case answers its customer where they wrote last: the suggested reply reads and addresses the newest post
of any of the case's customer accounts, the reply is sent there, and the case page lists the earlier cases of each
account."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select, update

from wakeful.api.auth import Role
from wakeful.api.deps import Desk
from wakeful.core.clock import FixedClock
from wakeful.core.models import Platform
from wakeful.store.connectors import OutboundReplyRow
from wakeful.store.models import CasePostRow, PostRow

from tests.desk_fixtures import Headers
from tests.factories import T0, make_post
from tests.test_case_merge import _cases, _two_accounts


def _draft(client: TestClient, h: dict[str, str], case: int) -> dict[str, Any]:
    got = client.get(f"/api/v1/cases/{case}/suggestions?similar=false", headers=h)
    assert got.status_code == 200, got.text
    first: dict[str, Any] = got.json()[0]
    return first


def _sent(desk: Desk, client: TestClient, h: dict[str, str], case: int, text: str) -> tuple[str, str | None]:
    """Reply through the API; where the queued reply goes: (platform, the post it answers)."""
    assert client.post(f"/api/v1/cases/{case}/replies", json={"text": text}, headers=h).status_code == 201
    with desk.db.session() as s:
        row = s.scalars(select(OutboundReplyRow).where(OutboundReplyRow.text == text)).one()
        return row.platform, row.in_reply_to


def test_a_merged_case_is_answered_on_the_account_the_customer_wrote_last(
        desk: Desk, clock: FixedClock, client: TestClient, auth: Headers) -> None:
    h = auth()
    x, m = _two_accounts(desk, clock, client, h)
    assert client.post(f"/api/v1/cases/{m}/merge", json={"into": x}, headers=h).status_code == 200
    # after her Mastodon post, the brand's X account and a bystander on X write in her X thread
    desk.ingest.ingest([
        make_post("x2", "@mira we are still tracing your bag", author="AuroraHelp", minutes=42, reply_to="x1",
                  conversation="x1"),
        make_post("x3", "@mira @AuroraAirways same thing happened to me last week", author="bystander", minutes=44,
                  reply_to="x1", conversation="x1"),
        make_post("m2", "@AuroraAirways and now flight AU 77 home is late too, nobody helps", author="mira_m",
                  platform=Platform.MASTODON, minutes=41, reply_to="m1", conversation="m1"),
    ])
    draft = _draft(client, h, x)
    assert draft["text"].startswith("Hi @mira_m,") and "flight AU 77" in draft["text"]
    assert _sent(desk, client, h, x, "Sorry, we are on it.") == ("mastodon", "m2")
    # she writes on X again: the draft and the reply go back there
    clock.set(T0 + timedelta(minutes=70))
    desk.ingest.ingest([make_post("x4", "@AuroraAirways any news on my bag?? AU 2213", author="mira", minutes=60)])
    draft = _draft(client, h, x)
    assert draft["text"].startswith("Hi @mira,") and "flight AU 2213" in draft["text"]
    assert _sent(desk, client, h, x, "Still tracing it.") == ("x", "x4")


def test_a_merged_in_complaint_makes_the_case_a_complaint(
        desk: Desk, clock: FixedClock, client: TestClient, auth: Headers) -> None:
    """Her X post only asks; her Mastodon post complains. Once merged, the draft answers a complaint, not a
    question."""
    h = auth()
    desk.ingest.ingest([make_post("x1", "@AuroraAirways can I bring a guitar on board?", author="mira")])
    desk.ingest.ingest([make_post("m1", "@AuroraAirways this is the worst airline ever, absolutely disgraceful",
                                  author="mira_m", platform=Platform.MASTODON, minutes=20)])
    clock.set(T0 + timedelta(minutes=30))
    listed = _cases(client, h)
    x, m = listed["mira"]["id"], listed["mira_m"]["id"]
    assert _draft(client, h, x)["source"] == "template:question"
    assert _draft(client, h, m)["source"] == "template:general"
    assert client.post(f"/api/v1/cases/{m}/merge", json={"into": x}, headers=h).status_code == 200
    desk.ingest.ingest([make_post("x2", "@AuroraAirways is a guitar allowed on board?", author="mira",
                                  minutes=25)])
    draft = _draft(client, h, x)  # addressed to X, where she wrote last, but her Mastodon complaint counts
    assert draft["text"].startswith("Hi @mira,") and draft["source"] == "template:general"


def _case_of(desk: Desk, post_id: str) -> int:
    """The id of the case holding a post."""
    with desk.db.session() as s:
        return s.scalars(select(CasePostRow.case_id).join(PostRow, PostRow.id == CasePostRow.post_id)
                         .where(PostRow.platform_id == post_id)).one()


def test_the_case_page_lists_the_earlier_cases_of_each_customer_account(
        desk: Desk, clock: FixedClock, client: TestClient, auth: Headers) -> None:
    h = auth()
    old = T0 - timedelta(days=10)
    clock.set(T0 + timedelta(minutes=40))
    desk.ingest.ingest([
        make_post("x0", "@AuroraAirways my flight was cancelled, nobody answers", author="mira", at=old),
        make_post("m0", "@AuroraAirways where is my refund? weeks of waiting", author="mira_m",
                  platform=Platform.MASTODON, at=old, minutes=60),
        make_post("n0", "@NordRail Zug ausgefallen, niemand hilft mir", author="mira_m",
                  platform=Platform.MASTODON, at=old, minutes=90),
        make_post("x1", "@AuroraAirways you lost my bag on AU 2213, nobody answers", author="mira"),
        make_post("m1", "@AuroraAirways smoke in the cabin on AU 2213 and the crew ignored it", author="mira_m",
                  platform=Platform.MASTODON, minutes=30),
    ])
    x0, m0, x, m = (_case_of(desk, p) for p in ("x0", "m0", "x1", "m1"))
    assert len({x0, m0, x, m, _case_of(desk, "n0")}) == 5

    def earlier(case: int = x) -> list[int]:
        got = client.get(f"/api/v1/cases/{case}", headers=h)
        assert got.status_code == 200, got.text
        return [c["id"] for c in got.json()["earlier_cases"]]

    assert earlier() == [x0]
    assert client.post(f"/api/v1/cases/{m}/merge", json={"into": x}, headers=h).status_code == 200
    # newest first; not the merged Mastodon case (it is part of this one), nor her case with another brand
    assert earlier() == [m0, x0]
    assert client.post(f"/api/v1/cases/{m}/unmerge", headers=auth("lee", role=Role.LEAD)).status_code == 200
    assert earlier() == [x0]
    # merged the other way, the target takes the X case's older opening, so the source opened no later than it
    assert client.post(f"/api/v1/cases/{x}/merge", json={"into": m}, headers=h).status_code == 200
    assert earlier(m) == [m0, x0]
    # her two old cases were one matter: merged, it is listed once, as the case it went into
    assert client.post(f"/api/v1/cases/{m0}/merge", json={"into": x0}, headers=h).status_code == 200
    assert earlier(m) == [x0]


def test_a_reply_goes_to_the_customers_newest_post_that_is_still_there(
        desk: Desk, clock: FixedClock, client: TestClient, auth: Headers) -> None:
    """She deleted her newest post on X: the reply answers her Mastodon post, which still stands, instead of
    failing on a post the platform no longer has."""
    h = auth()
    x, m = _two_accounts(desk, clock, client, h)
    assert client.post(f"/api/v1/cases/{m}/merge", json={"into": x}, headers=h).status_code == 200
    clock.set(T0 + timedelta(minutes=70))
    desk.ingest.ingest([make_post("x9", "@AuroraAirways where is my bag AU 2213", author="mira", minutes=60)])
    with desk.db.session() as s:
        s.execute(update(PostRow).where(PostRow.platform_id == "x9").values(deleted_at=clock.now()))
    assert _sent(desk, client, h, x, "We are tracing it.")[0] == "mastodon"
