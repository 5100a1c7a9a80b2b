"""One erasure request on a large desk (SQLite), beside a plain full scan of the same posts from the same run.

An erasure looks for the person in every other post's text and raw payload (`desk/privacy_scrub.py`): for each of
their handles, account ids and post ids (the needles), since no index can serve a substring search. Up to
`LIKE_AT_MOST` needles that is one LIKE each over every row; above it, one pass reads each row once and matches all
the needles with one pattern. Before, it was always one LIKE per needle (100 to a statement), so the search grew
with the person's post count. The desk holds `--posts` posts (default 100,000) from 5,000 customers, X-shaped raw
payloads with them, a case per customer with a reply and a note, and a notification per case; the person wrote
`--theirs` posts (default 5) and is named by a few others. Timed, `--repeat` times each, medians: `full scan` (one
`count(*)` with one LIKE over the posts' text, the cheapest read of every row: the floor any substring search sits
above), the search of the posts for the person before (a LIKE per needle) and now, the one pass alone whatever the
needle count, and the whole erasure as a dry run (all of its work, then rolled back, so each repeat starts from the
same desk) with the search as before and as now.
Run: `.venv/bin/python benchmarks/bench_privacy.py [--posts N] [--theirs N] [--repeat R]`.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager, nullcontext
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import insert, select, text
from sqlalchemy.orm import Session

from wakeful.desk import privacy, privacy_scrub
from wakeful.desk.privacy_scrub import Subject, chunks, containing, rows_containing
from wakeful.store.db import Database, migrate
from wakeful.store.models import AuthorRow, Base, CaseEventRow, CaseRow, PostRow
from wakeful.store.notify import NotificationRow

NOW = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
CUSTOMERS = 5_000
HANDLE, ACCOUNT = "jane_doe99", "1612345678901234567"
TEXTS = [
    "@AuroraAirways you lost my bag on AU {n}, still no answer. Where is my suitcase?",
    "@AuroraAirways flight AU {n} delayed four hours and nobody tells us anything",
    "@AuroraAirways mein Koffer von Flug AU {n} ist verschwunden und niemand antwortet mir!",
    "@AuroraAirways vol AU {n} annulé, aucune information, c'est inadmissible",
]


def _raw(pid: str, account: str, handle: str, body: str) -> dict[str, object]:
    return {"data": {"id": pid, "author_id": account, "text": body, "lang": "en",
                     "public_metrics": {"like_count": 1, "retweet_count": 0}},
            "includes": {"users": [{"id": account, "username": handle, "name": handle.title()}]}}


def fill(db: Database, posts: int, theirs: int) -> None:
    """`posts` posts from CUSTOMERS customers, `theirs` of them the person's, and a few others naming them."""
    common = {"sentiment": "negative", "sentiment_score": -0.5, "complaint": True, "complaint_p": 0.9, "severity": 1,
              "topics": ["lost_luggage"], "brands": ["aurora"], "pii": [], "ingested_at": NOW}
    with db.session() as s:
        s.execute(insert(AuthorRow), [
            {"platform": "x", "platform_id": ACCOUNT if i == 0 else f"9{i:018d}", "handle": HANDLE if i == 0 else
             f"customer_{i}", "followers": 100 + i, "following": 50, "updated_at": NOW} for i in range(CUSTOMERS)])
        authors = {a: i for a, i in s.execute(select(AuthorRow.platform_id, AuthorRow.id))}
        handles = {a: h for a, h in s.execute(select(AuthorRow.platform_id, AuthorRow.handle))}
        rows = []
        for n in range(posts):
            account = ACCOUNT if n < theirs else f"9{n % (CUSTOMERS - 1) + 1:018d}"
            body = TEXTS[n % len(TEXTS)].format(n=100 + n % 900)
            if theirs <= n < theirs + 3:
                body += f" thanks to {HANDLE} for the tip, @{HANDLE} was right"
            pid = f"17{n:017d}"
            rows.append({**common, "platform": "x", "platform_id": pid, "author_id": authors[account], "text": body,
                         "created_at": NOW - timedelta(minutes=posts - n), "url": f"https://x.com/i/status/{pid}",
                         "raw": _raw(pid, account, handles[account], body)})
        for start in range(0, len(rows), 5_000):
            s.execute(insert(PostRow), rows[start:start + 5_000])
        s.execute(insert(CaseRow), [
            {"brand": "aurora", "platform": "x", "author_id": a, "state": "resolved", "opened_at": NOW,
             "last_post_at": NOW, "updated_at": NOW, "resolved_at": NOW, "severity": 1, "topics": ["lost_luggage"],
             "lang": "en", "reach": 100} for a in authors.values()])
        cases = {a: c for a, c in s.execute(select(CaseRow.author_id, CaseRow.id))}
        s.execute(insert(CaseEventRow), [
            {"case_id": c, "at": NOW, "kind": kind, "actor": "ana", "text": words, "data": {}}
            for c in cases.values() for kind, words in (("reply", "Sorry, we are tracing your bag."),
                                                         ("note", "Called back, tag MUC 480215"))])
        s.execute(insert(NotificationRow), [
            {"channel": "ops", "event": "case.risk", "payload": {"case_id": c, "brand": "aurora", "handle": "x",
                                                                 "score": 50.0}, "status": "delivered",
             "attempts": 1, "created_at": NOW} for c in cases.values()])


def median_s(fn: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def like_each(session: Session, model: type[Base], columns: Iterable[str], needles: list[str]) -> list[Any]:
    """The search as it was before (1778225): one LIKE per needle over every row, a hundred to a statement."""
    primary = model.__mapper__.primary_key[0]
    attrs = [getattr(model, c) for c in columns]
    keys: set[Any] = set()
    for chunk in chunks(needles, 100):
        keys.update(session.scalars(select(primary).where(containing(attrs, chunk, "sqlite"))))
    return list(session.scalars(select(model).where(primary.in_(sorted(keys))))) if keys else []


@contextmanager
def searching_as_before() -> Iterator[None]:
    saved = privacy_scrub.rows_containing
    privacy_scrub.rows_containing = privacy.rows_containing = like_each
    try:
        yield
    finally:
        privacy_scrub.rows_containing = privacy.rows_containing = saved


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--posts", type=int, default=100_000)
    parser.add_argument("--theirs", type=int, default=5)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{tmp}/bench.db"
        migrate(url)
        db = Database(url)
        try:
            fill(db, args.posts, args.theirs)
            needles = _subject(db).needles()

            def scan(sql: str) -> Callable[[], object]:
                def run() -> object:
                    with db.engine.connect() as conn:
                        return conn.execute(text(sql)).scalar()
                return run

            def erase(before: bool = False) -> Callable[[], privacy.ErasureView]:
                def run() -> privacy.ErasureView:
                    with searching_as_before() if before else nullcontext():
                        return privacy.request_erasure(db, "x", handle=HANDLE, account_id=None, requested_by="bench",
                                                       now=NOW, dry_run=True)
                return run

            def search(how: Callable[[Session, type[Base], Iterable[str], list[str]], list[Any]],
                       ) -> Callable[[], object]:
                """The erasure's search of the posts for the person."""
                def run() -> object:
                    with db.session() as session:
                        return sorted(p.id for p in how(session, PostRow, ("text", "raw"), needles))
                return run

            def one_pass(session: Session, model: type[Base], columns: Iterable[str], needles: list[str]) -> list[Any]:
                saved = privacy_scrub.LIKE_AT_MOST
                privacy_scrub.LIKE_AT_MOST = {}
                try:
                    return rows_containing(session, model, columns, needles)
                finally:
                    privacy_scrub.LIKE_AT_MOST = saved

            done, before = erase()(), erase(before=True)()
            assert done.counts == before.counts, (done.counts, before.counts)
            assert done.counts["posts"] == args.theirs and done.counts["mentions"] >= 3, done.counts
            assert search(like_each)() == search(rows_containing)() == search(one_pass)()
            runs = {
                "full scan (count, one LIKE over text)": scan(
                    "SELECT count(*) FROM posts WHERE text LIKE '%jane_doe99%'"),
                "search of the posts, before: a LIKE per needle": search(like_each),
                "search of the posts, now": search(rows_containing),
                "the one pass alone": search(one_pass),
                "the whole erasure (dry run), before": erase(before=True),
                "the whole erasure (dry run), now": erase(),
            }
            times = {name: median_s(fn, args.repeat) for name, fn in runs.items()}
        finally:
            db.dispose()
    floor = next(iter(times.values()))
    print(f"SQLite, {args.posts:,} posts, {CUSTOMERS:,} cases, the person's posts: {args.theirs} "
          f"({len(needles)} needles; LIKE up to {privacy_scrub.LIKE_AT_MOST['sqlite']}); medians of {args.repeat}")
    print("| run | s | x full scan |\n|---|---|---|")
    for name, secs in times.items():
        print(f"| {name} | {secs:.3f} | {secs / floor:.1f} |")
    for what, (was, now) in {"the search": ("search of the posts, before: a LIKE per needle",
                                            "search of the posts, now"),
                             "the whole erasure": ("the whole erasure (dry run), before",
                                                   "the whole erasure (dry run), now")}.items():
        print(f"{what}: now / before = {times[now] / times[was]:.2f}")
    print(f"counts: {done.counts}")


def _subject(db: Database) -> Subject:
    """The person as the erasure looks for them: handle, account id and post ids."""
    subject = Subject()
    subject.add_handle(HANDLE, "erased")
    subject.add_id(ACCOUNT, "erased")
    with db.session() as session:
        for pid in session.scalars(select(PostRow.platform_id).join(AuthorRow).where(AuthorRow.handle == HANDLE)):
            subject.add_id(pid, "erased-post")
    return subject


if __name__ == "__main__":
    main()
