"""Errors left beside erased words: what erasures and retention purges before 35c550d and this revision kept.

Since then an erasure or a purge replaces, with a reply's text, the platform's error about it (on the queue row and
on its event's delivery line), with a notification's words the channel's error, and with a refused record's payload
the error saying why it was refused: each can quote the customer ("duplicate content: 'Hallo @jonas_k84, ...'").
Rows erased earlier still hold those errors. Each is erased here as then: by the marker its words were erased with,
the state, attempts and status staying.

A migration rather than a step of the retention sweep: the leftovers are a fixed set that code before this revision
wrote and no later code writes, so one pass at `wakeful db upgrade` erases them, whether or not retention is set or
a server process runs its sweep, where a step would look for them every hour in every process for good. The sweep
already mends what earlier purges left of cases past the period (`desk.retention`, `replies_holding_words`); the
erasures on request, which it never revisits, are what needs this. An erasure run by a process of the previous
version after this ran (a rolling upgrade) is not mended: stop those before upgrading. The rules are copied, not
imported: a migration must mean the same whatever the code becomes.

Which rows were erased is read from the rows themselves: a reply by its text being a marker; a notification by a
marker in its snippet, text or handle, or a handle that is a pseudonym (`erased-<id>`, an erasure's); a refused
record by its payload being a marker. A notification about an erased customer's case that quoted none of these
keys is not recognisable as theirs, and keeps its error.

Revision ID: 0022_erased_errors
Revises: 0021_cases_conversation
Depends on: 0004_notify (notifications is that branch's table)
"""
import json
import re
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = '0022_erased_errors'
down_revision: str | None = '0021_cases_conversation'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = '0004_notify'

ERASED, EXPIRED = "[erased at the customer's request]", "[removed after the retention period]"
MARKERS = (ERASED, EXPIRED)
KEPT = (*MARKERS, "not sent: the customer's data was erased at their request",
        "not sent: the retention period had passed")
"""Errors already erased, or the desk's own words on why a reply was not sent: left as they are."""
WORD_KEYS = ('snippet', 'text', 'handle')
PSEUDONYM = re.compile(r"erased-\d+")

replies = sa.table('outbound_replies', sa.column('id', sa.Integer()), sa.column('event_id', sa.Integer()),
                   sa.column('state', sa.String()), sa.column('text', sa.Text()), sa.column('last_error', sa.Text()))
events = sa.table('case_events', sa.column('id', sa.Integer()), sa.column('data', sa.JSON()))
notifications = sa.table('notifications', sa.column('id', sa.Integer()), sa.column('payload', sa.JSON()),
                         sa.column('last_error', sa.Text()))
rejected = sa.table('rejected_records', sa.column('id', sa.Integer()), sa.column('payload', sa.Text()),
                    sa.column('error', sa.Text()))


def _said(value: Any) -> bool:
    return value is not None and not (isinstance(value, str) and value in KEPT)


def _replies(conn: sa.Connection) -> None:
    """A reply erased while not pending: its error, and its event's delivery line and error."""
    erased = sa.select(replies).where(replies.c.text.in_(MARKERS), replies.c.state != 'pending')
    for row in conn.execute(erased).all():  # read first: SQLite's cursor would see the rows it updates
        if _said(row.last_error):
            conn.execute(replies.update().where(replies.c.id == row.id).values(last_error=row.text))
        if row.event_id is None:
            continue
        data = conn.execute(sa.select(events.c.data).where(events.c.id == row.event_id)).scalar()
        if not isinstance(data, dict):
            continue
        mended = dict(data)
        if mended.get('delivery') not in (None, row.state):
            mended['delivery'] = row.state
        if _said(mended.get('error')):
            mended['error'] = row.text
        if mended != data:
            conn.execute(events.update().where(events.c.id == row.event_id).values(data=mended))


def _notifications(conn: sa.Connection) -> None:
    """A notification whose words were erased: the channel's error."""
    failed = sa.select(notifications).where(notifications.c.last_error.is_not(None), notifications.c.last_error != '',
                                            notifications.c.last_error.not_in(MARKERS))
    for row in conn.execute(failed).all():
        payload = row.payload if isinstance(row.payload, dict) else {}
        values = [payload.get(k) for k in WORD_KEYS]
        if EXPIRED in values:
            marker = EXPIRED
        elif ERASED in values or (isinstance(payload.get('handle'), str) and PSEUDONYM.fullmatch(payload['handle'])):
            marker = ERASED
        else:
            continue
        conn.execute(notifications.update().where(notifications.c.id == row.id).values(last_error=marker))


def _rejected(conn: sa.Connection) -> None:
    """A refused record whose payload was erased: the error about it."""
    for marker in MARKERS:
        conn.execute(rejected.update().where(rejected.c.payload == json.dumps(marker),
                                             rejected.c.error.not_in(MARKERS)).values(error=marker))


def upgrade() -> None:
    conn = op.get_bind()
    _replies(conn)
    _notifications(conn)
    _rejected(conn)


def downgrade() -> None:
    pass  # erased words do not come back
