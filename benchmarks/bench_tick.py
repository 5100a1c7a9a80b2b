"""The scheduled SLA tick over a busy queue, on SQLite and PostgreSQL: what escalating once across processes costs.

A desk holds `--cases` open complaints (default 2,000) from distinct customers, posted over the two hours before
the tick, none answered, on a 60-minute first-response target: at the tick about half are due a warning and a
third a page as well. Two ticks are timed on a fresh copy of that database: the first, which sends every one of
those escalations at once (the worst case: a desk back after an outage), and the next, 30 s later, which has
nothing new to send (what every tick of a running desk looks like). With `--against REV` the same ticks are timed
with `desk/scheduled.py` as it was at git revision REV, alternating with this tree's, and the ratio is printed.
Run: `.venv/bin/python benchmarks/bench_tick.py [--cases N] [--repeat R] [--against REV]`.
"""

from __future__ import annotations

import argparse
import importlib.util
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import ModuleType
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from psycopg import sql
from sqlalchemy.orm import Session

from wakeful.analyze import Analyzer
from wakeful.api.app import build_desk
from wakeful.core.clock import FixedClock
from wakeful.core.settings import Settings
from wakeful.desk import scheduled
from wakeful.store import notify as outbox
from wakeful.store.db import Database, migrate

from tests.factories import make_post
from tests.pg import PostgresServer, find_pg_bindir

ROOT = Path(__file__).resolve().parents[1]
NOW = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
TEXTS = [
    "@AuroraAirways you lost my bag on AU {n}, still no answer. Where is my suitcase?",
    "@AuroraAirways flight AU {n} delayed four hours and nobody tells us anything",
    "@AuroraAirways mein Koffer von Flug AU {n} ist verschwunden und niemand antwortet mir!",
    "@NordRail mein Zug {n} nach Hamburg ist ausgefallen und niemand hilft mir, das ist eine Frechheit!",
]
Tick = Callable[[Session, datetime, Settings, Any], dict[str, int]]


class OutboxNotifier:
    """Writes each event's outbox row in the tick's transaction, as the server's notifier does for a brand with
    one channel, and sends nothing."""

    def notify(self, event: str, payload: dict[str, Any], session: Session | None = None) -> None:
        assert session is not None
        session.add(outbox.pending("webhook", event, payload, NOW))


def settings_for(url: str) -> Settings:
    return Settings(database_url=url, first_response_target_minutes=[60, 60, 60, 60])


def fill(url: str, cases: int) -> None:
    """`cases` unanswered complaints from as many customers, one every few seconds over the last two hours."""
    migrate(url)
    settings = settings_for(url)
    clock = FixedClock(NOW)
    desk = build_desk(settings, clock=clock, analyzer=Analyzer(settings.brands))
    step = timedelta(hours=2) / cases
    posts = [make_post(f"p{i}", TEXTS[i % len(TEXTS)].format(n=100 + i % 900), author=f"customer{i}",
                       at=NOW - timedelta(hours=2) + i * step) for i in range(cases)]
    for start in range(0, cases, 250):
        batch = posts[start:start + 250]
        clock.set(batch[-1].created_at)
        desk.ingest.ingest(batch)
    desk.db.dispose()


def load_tick(revision: str | None) -> Tick:
    """`scheduled.tick` of this tree, or of `desk/scheduled.py` as it was at a git revision."""
    if revision is None:
        return scheduled.tick
    source = subprocess.run(["git", "show", f"{revision}:src/wakeful/desk/scheduled.py"], cwd=ROOT, check=True,
                            capture_output=True, text=True).stdout
    path = Path(tempfile.mkdtemp()) / "scheduled_then.py"
    path.write_text(source)
    spec = importlib.util.spec_from_file_location("scheduled_then", path)
    assert spec is not None and spec.loader is not None
    module: ModuleType = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # a dataclass (scheduled._Escalation) looks its module up while it is made
    spec.loader.exec_module(module)
    tick: Tick = module.tick
    return tick


def timed_ticks(url: str, tick: Tick) -> tuple[float, float, int, int]:
    """Seconds of the escalating tick and of the next ones (median of three, 30 s apart), and how many each of
    them escalated (the next ones: the few cases that crossed 75% or 100% of their target in those 30 s)."""
    db = Database(url)
    settings = settings_for(url)
    try:
        start = time.perf_counter()
        with db.session() as s:
            sent = tick(s, NOW, settings, OutboxNotifier())["escalated"]
        first = time.perf_counter() - start
        later, more = [], 0
        for k in range(3):
            start = time.perf_counter()
            with db.session() as s:
                more += tick(s, NOW + timedelta(seconds=30 * (k + 1)), settings, OutboxNotifier())["escalated"]
            later.append(time.perf_counter() - start)
        return first, statistics.median(later), sent, more
    finally:
        db.dispose()


@contextmanager
def sqlite_copies(tmp: Path, cases: int) -> Iterator[Callable[[str], str]]:
    base = tmp / "base.db"
    fill(f"sqlite:///{base}", cases)

    def copy(name: str) -> str:
        target = tmp / f"{name}.db"
        shutil.copy(base, target)
        return f"sqlite:///{target}"

    yield copy


@contextmanager
def postgres_copies(cases: int) -> Iterator[Callable[[str], str]]:
    bindir = find_pg_bindir()
    if bindir is None:
        raise RuntimeError("PostgreSQL is not installed: run `make system-deps`")
    with PostgresServer(bindir) as pg:
        fill(pg.create_database("bench_base"), cases)

        def copy(name: str) -> str:
            with pg.connect() as conn:
                conn.execute(sql.SQL("CREATE DATABASE {} TEMPLATE bench_base").format(sql.Identifier(name)))
            return pg.url(name)

        yield copy


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cases", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=3, help="fresh copies per implementation and database")
    parser.add_argument("--against", metavar="REV", help="also time desk/scheduled.py as it was at this revision")
    args = parser.parse_args()
    ticks = {"this tree": load_tick(None)}
    if args.against:
        ticks[f"at {args.against}"] = load_tick(args.against)
    results: dict[tuple[str, str], list[tuple[float, float, int, int]]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        databases: list[tuple[str, Callable[[], Any]]] = [("SQLite", lambda: sqlite_copies(Path(tmp), args.cases))]
        if find_pg_bindir() is not None:
            databases.append(("PostgreSQL", lambda: postgres_copies(args.cases)))
        else:
            print("PostgreSQL not installed: run `make system-deps` for its figures", file=sys.stderr)
        for db_name, copies in databases:
            with copies() as copy:
                for rep in range(args.repeat):
                    order = list(enumerate(ticks.items()))
                    for i, (name, tick) in order if rep % 2 == 0 else reversed(order):
                        results.setdefault((db_name, name), []).append(timed_ticks(copy(f"t_{i}_{rep}"), tick))
    print(f"{args.cases} open cases, unanswered; median of {args.repeat} fresh copies\n")
    then = f"at {args.against}"
    print("| database | scheduled.py | escalating tick: sent | s | next ticks: sent | s |"
          + (f" this tree / {then}: escalating, next |" if args.against else ""))
    print("|---|---|---:|---:|---:|---:|" + ("---|" if args.against else ""))
    medians = {key: (statistics.median(r[0] for r in runs), statistics.median(r[1] for r in runs), runs[0][2:])
               for key, runs in results.items()}
    for (db_name, name), (first, later, (sent, more)) in medians.items():
        row = f"| {db_name} | {name} | {sent} | {first:.3f} | {more} in 3 | {later:.3f} |"
        if args.against:
            before = medians[(db_name, then)]
            row += f" {first / before[0]:.2f}, {later / before[1]:.2f} |" if name == "this tree" else " |"
        print(row)

if __name__ == "__main__":
    main()
