"""One erasure request on a large desk, on SQLite and PostgreSQL, beside a plain full scan of the same posts.

An erasure looks for the person in every other post's text and raw payload (`desk/privacy_search.py`): for each of
their handles, account ids and post ids (the needles), since no index can serve a substring search. Up to
`LIKE_AT_MOST` needles that is one LIKE each over every row. Above it, on SQLite one pass reads each row once and
matches all the needles with one pattern. On PostgreSQL, before (35c550d), past 4 needles the same pass read every
row into the process; now the database matches them: one regular expression up to `REGEX_AT_MOST` needles, beyond
that a lookup of each row's words in the needles by hash, and only the rows found are sent back.
The desk holds `--posts` posts (default 100,000) from 5,000 customers, X-shaped raw payloads with them, a case per
customer with a reply and a note, and a notification per case; the person wrote `--theirs` posts (default 5), with
ids spread out as a platform's are, and is named by a few others. Timed, `--repeat` times each, medians: `full
scan` (one `count(*)` with one LIKE over the posts' text: the floor any substring search sits above), the search
of the posts before and now, and the whole erasure as a dry run (all of its work, then rolled back, so each repeat
starts from the same desk) with the search as before and as now. On PostgreSQL also the rows the search sends to
the process, and one regular expression (`~*`, the needles as an escaped trie) for all the needles, once, cut off
after `--regex-limit` seconds: the alternative the word lookup was chosen over.
Run: `.venv/bin/python benchmarks/bench_privacy.py [--posts N] [--theirs N] [--repeat R] [--database D]`.
"""

from __future__ import annotations

import argparse
import random
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

from sqlalchemy import Text, cast, event, insert, or_, select, text
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from wakeful.desk import privacy, privacy_scrub, privacy_search
from wakeful.desk.privacy_scrub import Subject
from wakeful.desk.privacy_search import (
    LIKE_AT_MOST,
    REGEX_AT_MOST,
    _load,
    _one_pass,
    alternation,
    candidates,
    containing,
)
from wakeful.store.db import Database, migrate
from wakeful.store.models import AuthorRow, Base, CaseEventRow, CaseRow, PostRow
from wakeful.store.notify import NotificationRow

from tests.pg import PostgresServer, find_pg_bindir

NOW = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
CUSTOMERS = 5_000
HANDLE, ACCOUNT = "jane_doe99", "1612345678901234567"
TEXTS = [
    "@AuroraAirways you lost my bag on AU {n}, still no answer. Where is my suitcase?",
    "@AuroraAirways flight AU {n} delayed four hours and nobody tells us anything",
    "@AuroraAirways mein Koffer von Flug AU {n} ist verschwunden und niemand antwortet mir!",
    "@AuroraAirways vol AU {n} annulé, aucune information, c'est inadmissible",
]
Search = Callable[[Session, type[Base], Iterable[str], Subject], list[Any]]


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
        spread = random.Random(7)
        theirs_ids = sorted({f"17{spread.randrange(10**16, 10**17):017d}" for _ in range(theirs * 2)})[:theirs]
        for n in range(posts):
            account = ACCOUNT if n < theirs else f"9{n % (CUSTOMERS - 1) + 1:018d}"
            body = TEXTS[n % len(TEXTS)].format(n=100 + n % 900)
            if theirs <= n < theirs + 3:
                body += f" thanks to {HANDLE} for the tip, @{HANDLE} was right"
            pid = theirs_ids[n] if n < theirs else f"17{n:017d}"
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


BEFORE_LIKE_AT_MOST = {"sqlite": 24, "postgresql": 4}
"""`LIKE_AT_MOST` as it was (35c550d)."""


def as_before(session: Session, model: type[Base], columns: Iterable[str], subject: Subject) -> list[Any]:
    """The search as it was (35c550d): a LIKE (ILIKE) per needle up to BEFORE_LIKE_AT_MOST; past it, one pass
    reading every row into the process, on PostgreSQL too."""
    needles = subject.needles()
    dialect = session.get_bind().dialect.name
    primary = model.__mapper__.primary_key[0]
    attrs = [getattr(model, c) for c in columns]
    if len(needles) <= BEFORE_LIKE_AT_MOST[dialect]:
        keys = session.scalars(select(primary).where(containing(attrs, needles, dialect))).all()
    else:
        keys = _one_pass(session, primary, attrs, needles)
    return _load(session, model, primary, keys)


def one_regex(session: Session, model: type[Base], columns: Iterable[str], subject: Subject) -> list[Any]:
    """PostgreSQL: one `~*` over the needles as an escaped trie, for every needle."""
    pattern = alternation(subject.needles())
    primary = model.__mapper__.primary_key[0]
    return list(session.scalars(select(primary).where(or_(*(cast(getattr(model, c), Text).op("~*")(pattern)
                                                            for c in columns)))))


@contextmanager
def searching(how: Search) -> Iterator[None]:
    saved = privacy_search.candidates
    privacy_scrub.candidates = privacy.candidates = how  # type: ignore[assignment]
    try:
        yield
    finally:
        privacy_scrub.candidates = privacy.candidates = saved  # type: ignore[assignment]


def rows_read(db: Database, fn: Callable[[], object]) -> int:
    """How many rows the SELECTs `fn` sent returned (PostgreSQL's cursor counts them)."""
    seen: list[int] = []

    def count(conn: Any, cursor: Any, statement: str, *rest: Any) -> None:
        if statement.lstrip().upper().startswith("SELECT"):
            seen.append(max(cursor.rowcount, 0))

    event.listen(db.engine, "after_cursor_execute", count)
    try:
        fn()
    finally:
        event.remove(db.engine, "after_cursor_execute", count)
    return sum(seen)


def bench(url: str, args: argparse.Namespace) -> None:
    migrate(url)
    db = Database(url)
    try:
        fill(db, args.posts, args.theirs)
        dialect = db.engine.dialect.name
        if dialect == "postgresql":
            with db.engine.connect() as conn:
                conn.execute(text("ANALYZE"))
                conn.commit()
        subject = _subject(db)

        def scan(sql: str) -> Callable[[], object]:
            def run() -> object:
                with db.engine.connect() as conn:
                    return conn.execute(text(sql)).scalar()
            return run

        def erase(before: bool = False) -> Callable[[], privacy.ErasureView]:
            def run() -> privacy.ErasureView:
                with searching(as_before) if before else nullcontext():
                    return privacy.request_erasure(db, "x", handle=HANDLE, account_id=None, requested_by="bench",
                                                   now=NOW, dry_run=True)
            return run

        def search(how: Search) -> Callable[[], list[int]]:
            """The erasure's search of the posts for the person: the rows' ids."""
            def run() -> list[int]:
                with db.session() as session:
                    return sorted(p if isinstance(p, int) else p.id
                                  for p in how(session, PostRow, ("text", "raw"), subject))
            return run

        done, before = erase()(), erase(before=True)()
        assert done.counts == before.counts, (done.counts, before.counts)
        assert done.counts["posts"] == args.theirs and done.counts["mentions"] >= 3, done.counts
        now_found, before_found = search(candidates)(), search(as_before)()
        assert set(now_found) <= set(before_found) and len(now_found) >= 3, (len(now_found), len(before_found))
        runs = {
            "full scan (count, one LIKE over text)": scan("SELECT count(*) FROM posts WHERE text LIKE '%jane_doe99%'"),
            "search of the posts, before (35c550d)": search(as_before),
            "search of the posts, now": search(candidates),
            "the whole erasure (dry run), before": erase(before=True),
            "the whole erasure (dry run), now": erase(),
        }
        times = {name: median_s(fn, args.repeat) for name, fn in runs.items()}
        shipped = {}
        if dialect == "postgresql":
            shipped = {"before": rows_read(db, search(as_before)), "now": rows_read(db, search(candidates))}
            times["one regular expression for every needle (once)"] = regex_s(db, search(one_regex),
                                                                              args.regex_limit)
    finally:
        db.dispose()
    needles = subject.needles()
    name = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}[dialect]
    print(f"\n{name}, {args.posts:,} posts, {CUSTOMERS:,} cases, the person's posts: {args.theirs} "
          f"({len(needles)} needles; LIKE up to {LIKE_AT_MOST[dialect]}"
          f"{f', one regular expression up to {REGEX_AT_MOST}' if dialect == 'postgresql' else ''}); "
          f"medians of {args.repeat}")
    floor = next(iter(times.values()))
    print("| run | s | x full scan |\n|---|---|---|")
    for what, secs in times.items():
        shown = f"> {args.regex_limit}" if secs == float("inf") else f"{secs:.3f}"
        print(f"| {what} | {shown} | {secs / floor:.1f} |")
    for what, (was, now) in {"the search": ("search of the posts, before (35c550d)", "search of the posts, now"),
                             "the whole erasure": ("the whole erasure (dry run), before",
                                                   "the whole erasure (dry run), now")}.items():
        print(f"{what}: now / before = {times[now] / times[was]:.2f}")
    if shipped:
        print(f"rows the search of the posts sends to the process: before {shipped['before']:,}, "
              f"now {shipped['now']:,}")
    print(f"counts: {done.counts}")


def regex_s(db: Database, fn: Callable[[], object], limit: int) -> float:
    """Seconds `fn` took, or infinity past `limit` (PostgreSQL's statement_timeout, for this run only)."""
    @event.listens_for(db.engine, "connect")
    def timeout(dbapi_conn: Any, _record: Any) -> None:
        with dbapi_conn.cursor() as cur:
            cur.execute(f"SET statement_timeout = '{limit}s'")

    db.engine.dispose()  # new connections take the timeout
    try:
        return median_s(fn, 1)
    except OperationalError:
        return float("inf")
    finally:
        event.remove(db.engine, "connect", timeout)
        db.engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--posts", type=int, default=100_000)
    parser.add_argument("--theirs", type=int, default=5)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--database", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--regex-limit", type=int, default=60)
    args = parser.parse_args()
    if args.database in ("sqlite", "both"):
        with tempfile.TemporaryDirectory() as tmp:
            bench(f"sqlite:///{tmp}/bench.db", args)
    if args.database in ("postgresql", "both"):
        bindir = find_pg_bindir()
        if bindir is None:
            print("PostgreSQL not installed: run `make system-deps` for its figures", file=sys.stderr)
            return
        with PostgresServer(bindir) as pg:
            bench(pg.create_database("bench_privacy"), args)


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
