"""Notifications reach real receivers on loopback: a signed webhook, a Slack-style hook and an SMTP server; a 500
is retried with back-off, and a channel that never recovers ends in the dead-letter log without stopping others."""

from __future__ import annotations

import json
from email import message_from_bytes
from typing import Any

import pytest
from sqlalchemy import select

from wakeful.api.deps import Desk
from wakeful.core.notify_settings import NotifyChannels
from wakeful.desk.channels import DELIVERY_HEADER, SIGNATURE_HEADER, EmailChannel, SlackChannel, WebhookChannel, verify
from wakeful.desk.notify import Notifier, RetryPolicy, dead_letters, notifier_for
from wakeful.store.notify import NotificationRow

from tests.desk.loopback import Inbox, Receiver, free_port

SECRET = "s3cret-for-tests"
EVENT = "case.escalated"
PAYLOAD: dict[str, Any] = {"brand": "aurora", "case_id": 42, "priority": "urgent", "reason": "75% of SLA used"}


def _notifier(desk: Desk, *channels: Any, attempts: int = 3) -> tuple[Notifier, list[float]]:
    slept: list[float] = []
    notifier = Notifier(desk.db, channels, clock=desk.clock, retry=RetryPolicy(attempts=attempts, base_s=0.5),
                        sleep=slept.append)
    return notifier, slept


def _log(desk: Desk) -> list[NotificationRow]:
    with desk.db.session() as session:
        rows = list(session.scalars(select(NotificationRow).order_by(NotificationRow.id)))
        session.expunge_all()
    return rows


def test_webhook_is_delivered_signed_and_logged(desk: Desk, receiver: Receiver) -> None:
    notifier, slept = _notifier(desk, WebhookChannel(receiver.url, SECRET))
    notifier.notify(EVENT, PAYLOAD)
    [(headers, body)] = receiver.requests
    [row] = _log(desk)
    assert json.loads(body) == {"event": EVENT, "payload": PAYLOAD, "delivery": row.id}
    assert headers[DELIVERY_HEADER] == str(row.id) and (row.status, row.attempts) == ("delivered", 1)
    assert verify(SECRET, body, headers[SIGNATURE_HEADER])
    assert not verify("another-secret", body, headers[SIGNATURE_HEADER])
    assert not verify(SECRET, body.replace(b"42", b"43"), headers[SIGNATURE_HEADER])
    assert headers["X-Wakeful-Event"] == EVENT and slept == []
    assert dead_letters(desk.db) == []


def test_a_500_is_retried_with_back_off_and_then_delivered(desk: Desk, receiver: Receiver) -> None:
    receiver.statuses = [500, 503]
    notifier, slept = _notifier(desk, WebhookChannel(receiver.url, SECRET), attempts=4)
    notifier.notify(EVENT, PAYLOAD)
    assert len(receiver.requests) == 3 and slept == [0.5, 1.0]
    assert dead_letters(desk.db) == []


def test_the_last_failure_is_dead_lettered_and_other_channels_still_get_the_event(
        desk: Desk, receiver: Receiver) -> None:
    receiver.statuses = [500, 500, 500]  # the webhook's three tries; the Slack hook then gets a 200
    notifier, slept = _notifier(desk, WebhookChannel(receiver.url, SECRET), SlackChannel(receiver.url), attempts=3)
    notifier.notify(EVENT, PAYLOAD)
    assert slept == [0.5, 1.0]
    assert len(receiver.requests) == 4
    slack = json.loads(receiver.requests[3][1])
    assert slack["text"].startswith("[wakeful] case.escalated: brand aurora, case_id 42, priority urgent")
    [dead] = dead_letters(desk.db)
    assert (dead.channel, dead.event, dead.attempts, dead.payload) == ("webhook", EVENT, 3, PAYLOAD)
    assert dead.last_error is not None and dead.last_error.startswith("HTTP 500")


def test_email_is_delivered_through_smtp(desk: Desk, smtp: tuple[Inbox, int]) -> None:
    inbox, port = smtp
    channel = EmailChannel("127.0.0.1", port, "desk@wakeful.test", ["lead@aurora.test", "oncall@aurora.test"])
    notifier, _ = _notifier(desk, channel)
    notifier.notify(EVENT, PAYLOAD)
    [envelope] = inbox.messages
    assert envelope.rcpt_tos == ["lead@aurora.test", "oncall@aurora.test"]
    assert isinstance(envelope.content, bytes)
    mail = message_from_bytes(envelope.content)
    assert mail["Subject"].startswith("[wakeful] case.escalated: brand aurora")
    assert '"case_id": 42' in mail.get_payload(decode=True).decode()  # type: ignore[union-attr]
    assert dead_letters(desk.db) == []


def test_an_unreachable_smtp_server_ends_in_the_dead_letter_log(desk: Desk) -> None:
    channel = EmailChannel("127.0.0.1", free_port(), "desk@wakeful.test", ["lead@aurora.test"], timeout_s=2)
    notifier, slept = _notifier(desk, channel, attempts=2)
    notifier.notify(EVENT, PAYLOAD)
    [dead] = dead_letters(desk.db)
    assert dead.channel == "email" and dead.attempts == 2 and slept == [0.5]
    assert dead.last_error is not None and "Refused" in dead.last_error


def test_config_builds_the_configured_channels_and_refuses_an_unsigned_webhook(desk: Desk, receiver: Receiver) -> None:
    config = NotifyChannels.model_validate({"webhook_url": receiver.url, "webhook_secret": SECRET,
                                            "slack_url": receiver.url, "backoff_s": 0})
    notifier = notifier_for(config, desk.db, desk.clock)
    assert [c.name for c in notifier.channels] == ["webhook", "slack"]
    notifier.notify(EVENT, PAYLOAD)
    assert verify(SECRET, receiver.requests[0][1], receiver.requests[0][0][SIGNATURE_HEADER])
    assert SECRET not in repr(config) and receiver.url not in repr(config.slack_url)
    with pytest.raises(ValueError, match="webhook_secret"):
        NotifyChannels(webhook_url=receiver.url)
    with pytest.raises(ValueError, match="smtp_to"):
        NotifyChannels(smtp_host="127.0.0.1")


def test_a_brand_without_channels_is_warned_about_once_not_for_every_event(
        desk: Desk, caplog: pytest.LogCaptureFixture) -> None:
    from wakeful.core.notify_settings import NotifySettings
    from wakeful.desk.notify import BrandNotifier

    notifier = BrandNotifier(desk.db, NotifySettings(), desk.clock)
    with caplog.at_level("WARNING", logger="wakeful.desk.notify"):
        for case_id in range(50):
            notifier.notify(EVENT, {**PAYLOAD, "case_id": case_id})
    warnings = [r.getMessage() for r in caplog.records if r.levelname == "WARNING"]
    assert warnings == ["no notification channel for brand aurora: case.escalated and later events reach nobody "
                        "(set [notify])"]


def test_a_caller_that_said_which_brands_are_unheard_gets_no_warning_per_brand(
        desk: Desk, caplog: pytest.LogCaptureFixture) -> None:
    """The demo says it in one line before its replay, instead of a warning per brand in the middle of it."""
    from wakeful.core.notify_settings import NotifySettings
    from wakeful.desk.notify import BrandNotifier

    config = NotifySettings.model_validate({"brands": {"borealis": {"slack_url": "http://127.0.0.1:9/hook"}}})
    notifier = BrandNotifier(desk.db, config, desk.clock)
    assert notifier.unheard(["aurora", "borealis", "cirrus"]) == ["aurora", "cirrus"]
    notifier.told_unheard(["aurora"])
    with caplog.at_level("WARNING", logger="wakeful.desk.notify"):
        for brand in ("aurora", "cirrus"):
            notifier.notify(EVENT, {**PAYLOAD, "brand": brand})
    assert [r.getMessage() for r in caplog.records if r.levelname == "WARNING"] == [
        "no notification channel for brand cirrus: case.escalated and later events reach nobody (set [notify])"]
