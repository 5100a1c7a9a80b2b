"""Reddit connector against a loopback server speaking Reddit's OAuth token endpoint and listing JSON.

Pages are two items long, so paging back with `after` matters, and a page repeats the last item of the one before
(as Reddit's listings do when new posts shift them). A search finds the same submissions as the subreddit, a
comment comes out of order, one child is malformed, the first listing call is a 429 with X-Ratelimit-Reset, a
token is revoked (401) and a listing fails with 500 mid-round. After a restart the connector resumes from its
stored per-listing cursors; every submission and comment is stored exactly once.
"""

from __future__ import annotations

import base64
from datetime import timedelta
from typing import Any

from wakeful.api.deps import Desk
from wakeful.ingest.connectors.reddit import RedditAuth, RedditConnector
from wakeful.store.connectors import ConnectorStateRow
from wakeful.store.models import RejectedRecordRow

from tests.connectors.loopback import Request, count, http_server, stored_ids
from tests.factories import T0


def submission(n: int) -> dict[str, Any]:
    return {"kind": "t3", "data": {
        "id": f"1ab{n:02d}", "name": f"t3_1ab{n:02d}", "title": f"Aurora Airways lost my bag ({n})",
        "selftext": "Flight AU12, nobody answers the phone.", "author": f"cust{n}", "author_fullname": f"t2_c{n}",
        "created_utc": (T0 + timedelta(minutes=n)).timestamp(), "subreddit": "flyaurora", "score": n,
        "num_comments": 1, "permalink": f"/r/flyaurora/comments/1ab{n:02d}/lost_bag/"}}


def comment(n: int) -> dict[str, Any]:
    return {"kind": "t1", "data": {
        "id": f"kc{n:02d}", "name": f"t1_kc{n:02d}", "body": f"Same here with Aurora Air, flight {n}",
        "author": f"other{n}", "author_fullname": f"t2_o{n}", "parent_id": "t3_1ab01", "link_id": "t3_1ab01",
        "created_utc": (T0 + timedelta(minutes=n, seconds=30)).timestamp(), "score": 2,
        "permalink": f"/r/flyaurora/comments/1ab01/lost_bag/kc{n:02d}/"}}


class FakeReddit:
    def __init__(self) -> None:
        self.submissions: list[int] = []
        self.comments: list[int] = []
        self.tokens = 0
        self.fail: dict[str, int] = {}  # path -> status to answer once

    def listing(self, things: list[dict[str, Any]], after: str | None) -> dict[str, Any]:
        things = sorted(things, key=lambda t: t["data"]["name"], reverse=True)
        start = 0 if after is None else next(i for i, t in enumerate(things) if t["data"]["name"] == after)
        page = things[start:start + 2]  # overlapping pages: each repeats the previous page's last item
        more = start + 2 < len(things)
        return {"kind": "Listing", "data": {"after": page[-1]["data"]["name"] if page and more else None,
                                            "before": None, "dist": len(page), "children": page}}

    def route(self, req: Request) -> tuple[int, Any, dict[str, str]]:
        if req.path == "/api/v1/access_token":
            assert req.headers["Authorization"] == "Basic " + base64.b64encode(b"app-id:app-secret").decode()
            assert req.form() == {"grant_type": "client_credentials"}
            self.tokens += 1
            return 200, {"access_token": f"tok{self.tokens}", "token_type": "bearer", "expires_in": 86400,
                         "scope": "*"}, {}
        assert req.headers["User-Agent"] == "wakeful-test/1.0"
        if req.path in self.fail:
            status = self.fail.pop(req.path)
            return status, {"message": "Too Many Requests", "error": status}, {"X-Ratelimit-Reset": "0",
                                                                               "X-Ratelimit-Remaining": "0"}
        if req.headers.get("Authorization") != f"bearer tok{self.tokens}":
            return 401, {"message": "Unauthorized", "error": 401}, {}
        limits = {"X-Ratelimit-Used": "1", "X-Ratelimit-Remaining": "99.0", "X-Ratelimit-Reset": "420"}
        after = req.query.get("after")
        if req.path == "/r/flyaurora/new":
            return 200, self.listing([submission(n) for n in self.submissions], after), limits
        if req.path == "/r/flyaurora/comments":
            things = [comment(n) for n in self.comments]
            if 3 in self.comments:
                things.append({"kind": "t1", "data": {"name": "t1_kc99", "body": "no date"}})  # malformed
            body = self.listing(things, after)
            body["data"]["children"].reverse()  # out of order within the page
            return 200, body, limits
        if req.path == "/search":
            assert req.query["q"] == "Aurora Airways" and req.query["sort"] == "new"
            return 200, self.listing([submission(n) for n in self.submissions if n % 2], after), limits
        return 404, {"message": "Not Found", "error": 404}, {}


def connector(desk: Desk, base: str, sleeps: list[float]) -> RedditConnector:
    auth = RedditAuth(base, "app-id", "app-secret", "wakeful-test/1.0")
    return RedditConnector("reddit", desk.ingest, auth, ["r/flyaurora"], ["Aurora Airways"], oauth_url=base,
                           www_url="https://www.reddit.com", poll_interval_s=0.0, sleep=sleeps.append)


def test_kill_and_restart_stores_every_submission_and_comment_once(desk: Desk) -> None:
    fake = FakeReddit()
    fake.submissions, fake.comments = [1, 2, 3, 4, 5], [1, 2, 3]
    fake.fail = {"/r/flyaurora/new": 429}
    sleeps: list[float] = []
    with http_server(fake.route) as base:
        first = connector(desk, base, sleeps)
        first.run(max_connections=2, sleep=sleeps.append)  # a 429 (reset 0 s), then a full round
        assert sleeps == [0.0, 0.0]
        assert stored_ids(desk, "reddit") == sorted([f"t3_1ab{n:02d}" for n in range(1, 6)]
                                                    + [f"t1_kc{n:02d}" for n in range(1, 4)])
        assert first.health.malformed == 1

        # Killed; meanwhile more is posted, and the new process's token gets revoked once.
        fake.submissions += [6, 7, 8, 9]
        fake.comments += [4, 5, 6]
        fake.fail = {"/r/flyaurora/comments": 500}
        second = connector(desk, base, sleeps)
        assert second.cursors == {"r/flyaurora/new": "t3_1ab05", "r/flyaurora/comments": "t1_kc03",
                                  "search:Aurora Airways": "t3_1ab05"}
        second.auth.header()
        fake.tokens += 1  # revokes the token the second connector just got: it must fetch a new one
        second.run(max_connections=2, sleep=sleeps.append)  # the 500 costs one back-off; the next round fills in
        assert fake.tokens == 4

    assert stored_ids(desk, "reddit") == sorted([f"t3_1ab{n:02d}" for n in range(1, 10)]
                                                + [f"t1_kc{n:02d}" for n in range(1, 7)])
    assert count(desk, RejectedRecordRow) == 1  # the malformed comment, once: not once per process nor per poll
    with desk.db.session() as s:
        state = s.get(ConnectorStateRow, "reddit")
        assert state is not None and state.errors == 2 and "app-secret" not in (state.last_error or "")
        assert state.cursor is not None and '"r/flyaurora/comments": "t1_kc06"' in state.cursor


def test_one_listings_server_error_does_not_keep_the_others_unread(desk: Desk) -> None:
    """A 500 on r/…/new (polled first) still lets the comments and the search be read in the same round; the error
    then costs the usual back-off."""
    fake = FakeReddit()
    fake.submissions, fake.comments = [1, 2], [1, 2, 3]
    fake.fail = {"/r/flyaurora/new": 500}
    sleeps: list[float] = []
    with http_server(fake.route) as base:
        conn = connector(desk, base, sleeps)
        conn.run(max_connections=1, sleep=sleeps.append)
    assert [i for i in stored_ids(desk, "reddit") if i.startswith("t1_")] == ["t1_kc01", "t1_kc02", "t1_kc03"]
    assert "r/flyaurora/new" not in conn.cursors and conn.cursors["r/flyaurora/comments"] == "t1_kc03"
    assert conn.health.errors == 1 and "HTTP 500" in (conn.health.last_error or "")
