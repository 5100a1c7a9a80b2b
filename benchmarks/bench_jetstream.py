"""Can the Bluesky connector keep up with Jetstream? Messages handled per second, beside json.loads alone.

Jetstream sends every post on the network and the connector filters locally, so the cost per *unwanted* message
decides whether it keeps up. The firehose here is built from real customer-support tweets (../shared/data,
twcs-sample) wrapped in Jetstream's commit format, interleaved with likes and identity events, and filtered for the
brand `AppleSupport` (so a realistic share matches). Delivery is counted, not stored: the store has its own
benchmark (benchmarks/run.py). Baseline: `json.loads` of the same messages, the least any client must do.
Run: `.venv/bin/python benchmarks/bench_jetstream.py [--events N]`. Ratios matter, not seconds.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from wakeful.core.models import Author, Post
from wakeful.core.settings import BrandConfig
from wakeful.ingest.connectors.bluesky import BlueskyConnector
from wakeful.ingest.datasets import load_twcs

BRAND = BrandConfig(key="apple", name="Apple Support", handles=["AppleSupport"], names=["Apple Support"],
                    keywords=["#AppleSupport"])


class Counting(BlueskyConnector):
    """The real matcher and mapping; delivery only counts (no database, no profile look-ups)."""

    def __init__(self) -> None:
        self.name, self.terms, self.brand_dids, self.cursor = "bench", set(), set(), None
        self.delivered = 0
        self._saved_at = time.monotonic()

        class Profiles:
            def author(self, did: str) -> Author:
                return Author(id=did, handle=did)

        self.profiles = Profiles()  # type: ignore[assignment]

    def deliver(self, posts: Sequence[Post], cursor: str | None) -> None:
        self.delivered += len(posts)


def firehose(n: int) -> list[str]:
    texts = [p.text for p in load_twcs()]
    out: list[str] = []
    t = 1_725_911_162_329_308
    for i in range(n):
        t += 1000
        kind = i % 4
        event: dict[str, Any]
        if kind < 2:
            text = texts[i % len(texts)]
            event = {"did": f"did:plc:u{i % 5000:023d}", "time_us": t, "kind": "commit", "commit": {
                "rev": "3l3qo2vutsw2b", "operation": "create", "collection": "app.bsky.feed.post",
                "rkey": f"3l3q{i:09d}", "cid": "bafyreib", "record": {
                    "$type": "app.bsky.feed.post", "createdAt": "2024-09-09T19:46:02.102Z", "langs": ["en"],
                    "text": text}}}
        elif kind == 2:
            event = {"did": f"did:plc:u{i % 5000:023d}", "time_us": t, "kind": "commit", "commit": {
                "rev": "3l3qo2vutsw2c", "operation": "create", "collection": "app.bsky.feed.like",
                "rkey": f"3l3r{i:09d}", "record": {"subject": {"uri": "at://x/app.bsky.feed.post/y", "cid": "b"}}}}
        else:
            event = {"did": f"did:plc:u{i % 5000:023d}", "time_us": t, "kind": "identity",
                     "identity": {"did": "did:plc:x", "handle": "someone.bsky.social", "seq": i}}
        out.append(json.dumps(event))
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--events", type=int, default=200_000)
    args = ap.parse_args()
    messages = firehose(args.events)
    conn = Counting()
    conn.terms = {t.lower().lstrip("@") for t in BRAND.handles + BRAND.names + BRAND.keywords}

    start = time.perf_counter()
    for m in messages:
        json.loads(m)
    base = time.perf_counter() - start

    start = time.perf_counter()
    for m in messages:
        conn.handle(m)
    full = time.perf_counter() - start

    print(f"{len(messages):,} Jetstream messages, {conn.delivered:,} matched the brand and became posts\n")
    print("| step | messages/s | time vs json.loads |")
    print("|---|---:|---:|")
    print(f"| json.loads only (baseline) | {len(messages) / base:,.0f} | 1.00x |")
    print(f"| connector.handle (parse, filter, map matches) | {len(messages) / full:,.0f} | {full / base:.2f}x |")


if __name__ == "__main__":
    main()
