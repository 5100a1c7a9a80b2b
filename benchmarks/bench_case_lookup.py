"""Ingest on a desk that has opened many cases, with and without the index on (platform, conversation_id).

Every new post looks up the cases of its thread (`desk.cases.attach_post`, and `cases_joined` for a whole batch
before it locks): without an index that reads every case ever opened, once per post, so ingest slowed as the desk
aged. The desk holds `--cases` cases (default 100,000), each with its customer and thread; the same batches of new
posts (replies in old threads and new complaints, `--posts` in all) are ingested into two copies of it, one without
the index (dropped: the schema before migration 0021) and one with it, alternating, `--repeat` times (new posts and
customers each time); medians.
On SQLite, and on PostgreSQL where its server is installed.
Run: `.venv/bin/python benchmarks/bench_case_lookup.py [--cases N] [--posts N] [--repeat R]`.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import insert, select, text

from wakeful.analyze import Analyzer
from wakeful.core.clock import FixedClock
from wakeful.core.models import Author, Platform, Post
from wakeful.core.settings import Settings
from wakeful.ingest.service import IngestService
from wakeful.store.db import Database, migrate
from wakeful.store.models import AuthorRow, CaseRow

from tests.pg import PostgresServer, find_pg_bindir

T0 = datetime(2026, 1, 5, 9, tzinfo=UTC)
TEXTS = ["@AuroraAirways you lost my bag on AU {n}, nobody answers!",
         "@AuroraAirways flight AU {n} delayed four hours and no information at the gate",
         "@AuroraAirways still waiting for the refund of booking {n}, third time I ask"]


def _fill(url: str, cases: int) -> None:
    """`cases` old cases, one customer and one thread each, written in bulk."""
    migrate(url)
    db = Database(url)
    old = T0 - timedelta(days=400)
    with db.session() as s:
        s.execute(insert(AuthorRow), [{"platform": "x", "platform_id": f"u{i}", "handle": f"cust{i}",
                                       "followers": 100, "updated_at": old} for i in range(cases)])
        ids = {pid: row_id for pid, row_id in s.execute(select(AuthorRow.platform_id, AuthorRow.id))}
        s.execute(insert(CaseRow), [{"brand": "aurora", "platform": "x", "author_id": ids[f"u{i}"],
                                     "conversation_id": f"t{i}", "state": "resolved", "opened_at": old,
                                     "last_post_at": old, "resolved_at": old, "updated_at": old}
                                    for i in range(cases)])
    db.dispose()


def _batches(cases: int, posts: int, tag: str, size: int = 50) -> list[list[Post]]:
    """Replies in old threads (every other post) and new customers' complaints; `tag` makes each repeat's posts and
    customers new (the desk grows by them, little beside its cases)."""
    out: list[Post] = []
    for n in range(posts):
        thread = f"t{(n * 7919) % cases}" if n % 2 == 0 else None
        out.append(Post(platform=Platform.X, id=f"{tag}new{n}", text=TEXTS[n % 3].format(n=n),
                        created_at=T0 + timedelta(seconds=n),
                        author=Author(id=f"{tag}n{n}", handle=f"{tag}cust{n}", followers=200),
                        reply_to_id=thread, conversation_id=thread))
    return [out[i:i + size] for i in range(0, len(out), size)]


def _run(url: str, batches: list[list[Post]], analyzer: Analyzer) -> float:
    db = Database(url)
    service = IngestService(db, analyzer, Settings(database_url=url), FixedClock(T0 + timedelta(days=1)))
    start = time.perf_counter()
    for batch in batches:
        service.ingest(batch)
    seconds = time.perf_counter() - start
    db.dispose()
    return seconds


def _compare(name: str, urls: tuple[str, str], args: argparse.Namespace, analyzer: Analyzer) -> None:
    without, with_index = urls
    for url in urls:
        _fill(url, args.cases)
    db = Database(without)
    with db.session() as s:
        s.execute(text("DROP INDEX ix_cases_conversation"))
    db.dispose()
    times: dict[str, list[float]] = {"without index": [], "with index": []}
    for r in range(args.repeat):
        batches = _batches(args.cases, args.posts, f"r{r}")
        times["without index"].append(_run(without, batches, analyzer))
        times["with index"].append(_run(with_index, batches, analyzer))
    base = statistics.median(times["without index"])
    for label, seconds in times.items():
        median = statistics.median(seconds)
        print(f"| {name} | {label} | {args.posts / median:,.0f} | {median / base:.2f}x |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--posts", type=int, default=500)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    analyzer = Analyzer(Settings().brands)
    analyzer.analyze_many(_batches(10, 10, "warm")[0])  # build the models before timing
    print(f"{args.cases:,} stored cases, {args.posts} new posts in batches of 50, medians of {args.repeat}\n")
    print("| database | schema | posts/s | time vs without |")
    print("|---|---|---:|---:|")
    with tempfile.TemporaryDirectory() as tmp:
        _compare("SQLite", (f"sqlite:///{tmp}/a.db", f"sqlite:///{tmp}/b.db"), args, analyzer)
    bindir = find_pg_bindir()
    if bindir is None:
        print("PostgreSQL not installed: run `make system-deps` for its figures", file=sys.stderr)
        return
    with PostgresServer(bindir) as pg:
        _compare("PostgreSQL", (pg.create_database("without"), pg.create_database("with")), args, analyzer)


if __name__ == "__main__":
    main()
