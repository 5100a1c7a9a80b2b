"""The desk's own words about a customer's case, erased the same way by an erasure request (`desk/privacy.py`) and
by retention (`desk/retention.py`), so the two cannot drift apart in what they leave.

- The texts of replies and notes (`case_events`): a reply greets the customer by name and may repeat their
  details; a note is about them. Who acted, when and what (state, assignment, delivery) stay.
- The replies queued to the platform (`outbound_replies`): their text; one still pending is not sent (it would
  post the marker to the customer), and its event's delivery says why. The platform's error about a reply, on the
  row and on its event's delivery, goes too: a refusal can quote the reply ("duplicate content: 'Hallo
  @jonas_k84, ...'"). Its state and attempts stay, which is what the desk counts.
- Notification payloads (`notifications`, the outbox and delivery log): the keys that quote the customer's words,
  and the channel's error (a webhook's answer can quote what it was sent); the status and attempts stay. An
  erasure replaces their handle wherever it is by their pseudonym (`privacy_scrub`); retention, which keeps the
  author and has no pseudonym, erases the payload's handle with the words. Everything else a payload holds (case
  id, brand, score, timer, agent) is the desk's, and stays.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from typing import Any

from sqlalchemy import ColumnElement, and_, exists, or_
from sqlalchemy.orm import InstrumentedAttribute, Session

from wakeful.desk.privacy_scrub import MARKERS
from wakeful.store.connectors import OutboundReplyRow, mark_delivery
from wakeful.store.models import CaseEventRow
from wakeful.store.notify import NotificationRow

ERASED_EVENT_KINDS = ("reply", "note")
"""Case events whose text is the desk's words about the customer."""
FREE_TEXT_KEYS = ("snippet", "text")
"""Notification payload keys that carry a customer's words."""
HANDLE_KEYS = ("handle",)
"""Notification payload keys that name the customer."""
NOT_SENT_ERASED = "not sent: the customer's data was erased at their request"
NOT_SENT_EXPIRED = "not sent: the retention period had passed"
KEPT = MARKERS | {NOT_SENT_ERASED, NOT_SENT_EXPIRED}
"""Errors that are already erased, or the desk's own words on why a reply was not sent: left as they are."""


def erase_events(events: Iterable[CaseEventRow], marker: str) -> list[int]:
    """Replace the texts of these replies and notes by `marker`; their ids."""
    done = []
    for event in events:
        event.text = marker
        done.append(event.id)
    return done


def _said(value: Any) -> bool:
    """An error still holding someone's words (what `_saying` reads in SQL)."""
    return value is not None and not (isinstance(value, str) and value in KEPT)


def _saying(value: ColumnElement[Any] | InstrumentedAttribute[Any]) -> ColumnElement[bool]:
    return and_(value.is_not(None), value.not_in(KEPT))


def erase_replies(session: Session, replies: Iterable[OutboundReplyRow], marker: str, why: str) -> int:
    """Replace these queued replies' texts and the platform's errors about them by `marker`; one still pending
    becomes 'not_sent' with `why`, on its event's delivery too. How many."""
    n = 0
    for reply in replies:
        reply.text = marker
        event = session.get(CaseEventRow, reply.event_id) if reply.event_id else None
        if reply.state == "pending":
            reply.state, reply.last_error = "not_sent", why
            if event is not None:
                mark_delivery(event, "not_sent", error=why)
        else:
            if _said(reply.last_error):
                reply.last_error = marker
            if event is not None:
                _erase_delivery(event, reply.state, marker)
        n += 1
    return n


def _erase_delivery(event: CaseEventRow, state: str, marker: str) -> None:
    """The delivery shown on a reply's event without the platform's words: 'failed after 2 attempt(s): HTTP 403
    ...' becomes the reply's state, 'failed', and an error the marker (a new dict, so the JSON change is saved)."""
    data = dict(event.data or {})
    if data.get("delivery") not in (None, state):
        data["delivery"] = state
    if _said(data.get("error")):
        data["error"] = marker
    if data != (event.data or {}):
        event.data = data


def replies_holding_words() -> ColumnElement[bool]:
    """Queued replies whose text, error or event's delivery still hold words to erase (what `erase_replies` changes
    in a reply that is not pending), in SQL, so a sweep reads only those and finishes."""
    delivery, error = CaseEventRow.data["delivery"].as_string(), CaseEventRow.data["error"].as_string()
    return or_(OutboundReplyRow.text.not_in(MARKERS), _saying(OutboundReplyRow.last_error),
               exists().where(CaseEventRow.id == OutboundReplyRow.event_id, or_(
                   and_(delivery.is_not(None), delivery != OutboundReplyRow.state), _saying(error))))


def _words(value: Any) -> bool:
    """A payload value still holding something to erase (what `holding_words` reads in SQL)."""
    return value is not None and value != "" and not (isinstance(value, str) and value in MARKERS)


def erase_payload(row: NotificationRow, marker: str, keys: Collection[str]) -> bool:
    """Replace the values of `keys` in the row's payload (a new dict, so the JSON change is saved) and the channel's
    error by `marker`; whether any changed."""
    payload = dict(row.payload or {})
    words, error = any(_words(payload.get(k)) for k in keys), _words(row.last_error)
    if words:
        row.payload = {k: marker if k in keys and _words(v) else v for k, v in payload.items()}
    if error:
        row.last_error = marker
    return words or error


def holding_words(keys: Collection[str]) -> ColumnElement[bool]:
    """Notification rows whose payload has one of `keys`, or whose error, still holds words to erase, in SQL
    (SQLite's json_extract, PostgreSQL's ->>), so a sweep reads only those and finishes."""
    values = [NotificationRow.payload[k].as_string() for k in keys]
    return or_(*(and_(v.is_not(None), v != "", v.not_in(MARKERS)) for v in values),
               and_(NotificationRow.last_error.is_not(None), NotificationRow.last_error != "",
                    NotificationRow.last_error.not_in(MARKERS)))
