"""Click farms: a burst of posts from suspected fake accounts (`risk.authenticity`) about a brand.

`incidents.scan` flags such a burst as an incident of its own, so a lead sees the click farm instead of a crisis,
and sets aside the cases made only of its posts, so they count towards no case's priority and take no agent's time.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime, timedelta

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from wakeful.core.clock import as_utc
from wakeful.desk.cases import CasesBusy, CaseState, lock_cases
from wakeful.desk.reports import mentions
from wakeful.desk.risk import author_of
from wakeful.desk.service import ACTIVE_STATES, set_state
from wakeful.risk.authenticity import MIN_BURST, SUSPECT, Action, action_scores, judge_burst
from wakeful.risk.spikes import Spike
from wakeful.store.models import AuthorRow, CaseEventRow, CasePostRow, CaseRow, PostRow

BURST_KEY = "inauthentic-burst"
"""The incident key of a flagged burst."""
ACTOR = "wakeful"
SET_ASIDE = "Resolved automatically: every post in this case belongs to a suspected click-farm burst (see incidents)"
BURST_WINDOW = timedelta(minutes=10)
LOW_AUDIENCE = 500


def burst(session: Session, brand: str, now: datetime) -> tuple[Spike, list[int]] | None:
    """A crowd of suspected fake accounts posting about the brand in the last minutes, as a flagged spike, with
    the ids of the suspected posts.

    A count in SQL first (posts from young or default-profile accounts with small audiences), so the posts are
    only loaded and scored when a burst is possible; every batch runs this."""
    recent = (PostRow.created_at >= now - BURST_WINDOW, PostRow.created_at <= now)
    low_history = and_(AuthorRow.followers < LOW_AUDIENCE, or_(
        AuthorRow.default_profile, AuthorRow.account_created_at >= now - timedelta(days=30)))
    candidates = session.scalar(select(func.count()).select_from(PostRow).join(
        AuthorRow, AuthorRow.id == PostRow.author_id).where(mentions([brand]), low_history, *recent))
    if (candidates or 0) < MIN_BURST:
        return None
    posts = list(session.scalars(select(PostRow).where(mentions([brand]), *recent)))
    actions = [Action(author_of(p.author), as_utc(p.created_at), p.text) for p in posts]
    scores = action_scores(actions)
    verdict = judge_burst(actions, scores)
    if not verdict.flagged:
        return None
    suspected = [p.id for p, score in zip(posts, scores, strict=True) if score >= SUSPECT]
    note = f"Suspected click farm: {'; '.join(verdict.evidence)}; not counted towards any case's priority"
    return Spike(BURST_KEY, now - BURST_WINDOW, now, verdict.suspected, 0.0, 100 * verdict.fake_share, note), suspected


def set_aside(session: Session, brand: str, post_ids: list[int], now: datetime) -> None:
    """Resolve the unanswered cases made only of a flagged burst's posts: a model may read a farm's copied text
    as a complaint, and no agent should spend time on it. Each case says why, and stays searchable. Decided with
    its row locked and read again, so a case an agent answered or merged meanwhile is not resolved over her work;
    inside an ingest batch, which may wait for no case (`_free`): one another transaction holds is left to it."""
    farm = set(post_ids)
    unanswered = (CaseRow.brand == brand, CaseRow.state.in_(ACTIVE_STATES), CaseRow.first_response_at.is_(None),
                  CaseRow.id.in_(select(CasePostRow.case_id).where(CasePostRow.post_id.in_(farm))))
    locked = _free(session, set(session.scalars(select(CaseRow.id).where(*unanswered))))
    for case in session.scalars(select(CaseRow).where(CaseRow.id.in_(locked), *unanswered).order_by(CaseRow.id)):
        posts = set(session.scalars(select(CasePostRow.post_id).where(CasePostRow.case_id == case.id)))
        if posts <= farm:
            session.add(CaseEventRow(case_id=case.id, at=now, kind="note", actor=ACTOR, text=SET_ASIDE))
            set_state(session, case, CaseState.RESOLVED, ACTOR, now)


def _free(session: Session, ids: Collection[int]) -> set[int]:
    """Those of the cases no other transaction holds, locked without waiting (as `cases.attach_post` takes them)."""
    try:
        lock_cases(session, ids, wait=False)
    except CasesBusy as err:
        return set(ids) - err.ids
    return set(ids)
