"""Mastodon: the streaming API's server-sent events (`event: update` carrying a Status), on any instance.

An edit comes as `event: status.update` with the whole Status (its `edited_at` set) and is delivered like a post,
so the ingest path replaces the stored text; `event: delete` carries the bare id and marks the post deleted.

On every (re)connect the REST timeline is read from the saved since-id first, so posts published while the stream
was down are back-filled; the stream then carries on. Status ids are ordered per instance, so the largest id
delivered is the cursor.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime
from typing import Any

import httpx
from pydantic import ValidationError

from wakeful.core.models import Author, Engagement, Platform, Post
from wakeful.ingest.connectors.base import ConnectorBase, PlatformError, check, read_json, seen_now, utcnow
from wakeful.ingest.connectors.html_text import html_to_text
from wakeful.ingest.connectors.replies import Outgoing, check_response
from wakeful.ingest.service import IngestService


def _time(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def status_to_post(status: dict[str, Any], now: datetime | None = None) -> Post:
    """A Mastodon Status JSON as a `Post`, its HTML `content` as the plain text readers see (the HTML stays in `raw`)
    under its content warning, where it has one (customers put the complaint's subject there),
    its counters read at `now` (the desk's clock; else the system's); raises KeyError/ValueError/ValidationError when
    it is not one."""
    acct = status["account"]
    content = status.get("content") or ""
    if not isinstance(content, str):
        raise ValueError(f"content is not text: {content!r:.80}")
    text = html_to_text(content)
    warning = status.get("spoiler_text")  # a content warning: plain text shown above the folded post
    if isinstance(warning, str) and warning.strip():
        text = f"{warning.strip()}\n\n{text}" if text else warning.strip()
    created_at = _time(status["created_at"])
    edited_at = _time(status["edited_at"]) if status.get("edited_at") else None
    return Post(
        platform=Platform.MASTODON, id=str(status["id"]), text=text, created_at=created_at,
        lang=status.get("language"), reply_to_id=status.get("in_reply_to_id"), url=status.get("url"),
        author=Author(id=str(acct["id"]), handle=acct["acct"], display_name=acct.get("display_name") or None,
                      followers=int(acct.get("followers_count") or 0),
                      following=int(acct.get("following_count") or 0), verified=False),
        engagement=Engagement(observed_at=seen_now(created_at, now), likes=int(status.get("favourites_count") or 0),
                              reposts=int(status.get("reblogs_count") or 0),
                              replies=int(status.get("replies_count") or 0)),
        raw=status, edited_at=edited_at,
    )


def _id_key(status_id: str) -> tuple[int, str]:
    return (len(status_id), status_id)


class MastodonConnector(ConnectorBase):
    """Follows one hashtag (or the public timeline with `tag=None`) on one instance, or with `mentions=True` the
    brand account's notifications, keeping those that mention it (the account's token is then required)."""

    platform = Platform.MASTODON
    credentials = "connectors.mastodon.access_token (WAKEFUL_CONNECTORS__MASTODON__ACCESS_TOKEN)"

    def __init__(self, name: str, ingest: IngestService, api_base_url: str, access_token: str | None,
                 tag: str | None, timeout: float = 30.0, mentions: bool = False) -> None:
        super().__init__(name, ingest)
        self.base = api_base_url.rstrip("/")
        self.tag = tag.lstrip("#") if tag else None
        self.mentions = mentions
        headers = {"Authorization": f"Bearer {access_token}"} if access_token else {}
        self.http = httpx.Client(base_url=self.base, headers=headers, timeout=timeout)
        self.cursor = self.load_cursor()

    def _status_of(self, item: Any) -> Any:
        """The status an item carries: the item itself, or a mention (or edit) notification's status."""
        if not self.mentions:
            return item
        wanted = ("mention", "update")  # update: a status the brand account interacted with was edited
        return item.get("status") if isinstance(item, dict) and item.get("type") in wanted else None

    def _accept(self, items: list[Any]) -> None:
        """Deliver statuses (or notifications); the cursor is the largest item id, which only moves forward."""
        posts: list[Post] = []
        best: str | None = None
        for item in items:
            try:
                key = str(item["id"])
                status = self._status_of(item)
                if status is not None and (item.get("type") != "update" or self._stored(str(status["id"]))):
                    posts.append(status_to_post(status, self.now()))
            except (KeyError, TypeError, ValueError, ValidationError) as e:
                self.report_malformed(item, f"not a Mastodon {'notification' if self.mentions else 'status'}: {e}")
                continue
            if (self.cursor is None or _id_key(key) > _id_key(self.cursor)) and (
                    best is None or _id_key(key) > _id_key(best)):
                best = key
        # Out-of-order posts still go through ingest (which drops duplicates).
        self.deliver(posts, best)
        if best is not None:
            self.cursor = best

    def _stored(self, status_id: str) -> bool:
        """Whether the desk holds this status: only those are updated from an edit notification, which also
        comes for statuses the brand merely boosted or favourited."""
        return bool(self.ingest.stored(self.platform, [status_id]))

    def backfill(self) -> int:
        """Read the timeline (or mention notifications) since the cursor, page by page, until nothing is newer.

        A 429 ends the back-fill with RateLimited, so the connector waits out X-RateLimit-Reset (on the desk's
        clock) and starts again from the cursor, which each stored page has moved."""
        if self.cursor is None:
            return 0
        if self.mentions:
            path, params = "/api/v1/notifications", {"types[]": "mention"}
        else:
            path, params = (f"/api/v1/timelines/tag/{self.tag}" if self.tag else "/api/v1/timelines/public"), {}
        total = 0
        for _ in range(100):
            page = read_json(self.http.get(path, params={**params, "min_id": self.cursor, "limit": 40}), self.now())
            if not isinstance(page, list):
                raise PlatformError(f"GET {path} answered {type(page).__name__}, not a list: {str(page)[:200]}")
            if not page:
                break
            self._accept(sorted(page, key=lambda s: _id_key(str(s.get("id", "")))))
            total += len(page)
        return total

    def _events(self) -> Iterator[tuple[str, str]]:
        if self.mentions:
            path, params = "/api/v1/streaming/user/notification", {}
        else:
            path = "/api/v1/streaming/hashtag" if self.tag else "/api/v1/streaming/public"
            params = {"tag": self.tag} if self.tag else {}
        with self.http.stream("GET", path, params=params, timeout=httpx.Timeout(30.0, read=90.0)) as r:
            check(r, self.now())
            self.mark_connected()
            event, data = "", list[str]()
            for line in r.iter_lines():
                if line.startswith(":"):
                    continue  # keep-alive comment
                if line == "":
                    if event or data:
                        yield event, "\n".join(data)
                    event, data = "", []
                elif line.startswith("event:"):
                    event = line[6:].strip()
                elif line.startswith("data:"):
                    data.append(line[5:].lstrip())

    def run_once(self) -> None:
        """One connection: back-fill the gap, then stream until the server closes it."""
        self.backfill()
        wanted = ("notification",) if self.mentions else ("update", "status.update")
        for event, data in self._events():
            if event == "delete":
                self.ingest.delete(self.platform, {data.strip(): self.now()})
                continue
            if event not in wanted:
                continue
            try:
                status = json.loads(data)
            except ValueError as e:
                self.report_malformed(data, f"event data is not JSON: {e}")
                continue
            self._accept([status])


class MastodonReplySender:
    """Replies as the brand account: POST /api/v1/statuses with in_reply_to_id.

    The status starts with the customer's @handle (Mastodon notifies only those mentioned), keeps the visibility
    of the post it answers (a direct message is answered directly), and carries an Idempotency-Key, so a retry
    after a lost response does not post twice.
    """

    def __init__(self, api_base_url: str, access_token: str) -> None:
        self.http = httpx.Client(base_url=api_base_url.rstrip("/"), timeout=30.0,
                                 headers={"Authorization": f"Bearer {access_token}"})

    def send(self, reply: Outgoing) -> str:
        acct = (reply.parent_raw.get("account") or {}).get("acct") or reply.parent_handle
        text = reply.text if not acct or f"@{acct}".lower() in reply.text.lower() else f"@{acct} {reply.text}"
        visibility = reply.parent_raw.get("visibility")
        body = {"status": text, "in_reply_to_id": reply.in_reply_to,
                "visibility": visibility if visibility in ("public", "unlisted", "private", "direct") else "public"}
        r = self.http.post("/api/v1/statuses", json=body, headers={"Idempotency-Key": f"wakeful-reply-{reply.id}"})
        check_response(r, utcnow())
        return str(r.json()["id"])
