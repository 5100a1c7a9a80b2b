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
import smtplib
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from email.message import EmailMessage
from typing import Any, Protocol

import httpx
from pydantic import BaseModel, Field, SecretStr
from sqlalchemy import select

from wakeful.core.clock import Clock, SystemClock
from wakeful.store.db import Database
from wakeful.store.notify import NotificationRow

log = logging.getLogger(__name__)

SIGNATURE_HEADER = "X-Wakeful-Signature"
EVENT_HEADER = "X-Wakeful-Event"


class DeliveryError(Exception):
    """A channel could not deliver; the message says why (status code, refused connection, SMTP reply)."""


class Channel(Protocol):
    name: str

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


class NotifyConfig(BaseModel):
    """Where notifications go; meant to sit in the settings (TOML or `WAKEFUL_*` env), so secrets stay out of
    code. A channel is on when its address is set."""

    webhook_url: str | None = None
    webhook_secret: SecretStr | None = None
    slack_url: str | None = None
    smtp_host: str | None = None
    smtp_port: int = 25
    smtp_sender: str = "wakeful@localhost"
    smtp_to: list[str] = Field(default_factory=list)
    smtp_username: str | None = None
    smtp_password: SecretStr | None = None
    smtp_starttls: bool = False
    attempts: int = Field(default=4, ge=1)
    backoff_s: float = Field(default=1.0, ge=0)

    def channels(self) -> list[Channel]:
        out: list[Channel] = []
        if self.webhook_url:
            if self.webhook_secret is None:
                raise ValueError("notify.webhook_url is set but notify.webhook_secret is not: webhooks are signed")
            out.append(WebhookChannel(self.webhook_url, self.webhook_secret.get_secret_value()))
        if self.slack_url:
            out.append(SlackChannel(self.slack_url))
        if self.smtp_host:
            if not self.smtp_to:
                raise ValueError("notify.smtp_host is set but notify.smtp_to names no recipient")
            password = self.smtp_password.get_secret_value() if self.smtp_password else None
            out.append(EmailChannel(self.smtp_host, self.smtp_port, self.smtp_sender, self.smtp_to,
                                    username=self.smtp_username, password=password, starttls=self.smtp_starttls))
        return out

    def notifier(self, db: Database, clock: Clock | None = None) -> Notifier:
        return Notifier(db, self.channels(), clock or SystemClock(),
                        RetryPolicy(attempts=self.attempts, base_s=self.backoff_s))


def dead_letters(db: Database, since: datetime | None = None) -> list[NotificationRow]:
    """Notifications no channel retry could deliver, oldest first: what an admin looks at after an outage."""
    stmt = select(NotificationRow).where(NotificationRow.status == "dead").order_by(NotificationRow.created_at)
    if since is not None:
        stmt = stmt.where(NotificationRow.created_at >= since)
    with db.session() as session:
        rows = list(session.scalars(stmt))
        session.expunge_all()
    return rows
