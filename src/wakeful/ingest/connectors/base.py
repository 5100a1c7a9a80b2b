"""What every connector shares: back-off with jitter, rate-limit waits, a cursor kept in the store, and health.

Delivery is at-least-once: a batch is ingested first and the cursor saved after, so a crash between the two
re-delivers posts that the ingest path then drops as duplicates; nothing is lost and nothing is counted twice.
"""

from __future__ import annotations

import logging
import random
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import httpx

from wakeful.core.models import Platform, Post
from wakeful.ingest.jsonl import RecordError
from wakeful.ingest.service import IngestService
from wakeful.store.connectors import (
    CREDENTIALS_REJECTED,
    LAST_ERROR_CHARS,
    Action,
    ConnectorStateRow,
    clip,
    clip_action,
)

log = logging.getLogger(__name__)

MIN_CONNECTION_S = 1.0
MAX_BACKOFF_S = 300.0


def backoff_delay(attempt: int, base: float = 1.0, cap: float = MAX_BACKOFF_S, rng: random.Random | None = None
                  ) -> float:
    """Full-jitter exponential back-off, so many reconnecting clients do not hammer a platform in step."""
    return (rng or random).uniform(0, min(cap, base * 2 ** max(attempt, 0)))


EPOCH_AFTER = 1_000_000_000.0
"""A numeric reset this large is a Unix time (X, Bluesky); a smaller one counts seconds from now (Reddit)."""


def rate_limit_wait(headers: Mapping[str, str], now: datetime, default: float = 60.0) -> float:
    """Seconds until the platform says we may call again, read against `now` (the desk's clock).

    Retry-After; X's x-rate-limit-reset and Bluesky's ratelimit-reset (Unix seconds); Reddit's X-Ratelimit-Reset
    (seconds left in the period, not a time); Mastodon's X-RateLimit-Reset (an ISO 8601 time).
    """
    lower = {k.lower(): v for k, v in headers.items()}
    retry = lower.get("retry-after")
    if retry and retry.strip().isdigit():
        return float(retry)
    for key in ("x-rate-limit-reset", "x-ratelimit-reset", "ratelimit-reset"):
        value = (lower.get(key) or "").strip()
        if not value:
            continue
        try:
            number = float(value)
        except ValueError:
            try:
                return max(0.0, (datetime.fromisoformat(value) - now).total_seconds())
            except ValueError:
                continue
        return max(0.0, number - now.timestamp() if number >= EPOCH_AFTER else number)
    return default


class PlatformError(Exception):
    """The platform answered, but not with what was asked for: an HTTP error or a body that is not JSON.

    Its message is one line naming the platform's status and reason; the connector retries after a back-off."""


class NeedsOperator(PlatformError):
    """A refusal no retry mends: the operator must change a setting (named in `fix`, where known) and restart.

    The connector stores it as the action it needs (and its last error), logs it as one ERROR and tries again only
    at the longest back-off. `kind` says what the operator changes: by default what a brand listens for."""

    kind = Action.RULE

    def __init__(self, message: str, fix: str | None = None) -> None:
        super().__init__(message)
        self.fix = fix

    def describe(self, platform: str, fix: str) -> str:
        """The one line an operator reads on the dashboard: its first sentence says what to fix (a cut keeps it
        whole), then the platform's words."""
        return str(self)


class AuthFailed(NeedsOperator):
    """HTTP 401 (after any token refresh the connector does) or 403 on a read: the credentials are rejected, or
    lack the access the call needs."""

    kind = Action.CREDENTIALS

    def describe(self, platform: str, fix: str) -> str:
        return f"{CREDENTIALS_REJECTED} by {platform}: fix {self.fix or fix} and restart. {platform} said {self}"


def reason_of(r: httpx.Response) -> str:
    """The platform's own words for a failure, from the JSON body shapes of X, Mastodon, Reddit and XRPC."""
    try:
        body = r.json()
    except ValueError:
        return " ".join(r.text.split())[:200]
    if not isinstance(body, dict):
        return str(body)[:200]
    errors = body.get("errors")
    first = errors[0] if isinstance(errors, list) and errors and isinstance(errors[0], dict) else {}
    parts = [body.get("title"), body.get("detail"), first.get("message"), body.get("error"),
             body.get("error_description"), body.get("message"), body.get("reason")]
    words = [str(p) for p in dict.fromkeys(parts) if p not in (None, "")]
    return " ".join("; ".join(words).split())[:300]


def check(r: httpx.Response, now: datetime) -> None:
    """Raise RateLimited for a 429 (with the wait its headers ask for), AuthFailed for a 401 or 403 (a connector
    that can renew its token does so before calling this) and PlatformError for any other error."""
    if r.status_code == 429:
        raise RateLimited(rate_limit_wait(r.headers, now))
    if r.status_code >= 400:
        if not r.is_closed:
            r.read()  # a streamed response: its error body is short
        error = AuthFailed if r.status_code in (401, 403) else PlatformError
        raise error(f"HTTP {r.status_code} on {r.request.method} {r.request.url.path}: {reason_of(r)}")


def read_json(r: httpx.Response, now: datetime) -> Any:
    """The body of a successful call, or PlatformError naming the call when it is not JSON (a proxy's page)."""
    check(r, now)
    try:
        return r.json()
    except ValueError as e:
        raise PlatformError(f"HTTP {r.status_code} on {r.request.method} {r.request.url.path} is not JSON: "
                            f"{' '.join(r.text.split())[:120]!r} ({e})") from e


@dataclass
class Health:
    """What an operator needs to see: is it connected, how far behind, when the last post came, what failed."""

    connected: bool = False
    last_event_at: datetime | None = None
    errors: int = 0
    last_error: str | None = None
    needs_action: str | None = None
    """What the operator must fix before this connector can listen (fully) again; None when nothing."""
    action: Action | None = None
    """The kind of that fix (rejected credentials, a refused rule)."""
    reconnects: int = 0
    malformed: int = 0
    delivered: int = 0
    extra: dict[str, object] = field(default_factory=dict)

    def lag_s(self, now: datetime) -> float | None:
        return None if self.last_event_at is None else (now - self.last_event_at).total_seconds()


class ConnectorBase:
    """Cursor persistence and delivery; platform modules add the wire protocol."""

    platform: Platform
    transient: tuple[type[Exception], ...] = (httpx.HTTPError, OSError, PlatformError)
    """Failures that mean "reconnect after a back-off"; a WebSocket connector adds its library's errors."""
    credentials = "the connector's credentials"
    """The settings (file key and environment variable) an operator fixes when the platform rejects them."""

    def __init__(self, name: str, ingest: IngestService) -> None:
        self.name = name
        self.ingest = ingest
        self.health = Health()
        self.brands: list[str] | None = None
        self.stopping = threading.Event()
        """Brand keys this connector listens for (None: every brand); leads see only their brands' connectors."""
        self._action_cleared = False

    def now(self) -> datetime:
        """The desk's clock: rate-limit resets are read against it, so a test (or a demo) controls the waits."""
        return self.ingest.clock.now()

    def load_cursor(self) -> str | None:
        with self.ingest.db.session() as s:
            row = s.get(ConnectorStateRow, self.name)
            return row.cursor if row else None

    def deliver(self, posts: Sequence[Post], cursor: str | None) -> None:
        """Ingest, then move the cursor: the order that makes a crash cost a duplicate, never a gap."""
        if posts:
            refused = {e.record for e in self.ingest.ingest(posts, source=f"connector:{self.name}").rejected}
            stored = [p for n, p in enumerate(posts, start=1) if n not in refused]  # refused: kept, but not events
            self.health.malformed += len(refused)
            self.health.delivered += len(stored)
            if stored:
                self.health.last_event_at = max(p.created_at for p in stored)
        self._save(cursor=cursor, events=len(posts))

    def report_malformed(self, payload: object, message: str) -> None:
        """A bad event is kept in rejected_records and counted, never fatal to the stream."""
        self.health.malformed += 1
        self.ingest.reject(f"connector:{self.name}", [RecordError(0, "event", message[:500])], {0: payload})

    def record_error(self, message: str) -> None:
        """A failure a retry may mend: counted, and stored as the last error (cut to one dashboard line). A stored
        action stands: a timeout while the operator fixes the credentials does not make them right."""
        self.health.errors += 1
        self.health.last_error = clip(message, LAST_ERROR_CHARS)
        self._save(cursor=None, events=0, error=self.health.last_error)

    def report_action(self, message: str, kind: Action, retry_s: float | None = None) -> None:
        """A problem only the operator can fix: stored as the action needed and as the last error (the dashboard,
        the API, `wakeful connectors` and `wakeful connect` show it) and logged as one ERROR; while the same
        problem stands, a repeat is logged at INFO. A long line loses the platform's words, never what to fix."""
        again = self.health.needs_action == message
        line = clip_action(message)
        self.health.needs_action, self.health.action = message, kind
        self._action_cleared = False
        self.health.errors += 1
        self.health.last_error = line
        self._save(cursor=None, events=0, error=line, action=(kind, line))
        when = f"; trying again in {retry_s:.0f} s" if retry_s else ""
        if again:
            log.info("%s: still: %s%s", self.name, message, when)
        else:
            log.error("%s: %s%s", self.name, message, when)

    def standing_problem(self) -> str | None:
        """A problem that outlives a good connection (an X rule that X refused); None for most connectors."""
        return None

    def mark_connected(self) -> None:
        """Connected: what the operator had to fix is fixed, so a stored action (this process's or the one before
        the restart) is cleared, with the last error when that was its line, unless a standing problem remains."""
        self.health.connected = True
        self.health.needs_action = self.standing_problem()
        if self.health.needs_action is not None or self._action_cleared:
            return
        self.health.action = None
        with self.ingest.db.session() as s:
            row = s.get(ConnectorStateRow, self.name)
            if row is not None and row.needs_action is not None:
                if row.last_error == row.action_message:
                    row.last_error = None
                row.needs_action = row.action_message = None
        self._action_cleared = True

    def run_once(self) -> None:
        """One connection: back-fill the gap since the cursor, then stream until the server closes it."""
        raise NotImplementedError

    def pause(self, seconds: float) -> None:
        """Sleep, but wake at once when the connector is told to stop."""
        self.stopping.wait(seconds)

    def stop(self) -> None:
        """Ask `run` to return after the current connection (used when the server shuts down)."""
        self.stopping.set()

    def run(self, max_connections: int | None = None, sleep: Any = None) -> None:
        """Reconnect forever (or `max_connections` times) with jittered back-off; errors are counted, not fatal."""
        sleep = sleep or self.pause
        attempt = 0
        for n in range(1, (max_connections or 2**62) + 1):
            if self.stopping.is_set():
                return
            started = time.monotonic()
            try:
                self.run_once()
                attempt = 0
                if n != max_connections:  # a server that closes at once must not be re-dialled in a hot loop
                    self.pause(max(0.0, MIN_CONNECTION_S - (time.monotonic() - started)))
            except NeedsOperator as e:
                last = n == max_connections  # `wakeful connect --connections N` reports it at once
                self.report_action(e.describe(self.platform.value.capitalize(), self.credentials), e.kind,
                                   None if last else MAX_BACKOFF_S)
                if not last:  # the longest wait: a rejected secret is fixed by a person, then a restart
                    sleep(MAX_BACKOFF_S)
            except RateLimited as e:
                self.record_error(str(e))
                wait = min(e.wait, 900.0)
                log.warning("%s: %s; waiting %.0f s", self.name, e, wait)
                sleep(wait)
            except self.transient as e:
                self.record_error(f"{type(e).__name__}: {e}")
                attempt += 1
                wait = backoff_delay(attempt)
                log.warning("%s: %s: %s; retry %d in %.1f s", self.name, type(e).__name__, e, attempt, wait)
                sleep(wait)
            finally:
                self.health.connected = False
                self.health.reconnects = n

    def _save(self, cursor: str | None, events: int, error: str | None = None,
              action: tuple[Action, str] | None = None) -> None:
        now = self.now()
        with self.ingest.db.session() as s:
            row = s.get(ConnectorStateRow, self.name)
            if row is None:
                row = ConnectorStateRow(name=self.name, platform=self.platform.value, updated_at=now, events=0,
                                        errors=0)
                s.add(row)
            if cursor is not None:
                row.cursor = cursor
            if self.health.last_event_at is not None:
                row.last_event_at = self.health.last_event_at
            row.updated_at = now
            row.brands = self.brands
            row.events = (row.events or 0) + events
            if error is not None:
                row.errors = (row.errors or 0) + 1
                row.last_error = error
            if action is not None:
                row.needs_action, row.action_message = action[0].value, action[1]


class RateLimited(Exception):
    """The platform said 429; `wait` is how long its headers asked us to stay away."""

    def __init__(self, wait: float) -> None:
        super().__init__(f"rate limited for {wait:.0f}s")
        self.wait = wait


def utcnow() -> datetime:
    return datetime.now(UTC)


def seen_now(created_at: datetime, now: datetime | None = None) -> datetime:
    """When a post's counters were read: `now` (the desk's clock, which the desk checks counters' times against;
    the system's when not given), but never before the post was created, which a platform's clock a second ahead
    of ours would otherwise claim (and the post would be refused)."""
    return max(now or utcnow(), created_at)
