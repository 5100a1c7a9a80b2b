"""Grouping posts into customer cases.

A case is one customer's matter with one brand. A post joins a case when it belongs to the case's conversation
(a reply in the thread, from the customer or from supporters), or when the same author writes about the same brand
again within the configured window while the case is not resolved. Otherwise a post that needs an answer (a
complaint or a question) opens a new case. A post from one of the brand's own handles is the brand answering.

An agent may merge a case into another (desk/merge.py): the source is kept in state `merged`, naming its target,
and whatever would have joined it joins the target, whose customers are its author and the authors of the cases
merged into it (the same person on X and on Mastodon).
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy import ColumnElement, and_, false, or_, select, update
from sqlalchemy import case as sql_case
from sqlalchemy.orm import InstrumentedAttribute, Session, aliased

from wakeful.core.clock import as_utc
from wakeful.core.models import Analysis, Post
from wakeful.core.settings import Settings
from wakeful.store.models import CaseEventRow, CasePostRow, CaseRow, PostRow
from wakeful.store.upsert import insert_ignore


class CaseState(StrEnum):
    NEW = "new"
    OPEN = "open"
    WAITING = "waiting_on_customer"
    RESOLVED = "resolved"
    MERGED = "merged"
    """Merged into another case by an agent (`CaseRow.merged_into_id`): kept for links, counted nowhere."""


def one_per_matter() -> ColumnElement[bool]:
    """The cases reports count: a merged case's posts, times and figures are its target's, so it is left out."""
    return CaseRow.merged_into_id.is_(None)


def live_case(session: Session, case: CaseRow) -> CaseRow:
    """The case that now holds a case's matter: itself, or the case it was merged into."""
    for _ in range(8):  # merging re-points earlier merges, so one step is the rule; the bound guards bad data
        if case.merged_into_id is None:
            break
        target = session.get(CaseRow, case.merged_into_id)
        if target is None:
            break
        case = target
    return case


class CasesBusy(RuntimeError):
    """Cases another transaction holds, which this one may not wait for (`lock_cases`): its caller lets them be (a
    routing pass leaves them to its next pass) or gives up its own locks and starts again (an ingest batch)."""

    def __init__(self, ids: Collection[int]) -> None:
        super().__init__(f"cases {sorted(ids)} are being changed by another transaction")
        self.ids = frozenset(ids)


_HELD = "wakeful.cases.held"
"""In a session's info: its transaction and the ids of the cases whose rows it holds (`lock_cases`, `hold`)."""


def _held(session: Session) -> set[int]:
    """The ids of the cases this session's transaction holds: an empty set for a transaction that holds none."""
    root = session.get_transaction()
    kept = session.info.get(_HELD)
    if root is None:
        return set()
    if kept is None or kept[0] is not root:
        kept = session.info[_HELD] = (root, set())
    held: set[int] = kept[1]
    return held


def hold(session: Session, case: CaseRow) -> None:
    """Count a case this transaction opened as held: nobody else sees it before it commits."""
    _held(session).add(case.id)


def unheld(session: Session, ids: Collection[int]) -> set[int]:
    """Those of the cases whose rows this transaction does not hold yet."""
    return set(ids) - _held(session)


def lock_cases(session: Session, ids: Collection[int], *, wait: bool = True) -> list[CaseRow]:
    """The cases read again, their rows locked until the transaction ends, in id order (so two actions locking two
    cases cannot each hold one the other waits for).

    An action that reads a case, decides and writes takes this first: two agents acting on one case at once would
    otherwise each decide on what they read before the other committed (an unmerge applying an undo record a merge
    has just made stale, a state change landing on a case merged away meanwhile). PostgreSQL: SELECT ... FOR UPDATE.
    SQLite allows one writer at a time, but reads before a transaction's first write take no lock; so a write that
    changes nothing comes first, and the read after it sees every commit before it and no other writer until this
    transaction ends.

    A transaction waits only for cases above every case it holds, so whoever waits, waits in one order and no two
    wait for each other (a routing pass moves cases one by one in the order they were opened). Below, or with
    `wait=False` (an ingest batch that has written rows another batch may wait for), it takes only the free ones,
    and raises `CasesBusy` for those another transaction holds; the free ones stay locked until the transaction ends
    whatever the caller does, so they count as held before it raises, and a caller going on without the busy ones
    need not take the rest again."""
    wanted = sorted(set(ids))
    if not wanted:
        return []
    session.flush()
    held = _held(session)
    new = set(wanted) - held
    waits = wait and (not held or not new or min(new) > max(held))
    if session.get_bind().dialect.name == "sqlite":
        session.execute(update(CaseRow).where(false()).values(state=CaseRow.state),
                        execution_options={"synchronize_session": False})
    stmt = (select(CaseRow).where(CaseRow.id.in_(wanted)).order_by(CaseRow.id)
            .with_for_update(of=CaseRow, skip_locked=not waits))
    rows = list(session.scalars(stmt.execution_options(populate_existing=True)))
    got = {row.id for row in rows}
    _held(session).update(got)
    if not waits and len(got) < len(wanted):
        raise CasesBusy(set(wanted) - got)
    return rows


def customer_ids(session: Session, case: CaseRow) -> set[int]:
    """The case's customer accounts: its author and the authors of the cases merged into it."""
    merged = session.scalars(select(CaseRow.author_id).where(CaseRow.merged_into_id == case.id))
    return {case.author_id, *merged}


def customer_posts(session: Session, case: CaseRow, limit: int | None = None) -> list[PostRow]:
    """The case's posts by any of its customer accounts, newest first: after a merge the customer may have moved
    on to the other account, and that is where they read a reply. Posts still there come before those the customer
    deleted or asked to have erased (a reply to a deleted post fails, and its words are no longer theirs to quote).
    Ties go to the later stored post, so "newest" is the same post on both databases."""
    gone = sql_case((and_(PostRow.deleted_at.is_(None), PostRow.erased.is_(None)), 0), else_=1)
    stmt = (select(PostRow).join(CasePostRow, CasePostRow.post_id == PostRow.id)
            .where(CasePostRow.case_id == case.id, PostRow.author_id.in_(customer_ids(session, case)))
            .order_by(gone, PostRow.created_at.desc(), PostRow.id.desc()).limit(limit))
    return list(session.scalars(stmt))


def is_customer(session: Session, case: CaseRow, author_id: int) -> bool:
    """Whether a post by `author_id` is the customer's own in this case (and so moves its clock)."""
    return author_id == case.author_id or author_id in customer_ids(session, case)


def customer_post(case_id: InstrumentedAttribute[int], author_id: InstrumentedAttribute[int]) -> ColumnElement[bool]:
    """SQL: the post (`PostRow`) is by the customer of the case whose id and author are given (`CaseRow` columns,
    correlated): its author, or the author of a case merged into it."""
    merged = aliased(CaseRow)
    return or_(PostRow.author_id == author_id,
               PostRow.author_id.in_(select(merged.author_id).where(merged.merged_into_id == case_id)))


def _brand_of_handle(settings: Settings, handle: str) -> str | None:
    folded = handle.lstrip("@").casefold()
    for brand in settings.brands:
        if any(h.casefold() == folded for h in brand.handles):
            return brand.key
    return None


def _conversation_cases(session: Session, post: Post) -> list[CaseRow]:
    """Cases whose thread this post is part of: same conversation id, or a reply to a post in the case."""
    conv_ids = {c for c in (post.conversation_id, post.reply_to_id) if c}
    if not conv_ids:
        return []
    by_conv = select(CaseRow).where(CaseRow.platform == post.platform.value, CaseRow.conversation_id.in_(conv_ids))
    found = {c.id: c for c in session.scalars(by_conv)}
    if post.reply_to_id:
        by_parent = (
            select(CaseRow)
            .join(CasePostRow, CasePostRow.case_id == CaseRow.id)
            .join(PostRow, PostRow.id == CasePostRow.post_id)
            .where(PostRow.platform == post.platform.value, PostRow.platform_id == post.reply_to_id)
        )
        found.update({c.id: c for c in session.scalars(by_parent)})
    return list(found.values())


def _recent_case(session: Session, brand: str, author_id: int, since: datetime) -> CaseRow | None:
    """The author's latest case still open to their posts; a case merged away stands for the case it went into,
    unless that one is resolved."""
    stmt = (
        select(CaseRow)
        .where(
            CaseRow.brand == brand,
            CaseRow.author_id == author_id,
            CaseRow.state != CaseState.RESOLVED.value,
            CaseRow.last_post_at >= since,
        )
        .order_by(CaseRow.last_post_at.desc())
        .limit(4)
    )
    for found in session.scalars(stmt).all():
        live = live_case(session, found)
        if live.state != CaseState.RESOLVED.value:
            return live
    return None


def _join(session: Session, case: CaseRow, post_row: PostRow, post: Post, analysis: Analysis, reach: int,
          now: datetime) -> None:
    """Fold a post into a case's summary fields. Only the customer's own posts move the SLA clock."""
    case.last_post_at = max(as_utc(case.last_post_at), post.created_at)
    case.reach = max(case.reach, reach)
    case.promoted = case.promoted or post.promoted
    case.updated_at = now
    if not is_customer(session, case, post_row.author_id):
        return
    case.severity = max(case.severity, analysis.severity)
    case.topics = sorted(set(case.topics) | set(analysis.topics))
    case.lang = case.lang or analysis.lang
    if analysis.spam:
        return
    if case.awaiting_since is None:
        case.awaiting_since = post.created_at
    if case.state in (CaseState.WAITING.value, CaseState.RESOLVED.value):
        case.state = CaseState.OPEN.value
        case.resolved_at = None


def _brand_answered(session: Session, case: CaseRow, at: datetime, handle: str, text: str, post_id: str,
                    now: datetime) -> None:
    """A post by the brand's own account in the thread counts as the desk's reply."""
    case.first_response_at = min(as_utc(case.first_response_at), at) if case.first_response_at else at
    case.awaiting_since = None
    if case.state != CaseState.RESOLVED.value:
        case.state = CaseState.WAITING.value
    case.updated_at = now
    session.add(CaseEventRow(case_id=case.id, at=at, kind="reply", actor=f"@{handle}", text=text,
                             data={"via": "platform", "post_id": post_id}))


def _earlier_answers(session: Session, case: CaseRow, post: Post, brand_handles: list[str], now: datetime) -> None:
    """The brand's replies to `post` that were stored before it (an export sorted by engagement time, replies
    ingested before mentions): they join the case and answer it now, instead of leaving it unanswered."""
    handles = {h.lstrip("@").casefold() for h in brand_handles}
    if not handles:
        return
    replies = session.scalars(
        select(PostRow).where(PostRow.platform == post.platform.value, PostRow.reply_to_id == post.id)
        .order_by(PostRow.created_at))
    for reply in replies:
        if reply.author.handle.casefold() not in handles or as_utc(reply.created_at) < post.created_at:
            continue
        if insert_ignore(session, CasePostRow, {"case_id": case.id, "post_id": reply.id}, ["case_id", "post_id"]):
            _brand_answered(session, case, as_utc(reply.created_at), reply.author.handle, reply.text,
                            reply.platform_id, now)


def refresh_open_cases(session: Session, post_ids: Collection[int], now: datetime) -> int:
    """Open cases holding these posts take the severity and topics of their customer's posts as the posts read now
    (after `ingest.reanalyze`); how many changed. Severity is the highest of the posts' and topics their union, as
    `_join` folds them in, so a case reads as one built today would; a resolved case keeps what the desk closed."""
    cases = session.scalars(
        select(CaseRow).where(CaseRow.state != CaseState.RESOLVED.value, CaseRow.id.in_(
            select(CasePostRow.case_id).where(CasePostRow.post_id.in_(list(post_ids)))))).all()
    changed = 0
    for case in cases:
        posts = session.execute(
            select(PostRow.severity, PostRow.topics).join(CasePostRow, CasePostRow.post_id == PostRow.id)
            .where(CasePostRow.case_id == case.id, PostRow.author_id.in_(customer_ids(session, case)))).all()
        severity = max((s for s, _ in posts), default=case.severity)
        topics = sorted({t for _, ts in posts for t in ts or []})
        if severity != case.severity or topics != sorted(case.topics or []):
            case.severity, case.topics, case.updated_at = severity, topics, now
            changed += 1
    return changed


def _targets(session: Session, post: Post, author_id: int | None, analysis: Analysis,
             settings: Settings) -> dict[int, CaseRow]:
    """The stored cases a post joins, by id (read, not locked): the live cases of its thread and, for each brand it
    is about that none of those covers, its author's recent case with that brand (the brand's own posts answer, and
    open nothing). `author_id` None: an author not stored yet, who has no cases."""
    found: dict[int, CaseRow] = {}
    for in_thread in _conversation_cases(session, post):
        case = live_case(session, in_thread)
        found[case.id] = case
    if author_id is None or _brand_of_handle(settings, post.author.handle) is not None:
        return found
    covered = {c.brand for c in found.values()}
    since = post.created_at - timedelta(hours=settings.case_window_hours)
    for brand in analysis.brands:
        if brand not in covered:
            recent = _recent_case(session, brand, author_id, since)
            if recent is not None:
                found[recent.id] = recent
    return found


def cases_joined(session: Session, posts: Sequence[tuple[Post, int | None, Analysis]], settings: Settings
                 ) -> set[int]:
    """The ids of the stored cases a batch of new posts, each with its author's id (None: not stored yet) and its
    analysis, may join, read without a lock in a few queries for the whole batch: what an ingest batch locks before
    it writes. More than the cases `attach_post` picks (every case of a thread id, every case of the author's with
    one of the brands that is not resolved in the window), never fewer, as read now."""
    threads: dict[str, set[str]] = {}
    for post, _, _ in posts:
        threads.setdefault(post.platform.value, set()).update(
            c for c in (post.conversation_id, post.reply_to_id) if c)
    parents: dict[str, set[str]] = {}
    for post, _, _ in posts:
        if post.reply_to_id:
            parents.setdefault(post.platform.value, set()).add(post.reply_to_id)
    customers = [(post, author, analysis) for post, author, analysis in posts
                 if author is not None and _brand_of_handle(settings, post.author.handle) is None]
    found: set[int] = set()
    if any(threads.values()):
        found |= set(session.scalars(select(CaseRow.id).where(or_(*(
            and_(CaseRow.platform == platform, CaseRow.conversation_id.in_(ids))
            for platform, ids in threads.items() if ids)))))
    if parents:
        found |= set(session.scalars(select(CasePostRow.case_id).join(PostRow, PostRow.id == CasePostRow.post_id)
                                     .where(or_(*(and_(PostRow.platform == platform, PostRow.platform_id.in_(ids))
                                                  for platform, ids in parents.items())))))
    brands = {brand for _, _, analysis in customers for brand in analysis.brands}
    if brands:
        since = min(post.created_at for post, _, _ in customers) - timedelta(hours=settings.case_window_hours)
        found |= set(session.scalars(select(CaseRow.id).where(
            CaseRow.brand.in_(brands), CaseRow.author_id.in_({author for _, author, _ in customers}),
            CaseRow.state != CaseState.RESOLVED.value, CaseRow.last_post_at >= since)))
    live: set[int] = set()
    for _ in range(8):  # a case merged away stands for the case it went into (`live_case`)
        if not found:
            break
        rows = session.execute(select(CaseRow.id, CaseRow.merged_into_id).where(CaseRow.id.in_(found))).all()
        live |= {case_id for case_id, into in rows if into is None}
        found = {into for _, into in rows if into is not None} - live
    return live


def attach_post(
    session: Session,
    post_row: PostRow,
    post: Post,
    analysis: Analysis,
    reach: int,
    settings: Settings,
    now: datetime,
) -> list[int]:
    """Put a newly stored post into its cases, opening one where needed; the ids of the cases touched.

    Each case is written with its row locked, and chosen again once locked: an agent resolving it meanwhile would
    otherwise commit between this read and this write, and the post would reopen it half (open, with a resolution
    time) or join a case the customer's post should have reopened or not joined. Locked, the post either comes
    before the resolve, which then resolves it with the post in it, or after, and reopens it as a customer writing
    after resolution does. The ingest batch locks its cases in id order first (`ingest.service`); one not locked
    yet is taken without waiting, `CasesBusy` when another transaction holds it."""
    while True:
        touched = _targets(session, post, post_row.author_id, analysis, settings)
        todo = unheld(session, touched)
        if not todo:
            break
        lock_cases(session, todo, wait=False)
    own_brand = _brand_of_handle(settings, post.author.handle)
    if own_brand is None and analysis.needs_response:
        covered = {c.brand for c in touched.values()}
        for brand in analysis.brands:
            if brand in covered:
                continue
            found = CaseRow(
                brand=brand,
                platform=post.platform.value,
                author_id=post_row.author_id,
                conversation_id=post.conversation_id or post.id,
                state=CaseState.NEW.value,
                lang=analysis.lang,
                topics=[],
                severity=0,
                reach=0,
                promoted=False,
                opened_at=post.created_at,
                last_post_at=post.created_at,
                awaiting_since=None,
                updated_at=now,
            )
            session.add(found)
            session.flush()
            hold(session, found)
            touched[found.id] = found
    for case in touched.values():
        insert_ignore(session, CasePostRow, {"case_id": case.id, "post_id": post_row.id}, ["case_id", "post_id"])
        if own_brand is not None and own_brand == case.brand:
            _brand_answered(session, case, post.created_at, post.author.handle, post.text, post.id, now)
        else:
            _join(session, case, post_row, post, analysis, reach, now)
            config = settings.brand(case.brand)
            if config is not None and is_customer(session, case, post_row.author_id):
                _earlier_answers(session, case, post, config.handles, now)
    return sorted(touched)
