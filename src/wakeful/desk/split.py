"""Splitting a case: an agent picks two matters apart, and the customer's posts about the other one move to a new
case of their own.

The new case gets its own clocks from its first moved post: opened then, waiting since its first moved post that
is not spam, with no first response yet (a reply on the old case answered the old matter), and the old case's
assignee, who was handling those posts. The old case keeps its opening and first response; its severity, topics,
reach and last post are read again from the posts it keeps, and it waits only for its own posts that were waiting
before. So a split never hides a wait: an unanswered post keeps waiting, in whichever case it is now. Only the
customer's own posts move (replies by others and the brand's stay with the thread, and so do the desk's notes and
replies), one customer account at a time, and at least one of the customer's posts stays. A split is undone by
merging the new case back.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import update
from sqlalchemy.orm import Session

from wakeful.core.clock import as_utc
from wakeful.desk.cases import CaseState, customer_ids, lock_cases
from wakeful.desk.merge import SPLIT, CorrectionConflict, case_posts, event, reach_of, reassess, reread
from wakeful.store.models import CasePostRow, CaseRow, PostRow


def _chosen(session: Session, case: CaseRow, post_ids: Sequence[str]) -> tuple[list[PostRow], list[PostRow]]:
    """The posts named (platform ids, as the timeline shows them) and the case's posts; ValueError naming any that
    cannot move."""
    posts = case_posts(session, case)
    by_id: dict[str, list[PostRow]] = defaultdict(list)
    for p in posts:
        by_id[p.platform_id].append(p)
    wanted = list(dict.fromkeys(post_ids))
    if not wanted:
        raise ValueError("post_ids: name at least one of the customer's posts")
    unknown = [i for i in wanted if i not in by_id]
    if unknown:
        raise ValueError(f"post_ids: not posts of case {case.id}: {', '.join(unknown)}")
    ambiguous = [i for i in wanted if len(by_id[i]) > 1]
    if ambiguous:
        raise ValueError(f"post_ids: {', '.join(ambiguous)} names posts on two platforms in this case")
    chosen = [by_id[i][0] for i in wanted]
    customers = customer_ids(session, case)
    others = [p.platform_id for p in chosen if p.author_id not in customers]
    if others:
        raise ValueError(f"post_ids: only the customer's own posts can be split off; {', '.join(others)} "
                         "are others' posts in the thread")
    if len({p.author_id for p in chosen}) > 1:
        raise ValueError("post_ids: split the posts of one customer account at a time")
    if all(p in chosen for p in posts if p.author_id in customers):
        raise ValueError("post_ids: leave at least one of the customer's posts in the case (to move them all, "
                         "merge the case instead)")
    return sorted(chosen, key=lambda p: (as_utc(p.created_at), p.id)), posts


def split(session: Session, case: CaseRow, post_ids: Sequence[str], actor: str, now: datetime) -> CaseRow:
    """Move the customer's posts `post_ids` to a new case; the new case. ValueError for posts that cannot move,
    CorrectionConflict for a case merged into another.

    The case's row is locked first and the case and its posts read under the lock: a merge of the case committed
    meanwhile would have taken the posts, and the split would open an empty case that waits in the queue; a second
    split at once could take the customer's last post."""
    lock_cases(session, [case.id])
    if case.merged_into_id is not None:
        raise CorrectionConflict(f"case {case.id} was merged into case {case.merged_into_id}: split that one")
    chosen, posts = _chosen(session, case, post_ids)
    first = chosen[0]
    waiting = [as_utc(p.created_at) for p in chosen if not p.spam]
    own_thread = first.conversation_id and first.conversation_id != case.conversation_id
    new = CaseRow(
        brand=case.brand, platform=first.platform, author_id=first.author_id,
        conversation_id=first.conversation_id if own_thread else first.platform_id,
        state=CaseState.OPEN.value if case.assignee else CaseState.NEW.value,
        lang=first.lang, topics=sorted({t for p in chosen for t in p.topics or []}),
        severity=max(p.severity for p in chosen), reach=reach_of(session, chosen),
        promoted=any(p.promoted for p in chosen), assignee=case.assignee,
        opened_at=as_utc(first.created_at), last_post_at=max(as_utc(p.created_at) for p in chosen),
        awaiting_since=min(waiting, default=None), first_response_at=None, resolved_at=None, updated_at=now,
    )
    session.add(new)
    session.flush()
    moved = {p.id for p in chosen}
    session.execute(update(CasePostRow).where(CasePostRow.case_id == case.id, CasePostRow.post_id.in_(moved))
                    .values(case_id=new.id))
    kept = [p for p in posts if p.id not in moved]
    reread(session, case, kept)
    if case.awaiting_since is not None:  # still waiting: its own posts that were waiting before, if any stayed
        since = as_utc(case.awaiting_since)
        customers = customer_ids(session, case)
        case.awaiting_since = min((as_utc(p.created_at) for p in kept if p.author_id in customers and not p.spam
                                   and as_utc(p.created_at) >= since), default=None)
    shown = [p.platform_id for p in chosen]
    event(session, case, SPLIT, actor, now, f"Split {len(shown)} post(s) off into case #{new.id}",
          source=case.id, into=new.id, posts=shown)
    event(session, new, SPLIT, actor, now, f"Split off from case #{case.id}", source=case.id, into=new.id,
          posts=shown)
    reassess(session, [case, new], now)
    return new
