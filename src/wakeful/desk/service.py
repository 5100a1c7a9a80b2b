"""Reading and acting on cases, always within the brands the caller may see.

The queue listing lives in `desk.queue` and the case as the queue shows it in `desk.summary`; both are re-exported
here, where callers have always found them.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from wakeful.analyze.pii import redact
from wakeful.core.clock import as_utc
from wakeful.core.settings import Settings
from wakeful.desk.cases import CaseState, customer_ids, customer_posts
from wakeful.desk.queue import ACTIVE_STATES as ACTIVE_STATES
from wakeful.desk.queue import EVERY_CASE as EVERY_CASE
from wakeful.desk.queue import QueueFilters as QueueFilters
from wakeful.desk.queue import QueueSlice as QueueSlice
from wakeful.desk.queue import list_cases as list_cases
from wakeful.desk.queue import list_slice as list_slice
from wakeful.desk.queue import queue_counts as queue_counts
from wakeful.desk.queue import queue_page as queue_page
from wakeful.desk.queue import queue_slice as queue_slice
from wakeful.desk.queue import resolved_matches as resolved_matches
from wakeful.desk.schemas import CaseDetail, EarlierText, EngagementPoint, RevealedText, TimelineItem
from wakeful.desk.summary import summarize as summarize
from wakeful.store.connectors import queue_reply
from wakeful.store.models import CaseEventRow, CasePostRow, CaseRow, EngagementRow, PostEditRow, PostRow


class CaseNotFound(LookupError):
    """No such case among the brands the caller may see (deliberately the same answer for both)."""


def _scoped(stmt: Select[CaseRow], brands: Collection[str] | None) -> Select[CaseRow]:
    return stmt if brands is None else stmt.where(CaseRow.brand.in_(list(brands)))


def load_case(session: Session, case_id: int, brands: Collection[str] | None) -> CaseRow:
    case = session.scalars(_scoped(select(CaseRow).where(CaseRow.id == case_id), brands)).first()
    if case is None:
        raise CaseNotFound(case_id)
    return case


def _timeline(session: Session, case: CaseRow, programmes: Sequence[str] = ()) -> list[TimelineItem]:
    posts = list(session.scalars(
        select(PostRow).join(CasePostRow, CasePostRow.post_id == PostRow.id).where(CasePostRow.case_id == case.id)
    ))
    curves: dict[int, list[EngagementPoint]] = {p.id: [] for p in posts}
    for e in session.scalars(
        select(EngagementRow).where(EngagementRow.post_id.in_(curves)).order_by(EngagementRow.observed_at)
    ):
        curves[e.post_id].append(EngagementPoint(
            observed_at=as_utc(e.observed_at), likes=e.likes, reposts=e.reposts, replies=e.replies,
            quotes=e.quotes, impressions=e.impressions,
        ))
    shown = {p.id: redact(p.text, programmes) for p in posts}  # today's detector, not only what was flagged when stored
    customers = customer_ids(session, case)
    items = [
        TimelineItem(kind="post", at=as_utc(p.created_at), actor=f"@{p.author.handle}",
                     text=shown[p.id], redacted=shown[p.id] != p.text, customer=p.author_id in customers,
                     post_id=p.platform_id, url=p.url, lang=p.lang, sentiment=p.sentiment,
                     complaint=p.complaint, pii=p.pii, signals=p.signals or [], engagement=curves[p.id],
                     edited_at=as_utc(p.edited_at) if p.edited_at else None,
                     deleted_at=as_utc(p.deleted_at) if p.deleted_at else None, erased=p.erased)
        for p in posts
    ]
    for ev in session.scalars(select(CaseEventRow).where(CaseEventRow.case_id == case.id)):
        items.append(TimelineItem.model_validate(
            {"kind": ev.kind, "at": as_utc(ev.at), "actor": ev.actor, "text": ev.text, "data": ev.data}))
    items.sort(key=lambda i: i.at)
    return items


def case_detail(
    session: Session, case_id: int, brands: Collection[str] | None, now: datetime, settings: Settings
) -> CaseDetail:
    """A case with its full timeline and the same customer's earlier cases with this brand, from each of their
    accounts (a merged case's customer is also the author of each case merged into it). Cases merged into another
    are not listed: they are part of their target (this one, or an earlier case listed once)."""
    case = load_case(session, case_id, brands)
    earlier = session.scalars(
        select(CaseRow)
        .where(CaseRow.brand == case.brand, CaseRow.author_id.in_(customer_ids(session, case)),
               CaseRow.id != case.id, CaseRow.opened_at <= case.opened_at,
               CaseRow.merged_into_id.is_(None))  # a merged case is part of its target, listed once as that
        .order_by(CaseRow.opened_at.desc())
    )
    return CaseDetail(
        **summarize(session, case, now, settings).model_dump(),
        legal=legal_flags(session, case),
        timeline=_timeline(session, case, settings.loyalty_programmes(case.brand)),
        earlier_cases=[summarize(session, c, now, settings) for c in earlier],
    )


def _event(session: Session, case: CaseRow, kind: str, actor: str, now: datetime,
           text: str | None = None, **data: object) -> CaseEventRow:
    case.updated_at = now
    event = CaseEventRow(case_id=case.id, at=now, kind=kind, actor=actor, text=text, data=data)
    session.add(event)
    return event


def assign(session: Session, case: CaseRow, assignee: str | None, actor: str, now: datetime) -> None:
    """Give the case to `assignee`, or to nobody with None. A blank name is refused: it would take the case out of
    the unassigned queue while nobody owns it. (Whether the name is a known agent is the caller's check: the
    simulated team's agents exist only in the simulation.) An agent's action locks the case first
    (`cases.lock_cases`, as the API does): this moves a new case to open, which on a case resolved meanwhile would
    reopen it with its resolution time still set."""
    if assignee is not None and not assignee.strip():
        raise ValueError("assignee must name someone; None unassigns the case")
    previous = case.assignee
    case.assignee = assignee
    if assignee and case.state == CaseState.NEW.value:
        case.state = CaseState.OPEN.value
    _event(session, case, "assigned", actor, now, previous=previous, assignee=assignee)


def set_state(session: Session, case: CaseRow, state: CaseState, actor: str, now: datetime,
              reason: str | None = None) -> None:
    """Move the case; a move to the state it is in changes nothing and records nothing.

    Resolving stops the customer's wait. Reopening a case resolved without an answer starts it again from the
    customer's first post since the desk last replied, so the case takes back its place in the queue and its
    SLA (which kept counting from that post) rather than looking as if nobody were waiting. What it writes
    depends on the state it reads, so an agent's action locks the case first (`cases.lock_cases`). `reason` is
    the event's text, for a move the desk made itself."""
    previous = case.state
    if previous == state.value:
        return
    case.state = state.value
    case.resolved_at = now if state is CaseState.RESOLVED else None
    if state is CaseState.RESOLVED:
        case.awaiting_since = None
    elif previous == CaseState.RESOLVED.value and state is not CaseState.WAITING and case.awaiting_since is None:
        case.awaiting_since = _unanswered_since(session, case)
    _event(session, case, "state", actor, now, reason, previous=previous, state=state.value)


def _unanswered_since(session: Session, case: CaseRow) -> datetime | None:
    """When the customer's oldest post after the desk's last reply was written (spam aside); None if none."""
    replied = session.scalar(select(func.max(CaseEventRow.at)).where(CaseEventRow.case_id == case.id,
                                                                     CaseEventRow.kind == "reply"))
    stmt = (select(func.min(PostRow.created_at)).join(CasePostRow, CasePostRow.post_id == PostRow.id)
            .where(CasePostRow.case_id == case.id, PostRow.author_id.in_(customer_ids(session, case)),
                   PostRow.spam.is_(False)))
    if replied is not None:
        stmt = stmt.where(PostRow.created_at > replied)
    since = session.scalar(stmt)
    return as_utc(since) if since is not None else None


class LegalReviewNeeded(Exception):
    """A public reply to a case whose posts accuse named staff or allege a crime, sent without a review."""

    def __init__(self, flags: list[str]) -> None:
        self.flags = flags
        super().__init__(f"the customer's posts carry legal flags ({', '.join(flags)}): have the reply reviewed "
                         "before it goes out in public, then send it with legal_reviewed set")


def legal_flags(session: Session, case: CaseRow) -> list[str]:
    """The legal flags of the case's posts (Analysis.legal): accusations against named staff, alleged crimes."""
    rows = session.scalars(select(PostRow.legal).join(CasePostRow, CasePostRow.post_id == PostRow.id)
                           .where(CasePostRow.case_id == case.id))
    return sorted({flag for flags in rows for flag in (flags or [])})


def add_reply(session: Session, case: CaseRow, text: str, actor: str, now: datetime, *, resolve: bool = False,
              legal_reviewed: bool = False) -> None:
    """Record the desk's reply: it stops the first-response clock and waits on the customer (or resolves).

    The reply is queued in the same transaction to go out through the platform's connector (see
    `ingest/connectors/replies.py`); its delivery shows in the event's `data["delivery"]`. A case with legal
    flags takes a public reply only once the agent says it was reviewed, and that is recorded on the reply.
    """
    flags = legal_flags(session, case)
    if flags and not legal_reviewed:
        raise LegalReviewNeeded(flags)
    case.first_response_at = case.first_response_at or now
    case.awaiting_since = None
    reviewed = {"legal_reviewed": flags} if flags else {}
    # To the customer's newest post, on whichever of their accounts: not the brand's own or a bystander's post in
    # the thread, nor the other platform of a merged case. `replies.context_for_case` addresses the draft to it.
    latest = customer_posts(session, case, limit=1)
    queue_reply(session, case, _event(session, case, "reply", actor, now, text, via="desk", **reviewed), now,
                to=latest[0] if latest else None)
    set_state(session, case, CaseState.RESOLVED if resolve else CaseState.WAITING, actor, now)


def reveal(session: Session, case: CaseRow, actor: str, now: datetime,
           programmes: Sequence[str] = ()) -> list[RevealedText]:
    """The unmasked texts of the case's posts that carry personal data, and what edited posts said before (a
    customer may edit out what the desk first read); who looked, and when, goes on record."""
    posts = session.scalars(
        select(PostRow).join(CasePostRow, CasePostRow.post_id == PostRow.id)
        .where(CasePostRow.case_id == case.id).order_by(PostRow.created_at)
    ).all()
    earlier: dict[int, list[EarlierText]] = {}
    for edit in session.scalars(select(PostEditRow).where(PostEditRow.post_id.in_([p.id for p in posts]))
                                .order_by(PostEditRow.version_at)):
        earlier.setdefault(edit.post_id, []).append(EarlierText(at=as_utc(edit.version_at), text=edit.text))
    shown = [RevealedText(post_id=p.platform_id, text=p.text, earlier=earlier.get(p.id, []))
             for p in posts if p.pii or p.id in earlier or redact(p.text, programmes) != p.text]
    _event(session, case, "reveal", actor, now, posts=[r.post_id for r in shown])
    return shown


def add_note(session: Session, case: CaseRow, text: str, actor: str, now: datetime) -> None:
    _event(session, case, "note", actor, now, text)
