"""Retention erases the desk's own words about a case past the period as an erasure request does: the brand's and
agents' replies, notes, the queued replies, what the platform said about them, what notifications quote of the
customer, and the links of purged posts, so a dump of every text column holds nothing of the case's words and no
link naming its authors afterwards; the reports read the same (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from wakeful.api.deps import Desk
from wakeful.core.clock import FixedClock
from wakeful.desk import retention
from wakeful.desk.privacy_scrub import RETENTION_TEXT
from wakeful.store.connectors import OutboundReplyRow
from wakeful.store.models import AuthorRow, CaseEventRow, PostRow, RejectedRecordRow
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


LINKS = (f"x.com/{sc.HANDLE}/status/{sc.FIRST}", "x.com/AuroraHelp/status", "x.com/marie_dupont")
"""The links of the posts a sweep at LATER purges (Jonas's first post, the brand's answer, Marie's): each names
its author."""


def test_a_sweep_erases_the_platforms_errors_quoting_replies_and_the_links_of_purged_posts(desk: Desk,
                                                                                          clock: FixedClock) -> None:
    s = sc.build(desk, clock)
    sc.deliver_with_errors(desk)
    with desk.db.session() as session:
        before = sc.figures(session, desk)
        assert {"outbound_replies.last_error: remboursement", "case_events.data: remboursement",
                "case_events.data: Schwabing", "notifications.last_error: Koffer", "posts.url: x.com/marie_dupont",
                f"posts.url: {LINKS[0]}"} <= set(sc.traces(session, WORDS + LINKS))

    assert [r.counts for r in retention.sweep(desk.db, LATER, 30)] == [
        {"posts": 3, "post_edits": 1, "rejected_records": 1, "case_events": 4, "outbound_replies": 2,
         "notifications": 1}]

    with desk.db.session() as session:
        assert sc.traces(session, WORDS + LINKS) == []
        assert sc.figures(session, desk) == before
        # what the desk counts stays: how each reply went, in how many tries; the alert's status
        replies = session.scalars(select(OutboundReplyRow).order_by(OutboundReplyRow.case_id)).all()
        assert [(r.case_id, r.state, r.attempts, r.last_error) for r in replies] == [
            (s.jonas_cases[0], "sent", 2, None), (s.marie_case, "failed", 1, RETENTION_TEXT)]
        deliveries = [session.get_one(CaseEventRow, r.event_id).data for r in replies]
        assert [(d["delivery"], d.get("error")) for d in deliveries] == [("sent", RETENTION_TEXT), ("failed", None)]
        alert = session.scalars(select(NotificationRow)).one()
        assert (alert.status, alert.attempts, alert.last_error) == ("dead", 3, RETENTION_TEXT)
        # his open Nord Rail post keeps its link
        assert session.scalar(select(PostRow.url).where(PostRow.platform_id == sc.SECOND)) == \
            f"https://x.com/{sc.HANDLE}/status/{sc.SECOND}"


def test_a_sweep_erases_the_links_and_errors_an_earlier_sweep_left(desk: Desk, clock: FixedClock) -> None:
    """A desk purged before links and errors were erased too: the next sweep erases them, and then finds nothing."""
    s = sc.build(desk, clock)
    sc.deliver_with_errors(desk)
    retention.sweep(desk.db, LATER, 30)
    with desk.db.session() as session:  # as the sweep before this change left them
        marie = session.scalars(select(PostRow).join(AuthorRow).where(AuthorRow.handle == "marie_dupont")).one()
        marie.url = "https://x.com/marie_dupont/status/1790000000000000003"
        reply = session.scalars(select(OutboundReplyRow).where(OutboundReplyRow.case_id == s.marie_case)).one()
        reply.last_error = "failed after 1 attempt(s): HTTP 422: Bonjour, nous regardons votre remboursement."
        event = session.get_one(CaseEventRow, reply.event_id)
        event.data = {**(event.data or {}), "delivery": reply.last_error}
        alert = session.scalars(select(NotificationRow)).one()
        alert.last_error = "HTTP 400: Koffer"
        assert set(sc.traces(session, WORDS + LINKS)) == {
            "posts.url: x.com/marie_dupont", "outbound_replies.last_error: remboursement",
            "case_events.data: remboursement", "notifications.last_error: Koffer"}

    assert [r.counts for r in retention.sweep(desk.db, LATER + timedelta(hours=1), 30)] == [
        {"posts": 1, "outbound_replies": 1, "notifications": 1}]
    with desk.db.session() as session:
        assert sc.traces(session, WORDS + LINKS) == []
    assert retention.sweep(desk.db, LATER + timedelta(hours=2), 30) == []


def test_a_sweep_erases_the_errors_of_refused_records_that_quote_them(desk: Desk, clock: FixedClock) -> None:
    """A refusal's error can quote the post and name its author: it goes with the payload, as a reply's platform
    error does; where, when and which field stay. A record purged before errors were erased too is erased by the
    next sweep, and then nothing is left to do."""
    sc.build(desk, clock)
    sc.refuse_quoting(desk)
    with desk.db.session() as session:
        assert {"rejected_records.error: Koffer", f"rejected_records.error: {sc.HANDLE}"} <= set(
            sc.traces(session, (*WORDS, sc.HANDLE)))

    assert [r.counts["rejected_records"] for r in retention.sweep(desk.db, LATER, 30)] == [2]

    with desk.db.session() as session:
        assert [t for t in sc.traces(session, (*WORDS, sc.HANDLE)) if t.startswith("rejected_records")] == []
        rows = session.scalars(select(RejectedRecordRow).order_by(RejectedRecordRow.id)).all()
        assert [(r.source, r.record, r.field, r.error, r.resolution) for r in rows] == [
            ("ingest", 1, "created_at", RETENTION_TEXT, "erased"),
            ("connector:x", 0, "event", RETENTION_TEXT, "erased")]
        rows[1].error = sc.QUOTING_ERROR  # as a purge before this change left it
    assert [r.counts for r in retention.sweep(desk.db, LATER + timedelta(hours=1), 30)] == [{"rejected_records": 1}]
    with desk.db.session() as session:
        assert session.scalars(select(RejectedRecordRow.error)).all() == [RETENTION_TEXT, RETENTION_TEXT]
    assert retention.sweep(desk.db, LATER + timedelta(hours=2), 30) == []
