"""Telling people outside the queue, through the channels of `desk.channels` (webhooks, Slack, e-mail).

Escalation and paging must reach a lead even when nobody looks at the dashboard, so each event goes to every
configured channel through an outbox in the database (`store.notify`): a `pending` row per channel is written
before anything is sent, so an event survives a crash, and the next process resumes it. Each row is retried with
exponential back-off when its channel fails and ends `delivered`, or `dead` with the last error once the retries
are spent (the dead-letter log). A failing channel never raises into the caller: a broken Slack hook must not stop
a case from being routed.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import partial
from typing import Any

from sqlalchemy import inspect, select
from sqlalchemy.event import listen
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from wakeful.core.clock import Clock, SystemClock, as_utc
from wakeful.core.notify_settings import NotifyChannels, NotifySettings
from wakeful.desk.channels import Channel, DeliveryError, EmailChannel, SlackChannel, WebhookChannel
from wakeful.store import notify as outbox
from wakeful.store.db import Database
from wakeful.store.notify import NotificationRow

log = logging.getLogger(__name__)

LEASE = timedelta(minutes=15)
"""How long a claimed row is left to its sender before another process may take it for dead: far longer than the
default retries take (4 tries, 1+2+4 s back-off, 10 s timeouts)."""


@dataclass(frozen=True)
class RetryPolicy:
    """`attempts` tries in all; the wait before try n+1 is `base_s * factor**(n-1)`, capped at `max_s`."""

    attempts: int = 4
    base_s: float = 1.0
    factor: float = 2.0
    max_s: float = 60.0

    def delays(self) -> list[float]:
        return [min(self.max_s, self.base_s * self.factor**n) for n in range(self.attempts - 1)]


def _claim(db: Database, row_id: int, now: datetime, lease: timedelta) -> NotificationRow | None:
    with db.session() as session:
        return outbox.claim(session, row_id, now, now - lease)


@dataclass
class Notifier:
    """Sends each event to every channel with retries, through the outbox: one `pending` row per channel, then each
    row claimed, sent and marked `delivered` or `dead`."""

    db: Database
    channels: Sequence[Channel]
    clock: Clock = field(default_factory=SystemClock)
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    sleep: Callable[[float], None] = time.sleep

    def notify(self, event: str, payload: dict[str, Any]) -> None:
        """Record the event, then deliver it on this thread (the settings page's test send waits for the outcome)."""
        rows = self.rows(event, payload)
        with self.db.session() as session:
            session.add_all(rows)
        for row in rows:
            claimed = _claim(self.db, row.id, self.clock.now(), LEASE)
            if claimed is not None:
                self.send(claimed)

    def rows(self, event: str, payload: dict[str, Any]) -> list[NotificationRow]:
        """The event's outbox rows, one per channel, not yet added to any session."""
        now = self.clock.now()
        return [outbox.pending(channel.name, event, payload, now) for channel in self.channels]

    def send(self, row: NotificationRow) -> None:
        """Deliver a claimed row through its channel and record how that ended."""
        channel = next((c for c in self.channels if c.name == row.channel), None)
        error: str | None
        if channel is None:  # the configuration changed between a crash and the restart
            attempts, error = 0, f"channel {row.channel} is no longer configured for this brand"
        else:
            attempts, error = self._attempt(channel, row.event, row.payload, row.id)
        with self.db.session() as session:
            outbox.finish(session, row.id, attempts, error, self.clock.now())

    def send_unrecorded(self, event: str, payload: dict[str, Any]) -> None:
        """Deliver an event the outbox could not take (the database is down): best effort, outcome only logged."""
        for channel in self.channels:
            self._attempt(channel, event, payload, None)

    def _attempt(self, channel: Channel, event: str, payload: dict[str, Any],
                 delivery: int | None) -> tuple[int, str | None]:
        """Try up to the policy's attempts, backing off between; the tries made and the last error (None: sent)."""
        delays = self.retry.delays()
        error: str | None = None
        attempts = 0
        for attempts in range(1, self.retry.attempts + 1):
            try:
                channel.send(event, payload, delivery)
                return attempts, None
            except DeliveryError as err:
                error = str(err)
                log.warning("%s delivery of %s failed (try %d): %s", channel.name, event, attempts, error)
                if attempts <= len(delays):
                    self.sleep(delays[attempts - 1])
        log.error("%s delivery of %s dead-lettered after %d tries: %s", channel.name, event, attempts, error)
        return attempts, error


def channels_for(config: NotifyChannels) -> list[Channel]:
    """The channels a configuration turns on (the settings validated that each is complete)."""
    out: list[Channel] = []
    if config.webhook_url and config.webhook_secret is not None:
        out.append(WebhookChannel(config.webhook_url, config.webhook_secret.get_secret_value()))
    if config.slack_url:
        out.append(SlackChannel(config.slack_url.get_secret_value()))
    if config.smtp_host:
        password = config.smtp_password.get_secret_value() if config.smtp_password else None
        out.append(EmailChannel(config.smtp_host, config.smtp_port, config.smtp_sender, config.smtp_to,
                                username=config.smtp_username, password=password, starttls=config.smtp_starttls))
    return out


def notifier_for(config: NotifyChannels, db: Database, clock: Clock | None = None,
                 sleep: Callable[[float], None] = time.sleep) -> Notifier:
    return Notifier(db, channels_for(config), clock or SystemClock(),
                    RetryPolicy(attempts=config.attempts, base_s=config.backoff_s), sleep)


_Job = int | tuple[str, dict[str, Any]] | None
"""What the worker takes from its queue: an outbox row's id, an event the outbox could not take, or None: stop."""
_OUTBOX_KEY = "wakeful.notify.outbox"


@dataclass
class BrandNotifier:
    """The server's notifier: each event goes to the channels of the brand named in its payload (the desk-wide
    ones for a brand without its own), delivered on a background thread, so retries against a slow SMTP relay or
    a dead hook never hold up ingest or the SLA tick. A brand with no channel is warned about once, in the log.
    Accepted events are in the outbox before `notify` returns (or when the caller's transaction commits), so what
    a crash leaves unsent goes out when the next process calls `resume`."""

    db: Database
    config: NotifySettings
    clock: Clock = field(default_factory=SystemClock)
    sleep: Callable[[float], None] = time.sleep
    lease: timedelta = LEASE
    _queue: queue.Queue[_Job] = field(default_factory=queue.Queue, init=False, repr=False)
    _worker: threading.Thread | None = field(default=None, init=False, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, init=False, repr=False)
    _by_brand: dict[str | None, Notifier] = field(default_factory=dict, init=False, repr=False)
    _unheard: set[object] = field(default_factory=set, init=False, repr=False)
    _timers: list[threading.Timer] = field(default_factory=list, init=False, repr=False)
    _resumed: bool = field(default=False, init=False, repr=False)

    def __post_init__(self) -> None:
        for brand in [None, *self.config.brands]:  # build every channel now: a bad address fails at start-up
            self._by_brand[brand] = notifier_for(self.config.for_brand(brand), self.db, self.clock, self.sleep)

    def notify(self, event: str, payload: dict[str, Any], session: Session | None = None) -> None:
        """Accept an event; never raises. With `session` (the caller's open transaction) its outbox rows commit
        with the caller's work and are sent only then; pass it whenever you are writing, as on SQLite a second
        writer would wait for yours. Without, the rows are committed in a transaction of their own."""
        brand = payload.get("brand")
        target = self._target(brand)
        if not target.channels:
            if brand not in self._unheard:  # said once per brand; every event after that only at debug level
                self._unheard.add(brand)
                log.warning("no notification channel for brand %s: %s and later events reach nobody (set [notify])",
                            brand, event)
            log.debug("%s (no notification channel for brand %s): %s", event, brand, payload)
            return
        try:
            rows = target.rows(event, payload)
            if session is not None:
                self._on_commit(session, rows)
                return
            with self.db.session() as own:
                own.add_all(rows)
            self._put([row.id for row in rows])
        except Exception:
            log.exception("notification %s could not be put in the outbox; sending it without a record", event)
            self._put([(event, dict(payload))])

    def reaches(self, brand: str) -> bool:
        """Whether the brand's events go anywhere (its own channels or the desk-wide ones): a job that builds an
        event only for people to read (the morning report) skips a brand nobody would hear."""
        return bool(self._target(brand).channels)

    def _on_commit(self, session: Session, rows: list[NotificationRow]) -> None:
        """Add the rows to the caller's session and queue their ids once it commits (a rollback drops them)."""
        key = (_OUTBOX_KEY, id(self))
        if key not in session.info:
            session.info[key] = []
            listen(session, "after_commit", partial(self._committed, key))
            listen(session, "after_rollback", lambda s: s.info[key].clear())
        session.info[key].extend(rows)
        session.add_all(rows)

    def _committed(self, key: tuple[str, int], session: Session) -> None:
        rows, session.info[key] = session.info[key], []
        self._put([ident[0] for row in rows if (ident := inspect(row).identity)])

    def resume(self) -> int:
        """Queue the rows earlier processes accepted and did not finish, oldest first; once (call it at start-up).
        A row another sender claimed less than `lease` ago is queued when its lease runs out: by then that sender
        has finished it, or died. A claim is one conditional UPDATE, so two processes never both send a pending
        row. Returns how many unfinished rows there were."""
        with self._lock:
            if self._resumed:
                return 0
            self._resumed = True
        try:
            with self.db.session() as session:
                rows = outbox.unfinished(session)
        except SQLAlchemyError:
            log.exception("the notification outbox could not be read; its rows wait for the next start")
            return 0
        now = self.clock.now()
        due = {row_id: (as_utc(claimed) + self.lease - now).total_seconds() if claimed else 0.0
               for row_id, claimed in rows}
        self._put([row_id for row_id, wait in due.items() if wait <= 0])
        for row_id, wait in due.items():
            if wait > 0:
                timer = threading.Timer(wait, self._put, ([row_id],))
                timer.daemon = True
                self._timers.append(timer)
                timer.start()
        if rows:
            log.warning("resuming %d unsent notification(s) left by an earlier process", len(rows))
        return len(rows)

    def unheard(self, brands: Iterable[str]) -> list[str]:
        """The brands among `brands` whose events reach no channel."""
        return [brand for brand in brands if not self._target(brand).channels]

    def told_unheard(self, brands: Iterable[str]) -> None:
        """Count the "no notification channel" warning as given for `brands`: a caller said it once for all."""
        self._unheard.update(brands)

    def _target(self, brand: object) -> Notifier:
        return self._by_brand.get(brand if isinstance(brand, str) else None) or self._by_brand[None]

    def _put(self, jobs: Sequence[_Job]) -> None:
        for job in jobs:
            self._queue.put(job)
        with self._lock:
            if jobs and (self._worker is None or not self._worker.is_alive()):
                self._worker = threading.Thread(target=self._run, name="wakeful-notify", daemon=True)
                self._worker.start()

    def _run(self) -> None:
        while True:
            job = self._queue.get()
            try:
                if job is None:
                    return
                if isinstance(job, int):
                    self._deliver(job)
                else:
                    self._target(job[1].get("brand")).send_unrecorded(*job)
            except Exception:
                log.exception("notification %s could not be sent or logged", job)
            finally:
                self._queue.task_done()

    def _deliver(self, row_id: int) -> None:
        row = _claim(self.db, row_id, self.clock.now(), self.lease)
        if row is not None:  # else another process has it, or it is finished
            self._target(row.payload.get("brand")).send(row)

    def drain(self) -> None:
        """Wait until every queued event has been delivered or dead-lettered (tests, and shutdown)."""
        self._queue.join()

    def close(self) -> None:
        """Deliver what is queued, then stop the worker; rows waiting for a lease are left to the next start."""
        for timer in self._timers:
            timer.cancel()
        with self._lock:
            worker = self._worker
        if worker is not None and worker.is_alive():
            self._queue.put(None)
            worker.join()


def dead_letters(db: Database, since: datetime | None = None) -> list[NotificationRow]:
    """Notifications no channel retry could deliver, oldest first: what an admin looks at after an outage."""
    stmt = select(NotificationRow).where(NotificationRow.status == "dead").order_by(NotificationRow.created_at)
    if since is not None:
        stmt = stmt.where(NotificationRow.created_at >= since)
    with db.session() as session:
        rows = list(session.scalars(stmt))
        session.expunge_all()
    return rows
