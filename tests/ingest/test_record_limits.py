"""Numbers and times no real post can carry are refused with their record, naming the field, in every way in."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from wakeful.core.models import MAX_COUNT, Engagement
from wakeful.ingest.jsonl import RecordError, parse_post
from wakeful.ingest.replay import read_numbered_posts
from wakeful.risk.reach import audience

GOOD: dict[str, Any] = {
    "platform": "x", "id": "1", "text": "@AuroraAirways where is my bag", "created_at": "2026-03-02T09:00:00Z",
    "author": {"id": "u1", "handle": "mira", "followers": 300},
    "engagement": {"observed_at": "2026-03-02T09:10:00Z", "likes": 4, "impressions": 900},
}
INT64_OVERFLOW = 2**63


def with_value(path: str, value: object) -> dict[str, Any]:
    """GOOD with the dotted `path` set to `value`."""
    record = json.loads(json.dumps(GOOD))
    *parents, last = path.split(".")
    node = record
    for part in parents:
        node = node[part]
    node[last] = value
    return record


@pytest.mark.parametrize("field", ["author.followers", "author.following", "engagement.likes", "engagement.reposts",
                                   "engagement.replies", "engagement.quotes", "engagement.impressions"])
def test_a_count_beyond_any_real_one_is_refused_naming_its_field(field: str) -> None:
    assert parse_post(0, with_value(field, MAX_COUNT)).author.handle == "mira"  # the largest accepted
    for value in (MAX_COUNT + 1, INT64_OVERFLOW, 10**30):
        with pytest.raises(RecordError) as err:
            parse_post(7, with_value(field, value))
        assert (err.value.record, err.value.field) == (7, field)
        assert str(MAX_COUNT) in err.value.message


def test_the_count_bound_leaves_derived_reach_inside_a_bigint() -> None:
    """Reach adds 50 estimated impressions per interaction to a tenth of the followers: still far below 2**63."""
    e = Engagement(observed_at=datetime(2026, 3, 2, tzinfo=UTC), likes=MAX_COUNT, reposts=MAX_COUNT, replies=MAX_COUNT,
                   quotes=MAX_COUNT)
    assert audience(MAX_COUNT, e) < 2**63 // 1000


def test_counters_seen_before_the_post_was_made_are_refused() -> None:
    with pytest.raises(RecordError) as err:
        parse_post(3, with_value("engagement.observed_at", "2026-03-02T08:59:59Z"))
    assert (err.value.record, err.value.field) == (3, "engagement.observed_at")
    assert "before the post's created_at 2026-03-02T09:00:00+00:00" in err.value.message
    same_instant = with_value("engagement.observed_at", "2026-03-02T10:00:00+01:00")  # 09:00 UTC: not before
    assert parse_post(3, same_instant).engagement is not None


@pytest.mark.parametrize(("field", "value"), [
    ("created_at", "0001-01-01T00:00:00Z"),  # Go's zero time, a common placeholder
    ("created_at", "0001-01-01T00:00:00+05:00"),  # in year 0 in UTC: converting it failed the batch
    ("created_at", "1969-12-31T23:59:59Z"),
    ("author.created_at", "0001-01-01T00:00:00+05:00"),
    ("author.created_at", "9999-12-31T23:59:59-05:00"),
    ("engagement.observed_at", "9999-12-31T23:59:59Z"),
])
def test_a_time_at_the_edge_of_the_calendar_is_refused_naming_its_field(field: str, value: str) -> None:
    record = with_value(field, value)
    if field == "created_at":
        record["engagement"]["observed_at"] = value  # so only the time itself is wrong
    with pytest.raises(RecordError) as err:
        parse_post(1, record)
    assert err.value.field == field
    assert "not between 1970-01-01 and 9999-01-01" in err.value.message


def test_a_file_with_a_huge_count_keeps_its_other_records(tmp_path: Path) -> None:
    """`wakeful ingest` reads the file record by record: the bad line is named, the rest are read, numbered."""
    path = tmp_path / "posts.jsonl"
    lines = [GOOD, with_value("author.followers", INT64_OVERFLOW), {**GOOD, "id": "3"},
             with_value("engagement.observed_at", "2026-03-01T00:00:00Z")]
    path.write_text("".join(json.dumps(r) + "\n" for r in lines), encoding="utf-8")
    posts, errors, bad = read_numbered_posts(path)
    assert [(n, p.id) for n, p in posts] == [(1, "1"), (3, "3")]
    assert [(e.record, e.field) for e in errors] == [(2, "author.followers"), (4, "engagement.observed_at")]
    assert sorted(bad) == [2, 4]


def test_a_csv_cell_with_a_huge_count_is_refused_too(tmp_path: Path) -> None:
    path = tmp_path / "posts.csv"
    path.write_text("platform,id,author.id,author.handle,author.followers,text,created_at\n"
                    "x,1,u1,mira,300,lost bag,2026-03-02T09:00:00Z\n"
                    f"x,2,u2,tom,{INT64_OVERFLOW},lost bag,2026-03-02T09:01:00Z\n", encoding="utf-8")
    posts, errors, _ = read_numbered_posts(path)
    assert [n for n, _ in posts] == [1]
    assert [(e.record, e.field) for e in errors] == [(2, "author.followers")]
