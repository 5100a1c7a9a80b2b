"""Ingest throughput from replay into the store, on SQLite and PostgreSQL, beside baselines from the same run.

Baselines: `analyze only` (the analysis stage alone, no database) and `bulk insert` (the same post rows written
with one executemany, no idempotency, no cases): the floor and the ceiling the full path sits between.
Run: `.venv/bin/python benchmarks/run.py [--posts N]`. Prints a Markdown table; ratios matter, not seconds.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import insert

from wakeful.analyze import Analyzer
from wakeful.core.clock import SystemClock
from wakeful.core.models import Post
from wakeful.core.settings import Settings
from wakeful.ingest.replay import replay
from wakeful.ingest.scenario import generate_scenario
from wakeful.ingest.service import IngestService
from wakeful.store.db import Database, migrate
from wakeful.store.models import AuthorRow, PostRow

from tests.pg import PostgresServer, find_pg_bindir


def timed(fn: Callable[[], object]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def full_ingest(url: str, posts: list[Post], analyzer: Analyzer) -> float:
    migrate(url)
    db = Database(url)
    service = IngestService(db, analyzer, Settings(database_url=url), SystemClock())
    try:
        return timed(lambda: replay(posts, service))
    finally:
        db.dispose()


def bulk_insert(url: str, posts: list[Post]) -> float:
    migrate(url)
    db = Database(url)
    now = datetime.now(UTC)
    unique = list({p.key: p for p in posts}.values())
    authors = {(p.platform.value, p.author.id): p.author for p in unique}

    def run() -> None:
        with db.session() as s:
            s.execute(insert(AuthorRow), [
                {"platform": k[0], "platform_id": k[1], "handle": a.handle, "followers": a.followers,
                 "following": a.following, "verified": a.verified, "default_profile": a.default_profile,
                 "updated_at": now} for k, a in authors.items()])
            ids = {(r.platform, r.platform_id): r.id for r in s.query(AuthorRow)}
            s.execute(insert(PostRow), [
                {"platform": p.platform.value, "platform_id": p.id, "author_id": ids[(p.platform.value, p.author.id)],
                 "text": p.text, "created_at": p.created_at, "ingested_at": now, "raw": p.raw, "sentiment": "neutral",
                 "sentiment_score": 0.0, "complaint": False, "complaint_p": 0.0, "severity": 0, "topics": [],
                 "brands": [], "pii": []} for p in unique])

    try:
        return timed(run)
    finally:
        db.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--posts", type=int, default=0, help="Use only the first N scenario records (0 = all)")
    args = parser.parse_args()
    posts = generate_scenario(seed=7)
    if args.posts:
        posts = posts[: args.posts]
    analyzer = Analyzer(Settings().brands)
    analyzer.analyze_many(posts[:50])  # build the language models before timing
    n = len(posts)
    rows: list[tuple[str, str, float]] = []
    rows.append(("analyze only", "-", timed(lambda: analyzer.analyze_many(posts))))
    with tempfile.TemporaryDirectory() as tmp:
        rows.append(("full ingest", "SQLite", full_ingest(f"sqlite:///{tmp}/full.db", posts, analyzer)))
        rows.append(("bulk insert", "SQLite", bulk_insert(f"sqlite:///{tmp}/bulk.db", posts)))
    bindir = find_pg_bindir()
    if bindir is not None:
        with PostgresServer(bindir) as pg:
            rows.append(("full ingest", "PostgreSQL", full_ingest(pg.create_database("bench_full"), posts, analyzer)))
            rows.append(("bulk insert", "PostgreSQL", bulk_insert(pg.create_database("bench_bulk"), posts)))
    else:
        print("PostgreSQL not installed: run `make system-deps` for its figures", file=sys.stderr)
    analyze_rate = n / rows[0][2]
    print(f"{n} scenario records (posts and engagement updates), one process\n")
    print("| path | database | posts/s | vs analyze-only |")
    print("|---|---|---:|---:|")
    for name, db, seconds in rows:
        rate = n / seconds
        print(f"| {name} | {db} | {rate:,.0f} | {rate / analyze_rate:.2f} |")


if __name__ == "__main__":
    main()
