"""X connector failures an operator meets running it for weeks, against a loopback server speaking X API v2.

A back-fill that fails part-way, a since_id older than recent search's seven days, a 429 whose reset is read on
the desk's clock, a revoked token, a proxy's HTML page, a rule another tool added without a tag, a long post whose
whole text is in `note_tweet`, and a search page whose author X could not expand.
"""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

from sqlalchemy import select

from wakeful.api.deps import Desk
from wakeful.core.clock import FixedClock
from wakeful.ingest.connectors.x import XConnector
from wakeful.store.models import AuthorRow, PostRow

from tests.connectors.loopback import Request, http_server, stored_ids
from tests.desk_fixtures import BRANDS
from tests.factories import T0

RULES = {"data": [{"id": "1", "value": "placeholder", "tag": "aurora"}], "meta": {"result_count": 1}}


def tweet(n: int, **extra: Any) -> dict[str, Any]:
    return {"id": str(1000 + n), "text": f"@AuroraAirways lost my bag on flight {n}", "author_id": str(n),
            "created_at": (T0 + timedelta(minutes=n)).isoformat().replace("+00:00", "Z"),
            "edit_history_tweet_ids": [str(1000 + n)], **extra}


def users(*ns: int) -> list[dict[str, Any]]:
    return [{"id": str(n), "username": f"cust{n}", "name": f"C {n}"} for n in ns]


class FakeX:
    """Recent search over `published` (two per page, newest first, as X pages), an empty stream, and overrides."""

    def __init__(self, published: list[int]) -> None:
        self.published = published
        self.fail: dict[tuple[str, str | None], tuple[int, Any, dict[str, str]]] = {}  # (path, next_token): once
        self.stream: list[str] = []
        self.seen: list[Request] = []
        self.rules: dict[str, Any] = {**RULES, "data": [{"id": "1", "value": "", "tag": "aurora"}]}

    def route(self, req: Request) -> tuple[int, Any, dict[str, str]]:
        failure = self.fail.pop((req.path, req.query.get("next_token")), None)
        if failure is not None:
            return failure
        if req.path == "/2/tweets/search/stream/rules":
            if req.method == "POST":
                return 200, {"meta": {"summary": {"created": 1, "not_created": 0, "valid": 1, "invalid": 0}}}, {}
            return 200, self.rules, {}
        if req.path == "/2/tweets/search/recent":
            since = int(req.query.get("since_id", "0"))
            newer = sorted((n for n in self.published if 1000 + n > since), reverse=True)
            start = int(req.query.get("next_token", "0"))
            page = newer[start:start + 2]
            meta: dict[str, Any] = {"result_count": len(page)}
            if page:
                meta |= {"newest_id": str(1000 + page[0]), "oldest_id": str(1000 + page[-1])}
            if start + 2 < len(newer):
                meta["next_token"] = str(start + 2)
            body = {"data": [tweet(n) for n in page], "includes": {"users": users(*page)}} if page else {}
            return 200, {**body, "meta": meta}, {}
        if req.path == "/2/tweets/search/stream":
            return 200, "".join(line + "\r\n" for line in self.stream).encode(), {}
        return 404, {"title": "Not Found Error", "detail": req.path}, {}


def run(desk: Desk, fake: FakeX, cursor: str | None = None, connections: int = 1) -> tuple[XConnector, list[float]]:
    sleeps: list[float] = []
    with http_server(fake.route, fake.seen) as base:
        conn = XConnector("x", desk.ingest, "x-secret", BRANDS[:1], api_base_url=base)
        for rule in fake.rules["data"]:
            rule["value"] = conn.rules["aurora"] if rule.get("tag") == "aurora" else rule["value"]
        if cursor is not None and conn.cursor is None:
            conn.deliver([], cursor)
            conn.cursor = cursor
        conn.run(max_connections=connections, sleep=sleeps.append)
        conn.http.close()
    return conn, sleeps


def x_ids(*ns: int) -> list[str]:
    return sorted(str(1000 + n) for n in ns)


def test_a_backfill_that_fails_on_a_later_page_loses_nothing_after_a_restart(desk: Desk) -> None:
    fake = FakeX(published=[1, 2, 3, 4, 5, 6, 7, 8])
    fake.fail[("/2/tweets/search/recent", "2")] = (503, {"title": "Service Unavailable"}, {})
    first, _ = run(desk, fake, cursor="1002")  # pages: 8 7 | 503 (6 5 and 4 3 never read)
    assert first.health.errors == 1
    second, _ = run(desk, fake)  # a restart, with what the store kept as the cursor
    assert stored_ids(desk, "x") == x_ids(3, 4, 5, 6, 7, 8)
    assert second.cursor == "1008"


def test_a_since_id_older_than_seven_days_falls_back_to_the_search_window(desk: Desk, clock: FixedClock) -> None:
    fake = FakeX(published=[5, 6])
    stale = {"errors": [{"parameters": {"since_id": ["1001"]},
                         "message": "Invalid 'since_id':'1001'. 'since_id' must be a tweet id created after "
                                    "2026-02-23T09:05:00Z. Please use a 'since_id' that is larger than 1002"}],
             "title": "Invalid Request", "detail": "One or more parameters to your request was invalid.",
             "type": "https://api.twitter.com/2/problems/invalid-request"}
    fake.fail[("/2/tweets/search/recent", None)] = (400, stale, {})
    conn, _ = run(desk, fake, cursor="1001")
    assert conn.health.errors == 0, conn.health.last_error
    searches = [r.query for r in fake.seen if r.path == "/2/tweets/search/recent"]
    start = (clock.now() - timedelta(days=7, minutes=-10)).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert "since_id" not in searches[1] and searches[1]["start_time"] == start
    assert stored_ids(desk, "x") == x_ids(5, 6) and conn.cursor == "1006"
    assert conn.health.extra["gap_before"] == start


def test_a_429_waits_until_x_rate_limit_reset_on_the_desk_clock(desk: Desk, clock: FixedClock) -> None:
    fake = FakeX(published=[])
    reset = int(clock.now().timestamp()) + 120
    fake.fail[("/2/tweets/search/stream", None)] = (429, {"title": "Too Many Requests", "status": 429}, {
        "x-rate-limit-limit": "50", "x-rate-limit-remaining": "0", "x-rate-limit-reset": str(reset)})
    conn, sleeps = run(desk, fake)
    assert sleeps == [120.0]
    assert conn.health.last_error == "rate limited for 120s"


def test_a_revoked_token_is_named_in_one_line(desk: Desk) -> None:
    fake = FakeX(published=[])
    fake.fail[("/2/tweets/search/stream/rules", None)] = (
        401, {"title": "Unauthorized", "type": "about:blank", "status": 401, "detail": "Unauthorized"}, {})
    conn, sleeps = run(desk, fake)
    error = conn.health.last_error or ""
    assert sleeps == [] and "\n" not in error  # the last connection: reported at once, not waited on
    assert error == ("credentials rejected by X: fix connectors.x.bearer_token (WAKEFUL_CONNECTORS__X__BEARER_TOKEN) "
                     "and restart. X said HTTP 401 on GET /2/tweets/search/stream/rules: Unauthorized")
    assert "x-secret" not in error


def test_a_page_that_is_not_json_is_retried_not_fatal(desk: Desk) -> None:
    fake = FakeX(published=[])
    fake.fail[("/2/tweets/search/stream/rules", None)] = (200, b"<html><body>Bad gateway</body></html>", {})
    conn, sleeps = run(desk, fake, connections=2)  # the second connection gets the real answer
    assert conn.health.errors == 1 and len(sleeps) == 1
    assert "is not JSON" in (conn.health.last_error or "") and "Bad gateway" in (conn.health.last_error or "")


def test_a_rule_without_a_tag_is_left_alone(desk: Desk) -> None:
    fake = FakeX(published=[])
    fake.rules = {"data": [{"id": "9", "value": "from:someone_else"}, {"id": "1", "value": "", "tag": "aurora"}]}
    fake.stream = [json.dumps({"data": tweet(1), "includes": {"users": users(1)}})]
    conn, _ = run(desk, fake)
    assert conn.health.errors == 0, conn.health.last_error
    assert not [r for r in fake.seen if r.method == "POST"]
    assert stored_ids(desk, "x") == x_ids(1)


def test_a_long_post_keeps_its_whole_text(desk: Desk) -> None:
    whole = "@AuroraAirways " + "my bag went to Lisbon without me 🧳😡 " * 20
    fake = FakeX(published=[])
    fake.stream = [json.dumps({"data": tweet(1, text=whole[:270] + "…", note_tweet={"text": whole}),
                               "includes": {"users": users(1)}})]
    run(desk, fake)
    streams = [r for r in fake.seen if r.path == "/2/tweets/search/stream"]
    assert "note_tweet" in streams[0].query["tweet.fields"].split(",")
    with desk.db.session() as s:
        assert s.scalars(select(PostRow.text)).one() == whole


def test_a_search_page_with_an_author_x_could_not_expand_keeps_the_tweet(desk: Desk) -> None:
    fake = FakeX(published=[])
    partial = {"data": [tweet(1), tweet(2)], "includes": {"users": users(1)},
               "errors": [{"value": "2", "detail": "Could not find user with id: [2].", "title": "Not Found Error",
                           "resource_type": "user", "parameter": "author_id", "resource_id": "2",
                           "type": "https://api.twitter.com/2/problems/resource-not-found"}],
               "meta": {"result_count": 2, "newest_id": "1002", "oldest_id": "1001"}}
    fake.fail[("/2/tweets/search/recent", None)] = (200, partial, {})
    conn, _ = run(desk, fake, cursor="1000")
    assert stored_ids(desk, "x") == x_ids(1, 2) and conn.cursor == "1002" and conn.health.malformed == 0
    with desk.db.session() as s:
        assert sorted(s.scalars(select(AuthorRow.platform_id).where(AuthorRow.platform == "x"))) == ["1", "2"]
