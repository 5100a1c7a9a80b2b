"""Posts their authors edit or delete after posting: one post, one case, the newest text analysed, the old kept.

Platforms deliver an edit as the same post again with a later version time (Mastodon `edited_at`, a Bluesky
`update` commit, Reddit's `edited`, an X tweet whose `edit_history_tweet_ids` starts with the original's id), in
any order and at least once. The newer version's text replaces the stored one and is analysed again; every text
the post had is kept once per version in `post_edits`, so an edit delivered twice, or before its original, ends
in the same state as edits delivered in order.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from wakeful.core.clock import as_utc
from wakeful.core.models import Analysis, Platform, Post
from wakeful.store.models import CasePostRow, CaseRow, PostEditRow, PostRow
from wakeful.store.upsert import insert_ignore


def analysis_values(analysis: Analysis) -> dict[str, Any]:
    """The columns the analysis stage writes on a post: set when it is stored, all replaced when its text changes
    or the models are run again over stored posts (`reanalyze`)."""
    return {
        "lang": analysis.lang,
        "sentiment": analysis.sentiment.value,
        "sentiment_score": analysis.sentiment_score,
        "complaint": analysis.complaint,
        "complaint_p": analysis.complaint_p,
        "question": analysis.question,
        "spam": analysis.spam,
        "severity": analysis.severity,
        "topics": analysis.topics,
        "brands": analysis.brands,
        "pii": analysis.pii,
        "signals": analysis.signals,
        "deadline_minutes": analysis.deadline_minutes,
        "legal": analysis.legal,
    }


def stored_version(row: PostRow) -> datetime:
    """When the stored text was written: its last edit, else the post's creation."""
    return as_utc(row.edited_at or row.created_at)


def is_earlier_version(post: Post, version_at: datetime, edited: bool) -> bool:
    """Whether `post` is an earlier text of a stored post whose text, written at `version_at`, is an edit (`edited`).
    A stored post never edited has no earlier text: a delivery claiming an earlier time is a plain
    repeat (or a wrong clock), never a version to keep or to move the post's creation back for."""
    return edited and post.version_at < version_at


def keep_text(session: Session, row: PostRow, text: str, version_at: datetime, now: datetime) -> bool:
    """Keep one earlier text of a post (once per version); whether it was new."""
    values = {"post_id": row.id, "version_at": version_at, "text": text, "recorded_at": now}
    return insert_ignore(session, PostEditRow, values, ["post_id", "version_at"]) is not None


def apply_edit(session: Session, row: PostRow, post: Post, analysis: Analysis, now: datetime) -> bool:
    """Make a newer version of a stored post the current one; whether its text changed.

    The analysis, raw payload and URL follow the new version, while identity, author, creation and the thread stay
    as first stored."""
    changed = post.text != row.text
    if changed:
        keep_text(session, row, row.text, stored_version(row), now)
        row.text = post.text
        for column, value in analysis_values(analysis).items():
            setattr(row, column, value)
    row.edited_at = post.version_at
    row.raw, row.url = post.raw, post.url or row.url
    row.platform_lang = post.lang or row.platform_lang
    return changed


def keep_older(session: Session, row: PostRow, post: Post, now: datetime) -> None:
    """An earlier version delivered after an edit (an X original after its edit, a replay): its text goes to the
    history, and the post is dated from its original creation (X dates an edit-first post by the edit)."""
    if post.text != row.text:
        keep_text(session, row, post.text, post.version_at, now)
    if post.created_at < as_utc(row.created_at):
        row.created_at = post.created_at


def fold_into_cases(session: Session, row: PostRow, analysis: Analysis, now: datetime) -> set[int]:
    """The cases holding an edited post take its new severity and topics (never lowering what the desk saw);
    their ids, empty when the post is in none. The SLA clock does not restart: the post is not a new one."""
    cases = list(session.scalars(
        select(CaseRow).join(CasePostRow, CasePostRow.case_id == CaseRow.id).where(CasePostRow.post_id == row.id)))
    for case in cases:
        if case.author_id == row.author_id:
            case.severity = max(case.severity, analysis.severity)
            case.topics = sorted(set(case.topics) | set(analysis.topics))
        case.updated_at = now
    return {c.id for c in cases}


def mark_deleted(session: Session, platform: Platform, deleted: Mapping[str, datetime]) -> int:
    """Mark stored posts deleted by their authors, each at its own time (post id -> when); how many were newly
    marked. Unknown ids are ignored: a platform tells every client about every delete, and a post never stored
    needs no record, so one indexed look-up finds the few that are stored before anything is written."""
    if not deleted:
        return 0
    ours = session.scalars(select(PostRow.platform_id).where(
        PostRow.platform == platform.value, PostRow.platform_id.in_(list(deleted)), PostRow.deleted_at.is_(None)))
    marked = 0
    for post_id in ours.all():
        result = session.execute(
            update(PostRow).where(PostRow.platform == platform.value, PostRow.platform_id == post_id,
                                  PostRow.deleted_at.is_(None)).values(deleted_at=deleted[post_id]))
        marked += int(getattr(result, "rowcount", 0) or 0)
    return marked
