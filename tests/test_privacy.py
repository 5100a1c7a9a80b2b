"""Erasure on request and retention: nothing of the person is left anywhere in the database, and the reports read
the same before and after (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from wakeful.analyze import Analyzer
from wakeful.api.deps import Desk
from wakeful.core.clock import FixedClock
from wakeful.desk import privacy, retention, service
from wakeful.desk.cases import CaseState
from wakeful.desk.privacy_scrub import ERASED_TEXT, RETENTION_TEXT
from wakeful.ingest.reanalyze import reanalyze
from wakeful.store.connectors import OutboundReplyRow
from wakeful.store.models import AuthorRow, CaseEventRow, CaseRow, PostEditRow, PostRow, RejectedRecordRow
from wakeful.store.notify import NotificationRow
from wakeful.store.privacy import ErasureRow

from tests import privacy_scenario as sc
from tests.factories import T0


def _forget(desk: Desk, dry_run: bool = False, **who: str) -> privacy.ErasureView:
    handles = [h for b in desk.settings.brands for h in b.handles]
    return privacy.request_erasure(desk.db, "x", handle=who.get("handle"), account_id=who.get("account_id"),
                                   requested_by="dpo", now=desk.clock.now(), reference="DSR-2026-014",
                                   brand_handles=handles, dry_run=dry_run)


def test_erasure_and_retention_leave_no_trace_and_the_same_reports(desk: Desk, clock: FixedClock,
                                                                   analyzer: Analyzer) -> None:
    s = sc.build(desk, clock)
    with desk.db.session() as session:
        before = sc.figures(session, desk)
        assert set(sc.traces(session)) >= {"posts.text: Koffer", "authors.handle: jonas_k84",
                                           "post_edits.text: QX4821", "rejected_records.payload: Erstattung",
                                           "notifications.payload: jonas_k84", "case_events.text: MUC 480215",
                                           "outbound_replies.text: Schwabing", "case_events.data: " + sc.FIRST}
        cases_before = session.execute(select(CaseRow.id, CaseRow.state, CaseRow.opened_at, CaseRow.first_response_at,
                                              CaseRow.resolved_at, CaseRow.severity, CaseRow.topics)
                                       .order_by(CaseRow.id)).all()

    done = _forget(desk, handle="@Jonas_K84")

    assert done.counts["authors"] == 1 and done.counts["posts"] == 2 and done.counts["cases"] == 2
    assert done.counts["post_edits"] == 1 and done.counts["rejected_records"] == 1
    assert done.counts["outbound_replies"] == 1 and done.counts["mentions"] >= 2
    with desk.db.session() as session:
        assert sc.traces(session) == []
        assert sc.figures(session, desk) == before
        author = session.scalars(select(AuthorRow).where(AuthorRow.erased_at.is_not(None))).one()
        pseudonym = f"erased-{author.id}"
        assert (author.handle, author.platform_id, author.display_name, author.followers) == (
            pseudonym, pseudonym, None, 10_000)  # the reach band the fairness report reads, not the count
        marie = session.scalars(select(PostRow).join(AuthorRow).where(AuthorRow.handle == "marie_dupont")).one()
        assert marie.text.startswith(f"@AuroraAirways Vol AU 312 annulé, comme @{pseudonym} je n'ai")
        brand = session.scalars(select(PostRow).join(AuthorRow).where(AuthorRow.handle == "AuroraHelp")).one()
        assert brand.text.startswith(f"@{pseudonym} Das tut uns leid")
        mine = session.scalars(select(PostRow).where(PostRow.author_id == author.id).order_by(PostRow.id)).all()
        assert brand.reply_to_id == brand.conversation_id == mine[0].platform_id == f"erased-post-{mine[0].id}"
        assert brand.raw["data"]["entities"]["mentions"] == [{"username": pseudonym, "id": pseudonym}]
        assert {(p.text, p.erased, p.url) for p in mine} == {(ERASED_TEXT, "request", None)}
        assert all(p.raw == {} for p in mine) and [p.lang for p in mine] == ["de", "de"]
        assert session.scalar(select(func.count()).select_from(PostEditRow)) == 0
        reply = session.scalars(select(OutboundReplyRow).where(OutboundReplyRow.case_id == s.jonas_cases[0])).one()
        assert (reply.text, reply.state) == (ERASED_TEXT, "not_sent")  # a queued reply to him no longer goes out
        rejected = session.scalars(select(RejectedRecordRow)).one()
        assert rejected.resolution == "erased" and "Erstattung" not in rejected.payload
        assert rejected.fingerprint == f"erased:{rejected.id}"  # the payload's hash would confirm a guessed text
        note = session.scalars(select(CaseEventRow).where(CaseEventRow.kind == "note")).one()
        assert (note.text, note.actor) == (ERASED_TEXT, "ana")
        payload = session.scalars(select(NotificationRow).where(NotificationRow.event == "case.risk")).one().payload
        assert payload == {"case_id": s.jonas_cases[0], "brand": "aurora", "handle": pseudonym, "score": 71.0,
                           "snippet": ERASED_TEXT}
        assert session.execute(select(CaseRow.id, CaseRow.state, CaseRow.opened_at, CaseRow.first_response_at,
                                      CaseRow.resolved_at, CaseRow.severity, CaseRow.topics)
                               .order_by(CaseRow.id)).all() == cases_before
        record = session.scalars(select(ErasureRow)).one()
        assert record.requested_by == "dpo" and record.reference == "DSR-2026-014"
        assert len(record.subject_hashes) == 2 and sc.HANDLE not in str(record.subject_hashes)

    later = T0 + timedelta(days=40)
    purged = retention.purge(desk.db, later, 30)
    # Marie's post and the brand's, her case's reply, queued and on the timeline, and the notification about his
    # first case (its handle, the pseudonym now); Lena's case is open
    assert purged is not None and purged.counts == {"posts": 2, "case_events": 1, "outbound_replies": 1,
                                                    "notifications": 1}
    reanalyze(desk.db, analyzer, later)  # erased texts are not read again: their analysis stays as it was
    with desk.db.session() as session:
        assert sc.traces(session) == []
        assert sc.figures(session, desk) == before
        lena = session.scalars(select(PostRow).join(AuthorRow).where(AuthorRow.handle == "lena_b")).one()
        assert lena.text.startswith("@AuroraAirways Wo ist mein Gepäck?") and lena.erased is None
        marie = session.scalars(select(PostRow).join(AuthorRow).where(AuthorRow.handle == "marie_dupont")).one()
        assert (marie.text, marie.erased, marie.raw, marie.lang) == (RETENTION_TEXT, "retention", {}, "fr")
    assert retention.purge(desk.db, later, 30) is None  # nothing left to purge, nothing recorded


def test_an_erasure_leaves_no_platform_error_quoting_a_reply_to_them(desk: Desk, clock: FixedClock) -> None:
    """The platform's refusal quoted the reply to him, on the queue row and on the reply's delivery; the channel's
    error quoted the alert about him. The outcome stays; another customer's reply and its error are hers."""
    s = sc.build(desk, clock)
    sc.deliver_with_errors(desk)
    with desk.db.session() as session:
        assert {"case_events.data: Schwabing", "notifications.last_error: Koffer",
                "notifications.last_error: jonas_k84"} <= set(sc.traces(session))

    _forget(desk, handle=sc.HANDLE)

    with desk.db.session() as session:
        assert sc.traces(session) == []
        his, hers = session.scalars(select(OutboundReplyRow).order_by(OutboundReplyRow.case_id)).all()
        assert (his.case_id, his.state, his.attempts, his.text) == (s.jonas_cases[0], "sent", 2, ERASED_TEXT)
        delivery = session.get_one(CaseEventRow, his.event_id).data
        assert (delivery["delivery"], delivery["error"]) == ("sent", ERASED_TEXT)
        assert (hers.case_id, hers.state) == (s.marie_case, "failed") and "remboursement" in (hers.last_error or "")
        alert = session.scalars(select(NotificationRow)).one()
        assert (alert.status, alert.attempts, alert.last_error) == ("dead", 3, ERASED_TEXT)


def test_an_erasure_erases_the_error_of_a_refused_record_quoting_them(desk: Desk, clock: FixedClock) -> None:
    """The error quoted his post and named him: erased with the payload, not only his handle replaced (which left
    his words)."""
    sc.build(desk, clock)
    sc.refuse_quoting(desk)
    with desk.db.session() as session:
        assert {"rejected_records.error: Koffer", "rejected_records.error: jonas_k84"} <= set(sc.traces(session))

    assert _forget(desk, handle=sc.HANDLE).counts["rejected_records"] == 2

    with desk.db.session() as session:
        assert sc.traces(session) == []
        rows = session.scalars(select(RejectedRecordRow).order_by(RejectedRecordRow.id)).all()
        assert [(r.source, r.field, r.error, r.resolution) for r in rows] == [
            ("ingest", "created_at", ERASED_TEXT, "erased"), ("connector:x", "event", ERASED_TEXT, "erased")]


def test_a_dry_run_counts_exactly_and_changes_nothing(desk: Desk, clock: FixedClock) -> None:
    sc.build(desk, clock)
    with desk.db.session() as session:
        before = sc.dump(session)
    dry = _forget(desk, dry_run=True, account_id=sc.ACCOUNT)
    assert dry.dry_run and dry.id is None
    with desk.db.session() as session:
        assert sc.dump(session) == before
        assert session.scalar(select(func.count()).select_from(ErasureRow)) == 0
    done = _forget(desk, account_id=sc.ACCOUNT)
    assert done.counts == dry.counts and done.id is not None


def test_retention_leaves_open_cases_and_recent_resolutions_alone(desk: Desk, clock: FixedClock) -> None:
    s = sc.build(desk, clock)
    with desk.db.session() as session:
        assert retention.count_due(session, T0 + timedelta(days=20), 30) == {
            "posts": 0, "post_edits": 0, "rejected_records": 0, "case_events": 0, "outbound_replies": 0,
            "notifications": 0}
        # Jonas's first case and Marie's (three posts, the brand's reply among them; the brand's reply, a note and
        # the agents' two replies on their timelines, the two queued, the risk alert); his Nord Rail case is open
        assert retention.count_due(session, T0 + timedelta(days=31), 30) == {
            "posts": 3, "post_edits": 1, "rejected_records": 1, "case_events": 4, "outbound_replies": 2,
            "notifications": 1}
        case = session.get(CaseRow, s.lena_case)
        assert case is not None
        service.set_state(session, case, CaseState.RESOLVED, "ana", T0 + timedelta(days=25))
    with desk.db.session() as session:
        assert retention.count_due(session, T0 + timedelta(days=31), 30)["posts"] == 3  # resolved 6 days before
        assert retention.count_due(session, T0 + timedelta(days=56), 30)["posts"] == 4
    purged = retention.purge(desk.db, T0 + timedelta(days=31), 30)
    assert purged is not None and purged.cutoff is not None
    with desk.db.session() as session:
        open_texts = session.scalars(select(PostRow.text).where(PostRow.platform_id == sc.SECOND)).all()
        assert open_texts == [sc.JONAS_TEXTS[2]]
        assert session.scalar(select(func.count()).select_from(PostEditRow)) == 0
        record = session.scalars(select(RejectedRecordRow)).one()
        assert record.resolution == "erased" and record.resolved_by == "retention"
        assert record.fingerprint == f"erased:{record.id}"


def test_the_same_person_writing_again_is_taken_in_as_new(desk: Desk, clock: FixedClock) -> None:
    s = sc.build(desk, clock)
    _forget(desk, handle=sc.HANDLE)
    clock.advance(timedelta(hours=1))
    again = desk.ingest.ingest([sc.jonas("1790000000000000011", "@AuroraAirways Mein Koffer ist wieder weg",
                                         timedelta(minutes=50))])
    assert again.accepted == 1 and again.cases
    with desk.db.session() as session:
        authors = session.scalars(select(AuthorRow).where(AuthorRow.platform_id.in_([sc.ACCOUNT]))).all()
        assert [a.handle for a in authors] == [sc.HANDLE] and authors[0].erased_at is None
        assert not again.cases & set(s.jonas_cases)
    with desk.db.session() as session:
        assert privacy.erasures(session, "x", sc.HANDLE)  # the record confirms his earlier request was carried out
        assert privacy.erasures(session, "x", sc.ACCOUNT)
        assert not privacy.erasures(session, "x", "marie_dupont")


def test_a_post_stored_for_an_erased_author_is_erased_by_the_next_sweep(desk: Desk, clock: FixedClock) -> None:
    """An ingest that read the author just before the erasure committed stores its post under the pseudonym."""
    sc.build(desk, clock)
    _forget(desk, handle=sc.HANDLE)
    with desk.db.session() as session:
        author = session.scalars(select(AuthorRow).where(AuthorRow.erased_at.is_not(None))).one()
        late = session.scalars(select(PostRow).where(PostRow.author_id == author.id)).first()
        assert late is not None
        session.add(PostRow(platform="x", platform_id="1790000000000000099", author_id=author.id,
                            text="Koffer immer noch weg", created_at=T0, ingested_at=T0, raw={"x": sc.HANDLE},
                            lang="de", sentiment="negative", sentiment_score=-0.5, complaint=True, complaint_p=0.9,
                            severity=2))
    done = retention.sweep(desk.db, clock.now(), None)
    assert [(r.kind, r.counts["posts"]) for r in done] == [("request", 1)]
    with desk.db.session() as session:
        assert sc.traces(session, ("Koffer", sc.HANDLE, "1790000000000000099")) == []


@pytest.mark.parametrize(("who", "reason"), [
    ({"handle": "AuroraHelp"}, "brands' own accounts"),
    ({}, "by handle or by platform account id"),
])
def test_requests_the_desk_refuses(desk: Desk, who: dict[str, str], reason: str) -> None:
    with pytest.raises(privacy.ErasureRefused, match=reason):
        _forget(desk, **who)


def test_a_reference_naming_the_person_is_refused(desk: Desk) -> None:
    with pytest.raises(privacy.ErasureRefused, match="must not name the person"):
        privacy.request_erasure(desk.db, "x", handle=sc.HANDLE, account_id=None, requested_by="dpo",
                                now=desk.clock.now(), reference=f"request from {sc.HANDLE}")


def test_the_retention_job_runs_hourly_whatever_the_scheduler_interval(desk: Desk, clock: FixedClock) -> None:
    sc.build(desk, clock)
    job = retention.job()
    live = desk.settings.model_copy(update={"retention_days": 30})
    desk.settings = live
    job(desk, T0 + timedelta(days=10))
    job(desk, T0 + timedelta(days=40))
    with desk.db.session() as session:
        runs = session.scalars(select(ErasureRow).where(ErasureRow.kind == "retention")).all()
        assert [r.counts["posts"] for r in runs] == [3]
    clock.set(T0 + timedelta(days=40, minutes=30))
    with desk.db.session() as session:
        row = session.scalars(select(PostRow).where(PostRow.platform_id == sc.SECOND)).one()
        case = session.scalars(select(CaseRow).where(CaseRow.author_id == row.author_id,
                                                     CaseRow.brand == "nordrail")).one()
        service.set_state(session, case, CaseState.RESOLVED, "ana", T0)
    job(desk, T0 + timedelta(days=40, minutes=30))  # not yet an hour since the last run: nothing
    with desk.db.session() as session:
        assert session.scalar(select(PostRow.erased).where(PostRow.platform_id == sc.SECOND)) is None
    job(desk, T0 + timedelta(days=40, hours=1))
    with desk.db.session() as session:
        assert session.scalar(select(PostRow.erased).where(PostRow.platform_id == sc.SECOND)) == "retention"
