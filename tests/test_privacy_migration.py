"""Migration 0022: the errors that erasures before 35c550d left beside erased words (a reply's platform error and
delivery line, a notification channel's error, a refused record's error) are erased on upgrade, by the marker the
words were erased with; nobody else's errors change, nor any state or attempt count (SQLite and PostgreSQL)."""

from __future__ import annotations

from alembic import command
from alembic.script import ScriptDirectory
from sqlalchemy import select

from wakeful.api.deps import Desk
from wakeful.core.clock import FixedClock
from wakeful.desk import privacy
from wakeful.desk.privacy_scrub import ERASED_TEXT, RETENTION_TEXT
from wakeful.store import notify as outbox
from wakeful.store.connectors import OutboundReplyRow
from wakeful.store.db import alembic_config, migrate
from wakeful.store.models import CaseEventRow, RejectedRecordRow
from wakeful.store.notify import NotificationRow

from tests import privacy_scenario as sc
from tests.factories import T0

REVISION, BEFORE = "0022_erased_errors", "0021_cases_conversation"
QUOTING = f"HTTP 503 while posting '{sc.REPLY}'"


def test_the_revision_follows_the_cases_index_on_one_line() -> None:
    heads = ScriptDirectory.from_config(alembic_config("sqlite://")).get_heads()
    assert REVISION in heads and BEFORE not in heads


def _as_erasures_before_left_them(desk: Desk, jonas_case: int) -> list[int]:
    """Put back the errors an erasure before 35c550d kept, and two notifications erased by retention or never;
    the ids of those two."""
    with desk.db.session() as session:
        reply = session.scalars(select(OutboundReplyRow).where(OutboundReplyRow.case_id == jonas_case)).one()
        assert reply.text == ERASED_TEXT
        reply.last_error = QUOTING
        event = session.get_one(CaseEventRow, reply.event_id)
        event.data = {**(event.data or {}), "delivery": f"sent after 2 attempt(s): {QUOTING}", "error": QUOTING}
        alert = session.scalars(select(NotificationRow)).one()
        alert.last_error = f"HTTP 400: unreadable {sc.JONAS_TEXTS[1]}"
        for row in session.scalars(select(RejectedRecordRow)):
            row.error = sc.QUOTING_ERROR
        purged = outbox.pending("ops", "case.risk", {"case_id": 99, "handle": RETENTION_TEXT}, T0)
        purged.status, purged.last_error = "dead", "HTTP 400: Koffer"
        lena = outbox.pending("ops", "case.risk", {"case_id": 98, "handle": "lena_b", "snippet": "Gepäck"}, T0)
        lena.status, lena.last_error = "dead", "HTTP 400: Gepäck, lena_b"
        session.add_all([purged, lena])
        session.flush()
        return [purged.id, lena.id]


def test_the_upgrade_erases_what_earlier_erasures_left_and_nothing_else(desk: Desk, clock: FixedClock) -> None:
    s = sc.build(desk, clock)
    sc.deliver_with_errors(desk)
    sc.refuse_quoting(desk)
    privacy.request_erasure(desk.db, "x", handle=sc.HANDLE, account_id=None, requested_by="dpo",
                            now=desk.clock.now())
    purged, lena = _as_erasures_before_left_them(desk, s.jonas_cases[0])
    with desk.db.session() as session:
        assert {"outbound_replies.last_error: Schwabing", "case_events.data: Schwabing",
                "notifications.last_error: Koffer", "rejected_records.error: Koffer",
                "rejected_records.error: jonas_k84"} <= set(sc.traces(session))
        before = {r.id: (r.state, r.attempts, r.last_error) for r in session.scalars(select(OutboundReplyRow))}

    url = desk.settings.database_url
    command.downgrade(alembic_config(url), BEFORE)  # as a desk at the revision before
    migrate(url)

    with desk.db.session() as session:
        assert sc.traces(session) == []
        replies = {r.id: r for r in session.scalars(select(OutboundReplyRow))}
        his = next(r for r in replies.values() if r.case_id == s.jonas_cases[0])
        assert (his.state, his.attempts, his.last_error) == ("sent", 2, ERASED_TEXT)
        assert {k: v for k, v in before.items() if k != his.id} == {
            r.id: (r.state, r.attempts, r.last_error) for r in replies.values() if r.id != his.id}  # Marie's
        data = session.get_one(CaseEventRow, his.event_id).data
        assert (data["delivery"], data["error"]) == ("sent", ERASED_TEXT)
        errors = {n.id: (n.status, n.last_error) for n in session.scalars(select(NotificationRow))}
        assert errors.pop(purged) == ("dead", RETENTION_TEXT)
        assert errors.pop(lena) == ("dead", "HTTP 400: Gepäck, lena_b")
        assert list(errors.values()) == [("dead", ERASED_TEXT)]
        assert set(session.scalars(select(RejectedRecordRow.error))) == {ERASED_TEXT}
