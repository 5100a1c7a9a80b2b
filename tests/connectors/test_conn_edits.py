"""Edits and deletes as each platform sends them: one post per edited post, its newest text, its deletion marked.

Mastodon streams `status.update` (the whole Status, with `edited_at`) and `delete` (the bare id); Jetstream sends
commits with `operation` "update" (the whole new record) and "delete" (no record); X sends an edit as a new tweet
whose `edit_history_tweet_ids` starts with the original's id; Reddit shows `edited` (a Unix time, else false) on
an item read again.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import timedelta
from typing import Any

from sqlalchemy import select

from wakeful.api.deps import Desk
from wakeful.core.clock import FixedClock, as_utc
from wakeful.core.models import Post
from wakeful.ingest.connectors.bluesky import BlueskyConnector
from wakeful.ingest.connectors.mastodon import MastodonConnector
from wakeful.ingest.connectors.reddit import RedditAuth, RedditConnector
from wakeful.store.models import CaseRow, EngagementRow, PostEditRow, PostRow

from tests.connectors.loopback import Request, count, http_server, stored_ids
from tests.connectors.test_conn_bluesky import T0_US, Jetstream, appview_route, did, post_event
from tests.connectors.test_conn_bluesky import jetstream as jetstream  # the fixture
from tests.connectors.test_conn_mastodon import MENTION, sse, status
from tests.connectors.test_conn_reddit import submission
from tests.connectors.test_conn_x_resume import FakeX, run, tweet, users
from tests.desk_fixtures import BRANDS
from tests.factories import T0


def post(desk: Desk, platform: str, platform_id: str) -> PostRow:
    with desk.db.session() as s:
        row = s.scalars(select(PostRow).where(PostRow.platform == platform, PostRow.platform_id == platform_id)).one()
        s.expunge(row)
        return row


def earlier_texts(desk: Desk) -> list[str]:
    with desk.db.session() as s:
        return list(s.scalars(select(PostEditRow.text).order_by(PostEditRow.version_at)))


def test_mastodon_status_update_edits_and_delete_marks(desk: Desk) -> None:
    edited = {**status(1), "content": f"<p>{MENTION} my bag is lost AND my refund was refused, flight 1</p>",
              "edited_at": (T0 + timedelta(minutes=3)).isoformat().replace("+00:00", "Z")}
    events = [sse("update", json.dumps(status(1))), sse("update", json.dumps(status(2))),
              sse("status.update", json.dumps(edited)), sse("status.update", json.dumps(edited)),
              sse("delete", "102"), sse("delete", "999999")]

    def route(req: Request) -> tuple[int, Any, dict[str, str]]:
        if req.path == "/api/v1/streaming/hashtag":
            return 200, (":thump\n\n" + "".join(events)).encode(), {}
        return 404, {"error": "not found"}, {}

    with http_server(route) as base:
        conn = MastodonConnector("masto", desk.ingest, base, None, "flyaurora")
        conn.run(max_connections=1)

    assert stored_ids(desk, "mastodon") == ["101", "102"] and conn.health.malformed == 0
    first, second = post(desk, "mastodon", "101"), post(desk, "mastodon", "102")
    assert first.text == "@AuroraAirways my bag is lost AND my refund was refused, flight 1"
    assert as_utc(first.edited_at) == T0 + timedelta(minutes=3)  # type: ignore[arg-type]
    assert earlier_texts(desk) == ["@AuroraAirways my bag is lost, flight 1 #flyaurora"]
    assert second.deleted_at is not None and first.deleted_at is None
    assert count(desk, CaseRow) == 2


def test_bluesky_update_commits_edit_even_when_the_brand_is_no_longer_named(
        desk: Desk, jetstream: tuple[str, Jetstream]) -> None:
    url, js = jetstream
    js.rate_limit_once = False
    created, other = post_event(1), post_event(2)
    update = json.loads(json.dumps(created))
    update["time_us"] = T0_US + 120_000_000
    update["commit"] |= {"operation": "update", "rev": "3l3qo2vutsx01", "cid": "bafyreib9001"}
    update["commit"]["record"]["text"] = "all sorted now, bag delivered"
    delete = {"did": did(2), "time_us": T0_US + 130_000_000, "kind": "commit",
              "commit": {"rev": "3l3qo2vutsx02", "operation": "delete", "collection": "app.bsky.feed.post",
                         "rkey": other["commit"]["rkey"]}}
    stranger = {**delete, "did": did(9), "commit": {**delete["commit"], "rkey": "3l3qo2vuowz99"}}
    js.scripts.append([json.dumps(e) for e in (created, other, update, update, delete, stranger)] + [None])

    with http_server(appview_route) as appview:
        conn = BlueskyConnector("bsky", desk.ingest, BRANDS, url, appview)
        conn.run(max_connections=1, sleep=lambda _: None)

    uri1 = f"at://{did(1)}/app.bsky.feed.post/{created['commit']['rkey']}"
    uri2 = f"at://{did(2)}/app.bsky.feed.post/{other['commit']['rkey']}"
    assert stored_ids(desk, "bluesky") == sorted([uri1, uri2]) and conn.health.malformed == 0
    first = post(desk, "bluesky", uri1)
    assert first.text == "all sorted now, bag delivered" and first.raw["commit"]["cid"] == "bafyreib9001"
    assert as_utc(first.edited_at) == T0 + timedelta(minutes=2)  # type: ignore[arg-type]
    assert earlier_texts(desk) == ["lost my bag on flight 1 #flyaurora"]
    assert post(desk, "bluesky", uri2).deleted_at is not None
    assert conn.cursor == str(T0_US + 130_000_000)


def test_x_edit_tweet_updates_the_original_and_an_edit_first_is_kept_under_it(desk: Desk) -> None:
    fake = FakeX(published=[])
    edit = tweet(1, id="1101", text="@AuroraAirways lost my bag on flight 1, and now you cancelled my return",
                 created_at=(T0 + timedelta(minutes=3)).isoformat().replace("+00:00", "Z"),
                 edit_history_tweet_ids=["1001", "1101"])
    lone = tweet(2, id="1102", edit_history_tweet_ids=["1002", "1102"])  # its original was never delivered
    lines = [{"data": tweet(1), "includes": {"users": users(1)}}, {"data": edit, "includes": {"users": users(1)}},
             {"data": edit, "includes": {"users": users(1)}}, {"data": lone, "includes": {"users": users(2)}}]
    fake.stream = [json.dumps({**line, "matching_rules": [{"id": "1", "tag": "aurora"}]}) for line in lines]
    conn, _ = run(desk, fake)

    assert "edit_history_tweet_ids" in fake.seen[-1].query["tweet.fields"].split(",")
    assert stored_ids(desk, "x") == ["1001", "1002"]
    first = post(desk, "x", "1001")
    assert first.text == edit["text"] and first.raw["id"] == "1101"
    assert as_utc(first.edited_at) == T0 + timedelta(minutes=3)  # type: ignore[arg-type]
    assert earlier_texts(desk) == ["@AuroraAirways lost my bag on flight 1"]
    assert post(desk, "x", "1002").edited_at is not None
    assert conn.cursor == "1102"  # the newest tweet id seen, so a back-fill does not fetch the edits again
    assert count(desk, CaseRow) == 2


def test_reddit_item_read_again_with_edited_is_an_edit_once(desk: Desk, clock: FixedClock) -> None:
    items = [submission(1), submission(2)]

    def route(req: Request) -> tuple[int, Any, dict[str, str]]:
        if req.path == "/api/v1/access_token":
            return 200, {"access_token": "tok", "token_type": "bearer", "expires_in": 86400}, {}
        if req.path == "/r/flyaurora/new":
            children = sorted(items, key=lambda t: t["data"]["name"], reverse=True)
            return 200, {"kind": "Listing", "data": {"after": None, "children": children}}, {}
        return 200, {"kind": "Listing", "data": {"after": None, "children": []}}, {}

    with http_server(route) as base:
        auth = RedditAuth(base, "app-id", "app-secret", "wakeful-test/1.0")
        conn = RedditConnector("reddit", desk.ingest, auth, ["flyaurora"], [], oauth_url=base, poll_interval_s=0,
                               sleep=lambda _: None)
        conn.poll("r/flyaurora/new")
        assert submission(1)["data"].get("edited") is None
        items[0] = {"kind": "t3", "data": {**submission(1)["data"], "selftext": "Flight AU12. Found it, thanks!",
                                           "edited": (T0 + timedelta(minutes=4)).timestamp()}}
        items.append({"kind": "t3", "data": {**submission(3)["data"], "edited": False}})
        clock.set(T0 + timedelta(minutes=6))
        assert conn.poll("r/flyaurora/new") == 1  # one new submission; the edit is not a new post
        clock.set(T0 + timedelta(minutes=7))
        conn.poll("r/flyaurora/new")  # read again: the same edit is not delivered again

    assert stored_ids(desk, "reddit") == ["t3_1ab01", "t3_1ab02", "t3_1ab03"]
    first = post(desk, "reddit", "t3_1ab01")
    assert first.text == "Aurora Airways lost my bag (1)\n\nFlight AU12. Found it, thanks!"
    assert as_utc(first.edited_at) == T0 + timedelta(minutes=4)  # type: ignore[arg-type]
    assert post(desk, "reddit", "t3_1ab03").edited_at is None
    assert earlier_texts(desk) == ["Aurora Airways lost my bag (1)\n\nFlight AU12, nobody answers the phone."]
    with desk.db.session() as s:
        readings = s.scalars(select(EngagementRow.observed_at).where(EngagementRow.post_id == first.id)).all()
    assert [as_utc(r) for r in readings] == [T0 + timedelta(minutes=5), T0 + timedelta(minutes=6)]


class Recording(RedditConnector):
    """Counts every post it hands to the ingest path, edits included."""

    handed: list[str]

    def deliver(self, posts: Sequence[Post], cursor: str | None) -> None:
        self.handed = [*getattr(self, "handed", []), *(p.id for p in posts)]
        super().deliver(posts, cursor)


def test_reddit_remembers_sent_edits_only_for_items_still_in_view(desk: Desk, clock: FixedClock) -> None:
    """An always-on process: a new submission every poll and an edit of the one before. The edits it delivered are
    kept only while their items are on the pages read (three to a page here), never sent twice meanwhile."""
    items: dict[int, dict[str, Any]] = {}

    def route(req: Request) -> tuple[int, Any, dict[str, str]]:
        if req.path == "/api/v1/access_token":
            return 200, {"access_token": "tok", "token_type": "bearer", "expires_in": 86400}, {}
        things = sorted(items.values(), key=lambda t: t["data"]["name"], reverse=True)
        after = req.query.get("after")
        start = 0 if after is None else next(i for i, t in enumerate(things) if t["data"]["name"] == after) + 1
        page = things[start:start + 3]
        more = start + 3 < len(things)
        return 200, {"kind": "Listing", "data": {"after": page[-1]["data"]["name"] if more else None,
                                                 "before": None, "dist": len(page), "children": page}}, {}

    rounds = 40
    with http_server(route) as base:
        conn = Recording("reddit", desk.ingest, RedditAuth(base, "app-id", "app-secret", "wakeful-test/1.0"),
                         ["flyaurora"], [], oauth_url=base, poll_interval_s=0, sleep=lambda _: None)
        del conn.listings["r/flyaurora/comments"]
        sizes: list[int] = []
        for n in range(1, rounds + 1):
            clock.set(T0 + timedelta(minutes=n, seconds=50))
            items[n] = submission(n)
            if n > 1:  # the previous submission, delivered last poll, is edited
                items[n - 1] = {"kind": "t3", "data": {**items[n - 1]["data"], "selftext": "Found it, thanks!",
                                                       "edited": (T0 + timedelta(minutes=n, seconds=40)).timestamp()}}
            conn.poll("r/flyaurora/new")
            sizes.append(len(conn.edits_sent))

    assert sorted(conn.handed) == sorted([f"t3_1ab{n:02d}" for n in range(1, rounds + 1)]
                                         + [f"t3_1ab{n:02d}" for n in range(1, rounds)])  # each edit once
    assert max(sizes) <= 3 and len(conn.edits_sent) <= 3  # not one per edit ever made
    assert f"t3_1ab{rounds - 1:02d}" in conn.edits_sent  # still in view: remembered, so not sent again
    assert earlier_texts(desk).count("Aurora Airways lost my bag (1)\n\nFlight AU12, nobody answers the phone.") == 1
