"""Read stored posts again with today's models and rules.

A post is analysed when it is stored (and again when its author edits it), and the reading is kept on the row. A
retrained model, a wider personal-data detector or a brand's new handles therefore leave the posts stored before
with the old reading: flags, filters, reports and the queue's severity go on reading it. `reanalyze` brings them
up to date in batches of posts, one transaction per batch, so an interrupted run keeps what it finished and a rerun
only rewrites what still differs. Open cases take their posts' new severity and topics; resolved cases keep what
the desk saw when it closed them.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy import select
from sqlalchemy.orm import defer, lazyload

from wakeful.core.models import Analysis
from wakeful.desk.cases import refresh_open_cases
from wakeful.ingest.edits import analysis_values
from wakeful.store.db import Database
from wakeful.store.models import PostRow

SCORE_TOLERANCE = 1e-6  # a float read back from the database is the same score within this


class TextAnalyzer(Protocol):
    def analyze_texts(self, texts: Sequence[str], tags: Sequence[str | None]) -> list[Analysis]: ...


@dataclass
class Reanalysis:
    """What a run read and changed: posts, the count of posts whose each column changed, and open cases."""

    read: int = 0
    changed: int = 0
    columns: Counter[str] = field(default_factory=Counter)
    cases: int = 0


def _same(old: Any, new: Any) -> bool:
    if isinstance(old, float) and isinstance(new, float):
        return abs(old - new) <= SCORE_TOLERANCE
    return bool(old == new)


def reanalyze(db: Database, analyzer: TextAnalyzer, now: datetime, *, since: datetime | None = None,
              batch: int = 1000, dry_run: bool = False, progress: Callable[[int], None] | None = None) -> Reanalysis:
    """Analyse the stored posts (those created at or after `since`, if given) again and write what differs; with
    `dry_run`, only count it. `progress` is told how many posts each batch read."""
    if batch < 1:
        raise ValueError(f"batch must be at least 1, not {batch}")
    result = Reanalysis()
    last_id = 0
    while True:
        with db.session() as session:
            stmt = (select(PostRow).options(defer(PostRow.raw), lazyload(PostRow.author)).where(PostRow.id > last_id)
                    .where(PostRow.erased.is_(None))  # an erased text is no reading of what the customer wrote
                    .with_for_update(of=PostRow))  # an edit ingested meanwhile waits, not overwritten
            if since is not None:
                stmt = stmt.where(PostRow.created_at >= since)
            rows = session.scalars(stmt.order_by(PostRow.id).limit(batch)).all()
            if not rows:
                return result
            analyses = analyzer.analyze_texts([r.text for r in rows], [r.platform_lang for r in rows])
            moved: list[int] = []  # posts whose severity or topics changed, which cases read
            for row, analysis in zip(rows, analyses, strict=True):
                values = analysis_values(analysis)
                differ = [name for name, value in values.items() if not _same(getattr(row, name), value)]
                if not differ:
                    continue
                result.changed += 1
                result.columns.update(differ)
                if dry_run:
                    continue
                for name in differ:
                    setattr(row, name, values[name])
                if "severity" in differ or "topics" in differ:
                    moved.append(row.id)
            if moved:
                session.flush()
                result.cases += refresh_open_cases(session, moved, now)
            result.read += len(rows)
            last_id = rows[-1].id
        if progress is not None:
            progress(len(rows))
