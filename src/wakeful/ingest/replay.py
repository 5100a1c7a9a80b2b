"""Replay posts from files into the desk, in timestamp order, as fast as possible or at a chosen speed-up."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime, timedelta
from pathlib import Path

from wakeful.core.models import Post
from wakeful.ingest.jsonl import RecordError, iter_file_records, parse_post
from wakeful.ingest.service import IngestResult, IngestService


def read_posts(path: Path) -> tuple[list[Post], list[RecordError], dict[int, object]]:
    """Every readable post in a JSONL/CSV file, the errors of the unreadable ones, and those records as read
    (the parsed object, or the text where it did not parse)."""
    numbered, errors, bad = read_numbered_posts(path)
    return [post for _, post in numbered], errors, bad


def read_numbered_posts(path: Path) -> tuple[list[tuple[int, Post]], list[RecordError], dict[int, object]]:
    """`read_posts` with each post's record number, so one the desk refuses later is named by its line."""
    posts: list[tuple[int, Post]] = []
    errors: list[RecordError] = []
    bad: dict[int, object] = {}
    for number, record in iter_file_records(path):
        if isinstance(record, RecordError):
            errors.append(record)
            if record.raw is not None:
                bad[number] = record.raw
            continue
        try:
            posts.append((number, parse_post(number, record)))
        except RecordError as err:
            errors.append(err)
            bad[number] = record
    return posts, errors, bad


def in_time_order(posts: Iterable[Post]) -> list[Post]:
    """Sorted by when each record was observed (an engagement update comes at its observation time)."""
    return sorted(posts, key=lambda p: p.observed_at())


def shift_to_end(posts: Sequence[Post], end: datetime) -> list[Post]:
    """The same posts moved in time so the last observation falls at `end`; the original time stays in `raw`."""
    if not posts:
        return []
    delta = end - max(p.observed_at() for p in posts)
    return [shift(p, delta) for p in posts]


def shift(post: Post, delta: timedelta) -> Post:
    """The post `delta` later, with its observation and its author's account creation: an account made 3 days
    before a click-farm burst must still look 3 days old when the burst is replayed today."""
    update: dict[str, object] = {
        "created_at": post.created_at + delta,
        "raw": {**post.raw, "original_created_at": post.raw.get("original_created_at", post.created_at.isoformat())},
    }
    if post.engagement is not None:
        update["engagement"] = post.engagement.model_copy(update={"observed_at": post.engagement.observed_at + delta})
    if post.author.created_at is not None:
        update["author"] = post.author.model_copy(update={"created_at": post.author.created_at + delta})
    return post.model_copy(update=update)


def replay(
    posts: Sequence[Post],
    service: IngestService,
    *,
    speed: float | None = None,
    batch_size: int = 200,
    sleep: Callable[[float], None] = time.sleep,
    monotonic: Callable[[], float] = time.monotonic,
    progress: Callable[[int], None] | None = None,
    numbers: Sequence[int] | None = None,
    source: str = "replay",
) -> IngestResult:
    """Feed posts in time order; with `speed` (e.g. 60 = one hour a minute) wait between them as the times say.

    Each batch is committed on its own, so an interrupted replay keeps what it stored, and running it again is
    harmless: storage is idempotent. A post the desk refuses (dated after its clock) is kept under `source` and
    named by its record number in `numbers` (e.g. its line in the file; by default its 1-based place in `posts`).
    """
    numbers = list(numbers) if numbers is not None else list(range(1, len(posts) + 1))
    if len(numbers) != len(posts):
        raise ValueError(f"{len(numbers)} record numbers for {len(posts)} posts")
    ordered = sorted(zip(numbers, posts, strict=True), key=lambda item: item[1].observed_at())  # as in_time_order
    total = IngestResult()
    if not ordered:
        return total
    t0 = ordered[0][1].observed_at()
    wall0 = monotonic()
    batch: list[tuple[int, Post]] = []

    def flush() -> None:
        if batch:
            total.merge(service.ingest([post for _, post in batch], numbers=[n for n, _ in batch], source=source))
            if progress:
                progress(len(batch))
            batch.clear()

    for number, post in ordered:
        if speed:
            due = (post.observed_at() - t0).total_seconds() / speed
            ahead = due - (monotonic() - wall0)
            if ahead > 0:
                flush()
                sleep(ahead)
        batch.append((number, post))
        if len(batch) >= batch_size:
            flush()
    flush()
    return total
