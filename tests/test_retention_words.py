"""Retention erases the desk's own words about a case past the period as an erasure request does: the brand's and
agents' replies, notes, the queued replies and what notifications quote of the customer, so a dump of every text
column holds nothing of the case's words afterwards; the reports read the same (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from wakeful.api.deps import Desk
from wakeful.core.clock import FixedClock
from wakeful.desk import retention
from wakeful.desk.privacy_scrub import RETENTION_TEXT
from wakeful.store.connectors import OutboundReplyRow
from wakeful.store.models import CaseEventRow
from wakeful.store.notify import NotificationRow

from tests import privacy_scenario as sc
from tests.factories import T0

LATER = T0 + timedelta(days=31)
WORDS = ("Koffer", "QX4821", "verschwunden", "Erstattung", "Das tut uns leid", "Rückruf", "MUC 480215",
         "Schwabing", "valise", "remboursement")
"""Jonas's first case and Marie's, both resolved: their posts, the brand's answer on X, the note naming him, the
agents' replies (one to Marie), the risk alert quoting his post, his refused post."""


def test_a_sweep_leaves_no_trace_of_the_words_of_cases_past_the_period(desk: Desk, clock: FixedClock) -> None:
    s = sc.build(desk, clock)
    with desk.db.session() as session:
        before = sc.figures(session, desk)
        assert {"case_events.text: MUC 480215", "case_events.text: Das tut uns leid",
                "outbound_replies.text: Schwabing", "outbound_replies.text: remboursement",
                "notifications.payload: Koffer"} <= set(sc.traces(session, WORDS))

    done = retention.sweep(desk.db, LATER, 30)

    assert [r.kind for r in done] == ["retention"]
    with desk.db.session() as session:
        assert sc.traces(session, WORDS) == []
        # he asked for nothing: his author row stays, and so does his open Nord Rail case, post and link
        assert {t.split(":")[0] for t in sc.traces(session, (sc.HANDLE,))} == {"authors.handle", "posts.url",
                                                                              "posts.raw"}
        assert sc.post_text(session, sc.SECOND) == sc.JONAS_TEXTS[2]
        assert sc.figures(session, desk) == before
        payload = session.scalars(select(NotificationRow.payload)).one()
        assert payload == {"case_id": s.jonas_cases[0], "brand": "aurora", "handle": RETENTION_TEXT, "score": 71.0,
                           "snippet": RETENTION_TEXT}
        reply = session.scalars(select(OutboundReplyRow).where(OutboundReplyRow.case_id == s.jonas_cases[0])).one()
        assert (reply.text, reply.state, reply.last_error) == (RETENTION_TEXT, "not_sent", retention.NOT_SENT)
        event = session.get_one(CaseEventRow, reply.event_id)
        assert (event.text, event.actor, (event.data or {}).get("delivery")) == (RETENTION_TEXT, "ana", "not_sent")
    assert retention.sweep(desk.db, LATER + timedelta(hours=1), 30) == []  # nothing left: no empty record
