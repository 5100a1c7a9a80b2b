"""A subreddit Reddit closes to the app, among others it serves, against a loopback server speaking Reddit's wire
format: 403 with `reason` private, quarantined or gated, 404 with `reason: banned`, and the redirect to subreddit
search for a name no subreddit has. Only that subreddit is set aside (asked again hourly) and reported once as a
standing problem; the other subreddits and the search are polled on their schedule; a 401 still means the
credentials.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

import pytest

from wakeful.api.deps import Desk
from wakeful.core.clock import FixedClock
from wakeful.ingest.connectors.base import MAX_BACKOFF_S
from wakeful.ingest.connectors.reddit import RedditAuth, RedditConnector
from wakeful.store.connectors import ConnectorStateRow

from tests.connectors.loopback import Request, http_server, stored_ids
from tests.factories import T0

PRIVATE = (403, {"reason": "private", "message": "Forbidden", "error": 403}, {})
QUARANTINED = (403, {"reason": "quarantined", "quarantine_message": "This community is quarantined.",
                     "quarantine_message_html": "<p>This community is quarantined.</p>", "message": "Forbidden",
                     "error": 403}, {})
GATED = (403, {"reason": "gated", "interstitial_warning_message": "Content Advisory: this community may contain "
               "discussions of drug use.", "message": "Forbidden", "error": 403}, {})
BANNED = (404, {"reason": "banned", "message": "Not Found", "error": 404}, {})
NO_SUCH = (302, b"", {"Location": "https://oauth.reddit.com/subreddits/search.json?q=secretcrew"})
PREFIX = {"flyaurora": "1fa", "travel": "1tr", "secretcrew": "1se"}
SUBREDDITS_FIX = "rule rejected by Reddit: fix connectors.reddit.subreddits (WAKEFUL_CONNECTORS__REDDIT__SUBREDDITS)"


def submission(sub: str, n: int) -> dict[str, Any]:
    fullname = f"t3_{PREFIX[sub]}{n:02d}"
    return {"kind": "t3", "data": {
        "id": fullname[3:], "name": fullname, "title": f"Aurora Airways lost my bag ({sub} {n})", "selftext": "",
        "author": f"{sub}{n}", "author_fullname": f"t2_{PREFIX[sub]}{n}",
        "created_utc": (T0 + timedelta(minutes=n)).timestamp(), "subreddit": sub, "score": 1, "num_comments": 0,
        "permalink": f"/r/{sub}/comments/{fullname[3:]}/lost_bag/"}}


class ClosingReddit:
    """Subreddit listings and a search; `closed` maps a subreddit to Reddit's answer for it, `token_ok` says
    whether listing calls accept the bearer token."""

    def __init__(self) -> None:
        self.posts: dict[str, list[int]] = {"flyaurora": [1, 2], "travel": [1], "secretcrew": [1]}
        self.closed: dict[str, tuple[int, Any, dict[str, str]]] = {}
        self.token_ok = True
        self.tokens = 0

    def route(self, req: Request) -> tuple[int, Any, dict[str, str]]:
        if req.path == "/api/v1/access_token":
            self.tokens += 1
            return 200, {"access_token": f"tok{self.tokens}", "token_type": "bearer", "expires_in": 86400,
                         "scope": "*"}, {}
        if not self.token_ok or req.headers.get("Authorization") != f"bearer tok{self.tokens}":
            return 401, {"message": "Unauthorized", "error": 401}, {}
        if req.path == "/search":
            things = [submission("flyaurora", n) for n in self.posts["flyaurora"]]
        else:
            _, _, sub, kind = req.path.split("/")
            if sub in self.closed:
                return self.closed[sub]
            things = [submission(sub, n) for n in self.posts[sub]] if kind == "new" else []
        things.sort(key=lambda t: t["data"]["name"], reverse=True)
        return 200, {"kind": "Listing", "data": {"after": None, "before": None, "dist": len(things),
                                                 "children": things}}, {"X-Ratelimit-Remaining": "99.0",
                                                                        "X-Ratelimit-Reset": "420"}


def connector(desk: Desk, base: str, subreddits: list[str], searches: list[str]) -> RedditConnector:
    auth = RedditAuth(base, "app-id", "app-secret", "wakeful-test/1.0")
    return RedditConnector("reddit", desk.ingest, auth, subreddits, searches, oauth_url=base, poll_interval_s=0.0,
                           sleep=lambda s: None)


def ids(sub: str, *ns: int) -> list[str]:
    return [f"t3_{PREFIX[sub]}{n:02d}" for n in ns]


def stored(desk: Desk) -> ConnectorStateRow:
    with desk.db.session() as s:
        row = s.get(ConnectorStateRow, "reddit")
        assert row is not None
        s.expunge(row)
        return row


def asked(seen: list[Request], sub: str) -> int:
    return sum(req.path.startswith(f"/r/{sub}/") for req in seen)


def test_a_private_subreddit_is_set_aside_and_the_others_keep_polling(
        desk: Desk, clock: FixedClock, caplog: pytest.LogCaptureFixture) -> None:
    fake = ClosingReddit()
    fake.closed = {"secretcrew": PRIVATE}
    seen: list[Request] = []
    caplog.set_level(logging.INFO, logger="wakeful.ingest.connectors.base")
    with http_server(fake.route, seen) as base:
        conn = connector(desk, base, ["flyaurora", "secretcrew", "travel"], ["Aurora Airways"])
        conn.run(max_connections=1)
        assert stored_ids(desk, "reddit") == sorted(ids("flyaurora", 1, 2) + ids("travel", 1))
        problem = conn.health.needs_action or ""
        assert problem.startswith(f"{SUBREDDITS_FIX} (drop r/secretcrew, or give the account access) and restart")
        assert "the other subreddits and searches are still polled" in problem
        assert problem.endswith("Reddit refused r/secretcrew: private (HTTP 403 on GET /r/secretcrew/new).")
        assert stored(desk).last_error == stored(desk).action_message == problem
        assert stored(desk).needs_action == "rule"

        fake.posts["flyaurora"].append(3)
        fake.posts["travel"].append(2)
        for _ in range(3):  # later polls within the hour: the others as usual, r/secretcrew left alone
            clock.advance(timedelta(minutes=15))
            conn.run(max_connections=1)
        assert stored_ids(desk, "reddit") == sorted(ids("flyaurora", 1, 2, 3) + ids("travel", 1, 2))
        assert asked(seen, "secretcrew") == 1 and asked(seen, "travel") == 8
        assert conn.health.needs_action == problem and stored(desk).last_error == problem

        clock.advance(timedelta(minutes=16))  # an hour since it was refused: asked once more, still private
        conn.run(max_connections=1)
        assert asked(seen, "secretcrew") == 2
        assert stored(desk).errors == 1 and conn.health.needs_action == problem  # reported once, still standing
        assert [r.getMessage() for r in caplog.records if r.levelno == logging.ERROR] == [f"reddit: {problem}"]

        del fake.closed["secretcrew"]  # its moderators open it again
        clock.advance(timedelta(minutes=59))
        conn.run(max_connections=1)
        assert asked(seen, "secretcrew") == 2
        clock.advance(timedelta(minutes=1))
        conn.run(max_connections=1)
    assert asked(seen, "secretcrew") == 4  # /new and, open again, /comments in the same poll
    assert stored_ids(desk, "reddit") == sorted(ids("flyaurora", 1, 2, 3) + ids("travel", 1, 2)
                                                + ids("secretcrew", 1))
    assert conn.health.needs_action is None and stored(desk).last_error is None
    assert stored(desk).needs_action is None and stored(desk).action_message is None


@pytest.mark.parametrize(("answer", "reason"), [
    (QUARANTINED, "quarantined (HTTP 403 on GET /r/secretcrew/new)"),
    (GATED, "gated (HTTP 403 on GET /r/secretcrew/new)"),
    (BANNED, "banned (HTTP 404 on GET /r/secretcrew/new)"),
    (NO_SUCH, "no such subreddit (HTTP 302 on GET /r/secretcrew/new, a redirect to subreddit search)"),
])
def test_each_way_reddit_closes_a_subreddit_names_it_and_spares_the_others(
        desk: Desk, answer: tuple[int, Any, dict[str, str]], reason: str) -> None:
    fake = ClosingReddit()
    fake.closed = {"secretcrew": answer}
    seen: list[Request] = []
    with http_server(fake.route, seen) as base:
        conn = connector(desk, base, ["secretcrew", "flyaurora"], [])
        conn.run(max_connections=1)
        conn.run(max_connections=1)
    assert stored_ids(desk, "reddit") == ids("flyaurora", 1, 2)
    assert asked(seen, "secretcrew") == 1 and asked(seen, "flyaurora") == 4
    assert (conn.health.needs_action or "").endswith(f"Reddit refused r/secretcrew: {reason}.")
    assert stored(desk).needs_action == "rule" and stored(desk).errors == 1


def test_with_every_subreddit_closed_it_waits_the_longest_back_off(desk: Desk) -> None:
    fake = ClosingReddit()
    fake.closed = {"secretcrew": PRIVATE, "travel": BANNED}
    sleeps: list[float] = []
    with http_server(fake.route) as base:
        conn = connector(desk, base, ["secretcrew", "travel"], [])
        conn.run(max_connections=2, sleep=sleeps.append)
    assert sleeps == [MAX_BACKOFF_S]
    problem = conn.health.needs_action or ""
    assert problem.startswith(f"{SUBREDDITS_FIX} (drop r/secretcrew, r/travel, or give the account access)")
    assert "meanwhile nothing else is polled" in problem
    assert problem.endswith("Reddit refused r/secretcrew: private (HTTP 403 on GET /r/secretcrew/new). Reddit "
                            "refused r/travel: banned (HTTP 404 on GET /r/travel/new).")


def test_a_rejected_token_still_means_the_credentials_not_a_subreddit(desk: Desk) -> None:
    fake = ClosingReddit()
    fake.closed = {"secretcrew": PRIVATE}
    with http_server(fake.route) as base:
        conn = connector(desk, base, ["secretcrew", "flyaurora"], ["Aurora Airways"])
        conn.run(max_connections=1)
        assert (conn.health.needs_action or "").startswith(SUBREDDITS_FIX)

        fake.token_ok = False  # the app's secret was revoked: a 401 even after a fresh token
        sleeps: list[float] = []
        conn.run(max_connections=2, sleep=sleeps.append)
        assert sleeps == [MAX_BACKOFF_S]
        assert conn.health.needs_action == stored(desk).last_error == (
            "credentials rejected by Reddit: fix connectors.reddit.client_id and client_secret "
            "(WAKEFUL_CONNECTORS__REDDIT__CLIENT_ID, WAKEFUL_CONNECTORS__REDDIT__CLIENT_SECRET) and restart. "
            "Reddit said HTTP 401 on GET /r/flyaurora/new: 401; Unauthorized")

        fake.token_ok = True
        fake.closed = {"secretcrew": (403, {"message": "Forbidden", "error": 403}, {})}  # no reason: not the sub's
        conn.closed.clear()
        conn.run(max_connections=1)
    assert (conn.health.needs_action or "").startswith(
        "credentials rejected by Reddit: fix connectors.reddit.subreddits (WAKEFUL_CONNECTORS__REDDIT__SUBREDDITS) "
        "if r/secretcrew is closed to this app, else connectors.reddit.client_id")
