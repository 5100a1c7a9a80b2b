"""Agents correcting the desk's grouping: two cases that are one customer matter are merged, and a merge undone.

The desk groups by author, brand, window and conversation, so the same customer on X and on Mastodon is two cases,
and one matter that went quiet past `case_window_hours` is split in two. An agent merges the source case into the
target (same brand): the source's posts, events (notes, replies, assignments, reveals…) and queued replies move to
the target, whose timeline shows them all. The source stays, in state `merged`, naming the target, so links and
reports do not break; posts that would have joined it join the target (`cases.live_case`), and its author counts
as the target's customer from then on (`cases.customer_ids`).

How the target's figures combine, so merging can neither hide a wait nor shorten one, and a report counts the
matter once with the times the customer lived:

- opened: the earlier; the matter began with the customer's first post, and waits are measured from there;
- first response: the earlier of the two; the first time the desk answered the customer about the matter;
- waiting since (the SLA clock): the older unanswered post of either. An answer on one account is no answer to a
  post on the other, so merging a waiting case into one just answered neither clears nor restarts its clock;
- severity: the higher; topics: the union; reach: the larger; promoted: either; language: the target's, else the
  source's. Priority follows from these (and the risk score is reassessed over all the posts), so it is never
  lower than either case's;
- assignee: the target's, else the source's: whoever holds the customer's case keeps it;
- state: resolved only if both were; open while a post waits (new if neither case was touched), else the more
  active of the two;
- reports (daily, fairness, agents and teams, backlog, summary, first response by brand) leave merged cases out
  (`cases.one_per_matter`): the matter counts once, as the target, with the times above; its reach band in the
  fairness report is that of the target's author.

Unmerge restores the source from the record its `merged` event keeps: its posts, events and queued replies go
back, with the source customer's posts that arrived since (they would have joined it); the target takes back its
opening time and, if nobody changed them since, its state and assignee, and its clocks, severity, topics and reach
are read again from what it still holds. What the desk did on the merged case after the merge (replies, notes)
stays with the target. A merge whose target was merged on since is undone from the outside in (that one first).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from wakeful.core.clock import as_utc
from wakeful.core.models import Engagement
from wakeful.desk.cases import CaseState, customer_ids, lock_cases
from wakeful.desk.risk import assess
from wakeful.risk.reach import audience
from wakeful.store.connectors import OutboundReplyRow
from wakeful.store.models import CaseEventRow, CasePostRow, CaseRow, EngagementRow, PostRow
from wakeful.store.risk import CaseRiskRow
from wakeful.store.upsert import insert_ignore

MERGE, MERGED, UNMERGE, SPLIT = "merge", "merged", "unmerge", "split"
"""Event kinds: on the target, on the source (its data is the undo record), on both when undone, on both sides of
a split."""


class CorrectionConflict(Exception):
    """The case is not in a state that allows the correction (already merged, not merged, merged on since)."""


def _iso(value: datetime | None) -> str | None:
    return as_utc(value).isoformat() if value is not None else None


def _time(value: object) -> datetime | None:
    return as_utc(datetime.fromisoformat(value)) if isinstance(value, str) else None


def _earliest(*times: datetime | None) -> datetime | None:
    present = [as_utc(t) for t in times if t is not None]
    return min(present) if present else None


def event(session: Session, case: CaseRow, kind: str, actor: str, now: datetime, text: str,
          **data: Any) -> CaseEventRow:
    """Record a correction on the case's timeline, with who and when."""
    case.updated_at = now
    row = CaseEventRow(case_id=case.id, at=now, kind=kind, actor=actor, text=text, data=data)
    session.add(row)
    return row


def case_posts(session: Session, case: CaseRow) -> list[PostRow]:
    return list(session.scalars(select(PostRow).join(CasePostRow, CasePostRow.post_id == PostRow.id)
                                .where(CasePostRow.case_id == case.id).order_by(PostRow.created_at, PostRow.id)))


def reach_of(session: Session, posts: Sequence[PostRow]) -> int:
    """The largest audience of the posts as stored now: followers or latest impressions, as ingest counts it."""
    latest: dict[int, EngagementRow] = {}
    for e in session.scalars(select(EngagementRow).where(EngagementRow.post_id.in_([p.id for p in posts]))
                             .order_by(EngagementRow.observed_at)):
        latest[e.post_id] = e
    best = 0
    for p in posts:
        last = latest.get(p.id)
        seen = Engagement(observed_at=as_utc(last.observed_at), likes=last.likes, reposts=last.reposts,
                          replies=last.replies, quotes=last.quotes, impressions=last.impressions) if last else None
        best = max(best, audience(p.author.followers, seen))
    return best


def reread(session: Session, case: CaseRow, posts: Sequence[PostRow]) -> None:
    """Severity, topics, promotion, last post and reach from the posts a case still holds (after some left)."""
    customers = customer_ids(session, case)
    own = [p for p in posts if p.author_id in customers]
    if own:
        case.severity = max(p.severity for p in own)
        case.topics = sorted({t for p in own for t in p.topics or []})
    if posts:
        case.last_post_at = max(as_utc(p.created_at) for p in posts)
        case.promoted = any(p.promoted for p in posts)
        case.reach = reach_of(session, posts)


def reassess(session: Session, cases: Iterable[CaseRow], now: datetime) -> None:
    """Risk scores over the posts the cases hold now, where the desk assesses risk (any of them has a score)."""
    cases = list(cases)
    if any(session.get(CaseRiskRow, c.id) is not None for c in cases):
        session.flush()
        for case in cases:
            assess(session, case, now)


def _merged_state(states: Sequence[str], awaiting: datetime | None, assignee: str | None) -> str:
    active = [s for s in states if s != CaseState.RESOLVED.value]
    if not active:
        return CaseState.RESOLVED.value
    if awaiting is not None or CaseState.OPEN.value in active:
        untouched = assignee is None and all(s == CaseState.NEW.value for s in active)
        return CaseState.NEW.value if untouched else CaseState.OPEN.value
    if CaseState.WAITING.value in active:
        return CaseState.WAITING.value
    return CaseState.OPEN.value if assignee else CaseState.NEW.value


def _combine(target: CaseRow, source: CaseRow) -> None:
    """The target's figures for the matter of both cases (the rules in the module's docstring)."""
    target.opened_at = min(as_utc(target.opened_at), as_utc(source.opened_at))
    target.first_response_at = _earliest(target.first_response_at, source.first_response_at)
    target.awaiting_since = _earliest(target.awaiting_since, source.awaiting_since)
    target.last_post_at = max(as_utc(target.last_post_at), as_utc(source.last_post_at))
    target.severity = max(target.severity, source.severity)
    target.topics = sorted(set(target.topics or []) | set(source.topics or []))
    target.reach = max(target.reach, source.reach)
    target.promoted = target.promoted or source.promoted
    target.lang = target.lang or source.lang
    target.assignee = target.assignee or source.assignee
    target.state = _merged_state([target.state, source.state], target.awaiting_since, target.assignee)
    done = [as_utc(t) for t in (target.resolved_at, source.resolved_at) if t is not None]
    target.resolved_at = max(done, default=None) if target.state == CaseState.RESOLVED.value else None


def _lock(session: Session, *cases: CaseRow) -> None:
    """Lock the cases' rows and read them again (`cases.lock_cases`): two agents merging A into B and B into A at
    once would each have read that neither was merged, and their merges would make a cycle that takes the
    customer's matter out of every queue."""
    lock_cases(session, [c.id for c in cases])


def merge(session: Session, source: CaseRow, target: CaseRow, actor: str, now: datetime) -> None:
    """Merge `source` into `target`; ValueError for two brands or one case, CorrectionConflict for a merged one."""
    if source.id == target.id:
        raise ValueError(f"case {source.id} cannot be merged into itself")
    if source.brand != target.brand:
        raise ValueError("cases of different brands cannot be merged")
    _lock(session, source, target)
    for case in (source, target):
        if case.merged_into_id is not None:
            raise CorrectionConflict(f"case {case.id} was already merged into case {case.merged_into_id}")
    held = set(session.scalars(select(CasePostRow.post_id).where(CasePostRow.case_id == target.id)))
    posts = list(session.scalars(select(CasePostRow.post_id).where(CasePostRow.case_id == source.id)))
    shared = [p for p in posts if p in held]  # a thread post in both cases stays once
    record: dict[str, Any] = {
        "source": source.id, "into": target.id, "posts": [p for p in posts if p not in held], "shared": shared,
        "events": list(session.scalars(select(CaseEventRow.id).where(CaseEventRow.case_id == source.id))),
        "repointed": list(session.scalars(select(CaseRow.id).where(CaseRow.merged_into_id == source.id))),
        "case_posts_mark": session.scalar(select(func.max(CasePostRow.id))) or 0,
        "state": source.state, "awaiting_since": _iso(source.awaiting_since),
        "target": {"opened_at": _iso(target.opened_at), "state": target.state, "assignee": target.assignee,
                   "resolved_at": _iso(target.resolved_at)},
    }
    session.execute(delete(CasePostRow).where(CasePostRow.case_id == source.id, CasePostRow.post_id.in_(shared)))
    _move(session, source.id, target.id, record["posts"], record["events"])
    # a case merged into the source before now points at the target, so one step always reaches the live case
    session.execute(update(CaseRow).where(CaseRow.merged_into_id == source.id).values(merged_into_id=target.id))
    _combine(target, source)
    record["target"] |= {"merged_state": target.state, "merged_assignee": target.assignee}
    source.state, source.merged_into_id, source.awaiting_since = CaseState.MERGED.value, target.id, None
    event(session, source, MERGED, actor, now, f"Merged into case #{target.id}", **record)
    event(session, target, MERGE, actor, now, f"Case #{source.id} merged into this case", source=source.id)
    reassess(session, [target], now)


def _move(session: Session, from_id: int, to_id: int, posts: Sequence[int], events: Sequence[int]) -> None:
    """Move the case's rows for these posts and events, and the queued replies of those events."""
    session.execute(update(CasePostRow).where(CasePostRow.case_id == from_id, CasePostRow.post_id.in_(posts))
                    .values(case_id=to_id))
    session.execute(update(CaseEventRow).where(CaseEventRow.case_id == from_id, CaseEventRow.id.in_(events))
                    .values(case_id=to_id))
    session.execute(update(OutboundReplyRow).where(OutboundReplyRow.case_id == from_id,
                                                   OutboundReplyRow.event_id.in_(events)).values(case_id=to_id))


def _record(session: Session, source: CaseRow) -> dict[str, Any]:
    row = session.scalars(select(CaseEventRow).where(CaseEventRow.case_id == source.id, CaseEventRow.kind == MERGED)
                          .order_by(CaseEventRow.id.desc()).limit(1)).first()
    if row is None:
        raise CorrectionConflict(f"case {source.id} has no record of its merge to undo")
    return dict(row.data)


def _arrived_since(session: Session, source: CaseRow, target: CaseRow, record: dict[str, Any]) -> list[int]:
    """Posts that joined the target after the merge from the source's customer accounts only: they would have
    joined the source, so they go back with it."""
    repointed = [int(i) for i in record.get("repointed", [])]
    own = {source.author_id, *session.scalars(select(CaseRow.author_id).where(CaseRow.id.in_(repointed)))}
    others = session.scalars(select(CaseRow.author_id).where(CaseRow.merged_into_id == target.id,
                                                             CaseRow.id.not_in([source.id, *repointed])))
    authors = own - {target.author_id, *others}  # one matter split by the window: the target keeps what came since
    return list(session.scalars(
        select(CasePostRow.post_id).join(PostRow, PostRow.id == CasePostRow.post_id)
        .where(CasePostRow.case_id == target.id, CasePostRow.id > int(record.get("case_posts_mark", 0)),
               PostRow.author_id.in_(authors))))


def _fold_back(source: CaseRow, posts: Sequence[PostRow], reach: int) -> None:
    """The source's figures with the posts that arrived for it while it was merged (as `cases._join` folds them)."""
    for p in posts:
        source.last_post_at = max(as_utc(source.last_post_at), as_utc(p.created_at))
        source.severity = max(source.severity, p.severity)
        source.topics = sorted(set(source.topics or []) | set(p.topics or []))
        source.promoted = source.promoted or p.promoted
        if not p.spam and source.awaiting_since is None:
            source.awaiting_since = as_utc(p.created_at)
    source.reach = max(source.reach, reach)
    if source.awaiting_since is not None and source.state in (CaseState.WAITING.value, CaseState.RESOLVED.value):
        source.state, source.resolved_at = CaseState.OPEN.value, None


def _reread_clocks(session: Session, case: CaseRow) -> None:
    """First response and the SLA clock from the case's own timeline: its first reply, and its customer's oldest
    post since its last reply (none while resolved)."""
    replies = list(session.scalars(select(CaseEventRow.at).where(CaseEventRow.case_id == case.id,
                                                                  CaseEventRow.kind == "reply")))
    case.first_response_at = _earliest(*replies)
    if case.state == CaseState.RESOLVED.value:
        case.awaiting_since = None
        return
    last = max((as_utc(r) for r in replies), default=None)
    own = customer_ids(session, case)
    waiting = [as_utc(p.created_at) for p in case_posts(session, case)
               if p.author_id in own and not p.spam and (last is None or as_utc(p.created_at) > last)]
    case.awaiting_since = min(waiting, default=None)
    if case.awaiting_since is not None and case.state == CaseState.WAITING.value:
        case.state = CaseState.OPEN.value


def unmerge(session: Session, source: CaseRow, actor: str, now: datetime) -> CaseRow:
    """Undo the merge of `source`; the target it was merged into. CorrectionConflict when it is not merged, or its
    target was merged into another case since (undo that first).

    Both rows are locked first and read again, as a merge locks them, with the undo record read under the lock: a
    merge of the target into a third case committed meanwhile has moved the posts this would give back (and
    re-pointed the source), and a re-merge has made a newer record. Applied anyway, the old record gives nothing back
    and leaves the source an empty case in the queue."""
    read = source.merged_into_id
    lock_cases(session, [source.id, *([read] if read is not None else [])])
    if source.merged_into_id is None:
        raise CorrectionConflict(f"case {source.id} is not merged into another case")
    record = _record(session, source)
    target = session.get(CaseRow, source.merged_into_id)
    if target is None:
        raise CorrectionConflict(f"case {source.id} was merged into case {source.merged_into_id}, which is gone")
    if target.id != record.get("into"):
        raise CorrectionConflict(f"case {record.get('into')}, which case {source.id} was merged into, was since "
                                 f"merged into case {target.id}: unmerge case {record.get('into')} first")
    if target.id != read:  # unmerged and merged elsewhere while this began: that target's row is not locked here
        raise CorrectionConflict(f"case {source.id} was merged again into case {target.id} meanwhile: try again")
    later = _arrived_since(session, source, target, record)
    back = [*record["posts"], *later]
    events = [int(i) for i in record["events"]]
    _move(session, target.id, source.id, back, events)
    for post_id in record.get("shared", []):
        insert_ignore(session, CasePostRow, {"case_id": source.id, "post_id": post_id}, ["case_id", "post_id"])
    session.execute(update(CaseRow).where(CaseRow.id.in_(record.get("repointed", [])),
                                          CaseRow.merged_into_id == target.id).values(merged_into_id=source.id))
    source.merged_into_id = None
    source.state, source.awaiting_since = record["state"], _time(record.get("awaiting_since"))
    arrived = [p for p in case_posts(session, source) if p.id in set(later)]
    _fold_back(source, arrived, reach_of(session, arrived) if arrived else 0)
    before = record["target"]
    target.opened_at = _time(before["opened_at"]) or target.opened_at
    if target.state == before.get("merged_state"):
        target.state, target.resolved_at = before["state"], _time(before.get("resolved_at"))
    if target.assignee == before.get("merged_assignee") and before.get("assignee") != target.assignee:
        target.assignee = before.get("assignee")
    reread(session, target, case_posts(session, target))
    _reread_clocks(session, target)
    data = {"source": source.id, "target": target.id, "posts_returned": len(back)}
    event(session, source, UNMERGE, actor, now, f"Unmerged from case #{target.id}", **data)
    event(session, target, UNMERGE, actor, now, f"Case #{source.id} unmerged from this case", **data)
    reassess(session, [source, target], now)
    return target
