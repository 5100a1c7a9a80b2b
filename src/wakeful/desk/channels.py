"""The ways out of the desk: signed JSON webhooks, Slack-style incoming webhooks and e-mail over SMTP.

Each channel delivers one event once or raises `DeliveryError`; retries, the outbox and dead letters are
`notify`'s. Receivers of the webhook check its signature with `verify`.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import smtplib
from dataclasses import dataclass
from email.message import EmailMessage
from typing import Any, Protocol
from urllib.parse import urlsplit, urlunsplit

import httpx

SIGNATURE_HEADER = "X-Wakeful-Signature"
EVENT_HEADER = "X-Wakeful-Event"
DELIVERY_HEADER = "X-Wakeful-Delivery"
"""The outbox row's id: the same on every try and every resumed send, so a receiver can drop what it already has."""

class DeliveryError(Exception):
    """A channel could not deliver; the message says why (status code, refused connection, SMTP reply)."""


class Channel(Protocol):
    name: str

    @property
    def target(self) -> str:
        """Where it delivers, as a lead may see it: never a secret (hook URLs that embed a token, passwords)."""
        ...

    def send(self, event: str, payload: dict[str, Any], delivery: int | None = None) -> None:
        """Deliver once or raise `DeliveryError`; `delivery` is the outbox row's id (None outside the outbox)."""


def _body(event: str, payload: dict[str, Any], delivery: int | None = None) -> bytes:
    doc: dict[str, Any] = {"event": event, "payload": payload}
    if delivery is not None:
        doc["delivery"] = delivery
    return json.dumps(doc, sort_keys=True, default=str).encode("utf-8")


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


def shown_url(url: str) -> str:
    """A webhook's address as a lead may see it: a password in it (`https://user:pw@host`) and its query (often
    `?token=…`) are credentials from the configuration, so only the scheme, host, port and path are shown."""
    parts = urlsplit(url)
    host = parts.netloc.rpartition("@")[2]
    return urlunsplit((parts.scheme, host, parts.path, "", "")) + ("?…" if parts.query else "")


@dataclass
class WebhookChannel:
    """POSTs `{"event", "payload", "delivery"}` as JSON; the receiver checks `X-Wakeful-Signature` with the shared
    secret, and may drop a `delivery` id it has seen (also in `X-Wakeful-Delivery`): delivery is at least once."""

    url: str
    secret: str
    name: str = "webhook"
    timeout_s: float = 10.0

    @property
    def target(self) -> str:
        return f"{shown_url(self.url)} (signed)"

    def send(self, event: str, payload: dict[str, Any], delivery: int | None = None) -> None:
        body = _body(event, payload, delivery)
        headers = {"Content-Type": "application/json", EVENT_HEADER: event, SIGNATURE_HEADER: sign(self.secret, body)}
        if delivery is not None:
            headers[DELIVERY_HEADER] = str(delivery)
        _post(self.url, body, headers, self.timeout_s)


def readable(payload: dict[str, Any]) -> str | None:
    """The text for people an event carries as `message` (the morning report): chat and mail show it in place of
    the payload as JSON, its first line as the mail's subject. None for events that carry none."""
    message = payload.get("message")
    return message if isinstance(message, str) and message.strip() else None


def summary_line(event: str, payload: dict[str, Any]) -> str:
    """One human line for chat and subject lines: the event and the payload's most telling fields."""
    keys = ("brand", "case_id", "priority", "reason", "text")
    details = ", ".join(f"{k} {payload[k]}" for k in keys if payload.get(k) not in (None, ""))
    return f"[wakeful] {event}" + (f": {details}" if details else "")


@dataclass
class SlackChannel:
    """A Slack-compatible incoming webhook (Slack, Mattermost, Rocket.Chat): `{"text": …}` with a one-line
    summary and the payload as a code block, or the event's own text for people (`readable`)."""

    url: str
    name: str = "slack"
    timeout_s: float = 10.0

    @property
    def target(self) -> str:
        return "Slack-compatible incoming webhook (address kept secret)"

    def send(self, event: str, payload: dict[str, Any], delivery: int | None = None) -> None:
        message = readable(payload)
        # Slack reads <…> as a link or mention and & as an entity: its docs ask for these three escaped
        text = message.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;") if message else \
            f"{summary_line(event, payload)}\n```{json.dumps(payload, indent=1, default=str)}```"
        _post(self.url, json.dumps({"text": text}).encode("utf-8"), {"Content-Type": "application/json"},
              self.timeout_s)


@dataclass
class EmailChannel:
    """Plain-text mail through an SMTP relay (the payload as JSON, or the event's own text for people: `readable`);
    STARTTLS and login when configured (credentials from config)."""

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

    def send(self, event: str, payload: dict[str, Any], delivery: int | None = None) -> None:
        msg = EmailMessage()
        msg["From"] = self.sender
        msg["To"] = ", ".join(self.recipients)
        message = readable(payload)
        subject = f"[wakeful] {message.strip().splitlines()[0]}" if message else summary_line(event, payload)
        msg["Subject"] = subject[:200]
        if delivery is not None:
            msg[DELIVERY_HEADER] = str(delivery)
        msg.set_content(message or json.dumps({"event": event, "payload": payload}, indent=2, default=str))
        try:
            with smtplib.SMTP(self.host, self.port, timeout=self.timeout_s) as smtp:
                if self.starttls:
                    smtp.starttls()
                if self.username:
                    smtp.login(self.username, self.password or "")
                smtp.send_message(msg)
        except (smtplib.SMTPException, OSError) as err:
            raise DeliveryError(f"{type(err).__name__}: {err}") from err
