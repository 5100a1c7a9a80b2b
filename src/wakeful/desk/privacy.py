"""Erasure on request (GDPR Art. 17): forget one person on one platform, keep what the brand's figures need.

What is erased or anonymised, and why:

- `authors` (theirs): handle and platform_id become the pseudonym `erased-<row id>`; display_name, description and
  account_created_at are cleared; followers is rounded down to its reach band's lower bound (the fairness report
  reads only the band) and following set to 0. The row stays, so their cases keep one customer and reports count
  them once.
- `posts` (theirs): text becomes "[erased at the customer's request]", raw payload {} and url none; platform_id
  becomes `erased-post-<row id>`, and every reply_to_id / conversation_id naming it (other posts, `cases`) and each
  outbound reply's in_reply_to follow, so threads still hang together inside the desk.
- `post_edits` of their posts: deleted (earlier texts, kept only for audit).
- `case_events` of their cases: the text of replies and notes is erased (a reply greets them by name and may repeat
  their details; a note is about them); who acted, when and what (state, assignment, delivery) stay. These words,
  queued replies and notifications are erased by `desk/privacy_words.py`, as retention erases them.
- Merged cases (`desk/merge.py`): their posts are erased wherever they sit now. A merged matter's replies and notes
  concern every account in it, so of a case their case was merged into, those written while their posts were in it
  (from the merge to its undoing, and on through later merges of that case) are erased too, and so are their own
  case's, which moved with the merge. Those written before the merge or after its undoing concern only the other
  account and stay: an erasure names one account, and the other customer's history is theirs. The same holds the
  other way: notes written on a case merged into theirs, before the merge, stay. A merge's undo record (the
  `merged` event's data) holds row ids, times, states and the agent assigned, nothing of the customer's, so unmerge
  still works after an erasure.
- `outbound_replies` of the replies erased: text and the platform's error (it can quote the reply) erased, customer
  post id remapped; one still pending is not sent. The state and attempts stay.
- `notifications` about their cases (and about a case holding their posts, sent while it did): snippets, texts and
  the channel's error erased; the handle anywhere in a payload is replaced.
- `rejected_records` whose payload or error names them (handle, account id or a post id of theirs, also
  JSON-escaped): the payload is erased, and so is the error, as a reply's platform error is (it can quote the
  refused post: "text: ... 'Mein Koffer ...'"); the record is set aside as 'erased'. Its source, record number and
  field stay.
- Everywhere else customers' words reach (`privacy_scrub.SCANNED`: other posts and their raw payloads, earlier
  versions, case events, notifications, risk summaries, outbound replies and their errors): mentions, links and
  ids naming them become the pseudonym, and a string wholly theirs (a quoted post, their name) is erased.
- The PII reveal audit (`case_events` of kind 'reveal') holds who looked and the post ids, never the revealed text;
  the ids are remapped. The reply-suggestion index is built from the public TWCS sample at run time, never from the
  desk's own posts, so it holds nothing of theirs.

What is kept, because it holds no personal data and reports, SLA and fairness figures read it: `cases` (times,
states, severity, topics, language, reach, assignee, the case merged into), the posts' analysis (language,
sentiment, complaint, severity, topics, brands, the kinds of personal data found, signals, legal flags) and times,
`engagement` counters, `case_posts` links, `case_risk` scores, events' times, actors and kinds, and the brand's
replies' timing.

The erasure itself is recorded in `privacy_erasures`: who asked, when, an optional reference, how many rows of each
kind, and the person only as salted hashes (`store/privacy.py`). A post by the same person arriving later is taken
in as new: their account id is no longer on record, so it opens a new author and a new case (a new consent
question for the brand; a later request erases that too).
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Collection, Sequence
from datetime import datetime
from itertools import islice
from typing import Any

from pydantic import BaseModel, Field
from sqlalchemy import and_, case, delete, func, or_, select, update
from sqlalchemy.orm import InstrumentedAttribute, Session

from wakeful.core.clock import as_utc
from wakeful.desk.fairness import BANDS
from wakeful.desk.merge import MERGED, UNMERGE
from wakeful.desk.privacy_scrub import ERASED_TEXT, Subject, chunks, scrub_rows
from wakeful.desk.privacy_search import candidates, rows_containing
from wakeful.desk.privacy_words import (
    ERASED_EVENT_KINDS,
    FREE_TEXT_KEYS,
    NOT_SENT_ERASED,
    erase_events,
    erase_payload,
    erase_replies,
)
from wakeful.store.connectors import OutboundReplyRow
from wakeful.store.db import Database
from wakeful.store.models import (
    AuthorRow,
    CaseEventRow,
    CaseRow,
    PostEditRow,
    PostRow,
    RejectedRecordRow,
    erased_fingerprint,
)
from wakeful.store.notify import NotificationRow
from wakeful.store.privacy import REQUEST, ErasureRow, new_salt, subject_hash, subject_matches

ERASED_RESOLUTION = "erased"
NOT_SENT = NOT_SENT_ERASED
Window = tuple[datetime | None, datetime | None]
"""From, until (both inclusive; None: without bound): when a case held the person's posts."""
ALWAYS: Window = (None, None)


class ErasureRefused(ValueError):
    """A request the desk will not carry out as given (no identifier, a brand's own account, a reference naming
    the person)."""


class ErasureView(BaseModel):
    """An erasure as an auditor reads it: never who it was for."""

    id: int | None = Field(description="None for a dry run: nothing was erased or recorded")
    at: datetime
    kind: str
    requested_by: str
    reference: str | None
    platform: str | None
    counts: dict[str, int]
    cutoff: datetime | None = None
    dry_run: bool = False


def view(row: ErasureRow, dry_run: bool = False) -> ErasureView:
    return ErasureView(id=None if dry_run else row.id, at=as_utc(row.at), kind=row.kind, requested_by=row.requested_by,
                       reference=row.reference, platform=row.platform, counts=dict(row.counts or {}),
                       cutoff=as_utc(row.cutoff) if row.cutoff else None, dry_run=dry_run)


def nonzero(counts: Counter[str]) -> dict[str, int]:
    """Counts as recorded: the kinds of row that changed, in name order."""
    return {kind: n for kind, n in sorted(counts.items()) if n}


def pseudonym(author: AuthorRow) -> str:
    return f"erased-{author.id}"


def band_floor(followers: int) -> int:
    """The lower bound of the reach band `followers` falls in: the band survives, the exact count does not."""
    return max((lower for lower, _ in BANDS if lower <= followers), default=0)


def find_authors(session: Session, platform: str, handle: str | None, account_id: str | None) -> list[AuthorRow]:
    """The author rows of the person (a handle may have been held by more than one account over time), locked."""
    stmt = select(AuthorRow).where(AuthorRow.platform == platform, AuthorRow.erased_at.is_(None))
    if handle is not None:
        stmt = stmt.where(func.lower(AuthorRow.handle) == handle.lstrip("@").lower())
    else:
        stmt = stmt.where(AuthorRow.platform_id == account_id)
    return list(session.scalars(stmt.order_by(AuthorRow.id).with_for_update()))


def _remap(session: Session, column: InstrumentedAttribute[str | None], platform_column: Any, platform: str,
           mapping: dict[str, str]) -> int:
    """Point every `column` holding one of the old post ids at its new id; how many rows."""
    moved = 0
    for old in chunks(list(mapping)):
        done = session.execute(update(column.class_).where(platform_column == platform, column.in_(old))
                               .values({column.key: case({o: mapping[o] for o in old}, value=column)})
                               .execution_options(synchronize_session="fetch"))
        moved += int(getattr(done, "rowcount", 0) or 0)
    return moved


def _erase_posts(session: Session, author: AuthorRow, subject: Subject, now: datetime, counts: Counter[str]) -> None:
    """The author's posts and their earlier versions; their ids remapped wherever the desk refers to them."""
    posts = list(session.scalars(select(PostRow).where(PostRow.author_id == author.id,
                                                       PostRow.erased.is_distinct_from(REQUEST))))
    ids = [p.id for p in posts]
    mapping = {p.platform_id: f"erased-post-{p.id}" for p in posts}
    for post in posts:
        subject.add_id(post.platform_id, mapping.get(post.platform_id, post.platform_id))
        subject.add_text(post.text)
    for start in range(0, len(ids), 500):
        chunk = ids[start:start + 500]
        for text in session.scalars(select(PostEditRow.text).where(PostEditRow.post_id.in_(chunk))):
            subject.add_text(text)
        gone = session.execute(delete(PostEditRow).where(PostEditRow.post_id.in_(chunk)))
        counts["post_edits"] += int(getattr(gone, "rowcount", 0) or 0)
    for post in posts:
        post.text, post.raw, post.url = ERASED_TEXT, {}, None
        post.platform_id = mapping.get(post.platform_id, post.platform_id)
        post.erased, post.erased_at = REQUEST, now
    counts["posts"] += len(posts)
    session.flush()
    _remap(session, PostRow.reply_to_id, PostRow.platform, author.platform, mapping)
    _remap(session, PostRow.conversation_id, PostRow.platform, author.platform, mapping)
    _remap(session, CaseRow.conversation_id, CaseRow.platform, author.platform, mapping)
    _remap(session, OutboundReplyRow.in_reply_to, OutboundReplyRow.platform, author.platform, mapping)


def _overlap(a: Window, b: Window) -> Window | None:
    lo = max((t for t in (a[0], b[0]) if t is not None), default=None)
    hi = min((t for t in (a[1], b[1]) if t is not None), default=None)
    return None if lo is not None and hi is not None and hi < lo else (lo, hi)


def _within(at: datetime, windows: Collection[Window]) -> bool:
    at = as_utc(at)
    return any((lo is None or lo <= at) and (hi is None or at <= hi) for lo, hi in windows)


def _merge_spans(session: Session, sources: Collection[int]) -> list[tuple[int, int, Window]]:
    """(source, target, from merge until unmerge) for each merge of these cases, undone or not."""
    spans: list[tuple[int, int, Window]] = []
    live: dict[int, tuple[int, datetime]] = {}
    for row in session.scalars(select(CaseEventRow).where(CaseEventRow.case_id.in_(list(sources)),
                                                          CaseEventRow.kind.in_((MERGED, UNMERGE)))
                               .order_by(CaseEventRow.id)):
        data = row.data or {}
        if row.kind == MERGED and isinstance(data.get("into"), int):
            live[row.case_id] = (data["into"], as_utc(row.at))
        elif row.kind == UNMERGE and data.get("source") == row.case_id and row.case_id in live:
            into, at = live.pop(row.case_id)
            spans.append((row.case_id, into, (at, as_utc(row.at))))
    spans.extend((source, into, (at, None)) for source, (into, at) in live.items())
    return spans


def _held(session: Session, own: Collection[int]) -> dict[int, set[Window]]:
    """Every case that held the person's posts, with when: their own cases always, a case one of those was merged
    into from the merge until its undoing, and so on along later merges of that case."""
    windows: dict[int, set[Window]] = {c: {ALWAYS} for c in own}
    spans: list[tuple[int, int, Window]] = []
    frontier = set(own)
    while frontier:
        found = _merge_spans(session, frontier)
        spans.extend(found)
        frontier = {into for _, into, _ in found} - set(windows)
        windows.update({c: set() for c in frontier})
    for _ in range(len(spans) + 1):
        grew = False
        for source, into, span in spans:
            for window in list(windows[source]):
                got = _overlap(window, span)
                if got is not None and got not in windows[into]:
                    windows[into].add(got)
                    grew = True
        if not grew:
            break
    return windows


def _written_on(session: Session, places: Collection[int]) -> dict[int, int]:
    """For each event moved into one of `places` by a merge in force, the case it was written on."""
    moves: list[tuple[int, int, set[int]]] = []
    for source in session.scalars(select(CaseRow.id).where(CaseRow.merged_into_id.in_(list(places)))):
        data = session.scalars(select(CaseEventRow.data).where(CaseEventRow.case_id == source,
                                                               CaseEventRow.kind == MERGED)
                               .order_by(CaseEventRow.id.desc()).limit(1)).first() or {}
        if isinstance(data.get("into"), int):
            moves.append((source, data["into"], {int(i) for i in data.get("events", [])}))
    origin: dict[int, int] = {}
    for source, _, events in moves:
        for event_id in events:
            origin.setdefault(event_id, source)
    for _ in range(len(moves)):  # a case merged into one merged on since: its events moved twice
        for event_id, at in list(origin.items()):
            earlier = [s for s, into, events in moves if into == at and event_id in events]
            if earlier:
                origin[event_id] = earlier[0]
    return origin


def _erase_cases(session: Session, author: AuthorRow, now: datetime, counts: Counter[str]) -> None:
    """The words in the author's cases and in the matters their cases were merged into: replies and notes, queued
    replies, notification snippets."""
    own = list(session.scalars(select(CaseRow.id).where(CaseRow.author_id == author.id)))
    counts["cases"] += len(own)
    if not own:
        return
    held = _held(session, own)
    origin = _written_on(session, held)
    events = [e for e in session.scalars(select(CaseEventRow).where(
        CaseEventRow.case_id.in_(list(held)), CaseEventRow.kind.in_(ERASED_EVENT_KINDS),
        CaseEventRow.text.is_not(None), CaseEventRow.text != ERASED_TEXT))
        if _within(e.at, held.get(origin.get(e.id, e.case_id), ()))]
    erased = erase_events(events, ERASED_TEXT)
    counts["case_events"] += len(erased)
    counts["outbound_replies"] += erase_replies(session, session.scalars(select(OutboundReplyRow).where(or_(
        OutboundReplyRow.event_id.in_(erased),
        and_(OutboundReplyRow.event_id.is_(None), OutboundReplyRow.case_id.in_(own))))), ERASED_TEXT, NOT_SENT)
    for row in rows_containing(session, NotificationRow, ("payload",), [f'"case_id": {i}' for i in held]):
        case_id = (row.payload or {}).get("case_id")
        if not isinstance(case_id, int) or not _within(row.created_at, held.get(case_id, ())):
            continue
        erase_payload(row, ERASED_TEXT, FREE_TEXT_KEYS)  # the handle: pseudonymised by `scrub_rows`
        counts["notifications"] += 1


def _erase_author(author: AuthorRow, now: datetime, counts: Counter[str]) -> None:
    author.handle = author.platform_id = pseudonym(author)
    author.display_name = author.description = None
    author.account_created_at = None
    author.followers, author.following = band_floor(author.followers or 0), 0
    author.erased_at = now
    counts["authors"] += 1


def _erase_rejected(session: Session, subject: Subject, now: datetime, counts: Counter[str]) -> None:
    """Refused records that name the person: their payload (most likely the person's own post) and the error about
    it, which can quote it, are erased."""
    for row in candidates(session, RejectedRecordRow, ("payload", "error"), subject):
        try:
            payload: Any = json.loads(row.payload)
        except ValueError:
            payload = row.payload
        if not subject.names(payload) and not subject.names(row.error):
            continue
        row.payload, row.error = json.dumps(ERASED_TEXT), ERASED_TEXT
        row.fingerprint = erased_fingerprint(row.id)
        if row.resolved_at is None:
            row.resolved_at, row.resolution, row.resolved_by = now, ERASED_RESOLUTION, "privacy"
        counts["rejected_records"] += 1


def forget(session: Session, platform: str, *, handle: str | None = None, account_id: str | None = None,
           requested_by: str, now: datetime, reference: str | None = None,
           brand_handles: Collection[str] = ()) -> ErasureRow:
    """Erase everything the desk holds about one person (by handle or platform account id) and record that it
    did; the caller commits, or rolls back for a dry run. See the module docstring for what goes and what stays."""
    handle = handle.strip().lstrip("@") if handle else None
    account_id = account_id.strip() if account_id else None
    if bool(handle) == bool(account_id):
        raise ErasureRefused("name the person by handle or by platform account id (one of them)")
    given = handle or account_id or ""
    if handle and handle.casefold() in {h.lstrip("@").casefold() for h in brand_handles}:
        raise ErasureRefused(f"@{handle} is one of the brands' own accounts, not a customer")
    if reference and given.casefold() in reference.casefold():
        raise ErasureRefused("the reference must not name the person: the record of an erasure keeps no identity")
    authors = find_authors(session, platform, handle, account_id)
    subject, counts = Subject(), Counter[str]()
    if handle:
        subject.add_handle(handle, "erased")
    for author in authors:
        subject.add_handle(author.handle, pseudonym(author))
        subject.add_id(author.platform_id, pseudonym(author))
        subject.add_text(author.display_name)
        subject.add_text(author.description)
    salt = new_salt()
    hashes = sorted({subject_hash(salt, platform, given)}
                    | {subject_hash(salt, platform, v) for a in authors for v in (a.handle, a.platform_id)})
    for author in authors:
        _erase_posts(session, author, subject, now, counts)
        _erase_cases(session, author, now, counts)
        _erase_author(author, now, counts)
    session.flush()
    _erase_rejected(session, subject, now, counts)
    counts["mentions"] += scrub_rows(session, subject)
    row = ErasureRow(at=now, kind=REQUEST, requested_by=requested_by[:256], reference=(reference or None) and
                     reference[:128], platform=platform, salt=salt, subject_hashes=hashes,
                     counts=nonzero(counts), cutoff=None)
    session.add(row)  # flushed by the commit: a dry run, rolled back, takes no id, so the record shows no gaps
    return row


def request_erasure(db: Database, platform: str, *, handle: str | None, account_id: str | None, requested_by: str,
                    now: datetime, reference: str | None = None, brand_handles: Collection[str] = (),
                    dry_run: bool = False) -> ErasureView:
    """`forget` in a transaction of its own: committed, or with `dry_run` rolled back after counting, so a dry run
    says exactly what the erasure would do."""
    with db.sessions() as session:
        try:
            row = forget(session, platform, handle=handle, account_id=account_id, requested_by=requested_by,
                         now=now, reference=reference, brand_handles=brand_handles)
            if dry_run:
                result = view(row, dry_run=True)
                session.rollback()
                return result
            session.commit()
        except BaseException:
            session.rollback()
            raise
    return view(row)


def erase_late_posts(session: Session, now: datetime) -> ErasureRow | None:
    """Posts stored for an erased author after their erasure (an ingest that had read the author just before it
    committed): erased the same way, and recorded. None when there were none."""
    late = list(session.scalars(select(AuthorRow).join(PostRow, PostRow.author_id == AuthorRow.id).where(
        AuthorRow.erased_at.is_not(None), PostRow.erased.is_distinct_from(REQUEST)).distinct()))
    if not late:
        return None
    counts: Counter[str] = Counter()
    for author in late:
        _erase_posts(session, author, Subject(), now, counts)
    row = ErasureRow(at=now, kind=REQUEST, requested_by="privacy: posts stored after their author's erasure",
                     reference=None, platform=None, salt=None, subject_hashes=[], counts=nonzero(counts),
                     cutoff=None)
    session.add(row)
    session.flush()
    return row


def erasures(session: Session, platform: str | None = None, identifier: str | None = None,
             limit: int = 200) -> Sequence[ErasureRow]:
    """The record of erasures, newest first; with `platform` and `identifier` (a handle or account id), only
    those that were for that person."""
    newest = select(ErasureRow).order_by(ErasureRow.at.desc(), ErasureRow.id.desc())
    if platform is not None and identifier is not None:  # the person is known only by salted hashes: read on
        rows = session.scalars(newest.where(ErasureRow.platform == platform, ErasureRow.salt.is_not(None)))
        return list(islice((r for r in rows if subject_matches(r, platform, identifier)), limit))
    return list(session.scalars(newest.limit(limit)))
