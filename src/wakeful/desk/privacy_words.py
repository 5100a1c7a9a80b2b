"""The desk's own words about a customer's case, erased the same way by an erasure request (`desk/privacy.py`) and
by retention (`desk/retention.py`), so the two cannot drift apart in what they leave.

- The texts of replies and notes (`case_events`): a reply greets the customer by name and may repeat their
  details; a note is about them. Who acted, when and what (state, assignment, delivery) stay.
- The replies queued to the platform (`outbound_replies`): their text; one still pending is not sent (it would
  post the marker to the customer), and its event's delivery says why.
- Notification payloads (`notifications`, the outbox and delivery log): the keys that quote the customer's words.
  An erasure replaces their handle wherever it is by their pseudonym (`privacy_scrub`); retention, which keeps
  the author and has no pseudonym, erases the payload's handle with the words. Everything else a payload holds
  (case id, brand, score, timer, agent) is the desk's, and stays.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from typing import Any

from sqlalchemy import ColumnElement, and_, or_
from sqlalchemy.orm import Session

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


def erase_events(events: Iterable[CaseEventRow], marker: str) -> list[int]:
    """Replace the texts of these replies and notes by `marker`; their ids."""
    done = []
    for event in events:
        event.text = marker
        done.append(event.id)
    return done


def erase_replies(session: Session, replies: Iterable[OutboundReplyRow], marker: str, why: str) -> int:
    """Replace these queued replies' texts by `marker`; one still pending becomes 'not_sent' with `why`, on its
    event's delivery too. How many."""
    n = 0
    for reply in replies:
        reply.text = marker
        if reply.state == "pending":
            reply.state, reply.last_error = "not_sent", why
            event = session.get(CaseEventRow, reply.event_id) if reply.event_id else None
            if event is not None:
                mark_delivery(event, "not_sent", error=why)
        n += 1
    return n


def _words(value: Any) -> bool:
    """A payload value still holding something to erase (what `holding_words` reads in SQL)."""
    return value is not None and value != "" and not (isinstance(value, str) and value in MARKERS)


def erase_payload(row: NotificationRow, marker: str, keys: Collection[str]) -> bool:
    """Replace the values of `keys` in the row's payload by `marker` (a new dict, so the JSON change is saved);
    whether any changed."""
    payload = dict(row.payload or {})
    if not any(_words(payload.get(k)) for k in keys):
        return False
    row.payload = {k: marker if k in keys and _words(v) else v for k, v in payload.items()}
    return True


def holding_words(keys: Collection[str]) -> ColumnElement[bool]:
    """Notification rows whose payload has one of `keys` still to erase, in SQL (SQLite's json_extract, PostgreSQL's
    ->>), so a sweep reads only those and finishes."""
    values = [NotificationRow.payload[k].as_string() for k in keys]
    return or_(*(and_(v.is_not(None), v != "", v.not_in(MARKERS)) for v in values))
