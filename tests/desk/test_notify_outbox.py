"""The notification outbox: an accepted event is in the database before it is sent, so what a crash leaves unsent
goes out when the next process resumes; an event raised inside a transaction goes out only if it commits; and two
senders never both take a row, while a dead sender's claim is taken over once its lease runs out."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta

import pytest
from sqlalchemy import select

from wakeful.api.deps import Desk
from wakeful.core.clock import FixedClock
from wakeful.core.notify_settings import NotifySettings
from wakeful.desk.channels import DELIVERY_HEADER
from wakeful.desk.notify import BrandNotifier
from wakeful.store import notify as outbox
from wakeful.store.notify import NotificationRow

from tests.desk.loopback import Receiver
from tests.factories import T0

SECRET = "outbox-signing-key"
EVENT = "sla.warning"


def _settings(receiver: Receiver) -> NotifySettings:
    return NotifySettings.model_validate({"webhook_url": receiver.url, "webhook_secret": SECRET, "backoff_s": 0})


@pytest.fixture
def notifiers(desk: Desk, receiver: Receiver) -> Iterator[list[BrandNotifier]]:
    """Build BrandNotifiers on the desk's database (each one a server process), closed afterwards."""
    made: list[BrandNotifier] = []
    yield made
    for notifier in made:
        notifier.close()


def _new(desk: Desk, receiver: Receiver, made: list[BrandNotifier]) -> BrandNotifier:
    notifier = BrandNotifier(desk.db, _settings(receiver), desk.clock, sleep=lambda _: None)
    made.append(notifier)
    return notifier


def _rows(desk: Desk) -> list[NotificationRow]:
    with desk.db.session() as session:
        rows = list(session.scalars(select(NotificationRow).order_by(NotificationRow.id)))
        session.expunge_all()
    return rows


def _deliveries(receiver: Receiver) -> list[tuple[int, int]]:
    """(delivery id, case id) of each request the receiver got."""
    return [(int(headers[DELIVERY_HEADER]), json.loads(body)["payload"]["case_id"])
            for headers, body in receiver.requests]


def test_an_event_left_unsent_by_a_crash_goes_out_once_when_the_next_process_resumes(
        desk: Desk, receiver: Receiver, notifiers: list[BrandNotifier]) -> None:
    with desk.db.session() as session:  # what a process that died between accepting and sending leaves behind
        session.add(outbox.pending("webhook", EVENT, {"brand": "aurora", "case_id": 7}, T0))
    [left] = _rows(desk)
    assert (left.status, left.claimed_at, left.finished_at) == ("pending", None, None)
    first, second = _new(desk, receiver, notifiers), _new(desk, receiver, notifiers)
    assert first.resume() == 1
    first.drain()
    assert second.resume() == 0 and first.resume() == 0  # finished rows are not resumed; resume runs once
    second.drain()
    assert _deliveries(receiver) == [(left.id, 7)]
    [row] = _rows(desk)
    assert (row.status, row.attempts) == ("delivered", 1) and row.finished_at is not None


def test_an_event_raised_in_a_transaction_is_sent_only_when_it_commits(
        desk: Desk, receiver: Receiver, notifiers: list[BrandNotifier]) -> None:
    notifier = _new(desk, receiver, notifiers)
    with pytest.raises(RuntimeError), desk.db.session() as session:
        notifier.notify(EVENT, {"brand": "aurora", "case_id": 1}, session)
        raise RuntimeError("the routing transaction failed")
    with desk.db.session() as session:
        notifier.notify(EVENT, {"brand": "aurora", "case_id": 2}, session)
        session.flush()
        assert receiver.requests == [], "nothing goes out before the caller's transaction commits"
    notifier.drain()
    [row] = _rows(desk)
    assert _deliveries(receiver) == [(row.id, 2)] and row.status == "delivered"


def test_a_claim_is_taken_once_and_a_dead_senders_claim_is_taken_over_after_its_lease(
        desk: Desk, receiver: Receiver, notifiers: list[BrandNotifier]) -> None:
    with desk.db.session() as session:
        session.add(outbox.pending("webhook", EVENT, {"brand": "aurora", "case_id": 9}, T0))
    [row] = _rows(desk)
    with desk.db.session() as session:
        assert outbox.claim(session, row.id, T0, T0 - timedelta(minutes=15)) is not None
    with desk.db.session() as session:  # another sender, a minute later: the first one still holds it
        assert outbox.claim(session, row.id, T0 + timedelta(minutes=1), T0 - timedelta(minutes=14)) is None
    assert isinstance(desk.clock, FixedClock)
    desk.clock.set(T0 + timedelta(minutes=16))  # the first sender died: its 15-minute lease has run out
    notifier = _new(desk, receiver, notifiers)
    assert notifier.resume() == 1
    notifier.drain()
    assert _deliveries(receiver) == [(row.id, 9)]
    [done] = _rows(desk)
    assert done.status == "delivered"
    with desk.db.session() as session:  # a finished row is never claimed again
        assert outbox.claim(session, row.id, T0 + timedelta(hours=2), T0 + timedelta(hours=1)) is None
