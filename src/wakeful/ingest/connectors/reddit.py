"""Reddit: new submissions and comments in chosen subreddits, and site-wide searches, polled over OAuth.

Reddit has no push stream for third parties, so this polls the listing JSON (`/r/{sub}/new`, `/r/{sub}/comments`,
`/search?sort=new`) newest first and pages back with `after` until it reaches the newest fullname it stored for
that listing. Paging back is used instead of `before=<fullname>` because `before` returns nothing once that item
is deleted or removed, which would silently stall the listing. Base-36 ids grow with time, so the stored cursor
per listing is the largest id delivered. Written with httpx over the documented wire format (PRAW keeps its own
in-memory dedupe and cannot resume from a stored position). An item read again on the page that reaches the
cursor whose `edited` (a Unix time, else false) is set is delivered again once per edit, as an edit; which edits
went out is remembered only for the items on the pages the last polls read, so memory stays bounded for good.
A subreddit Reddit closes to the app (private, quarantined, banned, or no such name) is set aside on its own and
reported as a standing problem, so it does not silence the other subreddits and searches.
"""

from __future__ import annotations

import json
import time
from collections import deque
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any, NamedTuple

import httpx
from pydantic import ValidationError

from wakeful.core.models import Author, Engagement, Platform, Post
from wakeful.ingest.connectors.base import (
    AuthFailed,
    ConnectorBase,
    NeedsOperator,
    PlatformError,
    check,
    read_json,
    reason_of,
    seen_now,
    utcnow,
)
from wakeful.ingest.connectors.replies import Outgoing, SendError, check_response
from wakeful.ingest.service import IngestService
from wakeful.store.connectors import RULE_REJECTED, Action

MAX_PAGES = 10  # Reddit serves at most ~1000 items per listing
MEMORY_POLLS = 2
"""An item's delivered edit (or malformed report) is remembered while it was on a page read by one of the last
this-many polls of a listing: an item that falls off the pages read does not come back, as newer ones only push
it further down (one poll more covers a listing that shifts when items are deleted)."""
APP = ("connectors.reddit.client_id and client_secret (WAKEFUL_CONNECTORS__REDDIT__CLIENT_ID, "
       "WAKEFUL_CONNECTORS__REDDIT__CLIENT_SECRET)")
SUBREDDITS = "connectors.reddit.subreddits (WAKEFUL_CONNECTORS__REDDIT__SUBREDDITS)"
CLOSED_RETRY_S = 3600.0
"""How long a subreddit Reddit refuses is set aside before one more request: subreddits go private for days at a
time (thousands did in the 2023 protests) and come back, so it is not dropped for good, yet costs one call an hour."""
ACCOUNT = ("connectors.reddit.username and password (WAKEFUL_CONNECTORS__REDDIT__USERNAME, "
           "WAKEFUL_CONNECTORS__REDDIT__PASSWORD)")


def id36(fullname: str) -> int:
    """The numeric part of a fullname such as t3_1abcd, for ordering."""
    return int(fullname.split("_", 1)[1], 36)


def thing_to_post(thing: dict[str, Any], www_url: str = "https://www.reddit.com", now: datetime | None = None
                  ) -> Post:
    """A t3 (submission) or t1 (comment) child of a listing as a `Post`, its counters read at `now` (the desk's
    clock; else the system's); raises KeyError/ValueError otherwise."""
    kind, d = thing["kind"], thing["data"]
    if kind not in ("t3", "t1"):
        raise ValueError(f"kind {kind!r} is neither a submission nor a comment")
    if kind == "t3":
        text = d["title"] + (f"\n\n{d['selftext']}" if d.get("selftext") else "")
        reply_to, conversation = None, d["name"]
    else:
        text, reply_to, conversation = d["body"], d.get("parent_id"), d.get("link_id")
    author = str(d.get("author") or "[deleted]")
    # A deleted account has no fullname, and "[deleted]" names every one of them: keyed by its handle, strangers'
    # posts would share one author and be grouped into one case.
    author_id = d.get("author_fullname") or (f"u/{author}" if author != "[deleted]" else f"[deleted]:{d['name']}")
    created_at = datetime.fromtimestamp(float(d["created_utc"]), UTC)
    edited = d.get("edited")  # old items may say plain `true`: edited, but not when, so not comparable
    edited_at = datetime.fromtimestamp(float(edited), UTC) if type(edited) in (int, float) and edited else None
    return Post(
        platform=Platform.REDDIT, id=d["name"], text=text, created_at=created_at,
        reply_to_id=reply_to, conversation_id=conversation, url=f"{www_url.rstrip('/')}{d.get('permalink', '')}",
        author=Author(id=str(author_id), handle=author),
        engagement=Engagement(observed_at=seen_now(created_at, now), likes=max(0, int(d.get("score") or 0)),
                              replies=int(d.get("num_comments") or 0)),
        raw=d, edited_at=edited_at,
    )


class SubredditClosed(Exception):
    """Reddit refused one subreddit's listing for a reason of that subreddit's own: only it is set aside."""

    def __init__(self, sub: str, why: str) -> None:
        super().__init__(why)
        self.sub = sub


class SetAside(NamedTuple):
    """A subreddit Reddit refused: why (its words), and when it is asked again."""

    why: str
    retry_at: datetime


def subreddit_of(path: str) -> str | None:
    """The subreddit a listing path reads (/r/{sub}/new), or None for a site-wide search."""
    return path.split("/")[2] if path.startswith("/r/") else None


def closed_reason(r: httpx.Response) -> str | None:
    """Why Reddit closes a subreddit's listing to this app, or None when the answer is not about the subreddit.

    Reddit answers 403 with a `reason` for a private, quarantined or gated subreddit, 404 (with `reason: banned`
    for a banned one) for one it removed, and a redirect to subreddit search for a name no subreddit has. A 403
    without a reason is the app's or the token's, not the subreddit's."""
    call = f"HTTP {r.status_code} on GET {r.request.url.path}"
    if r.is_redirect and "/subreddits/search" in r.headers.get("location", ""):
        return f"no such subreddit ({call}, a redirect to subreddit search)"
    if r.status_code not in (403, 404):
        return None
    try:
        body = r.json()
    except ValueError:
        return None
    if not isinstance(body, dict):
        return None
    if body.get("reason"):
        return f"{body['reason']} ({call})"
    return f"not found ({call})" if r.status_code == 404 and body.get("error") == 404 else None


class RedditAuth:
    """An OAuth bearer token from /api/v1/access_token: the account's (password grant) or app-only."""

    def __init__(self, www_url: str, client_id: str, client_secret: str, user_agent: str,
                 username: str | None = None, password: str | None = None) -> None:
        self.http = httpx.Client(base_url=www_url.rstrip("/"), timeout=30.0, auth=(client_id, client_secret),
                                 headers={"User-Agent": user_agent})
        self.username, self.password = username, password
        self.token: str | None = None
        self.expires = 0.0

    @property
    def password_grant(self) -> bool:
        return bool(self.username and self.password)

    @property
    def credentials(self) -> str:
        """The settings a rejection points at: the app's, and the account's when it signs in as one."""
        return f"{APP}{f', and {ACCOUNT}' if self.password_grant else ''}"

    def header(self) -> dict[str, str]:
        """A bearer token, fetched when there is none or it expired; AuthFailed when Reddit refuses the app (401)
        or the account (`invalid_grant` in a 200, Reddit's answer to a wrong password)."""
        if self.token is None or time.monotonic() > self.expires:
            grant = ({"grant_type": "password", "username": self.username, "password": self.password}
                     if self.password_grant else {"grant_type": "client_credentials"})
            r = self.http.post("/api/v1/access_token", data=grant)
            if r.status_code in (401, 403):  # the app's id or secret: the account's password fails otherwise
                raise AuthFailed(f"HTTP {r.status_code} on POST /api/v1/access_token: {reason_of(r)}", fix=APP)
            r.raise_for_status()
            body = r.json()
            if "access_token" not in body:
                error = body.get("error") if isinstance(body, dict) else None
                if error:
                    raise AuthFailed(f"HTTP {r.status_code} on POST /api/v1/access_token: {error}",
                                     fix=ACCOUNT if self.password_grant else APP)
                raise httpx.HTTPStatusError(f"token endpoint answered no token: {str(body)[:200]}",
                                            request=r.request, response=r)
            self.token = str(body["access_token"])
            self.expires = time.monotonic() + float(body.get("expires_in", 3600)) - 60
        return {"Authorization": f"bearer {self.token}"}

    def invalidate(self) -> None:
        self.token = None


class RedditConnector(ConnectorBase):
    """One poll round per `run_once`, then a pause of `poll_interval_s`."""

    platform = Platform.REDDIT

    def __init__(self, name: str, ingest: IngestService, auth: RedditAuth, subreddits: list[str],
                 searches: list[str], oauth_url: str = "https://oauth.reddit.com",
                 www_url: str = "https://www.reddit.com", poll_interval_s: float = 30.0,
                 sleep: Callable[[float], None] | None = None) -> None:
        super().__init__(name, ingest)
        self.auth = auth
        self.credentials = auth.credentials
        self.www_url = www_url
        self.http = httpx.Client(base_url=oauth_url.rstrip("/"), timeout=30.0,
                                 headers={"User-Agent": auth.http.headers["User-Agent"]})
        self.listings: dict[str, tuple[str, dict[str, str]]] = {}
        for sub in subreddits:
            sub = sub.removeprefix("r/")
            self.listings[f"r/{sub}/new"] = (f"/r/{sub}/new", {})
            self.listings[f"r/{sub}/comments"] = (f"/r/{sub}/comments", {})
        for q in searches:
            self.listings[f"search:{q}"] = ("/search", {"q": q, "sort": "new", "type": "link"})
        self.poll_interval_s = poll_interval_s
        self.sleep = sleep or self.pause
        self.reported: set[str] = set()
        """Malformed items reported already: one stays on its listing, and is reported once."""
        self.edits_sent: dict[str, datetime] = {}
        """The newest edit delivered (or first read) per item: an item read again is an edit only past it."""
        self.in_view: dict[str, deque[set[str]]] = {}
        """Per listing, the names on the pages its last polls read: what `reported` and `edits_sent` keep."""
        stored = self.load_cursor()
        self.cursors: dict[str, str] = json.loads(stored) if stored else {}
        self.closed: dict[str, SetAside] = {}
        """Subreddits Reddit refused, in settings order: skipped until `retry_at`, and reported until they open."""

    def _get(self, path: str, params: dict[str, str]) -> Any:
        for _ in range(2):
            r = self.http.get(path, params={**params, "limit": "100", "raw_json": "1"}, headers=self.auth.header())
            if r.status_code == 401:  # the token expired early or was revoked: fetch a new one once
                self.auth.invalidate()
                continue
            sub = subreddit_of(path)
            why = closed_reason(r) if sub is not None else None
            if sub is not None and why is not None:
                raise SubredditClosed(sub, why)
            if r.status_code == 403 and sub is not None:  # no reason given: the token's scope or the app, likely
                raise AuthFailed(f"HTTP 403 on GET {path}: {reason_of(r)}",
                                 fix=f"{SUBREDDITS} if r/{sub} is closed to this app, else {self.credentials}")
            body = read_json(r, self.now())
            remaining = r.headers.get("x-ratelimit-remaining")
            if remaining is not None and float(remaining) < 1:
                self.sleep(min(float(r.headers.get("x-ratelimit-reset") or 60), 900.0))
            return body
        check(r, self.now())
        return None

    def poll(self, key: str) -> int:
        """Page one listing back to its cursor; deliver what is newer, oldest first, then move the cursor."""
        path, params = self.listings[key]
        cursor = self.cursors.get(key)
        fresh: dict[str, Post] = {}
        edited: dict[str, Post] = {}
        seen: set[str] = set()
        after: str | None = None
        for _ in range(MAX_PAGES):
            body = self._get(path, {**params, **({"after": after} if after else {})})
            try:
                children, after = body["data"]["children"], body["data"].get("after")
            except (KeyError, TypeError) as e:
                self.report_malformed(body, f"not a Reddit listing: {e}")
                return 0
            reached = not children
            for child in children:
                data = child.get("data") if isinstance(child, dict) else None
                name = str(data.get("name")) if isinstance(data, dict) else ""
                seen.add(name)
                try:
                    post = thing_to_post(child, self.www_url, self.now())
                    newer = cursor is None or id36(post.id) > id36(cursor)
                except (KeyError, TypeError, ValueError, IndexError, ValidationError) as e:
                    if name not in self.reported:  # a bad item stays on the listing; report it once
                        self.reported.add(name)
                        self.report_malformed(child, f"not a Reddit submission or comment: {e}")
                    continue
                if newer:
                    fresh[post.id] = post
                else:
                    reached = True
                    if post.edited_at is not None and self.edits_sent.get(post.id) != post.edited_at:
                        edited[post.id] = post
            if reached or not after:
                break
        posts = sorted(fresh.values(), key=lambda p: id36(p.id))
        if edited:
            self.deliver(list(edited.values()), None)
            self.edits_sent |= {p.id: p.edited_at for p in edited.values() if p.edited_at is not None}
        if posts:
            moved = {**self.cursors, key: posts[-1].id}
            self.deliver(posts, json.dumps(moved, sort_keys=True))
            self.cursors = moved  # only once stored, so a failed batch is fetched again
            self.edits_sent |= {p.id: p.edited_at for p in posts if p.edited_at is not None}  # read edited already
        self._forget_out_of_view(key, seen)
        return len(posts)

    def _forget_out_of_view(self, key: str, seen: set[str]) -> None:
        """Keep what was delivered or reported only for items on the pages the last polls of a listing read."""
        self.in_view.setdefault(key, deque(maxlen=MEMORY_POLLS)).append(seen)
        live = set().union(*(names for polls in self.in_view.values() for names in polls))
        self.edits_sent = {name: at for name, at in self.edits_sent.items() if name in live}
        self.reported &= live

    def standing_problem(self) -> str | None:
        """The subreddits Reddit refused, with its reasons: the operator drops them from the settings or gets the
        account let in; meanwhile the other listings are polled and these are asked again hourly."""
        if not self.closed:
            return None
        subs = ", ".join(f"r/{sub}" for sub in self.closed)
        said = " ".join(f"Reddit refused r/{sub}: {aside.why}." for sub, aside in self.closed.items())
        others = any(subreddit_of(path) not in self.closed for path, _ in self.listings.values())
        meanwhile = "the other subreddits and searches are still polled" if others else "nothing else is polled"
        return (f"{RULE_REJECTED} by Reddit: fix {SUBREDDITS} (drop {subs}, or give the account access) and "
                f"restart; meanwhile {meanwhile}, and a refused subreddit is asked again hourly. {said}")

    def run_once(self) -> None:
        """Poll every listing not set aside. A subreddit Reddit closes is set aside and reported once (again only
        when its reason changes: a passing error meanwhile leaves the stored action standing); with nothing left to
        poll, the connector waits the longest back-off like any refusal only a person can mend. A listing that
        fails for a passing reason (a 500, a timeout) is raised for the usual back-off only after the others are
        read."""
        polled = 0
        failed: Exception | None = None  # the round's first passing failure, raised once the others are read
        for key, (path, _) in self.listings.items():
            sub = subreddit_of(path)
            if sub in self.closed and self.now() < self.closed[sub].retry_at:
                continue
            try:
                self.poll(key)
            except SubredditClosed as e:
                self.closed[e.sub] = SetAside(str(e), self.now() + timedelta(seconds=CLOSED_RETRY_S))
                continue
            except NeedsOperator:
                raise
            except (httpx.HTTPError, PlatformError) as e:  # one listing's 500 must not keep the others unread
                failed = failed or e
                continue
            polled += 1
            if sub is not None:
                self.closed.pop(sub, None)
        if failed is not None:
            raise failed
        problem = self.standing_problem()
        if problem is not None and not polled:
            raise NeedsOperator(problem)
        if problem is not None and self.health.needs_action != problem:
            self.report_action(problem, Action.RULE)
        self.mark_connected()
        self.sleep(self.poll_interval_s)


class RedditReplySender:
    """Replies as the brand account: POST /api/comment (needs the account's password-grant token)."""

    def __init__(self, auth: RedditAuth, oauth_url: str = "https://oauth.reddit.com") -> None:
        self.auth = auth
        self.http = httpx.Client(base_url=oauth_url.rstrip("/"), timeout=30.0,
                                 headers={"User-Agent": auth.http.headers["User-Agent"]})

    def send(self, reply: Outgoing) -> str:
        try:
            headers = self.auth.header()
        except AuthFailed as e:  # fixed by a person; the lead queues the reply again then
            fix = e.fix or self.auth.credentials
            raise SendError(f"Reddit refused the brand account's credentials ({e}): fix {fix}", permanent=True) from e
        r = self.http.post("/api/comment", headers=headers,
                           data={"thing_id": reply.in_reply_to, "text": reply.text, "api_type": "json"})
        if r.status_code == 401:
            self.auth.invalidate()
            raise SendError("token rejected (HTTP 401); a new one is fetched on retry")
        check_response(r, utcnow())
        body = r.json().get("json") or {}
        errors = body.get("errors") or []
        if errors:
            code = str(errors[0][0]) if errors[0] else "error"
            raise SendError(f"Reddit said {errors}", permanent=code != "RATELIMIT")
        return str(body["data"]["things"][0]["data"]["name"])
