"""Dashboard and API response times with 10,000 open cases (issue 6 asks for pages under 300 ms server time).

Builds an SQLite desk with N open cases (bulk-inserted rows, realistic shapes), then times each page through
FastAPI's TestClient (server time, no network), beside `/healthz` in the same run as the framework's floor: the
machine is shared and noisy, so compare the "x floor" column between runs, not the milliseconds. The reports page
reads the last seven days, which here is every case and post. The queue page shows 50 rows a page; its 200-row
form is the page as it was before paging, and `limit=1000` the most one API call lists.
Run: `.venv/bin/python benchmarks/bench_pages.py [--cases N] [--repeat K]`.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from fastapi.testclient import TestClient
from sqlalchemy import insert

from wakeful.analyze import Analyzer
from wakeful.api.app import build_desk, create_app
from wakeful.api.auth import Role, create_token, create_user
from wakeful.core.clock import FixedClock
from wakeful.core.settings import Settings
from wakeful.store.db import migrate
from wakeful.store.models import AuthorRow, CasePostRow, CaseRow, EngagementRow, PostRow

from tests.signin import login

NOW = datetime(2026, 3, 3, 12, 0, tzinfo=UTC)
TARGET_MS = 300


def populate(url: str, n: int, seed: int = 1) -> None:
    rng = random.Random(seed)
    settings = Settings(database_url=url)
    desk = build_desk(settings, clock=FixedClock(NOW), analyzer=Analyzer(settings.brands))
    with desk.db.session() as s:
        s.execute(insert(AuthorRow), [
            {"id": i + 1, "platform": "x", "platform_id": f"a{i}", "handle": f"user{i}",
             "followers": int(rng.paretovariate(1.2) * 50), "following": 100, "verified": False,
             "default_profile": False, "updated_at": NOW} for i in range(n)])
        posts, cases, links, curve = [], [], [], []
        for i in range(n):
            at = NOW - timedelta(minutes=rng.uniform(1, 24 * 60))
            posts.append({"id": i + 1, "platform": "x", "platform_id": f"p{i}", "author_id": i + 1,
                          "text": f"@AuroraAirways my bag from flight AU {1000 + i} never arrived, still waiting #{i}",
                          "created_at": at, "ingested_at": at, "raw": {}, "lang": rng.choice(["en", "de", "fr"]),
                          "sentiment": "negative", "sentiment_score": -0.5, "complaint": True, "complaint_p": 0.9,
                          "severity": rng.choice([1, 1, 2, 3]), "topics": ["lost_luggage"], "brands": ["aurora"],
                          "pii": []})
            cases.append({"id": i + 1, "brand": "aurora", "platform": "x", "author_id": i + 1,
                          "conversation_id": f"p{i}", "state": "new", "lang": posts[-1]["lang"],
                          "topics": ["lost_luggage"], "severity": posts[-1]["severity"], "reach": 100,
                          "promoted": False, "opened_at": at, "last_post_at": at, "awaiting_since": at,
                          "updated_at": at})
            links.append({"case_id": i + 1, "post_id": i + 1})
            curve.append({"post_id": i + 1, "observed_at": at, "likes": 1, "reposts": 0, "replies": 0, "quotes": 0})
        s.execute(insert(PostRow), posts)
        s.execute(insert(CaseRow), cases)
        s.execute(insert(CasePostRow), links)
        s.execute(insert(EngagementRow), curve)
        create_user(s, "lead", "benchmark-password", "aurora", Role.LEAD, NOW)
    desk.db.dispose()


def timed_ms(client: TestClient, path: str, repeat: int, **kw: object) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        r = client.get(path, **kw)  # type: ignore[arg-type]
        times.append((time.perf_counter() - start) * 1000)
        assert r.status_code == 200, (path, r.status_code)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cases", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{tmp}/pages.db"
        migrate(url)
        populate(url, args.cases)
        settings = Settings(database_url=url)
        desk = build_desk(settings, clock=FixedClock(NOW), analyzer=Analyzer(settings.brands))
        with desk.db.session() as s:
            token = create_token(s, "bench", "aurora", Role.LEAD, NOW)
        client = TestClient(create_app(desk))
        assert login(client, {"username": "lead", "password": "benchmark-password"}).status_code == 200
        bearer = {"Authorization": f"Bearer {token}"}
        rows = [
            ("/healthz (floor)", timed_ms(client, "/healthz", args.repeat)),
            ("GET / (queue page, 50 rows)", timed_ms(client, "/", args.repeat)),
            ("GET /?per_page=200 (200 rows, as before paging)", timed_ms(client, "/?per_page=200", args.repeat)),
            ("GET /?page=150 (a deep page)", timed_ms(client, "/?page=150", args.repeat)),
            ("GET /?customer=özlem (customer search, every author's names lowered)",
             timed_ms(client, "/?customer=%C3%B6zlem", args.repeat)),
            ("GET /cases/N/2 (case page)", timed_ms(client, f"/cases/{max(1, args.cases // 2)}", args.repeat)),
            ("GET /reports (reports page)", timed_ms(client, "/reports", args.repeat)),
            ("GET /incidents", timed_ms(client, "/incidents", args.repeat)),
            ("GET /settings", timed_ms(client, "/settings", args.repeat)),
            ("GET /api/v1/cases (200)", timed_ms(client, "/api/v1/cases", args.repeat, headers=bearer)),
            ("GET /api/v1/cases?limit=50", timed_ms(client, "/api/v1/cases?limit=50", args.repeat, headers=bearer)),
            ("GET /api/v1/cases?limit=1000", timed_ms(client, "/api/v1/cases?limit=1000", args.repeat,
                                                       headers=bearer)),
            ("GET /api/v1/stats/queue", timed_ms(client, "/api/v1/stats/queue", args.repeat, headers=bearer)),
        ]
        floor = rows[0][1]
        print(f"{args.cases} open cases, SQLite, median of {args.repeat}\n")
        print("| request | ms | x floor | under 300 ms |")
        print("|---|---:|---:|---|")
        for name, ms in rows:
            print(f"| {name} | {ms:.1f} | {ms / floor:.1f} | {'yes' if ms < TARGET_MS else 'NO'} |")


if __name__ == "__main__":
    main()
