"""Risk updates per second when engagement updates arrive at 10x the demo incident's peak rate (issue 4).

The demo day is replayed into an SQLite desk up to 30 minutes after the promoted lost-bag post. Then a stream of
engagement updates for the incident's posts (the post itself and its replies, ever-growing counters) arrives,
spaced in simulated time at ten times the busiest minute the incident has on the demo day, one delivery per
ingest batch (the worst case: every update runs every hook). The same stream is ingested into a copy of the
database by a desk without the risk hook (the baseline, same run), so the ratio is what weighing risk costs per
update; the required rate is printed beside the achieved one.
Run: `.venv/bin/python benchmarks/bench_risk.py [--updates N]`.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from collections import Counter
from datetime import datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from wakeful.analyze import Analyzer
from wakeful.api.app import build_desk
from wakeful.core.clock import FixedClock
from wakeful.core.models import Engagement, Post
from wakeful.core.settings import Settings
from wakeful.desk import incidents, risk, routing
from wakeful.ingest import scenario
from wakeful.ingest.service import IngestService
from wakeful.store.db import migrate

INCIDENT_ROLES = {"incident", "incident_reply", "incident_quote", "incident_followup"}


def peak_per_minute(posts: list[Post]) -> int:
    """The incident's busiest minute on the demo day: new posts and engagement observations together."""
    minutes = Counter(int(p.observed_at().timestamp() // 60) for p in posts
                      if p.raw["scenario"]["role"] in INCIDENT_ROLES)
    return max(minutes.values())


def updates(posts: list[Post], start: datetime, n: int, per_minute: float) -> list[Post]:
    """`n` ever-growing observations of the incident's posts, `per_minute` of them per simulated minute."""
    thread = {p.id: p for p in posts if p.raw["scenario"]["role"] in INCIDENT_ROLES and p.created_at < start}
    ids = sorted(thread)
    out = []
    for i in range(n):
        post = thread[ids[i % len(ids)]]
        at = start + timedelta(seconds=60 * (i + 1) / per_minute)
        k = i // len(ids) + 1
        out.append(post.model_copy(update={"engagement": Engagement(
            observed_at=at, likes=40 * k, reposts=12 * k, replies=3 * k, impressions=3000 * k)}))
    return out


def run(url: str, stream: list[Post], with_risk: bool) -> float:
    settings = Settings(database_url=url)
    clock = FixedClock(stream[0].observed_at())
    desk = build_desk(settings, clock=clock, analyzer=Analyzer(settings.brands))
    notifier = routing.RecordingNotifier()
    hooks = [incidents.case_hook, routing.case_hook(notifier)]
    if with_risk:
        hooks.insert(1, risk.case_hook(lambda: settings, notifier))
    service = IngestService(desk.db, desk.ingest.analyzer, settings, clock, hooks)
    begin = time.perf_counter()
    for post in stream:
        clock.set(post.observed_at())
        result = service.ingest([post])
        assert result.engagement_updates == 1
    elapsed = time.perf_counter() - begin
    desk.db.dispose()
    return len(stream) / elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--updates", type=int, default=400)
    args = parser.parse_args()
    posts = scenario.generate_scenario(seed=7)
    ba = next(p for p in posts if p.id == scenario.INCIDENT_POST_ID)
    start = ba.created_at + timedelta(minutes=30)
    peak = peak_per_minute(posts)
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp) / "base.db"
        url = f"sqlite:///{base}"
        migrate(url)
        settings = Settings(database_url=url)
        clock = FixedClock(posts[0].observed_at())
        desk = build_desk(settings, clock=clock, analyzer=Analyzer(settings.brands))
        batch: list[Post] = []
        for p in (p for p in posts if p.observed_at() < start):
            if batch and p.observed_at() - batch[0].observed_at() >= timedelta(minutes=1):
                clock.set(batch[-1].observed_at())
                desk.ingest.ingest(batch)
                batch = []
            batch.append(p)
        clock.set(batch[-1].observed_at())
        desk.ingest.ingest(batch)
        desk.db.dispose()
        stream = updates(posts, start, args.updates, 10 * peak)
        rates = {}
        for name, with_risk in (("baseline (no risk hook)", False), ("with risk", True)):
            copy = Path(tmp) / f"{with_risk}.db"
            shutil.copy(base, copy)
            rates[name] = run(f"sqlite:///{copy}", stream, with_risk)
    required = 10 * peak / 60
    print(f"incident peak: {peak} records/min on the demo day; 10x = {required:.2f} updates/s required")
    for name, rate in rates.items():
        print(f"{name:>24}: {rate:8.1f} updates/s ({rate / required:,.0f}x the required rate)")
    ratio = rates["with risk"] / rates["baseline (no risk hook)"]
    print(f"with risk / baseline: {ratio:.2f}")


if __name__ == "__main__":
    main()
