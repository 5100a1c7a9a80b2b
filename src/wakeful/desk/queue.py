"""The queue: active cases ranked at request time, a page at a time, with the header counts.

Priority depends on the time (a case climbs a level every `wait_step_minutes` it waits, a business-hours SLA pauses
overnight, and each brand's policy weighs reach and risk its own way), so the rank is not a stored column and SQL's
ORDER BY ... LIMIT/OFFSET cannot page it. Instead one query reads a few narrow columns of the matching cases (the
filters go in its WHERE clause), `queue_rank.Ranker` rates them in one pass, only the first `offset + limit` are
ordered, and full rows, texts and risk rows are loaded for the page alone. Pages are offsets into a queue that moves
between requests (a case that waits longer climbs), so a case can cross a page boundary between two page loads;
keyset paging would not fix that, since every key changes with the clock.
"""

from __future__ import annotations

import heapq
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, and_, func, or_, select, true
from sqlalchemy.orm import Session

from wakeful.core.clock import as_utc
from wakeful.core.settings import Settings
from wakeful.desk.cases import CaseState
from wakeful.desk.queue_rank import Ranker
from wakeful.desk.schemas import CaseSummary, QueueCounts
from wakeful.desk.sla_targets import Targets, load_targets
from wakeful.desk.summary import latest_customer_texts, priority_reach, summarize
from wakeful.store.jsonq import json_list_has
from wakeful.store.models import AuthorRow, CaseRow
from wakeful.store.risk import CaseRiskRow

ACTIVE_STATES = (CaseState.NEW.value, CaseState.OPEN.value, CaseState.WAITING.value)


@dataclass(frozen=True)
class QueueSlice:
    """One page of the ranked queue, and how many cases matched in all, so a caller can offer the next page."""

    cases: list[CaseSummary]
    matched: int
    """Every case that matched the filters, not only this page's."""
    offset: int
    """Where the page starts in the ranked queue: the offset asked for, or the last page's start where clamped."""
    limit: int

    @property
    def has_more(self) -> bool:
        return self.offset + len(self.cases) < self.matched


@dataclass(frozen=True)
class _Ranked:
    page: list[int]
    counts: QueueCounts
    matched: int
    offset: int


@dataclass(frozen=True)
class QueueFilters:
    """Which cases of the queue to list, written once for every listing (the API, the page, the CLI, the simulation).

    The brands are not among them: they are the caller's scope, which each listing takes as an argument of its own
    so that no caller can widen it by leaving a field at its default."""

    states: tuple[str, ...] = ACTIVE_STATES
    assignee: str | None = None
    unassigned: bool = False
    lang: str | None = None
    topic: str | None = None
    breached: bool = False
    """Only cases past their first-response target."""
    min_level: int = 0
    customer: str | None = None
    """Only cases whose customer's handle or display name contains this, ignoring case (SQLite folds ASCII letters
    only) and a leading @: an agent finds the case of someone who got in touch by another channel. An erased
    customer's old name finds nothing: the row holds a pseudonym."""

    def conditions(self) -> list[ColumnElement[bool]]:
        """The filters SQL can apply (`states` aside, which the scan reads by; `breached` and `min_level` depend on
        the time, so the ranking applies them)."""
        conds: list[ColumnElement[bool]] = []
        if self.assignee:
            conds.append(CaseRow.assignee == self.assignee)
        if self.unassigned:
            conds.append(CaseRow.assignee.is_(None))
        if self.lang:
            conds.append(CaseRow.lang == self.lang)
        if self.topic:
            conds.append(json_list_has(CaseRow.topics, self.topic))
        if needle := customer_needle(self.customer):
            named = or_(AuthorRow.handle.icontains(needle, autoescape=True),
                        AuthorRow.display_name.icontains(needle, autoescape=True))
            conds.append(CaseRow.author_id.in_(select(AuthorRow.id).where(named)))
        return conds


def customer_needle(text: str | None) -> str | None:
    """What a customer search looks for: the text trimmed, without the @ people type before a handle."""
    needle = (text or "").strip().removeprefix("@").strip()
    return needle or None


EVERY_CASE = QueueFilters()
"""No filter: every active case."""


def _scan(session: Session, brands: Collection[str] | None, ranker: Ranker, states: Collection[str],
          filters: QueueFilters, *, in_where: bool, limit: int = 0, offset: int = 0, clamp: bool = False) -> _Ranked:
    """One pass over the cases in `states`: the ids of the `limit` that match `filters` from `offset` on, how many
    match, and counts over all of them.

    The filters go in the WHERE clause (`in_where`) when only the page is wanted, else they come back as a column
    so the same rows give the counts. Ranks on a few columns; callers load full rows only for the page. With
    `clamp`, an offset past the last match gives the last page (aligned to `limit`) instead of nothing: the queue
    shrinks as agents work, so yesterday's "next" link may point past its end.
    """
    if offset < 0 or limit < 0:
        raise ValueError(f"offset and limit must not be negative (got offset {offset}, limit {limit})")
    conds = filters.conditions()
    if set(filters.states) != set(states):
        conds.append(CaseRow.state.in_(list(filters.states)))
    breached, min_level = filters.breached, filters.min_level
    wanted = and_(*conds) if conds and not in_where else true()
    stmt = select(CaseRow.id, CaseRow.severity, CaseRow.reach, CaseRow.awaiting_since, CaseRow.opened_at,
                  CaseRow.brand, CaseRiskRow.score, CaseRiskRow.genuine_reach, CaseRow.first_response_at,
                  CaseRow.assignee, wanted).outerjoin(CaseRiskRow, CaseRiskRow.case_id == CaseRow.id)
    if brands is not None:
        stmt = stmt.where(CaseRow.brand.in_(list(brands)))
    stmt = stmt.where(CaseRow.state.in_(list(states)), *(conds if in_where else ()))
    rate = ranker.rate
    ranked = []
    total = late_count = unassigned = waiting = 0
    if session.autoflush:
        session.flush()  # as session.execute would; plain rows through the connection skip the ORM's row layer
    for case_id, severity, reach, awaiting, opened_at, brand, risk, genuine, first, assignee, keep in (
            session.connection().execute(stmt)):
        level, rank, late = rate(brand, severity, priority_reach(reach, genuine), risk, awaiting, first is not None)
        total += 1
        unassigned += assignee is None
        waiting += awaiting is not None
        late_count += late
        if limit and keep and level >= min_level and (late or not breached):
            # cases that wait for the desk first, then those waiting on their customer (no clock runs for them)
            ranked.append((awaiting is None, -level, -rank, opened_at, case_id))  # one query's times: all alike
    if clamp and limit and offset >= len(ranked):
        offset = max(0, len(ranked) - 1) // limit * limit
    end = offset + limit
    # the id last in each tuple makes the order total, so a partial selection agrees with a full sort
    top = heapq.nsmallest(end, ranked) if end * 4 < len(ranked) else sorted(ranked)[:end]
    return _Ranked([r[-1] for r in top[offset:]], QueueCounts(active=total, breached=late_count,
                                                               unassigned=unassigned, waiting=waiting),
                   len(ranked), offset)


def _page(session: Session, page: list[int], now: datetime, settings: Settings, targets: Targets) -> list[CaseSummary]:
    """Full rows, latest customer texts and risk rows for the ranked ids, in three queries."""
    rows = {c.id: c for c in session.scalars(select(CaseRow).where(CaseRow.id.in_(page)))}
    texts = latest_customer_texts(session, page)
    risks = {r.case_id: r for r in session.scalars(select(CaseRiskRow).where(CaseRiskRow.case_id.in_(page)))}
    return [summarize(session, rows[i], now, settings, texts.get(i, ""), targets, risks) for i in page]


def list_slice(
    session: Session,
    brands: Collection[str] | None,
    now: datetime,
    settings: Settings,
    filters: QueueFilters = EVERY_CASE,
    *,
    offset: int = 0,
    limit: int = 200,
) -> QueueSlice:
    """`limit` cases of the queue from `offset` on (as `list_cases` orders them), and how many match in all."""
    targets = load_targets(session, brands, settings)
    ranked = _scan(session, brands, Ranker(settings, targets, now), filters.states, filters, in_where=True,
                   limit=limit, offset=offset)
    return QueueSlice(_page(session, ranked.page, now, settings, targets), ranked.matched, ranked.offset, limit)


def list_cases(
    session: Session,
    brands: Collection[str] | None,
    now: datetime,
    settings: Settings,
    filters: QueueFilters = EVERY_CASE,
    *,
    offset: int = 0,
    limit: int = 200,
) -> list[CaseSummary]:
    """The queue: cases in the given states that wait for the desk, highest priority and longest waiting first, then
    those that wait on their customer."""
    return list_slice(session, brands, now, settings, filters, offset=offset, limit=limit).cases


def queue_counts(session: Session, brands: Collection[str] | None, now: datetime, settings: Settings) -> QueueCounts:
    """Header numbers over every active case."""
    ranker = Ranker(settings, load_targets(session, brands, settings), now)
    return _scan(session, brands, ranker, ACTIVE_STATES, EVERY_CASE, in_where=True).counts


def queue_slice(
    session: Session, brands: Collection[str] | None, now: datetime, settings: Settings,
    filters: QueueFilters = EVERY_CASE, *, offset: int = 0, limit: int = 200, clamp: bool = False,
) -> tuple[QueueSlice, QueueCounts]:
    """The queue page's cases (as `list_slice`; only active ones, whatever `filters.states` asks) and header counts
    over every active case (as `queue_counts`) from one pass; with `clamp`, an offset past the end gives the last
    page."""
    targets = load_targets(session, brands, settings)
    ranked = _scan(session, brands, Ranker(settings, targets, now), ACTIVE_STATES, filters, in_where=False,
                   limit=limit, offset=offset, clamp=clamp)
    cases = _page(session, ranked.page, now, settings, targets)
    return QueueSlice(cases, ranked.matched, ranked.offset, limit), ranked.counts


@dataclass(frozen=True)
class ResolvedMatch:
    """A resolved case a search found: enough to name it and link to it."""

    id: int
    handle: str
    resolved_at: datetime | None


def resolved_matches(session: Session, brands: Collection[str] | None, filters: QueueFilters,
                     limit: int = 10) -> tuple[list[ResolvedMatch], int]:
    """The `limit` most recently resolved cases that match `filters` (their states aside), and how many match in
    all. The queue lists active cases only; beside a customer search it names these too, so a customer whose
    matter was closed is not taken for one the desk never heard from."""
    conds = [CaseRow.state == CaseState.RESOLVED.value, *filters.conditions()]
    if brands is not None:
        conds.append(CaseRow.brand.in_(list(brands)))
    total = session.scalar(select(func.count()).select_from(CaseRow).where(*conds)) or 0
    rows = session.execute(
        select(CaseRow.id, AuthorRow.handle, CaseRow.resolved_at).join(AuthorRow, AuthorRow.id == CaseRow.author_id)
        .where(*conds).order_by(CaseRow.resolved_at.desc(), CaseRow.id.desc()).limit(limit))
    return [ResolvedMatch(i, handle, as_utc(at) if at else None) for i, handle, at in rows], int(total)


def queue_page(
    session: Session, brands: Collection[str] | None, now: datetime, settings: Settings,
    filters: QueueFilters = EVERY_CASE, *, limit: int = 200,
) -> tuple[list[CaseSummary], QueueCounts]:
    """The first `limit` cases of `queue_slice` and the header counts."""
    page, counts = queue_slice(session, brands, now, settings, filters, limit=limit)
    return page.cases, counts
