"""Telling people outside the queue: signed JSON webhooks, e-mail over SMTP and Slack-style incoming webhooks.

Escalation and paging must reach a lead even when nobody looks at the dashboard, so each event goes to every
configured channel, is retried with exponential back-off when a channel fails, and is logged in the database:
`delivered`, or `dead` with the last error once the retries are spent (the dead-letter log). A failing channel
never raises into the caller: a broken Slack hook must not stop a case from being routed.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import queue
import smtplib
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from email.message import EmailMessage
from typing import Any, Protocol

import httpx
from sqlalchemy import select

from wakeful.core.clock import Clock, SystemClock
from wakeful.core.notify_settings import NotifyChannels, NotifySettings
from wakeful.store.db import Database
from wakeful.store.notify import NotificationRow

log = logging.getLogger(__name__)

SIGNATURE_HEADER = "X-Wakeful-Signature"
EVENT_HEADER = "X-Wakeful-Event"


class DeliveryError(Exception):
    """A channel could not deliver; the message says why (status code, refused connection, SMTP reply)."""


class Channel(Protocol):
    name: str

    @property
    def target(self) -> str:
        """Where it delivers, as a lead may see it: never a secret (hook URLs that embed a token, passwords)."""
        ...

    def send(self, event: str, payload: dict[str, Any]) -> None:
        """Deliver once or raise `DeliveryError`."""


def _body(event: str, payload: dict[str, Any]) -> bytes:
    return json.dumps({"event": event, "payload": payload}, sort_keys=True, default=str).encode("utf-8")


def sign(secret: str, body: bytes) -> str:
    """The signature header's value: `sha256=` and the hex HMAC-SHA256 of the exact body bytes."""
    return "sha256=" + hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()


def verify(secret: str, body: bytes, header: str) -> bool:
    """What a receiver runs: constant-time comparison of the header with the body's signature."""
    return hmac.compare_digest(sign(secret, body), header)


def _post(url: str, content: bytes, headers: dict[str, str], timeout: float) -> None:
    try:
        response = httpx.post(url, content=content, headers=headers, timeout=timeout)
    except httpx.HTTPError as err:
        raise DeliveryError(f"{type(err).__name__}: {err}") from err
    if response.status_code >= 300:
        raise DeliveryError(f"HTTP {response.status_code}: {response.text[:200]}")


@dataclass
class WebhookChannel:
    """POSTs `{"event", "payload"}` as JSON; the receiver checks `X-Wakeful-Signature` with the shared secret."""

    url: str
    secret: str
    name: str = "webhook"
    timeout_s: float = 10.0

    @property
    def target(self) -> str:
        return f"{self.url} (signed)"

    def send(self, event: str, payload: dict[str, Any]) -> None:
        body = _body(event, payload)
        headers = {"Content-Type": "application/json", EVENT_HEADER: event, SIGNATURE_HEADER: sign(self.secret, body)}
        _post(self.url, body, headers, self.timeout_s)


def summary_line(event: str, payload: dict[str, Any]) -> str:
    """One human line for chat and subject lines: the event and the payload's most telling fields."""
    keys = ("brand", "case_id", "priority", "reason", "text")
    details = ", ".join(f"{k} {payload[k]}" for k in keys if payload.get(k) not in (None, ""))
    return f"[wakeful] {event}" + (f": {details}" if details else "")


@dataclass
class SlackChannel:
    """A Slack-compatible incoming webhook (Slack, Mattermost, Rocket.Chat): `{"text": …}` with a one-line
    summary and the payload as a code block."""

    url: str
    name: str = "slack"
    timeout_s: float = 10.0

    @property
    def target(self) -> str:
        return "Slack-compatible incoming webhook (address kept secret)"

    def send(self, event: str, payload: dict[str, Any]) -> None:
        text = f"{summary_line(event, payload)}\n```{json.dumps(payload, indent=1, default=str)}```"
        _post(self.url, json.dumps({"text": text}).encode("utf-8"), {"Content-Type": "application/json"},
              self.timeout_s)


@dataclass
class EmailChannel:
    """Plain-text mail through an SMTP relay; STARTTLS and login when configured (credentials from config)."""

    host: str
    port: int
    sender: str
    recipients: list[str]
    name: str = "email"
    username: str | None = None
    password: str | None = None
    starttls: bool = False
    timeout_s: float = 10.0

    @property
    def target(self) -> str:
        return f"{', '.join(self.recipients)} via {self.host}:{self.port}"

    def send(self, event: str, payload: dict[str, Any]) -> None:
        msg = EmailMessage()
        msg["From"] = self.sender
        msg["To"] = ", ".join(self.recipients)
        msg["Subject"] = summary_line(event, payload)[:200]
        msg.set_content(json.dumps({"event": event, "payload": payload}, indent=2, default=str))
        try:
            with smtplib.SMTP(self.host, self.port, timeout=self.timeout_s) as smtp:
                if self.starttls:
                    smtp.starttls()
                if self.username:
                    smtp.login(self.username, self.password or "")
                smtp.send_message(msg)
        except (smtplib.SMTPException, OSError) as err:
            raise DeliveryError(f"{type(err).__name__}: {err}") from err


@dataclass(frozen=True)
class RetryPolicy:
    """`attempts` tries in all; the wait before try n+1 is `base_s * factor**(n-1)`, capped at `max_s`."""

    attempts: int = 4
    base_s: float = 1.0
    factor: float = 2.0
    max_s: float = 60.0

    def delays(self) -> list[float]:
        return [min(self.max_s, self.base_s * self.factor**n) for n in range(self.attempts - 1)]


@dataclass
class Notifier:
    """Sends each event to every channel with retries, and logs the outcome per channel in the database."""

    db: Database
    channels: Sequence[Channel]
    clock: Clock = field(default_factory=SystemClock)
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    sleep: Callable[[float], None] = time.sleep

    def notify(self, event: str, payload: dict[str, Any]) -> None:
        for channel in self.channels:
            self._deliver(channel, event, payload)

    def _deliver(self, channel: Channel, event: str, payload: dict[str, Any]) -> None:
        started = self.clock.now()
        delays = self.retry.delays()
        error: str | None = None
        attempts = 0
        for attempts in range(1, self.retry.attempts + 1):
            try:
                channel.send(event, payload)
                error = None
                break
            except DeliveryError as err:
                error = str(err)
                log.warning("%s delivery of %s failed (try %d): %s", channel.name, event, attempts, error)
                if attempts <= len(delays):
                    self.sleep(delays[attempts - 1])
        status = "dead" if error is not None else "delivered"
        if error is not None:
            log.error("%s delivery of %s dead-lettered after %d tries: %s", channel.name, event, attempts, error)
        with self.db.session() as session:
            session.add(NotificationRow(channel=channel.name, event=event, payload=json.loads(_body(event, payload))
                                        ["payload"], status=status, attempts=attempts, last_error=error,
                                        created_at=started, finished_at=self.clock.now()))


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


_STOP = "\x00stop"  # the queue's end marker; no real event has a NUL in its name


@dataclass
class BrandNotifier:
    """The server's notifier: each event goes to the channels of the brand named in its payload (the desk-wide
    ones for a brand without its own), delivered on a background thread, so retries against a slow SMTP relay or
    a dead hook never hold up ingest or the SLA tick. A brand with no channel is warned about once, in the log.
    Events still queued when the process dies are lost; the delivery log shows what went out."""

    db: Database
    config: NotifySettings
    clock: Clock = field(default_factory=SystemClock)
    sleep: Callable[[float], None] = time.sleep
    _queue: queue.Queue[tuple[str, dict[str, Any]]] = field(default_factory=queue.Queue, init=False, repr=False)
    _worker: threading.Thread | None = field(default=None, init=False, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, init=False, repr=False)
    _by_brand: dict[str | None, Notifier] = field(default_factory=dict, init=False, repr=False)
    _unheard: set[object] = field(default_factory=set, init=False, repr=False)

    def __post_init__(self) -> None:
        for brand in [None, *self.config.brands]:  # build every channel now: a bad address fails at start-up
            self._by_brand[brand] = notifier_for(self.config.for_brand(brand), self.db, self.clock, self.sleep)

    def notify(self, event: str, payload: dict[str, Any]) -> None:
        brand = payload.get("brand")
        if not self._target(brand).channels:
            if brand not in self._unheard:  # said once per brand; every event after that only at debug level
                self._unheard.add(brand)
                log.warning("no notification channel for brand %s: %s and later events reach nobody (set [notify])",
                            brand, event)
            log.debug("%s (no notification channel for brand %s): %s", event, brand, payload)
            return
        self._queue.put((event, dict(payload)))
        with self._lock:
            if self._worker is None or not self._worker.is_alive():
                self._worker = threading.Thread(target=self._run, name="wakeful-notify", daemon=True)
                self._worker.start()

    def _target(self, brand: object) -> Notifier:
        return self._by_brand.get(brand if isinstance(brand, str) else None) or self._by_brand[None]

    def _run(self) -> None:
        while True:
            event, payload = self._queue.get()
            try:
                if event == _STOP:
                    return
                self._target(payload.get("brand")).notify(event, payload)
            except Exception:
                log.exception("notification %s could not be logged", event)
            finally:
                self._queue.task_done()

    def drain(self) -> None:
        """Wait until every queued event has been delivered or dead-lettered (tests, and shutdown)."""
        self._queue.join()

    def close(self) -> None:
        """Deliver what is queued, then stop the worker."""
        with self._lock:
            worker = self._worker
        if worker is not None and worker.is_alive():
            self._queue.put((_STOP, {}))
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
