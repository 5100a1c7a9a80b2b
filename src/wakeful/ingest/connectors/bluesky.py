"""Bluesky: Jetstream's JSON WebSocket of repo commits, filtered to posts that mention a brand.

Jetstream sends every `app.bsky.feed.post` on the network with no server-side text filter, so matching happens
here: a post is taken in when its text names a brand's handle, name or keyword, or one of its facets mentions a
brand account's DID or tags one of its keywords. Each event carries `time_us`; the cursor is the largest one seen.
On reconnect Jetstream replays from `cursor` (rewound a few seconds, as its docs advise, duplicates being free),
so the replay is the back-fill. Authors come as bare DIDs: their handle and follower count are looked up with
`app.bsky.actor.getProfile` through the `atproto` SDK and cached. An `update` commit (the whole new record) is an
edit, taken when it names a brand or its post is stored already (the edit may have dropped the brand's name); a
`delete` commit of a stored post marks it deleted.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlencode

from atproto import Client, models
from atproto_client.exceptions import AtProtocolError, RequestErrorBase
from pydantic import ValidationError
from websockets.exceptions import ConnectionClosedOK, InvalidStatus, WebSocketException
from websockets.sync.client import connect

from wakeful.core.models import Author, Engagement, Platform, Post
from wakeful.core.settings import BrandConfig
from wakeful.ingest.connectors.base import AuthFailed, ConnectorBase, RateLimited, rate_limit_wait, utcnow
from wakeful.ingest.connectors.replies import Outgoing, SendError
from wakeful.ingest.service import IngestService

POST = "app.bsky.feed.post"
REWIND_US = 5_000_000
SAVE_EVERY_S = 10.0


def brand_terms(brands: Iterable[BrandConfig], watch_handles: Iterable[str]) -> set[str]:
    """Lower-cased words whose presence in a post's text makes it a mention of a brand."""
    terms = {h.lower().lstrip("@") for h in watch_handles}
    for b in brands:
        terms |= {t.lower().lstrip("@") for t in b.handles + b.names + b.keywords}
    return {t for t in terms if len(t) >= 3}


class Profiles:
    """Handle, display name and follower count per DID from the AppView, cached for an hour.

    A 429 from the AppView silences look-ups until its `ratelimit-reset` (read on `now`, the desk's clock):
    meanwhile authors come as bare DIDs instead of every post asking again and keeping the limit hit."""

    def __init__(self, appview_url: str, ttl_s: float = 3600.0, size: int = 50_000,
                 now: Callable[[], datetime] = utcnow) -> None:
        self.client = Client(base_url=appview_url)
        self.ttl_s = ttl_s
        self.size = size
        self.now = now
        self.quiet_until: datetime | None = None
        self._cache: dict[str, tuple[float, Author]] = {}

    def author(self, did: str) -> Author:
        """The profile, or a bare DID author when the look-up fails (the post is kept; reach is then unknown)."""
        hit = self._cache.get(did)
        if hit and time.monotonic() - hit[0] < self.ttl_s:
            return hit[1]
        if self.quiet_until is not None and self.now() < self.quiet_until:
            return Author(id=did, handle=did)
        try:
            p = self.client.app.bsky.actor.get_profile({"actor": did})
        except AtProtocolError as e:
            response = e.response if isinstance(e, RequestErrorBase) else None
            if response is not None and response.status_code == 429:
                now = self.now()
                self.quiet_until = now + timedelta(seconds=min(rate_limit_wait(response.headers, now), 900.0))
            return Author(id=did, handle=did)
        created = datetime.fromisoformat(p.created_at.replace("Z", "+00:00")) if p.created_at else None
        author = Author(id=did, handle=p.handle, display_name=(p.display_name or None),
                        followers=p.followers_count or 0, following=p.follows_count or 0,
                        created_at=created if created and created.tzinfo else None,
                        description=(p.description or None))
        if len(self._cache) >= self.size:
            self._cache.clear()
        self._cache[did] = (time.monotonic(), author)
        return author

    def resolve(self, handle: str) -> str | None:
        try:
            did = self.client.com.atproto.identity.resolve_handle({"handle": handle}).did
        except AtProtocolError:
            return None
        return str(did)


def post_uri(did: str, rkey: str) -> str:
    return f"at://{did}/{POST}/{rkey}"


def event_to_post(event: dict[str, Any], author: Author) -> Post:
    """A Jetstream commit event creating or updating a post, as a `Post` (an update's `time_us` is when it was
    edited); raises KeyError/ValueError/ValidationError."""
    did, commit = event["did"], event["commit"]
    record, rkey = commit["record"], commit["rkey"]
    reply = record.get("reply") or {}
    at = datetime.fromtimestamp(int(event["time_us"]) / 1e6, UTC)
    created = record.get("createdAt")
    claimed = datetime.fromisoformat(created.replace("Z", "+00:00")) if created else at
    # createdAt is the client's word, and clients' clocks can be anything: like Bluesky's own sortAt, a post is
    # taken to be no younger than when the network saw it (the claim stays in `raw`)
    created_at = min(claimed, at) if claimed.tzinfo else at
    return Post(
        platform=Platform.BLUESKY, id=post_uri(did, rkey), text=str(record["text"]),
        created_at=created_at, lang=(record.get("langs") or [None])[0],
        reply_to_id=(reply.get("parent") or {}).get("uri"), conversation_id=(reply.get("root") or {}).get("uri"),
        url=f"https://bsky.app/profile/{did}/post/{rkey}", author=author,
        engagement=Engagement(observed_at=at), raw=event,
        edited_at=at if commit.get("operation") == "update" else None,
    )


class BlueskyConnector(ConnectorBase):
    """One Jetstream subscription to posts; the cursor is Jetstream's `time_us`."""

    platform = Platform.BLUESKY
    transient = (*ConnectorBase.transient, WebSocketException, TimeoutError)
    credentials = ("connectors.bluesky.jetstream_url (WAKEFUL_CONNECTORS__BLUESKY__JETSTREAM_URL; Jetstream itself "
                   "asks for no credentials, so a proxy or another service answered)")

    def __init__(self, name: str, ingest: IngestService, brands: list[BrandConfig], jetstream_url: str,
                 appview_url: str, watch_handles: Iterable[str] = ()) -> None:
        super().__init__(name, ingest)
        self.url = jetstream_url.rstrip("/")
        self.terms = brand_terms(brands, watch_handles)
        self.profiles = Profiles(appview_url, now=self.now)
        self.watch_handles = list(watch_handles)
        self.brand_dids: set[str] = set()
        self.cursor = self.load_cursor()
        self.deleted: dict[str, datetime] = {}
        """Deletes seen since the cursor was last saved: most are of posts the desk never stored, so they are
        looked up together when the cursor moves (never after it, so a crash cannot skip one), not one by one."""
        self._saved_at = time.monotonic()

    def matches(self, record: dict[str, Any]) -> bool:
        text = str(record.get("text") or "").lower()
        if any(t in text for t in self.terms):
            return True
        for facet in record.get("facets") or []:
            for f in facet.get("features") or []:
                if f.get("did") in self.brand_dids or f"#{str(f.get('tag', '')).lower()}" in self.terms:
                    return True
        return False

    def subscribe_url(self) -> str:
        params = {"wantedCollections": POST}
        if self.cursor:
            params["cursor"] = str(max(0, int(self.cursor) - REWIND_US))
        return f"{self.url}/subscribe?{urlencode(params)}"

    def handle(self, message: str | bytes) -> None:
        """One Jetstream message: deliver a matching post, report a malformed one, skip the rest."""
        try:
            event = json.loads(message)
            time_us = int(event["time_us"])
        except (ValueError, TypeError, KeyError) as e:
            self.report_malformed(message if isinstance(message, str) else message.decode(errors="replace"),
                                  f"not a Jetstream event: {e}")
            return
        commit = event.get("commit") if isinstance(event, dict) else None
        ours = event.get("kind") == "commit" and isinstance(commit, dict) and commit.get("collection") == POST
        operation = commit.get("operation") if ours and isinstance(commit, dict) else None
        record = commit.get("record") if isinstance(commit, dict) else None
        wanted = operation in ("create", "update") and isinstance(record, dict) and (
            self.matches(record) or (operation == "update" and self._stored(event)))
        newest = str(time_us) if self.cursor is None or time_us > int(self.cursor) else self.cursor
        if operation == "delete" and isinstance(commit, dict):
            uri = post_uri(str(event.get("did")), str(commit.get("rkey")))
            self.deleted[uri] = datetime.fromtimestamp(time_us / 1e6, UTC)
        if wanted:
            try:
                post = event_to_post(event, self.profiles.author(str(event["did"])))
            except (KeyError, TypeError, ValueError, ValidationError) as e:
                self.report_malformed(event, f"not a Bluesky post event: {e}")
                return
            self.deliver([post], newest)  # the cursor moves only once the post is stored
            self._saved_at = time.monotonic()
        elif time.monotonic() - self._saved_at > SAVE_EVERY_S:
            # Most of the firehose is not about the brand: move the cursor now and then, not per event.
            self.deliver([], newest)
            self._saved_at = time.monotonic()
        self.cursor = newest

    def deliver(self, posts: Sequence[Post], cursor: str | None) -> None:
        """Record the deletes seen so far, then store and move the cursor past them."""
        if self.deleted:
            self.ingest.delete(self.platform, self.deleted)
            self.deleted = {}
        super().deliver(posts, cursor)

    def _stored(self, event: dict[str, Any]) -> bool:
        uri = post_uri(str(event.get("did")), str((event.get("commit") or {}).get("rkey")))
        return bool(self.ingest.stored(self.platform, [uri]))

    def run_once(self) -> None:
        if self.watch_handles and not self.brand_dids:
            self.brand_dids = {d for d in map(self.profiles.resolve, self.watch_handles) if d}
        try:
            ws = connect(self.subscribe_url(), open_timeout=30, close_timeout=5, max_size=2**22)
        except InvalidStatus as e:
            status = e.response.status_code
            if status == 429:
                raise RateLimited(rate_limit_wait(dict(e.response.headers.raw_items()), self.now())) from e
            if status in (401, 403):
                said = " ".join(e.response.body.decode(errors="replace").split())[:200]
                raise AuthFailed(f"HTTP {status} on the Jetstream handshake: {e.response.reason_phrase} {said}"
                                 .strip()) from e
            raise
        with ws:
            self.mark_connected()
            try:
                while True:
                    self.handle(ws.recv(timeout=90))
            except ConnectionClosedOK:
                return  # the server closed cleanly; reconnect from the cursor
            finally:
                if self.cursor:
                    self.deliver([], self.cursor)


class BlueskyReplySender:
    """Replies as the brand account through the atproto SDK: a post record whose `reply` holds strong refs
    (uri + cid) to the customer's post and to the thread's root, created with com.atproto.repo.createRecord."""

    def __init__(self, pds_url: str, handle: str, app_password: str) -> None:
        self.client = Client(base_url=pds_url)
        self.handle, self._password = handle, app_password
        self.logged_in = False

    def send(self, reply: Outgoing) -> str:
        commit = reply.parent_raw.get("commit") or {}
        cid = commit.get("cid")
        if not cid:
            raise SendError("the customer's post has no cid to reply to", permanent=True)
        parent = models.ComAtprotoRepoStrongRef.Main(uri=reply.in_reply_to, cid=cid)
        root_ref = ((commit.get("record") or {}).get("reply") or {}).get("root")
        root = models.ComAtprotoRepoStrongRef.Main(uri=root_ref["uri"], cid=root_ref["cid"]) if root_ref else parent
        try:
            if not self.logged_in:
                self.client.login(self.handle, self._password)
                self.logged_in = True
            created = self.client.send_post(reply.text, reply_to=models.AppBskyFeedPost.ReplyRef(
                parent=parent, root=root))
        except RequestErrorBase as e:
            status = e.response.status_code if e.response is not None else None
            if status == 401:
                self.logged_in = False
            permanent = status is not None and 400 <= status < 500 and status not in (401, 408, 429)
            raise SendError(f"Bluesky said {e}", permanent=permanent) from e
        return str(created.uri)
