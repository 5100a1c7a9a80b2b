"""Replaying the real TWCS threads reproduces each brand's real first-response times (checked against a direct
reading of the CSV, independent of the desk), and the per-brand table computes what it says."""

from __future__ import annotations

import csv
import re
import statistics
from collections import defaultdict
from datetime import datetime
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from wakeful.cli_reports import register, replay_twcs
from wakeful.core.models import Author
from wakeful.desk.metrics import brands_for_handles, care_handles, first_response_by_brand
from wakeful.ingest.datasets import default_data_dir
from wakeful.store.db import Database

from tests.factories import make_post

TWCS = default_data_dir() / "twcs-sample" / "twcs.csv"
needs_twcs = pytest.mark.skipif(not TWCS.is_file(), reason=f"no TWCS sample at {TWCS}")
# A slow brand, the busiest ones and airlines: enough to see BA's office hours without replaying everything.
HANDLES = ["British_Airways", "AmazonHelp", "AppleSupport", "Delta", "SouthwestAir", "Tesco", "ChipotleTweets"]


def _direct_medians() -> dict[str, float]:
    """Per care account: median minutes from a thread's first customer tweet to the account's first reply after
    it, read straight from the CSV (threads by following `in_response_to_tweet_id` to the oldest tweet present)."""
    with TWCS.open(encoding="utf-8", newline="") as fh:
        rows = [r for r in csv.DictReader(io_fix(fh.read()).splitlines(keepends=True)) if r["tweet_id"]]
    parent = {r["tweet_id"]: str(int(float(r["in_response_to_tweet_id"]))) if r["in_response_to_tweet_id"] else None
              for r in rows}

    def root(t: str) -> str:
        seen = {t}
        while (up := parent.get(t)) is not None and up in parent and up not in seen:
            seen.add(up)
            t = up
        return t

    threads: dict[str, list[tuple[datetime, str, bool]]] = defaultdict(list)
    for r in rows:
        at = datetime.strptime(r["created_at"], "%a %b %d %H:%M:%S %z %Y")
        threads[root(r["tweet_id"])].append((at, r["author_id"], r["inbound"] == "True"))
    waits: dict[str, list[float]] = defaultdict(list)
    for tweets in threads.values():
        tweets.sort()
        first_in = next((t for t in tweets if t[2]), None)
        reply = next((t for t in tweets if first_in and not t[2] and t[0] >= first_in[0]), None)
        if first_in and reply:
            waits[reply[1]].append((reply[0] - first_in[0]).total_seconds() / 60)
    return {h: statistics.median(w) for h, w in waits.items()}


def io_fix(text: str) -> str:
    """The export has bare carriage returns inside some texts; csv would end the row there."""
    return re.sub(r"\r(?!\n)", " ", text)


@needs_twcs
def test_replayed_brand_medians_match_the_csv(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/twcs.db"
    replay_twcs(url, handles=HANDLES)
    db = Database(url)
    with db.session() as s:
        rows = {r.brand: r for r in first_response_by_brand(s, None)}
    db.dispose()
    direct = _direct_medians()
    for handle in HANDLES:
        desk, real = rows[handle.lower()].first_response_median_min, direct[handle]
        assert desk is not None and rows[handle.lower()].answered >= 10, handle
        # The desk opens cases only for complaints and questions, so it sees a subset of threads: allow 25%.
        assert abs(desk - real) <= max(5.0, 0.25 * real), (handle, desk, real)
    assert rows["british_airways"].first_response_median_min > 5 * 60  # type: ignore[operator]
    assert rows["southwestair"].first_response_median_min < 15  # type: ignore[operator]


def test_care_accounts_are_the_non_numeric_authors_and_become_brands() -> None:
    posts = [make_post(str(n), text, author=who) for n, (who, text) in enumerate(
        [("1234", "@AmazonHelp hi"), ("AmazonHelp", "@1234 hello"), ("Tesco", "@5 x"), ("Tesco", "@6 y")])]
    posts = [p.model_copy(update={"author": Author(id=p.author.handle, handle=p.author.handle)}) for p in posts]
    assert care_handles(posts) == ["Tesco", "AmazonHelp"]
    brands = brands_for_handles(["British_Airways"])
    assert (brands[0].key, brands[0].handles) == ("british_airways", ["British_Airways"])


@needs_twcs
def test_report_twcs_command_prints_the_brand_table() -> None:
    app = typer.Typer()
    register(app)
    result = CliRunner().invoke(app, ["report-twcs", "--handle", "British_Airways", "--handle", "Delta"],
                                env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    assert "british_airways" in result.output and "delta" in result.output and " h " in result.output
