"""Reading posts from files: bad records are reported by number and field, and the real data sets load."""

from __future__ import annotations

import csv
import hashlib
import json
import re
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from wakeful.core.models import Post
from wakeful.core.settings import BrandConfig
from wakeful.ingest import datasets
from wakeful.ingest.jsonl import RecordError, iter_csv_records, iter_file_records, iter_records
from wakeful.ingest.replay import read_posts

GOOD: dict[str, Any] = {
    "platform": "x", "id": "1", "text": "@AuroraAirways where is my bag", "created_at": "2026-03-02T09:00:00Z",
    "author": {"id": "u1", "handle": "mira", "followers": 300},
}
DATA = datasets.default_data_dir()
needs_data = pytest.mark.skipif(not (DATA / "airline-tweets").is_dir(), reason=f"no data sets at {DATA}")


def read_all(path: Path) -> tuple[list[Post], list[RecordError]]:
    posts, errors, _ = read_posts(path)
    return posts, errors


def test_record_error_names_record_and_field() -> None:
    err = RecordError(12, "author.followers", "Input should be a valid integer")
    assert str(err) == "record 12, field 'author.followers': Input should be a valid integer"
    assert isinstance(err, ValueError) and (err.record, err.field) == (12, "author.followers")
    assert str(RecordError(3, None, "not valid JSON")) == "record 3: not valid JSON"


def test_bad_jsonl_lines_are_reported_and_the_rest_still_parse(tmp_path: Path) -> None:
    bad_followers = {**GOOD, "id": "3", "author": {**GOOD["author"], "followers": "many"}}
    lines = [json.dumps(GOOD), "{not json", "", "[1, 2]", json.dumps(bad_followers), json.dumps({**GOOD, "id": "5"})]
    path = tmp_path / "in.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    records = list(iter_records(path))
    assert [n for n, _ in records] == [1, 2, 4, 5, 6]  # blank line 3 skipped, numbering kept
    posts, errors = read_all(path)
    assert [p.id for p in posts] == ["1", "5"]
    assert [(e.record, e.field) for e in errors] == [(2, None), (4, None), (5, "author.followers")]
    assert "not valid JSON" in errors[0].message and "expected a JSON object" in errors[1].message
    assert str(errors[2]).startswith("record 5, field 'author.followers': Input should be a valid integer")


def test_csv_with_dotted_columns_nests_fields_and_reports_a_bad_cell(tmp_path: Path) -> None:
    path = tmp_path / "in.csv"
    path.write_text(
        "platform,id,author.id,author.handle,author.followers,text,created_at,lang,engagement.observed_at,"
        "engagement.likes,raw\n"
        'x,1,u1,mira,300,"lost bag, again",2026-03-02T09:00:00Z,en,2026-03-02T09:10:00Z,4,"{""src"": ""csv""}"\n'
        "x,2,u2,tom,lots,hello,2026-03-02T09:01:00Z,,,,\n"
        "x,3,u3,kim,,\"two\nlines\",2026-03-02T09:02:00+01:00,fr,,,\n",
        encoding="utf-8",
    )
    records = dict(iter_csv_records(path))
    assert records[1] == {
        "platform": "x", "id": "1", "author": {"id": "u1", "handle": "mira", "followers": "300"},
        "text": "lost bag, again", "created_at": "2026-03-02T09:00:00Z", "lang": "en",
        "engagement": {"observed_at": "2026-03-02T09:10:00Z", "likes": "4"}, "raw": {"src": "csv"},
    }
    posts, errors = read_all(path)
    assert [p.id for p in posts] == ["1", "3"]
    assert posts[0].author.followers == 300 and posts[0].engagement and posts[0].engagement.likes == 4
    assert posts[1].lang == "fr" and posts[1].text == "two\nlines" and posts[1].author.followers == 0
    assert len(errors) == 1 and (errors[0].record, errors[0].field) == (2, "author.followers")


def test_csv_row_with_too_many_cells_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "in.csv"
    path.write_text("platform,id\nx,1\nx,2,extra\n", encoding="utf-8")
    records = list(iter_csv_records(path))
    assert records[0] == (1, {"platform": "x", "id": "1"})
    assert isinstance(records[1][1], RecordError) and records[1][1].record == 2


@pytest.mark.parametrize("suffix", [".jsonl", ".json", ".csv"])
def test_a_record_that_is_not_utf8_is_rejected_alone_naming_its_field(tmp_path: Path, suffix: str) -> None:
    """A Latin-1 post among UTF-8 ones: the others are read, it is rejected naming the field and the byte, and
    its text is kept as read (the byte escaped) so it can be fixed and replayed; it never reaches a Post."""
    good, bad, last = GOOD, {**GOOD, "id": "2", "text": "vol annulé"}, {**GOOD, "id": "3", "text": "merci ☺"}
    path = tmp_path / f"in{suffix}"
    if suffix == ".csv":
        header = "platform,id,author.id,author.handle,text,created_at\n"
        rows = [",".join([r["platform"], r["id"], "u1", "mira", r["text"], r["created_at"]]) + "\n"
                for r in (good, bad, last)]
        chunks = [header.encode(), rows[0].encode(), rows[1].encode("latin-1"), rows[2].encode()]
    elif suffix == ".json":
        chunks = [b"[", json.dumps(good).encode(), b",\n", json.dumps(bad, ensure_ascii=False).encode("latin-1"),
                  b",\n", json.dumps(last, ensure_ascii=False).encode(), b"]"]
    else:
        chunks = [(json.dumps(r, ensure_ascii=False) + "\n").encode("latin-1" if r is bad else "utf-8")
                  for r in (good, bad, last)]
    path.write_bytes(b"".join(chunks))
    posts, errors, kept = read_posts(path)
    assert [p.id for p in posts] == ["1", "3"] and posts[1].text == "merci ☺"
    assert [(e.record, e.field) for e in errors] == [(2, "text")]
    assert "not UTF-8 text (byte 0xe9)" in errors[0].message
    assert "vol annul\\xe9" in str(kept[2])
    json.dumps(kept[2], ensure_ascii=False).encode("utf-8")  # storable as it is: no lone surrogates left


def test_file_dispatch_by_suffix(tmp_path: Path) -> None:
    array = tmp_path / "in.json"
    array.write_text(json.dumps([GOOD, 7]), encoding="utf-8")
    posts, errors = read_all(array)
    assert [p.id for p in posts] == ["1"] and [e.record for e in errors] == [2]
    with pytest.raises(ValueError, match=r"'\.txt'"):
        iter_file_records(tmp_path / "posts.txt")


def test_missing_data_dir_names_the_expected_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(FileNotFoundError, match=re.escape(str(tmp_path / "airline-tweets" / "Tweets.csv"))):
        datasets.load_airline_tweets(tmp_path)
    monkeypatch.setenv("WAKEFUL_DATA_DIR", str(tmp_path / "elsewhere"))
    assert datasets.default_data_dir() == tmp_path / "elsewhere"
    with pytest.raises(FileNotFoundError, match=r"twcs\.csv"):
        datasets.load_twcs()


@pytest.fixture(scope="module")
def airline() -> tuple[list[Post], list[BrandConfig]]:
    return datasets.load_airline_tweets(DATA)


@needs_data
def test_airline_tweets_load_all_rows_sorted_with_labels(
    airline: tuple[list[Post], list[BrandConfig]],
) -> None:
    posts, brands = airline
    assert len(posts) == 14_640 and len({p.id for p in posts}) == 14_640
    assert all(p.created_at.tzinfo is not None for p in posts)
    assert [p.created_at for p in posts] == sorted(p.created_at for p in posts)
    labels = [p.raw["airline_tweets"] for p in posts]
    assert Counter(x["airline_sentiment"] for x in labels) == {"negative": 9178, "neutral": 3099, "positive": 2363}
    assert Counter(x["split"] for x in labels).keys() == {"train", "val", "test"}
    by_key = {b.key: b for b in brands}
    assert len(by_key) == 6
    assert all(p.author.id == p.author.handle and p.author.followers == 0 for p in posts)
    # every brand's handle is what its own rows mention (the "Delta" rows address @JetBlue)
    hits = Counter(
        post.raw["airline_tweets"]["brand"] for post in posts
        if any(f"@{h.lower()}" in post.text.lower() for h in by_key[post.raw["airline_tweets"]["brand"]].handles)
    )
    assert all(hits[k] > 0.9 * n for k, n in Counter(x["brand"] for x in labels).items())
    assert sum(p.engagement.reposts for p in posts if p.engagement) > 0


@needs_data
def test_airline_ids_derive_from_row_and_the_files_text(airline: tuple[list[Post], list[BrandConfig]]) -> None:
    """The file's own ids were rounded by a spreadsheet; ours must survive re-reads and re-sorting, and they hash
    the text as the file has it, so restoring the text did not change the ids earlier imports stored."""
    with (DATA / datasets.AIRLINE_TWEETS).open(encoding="utf-8", newline="") as fh:
        file_texts = [r["text"] for r in csv.DictReader(fh)]
    for post in airline[0][::97] + [p for p in airline[0] if "cancel" in p.text][:5]:
        row = post.raw["airline_tweets"]["row"]
        assert post.id == f"airline-{row:05d}-{hashlib.sha1(file_texts[row].encode()).hexdigest()[:10]}"
        assert post.text == datasets.restore_airline_text(file_texts[row])


def test_the_airline_files_pasted_reason_labels_are_undone() -> None:
    pasted = "@united Cancelled Flightled again, Late Flightr they CANCEL... reLate Flightd pLate Flights? Late Flight"
    assert datasets.restore_airline_text(pasted) == "@united cancelled again, later they CANCEL... related plates? late"
    assert datasets.restore_airline_text("my flight was late, then cancelled") == "my flight was late, then cancelled"


def test_the_airline_files_one_reader_restores_text_and_keeps_splits(tmp_path: Path) -> None:
    folder = tmp_path / "airline-tweets"
    folder.mkdir()
    (folder / "Tweets.csv").write_text(
        "tweet_id,airline_sentiment,text\n1,negative,@united Cancelled Flightled!\n2,positive,thanks\n"
        "3,negative,Late Flightr again\n", encoding="utf-8")
    with pytest.raises(datasets.DataMissing, match=r"split\.csv"):
        list(datasets.airline_rows(tmp_path, "test"))
    assert [r["split"] for r in datasets.airline_rows(tmp_path)] == ["", "", ""]
    (folder / "split.csv").write_text("row,split\n0,test\n1,train\n2,test\n", encoding="utf-8")
    rows = list(datasets.airline_rows(tmp_path, "test"))
    assert [(r["row"], r["text"], r["file_text"]) for r in rows] == [
        ("0", "@united cancelled!", "@united Cancelled Flightled!"), ("2", "later again", "Late Flightr again")]
    assert [r["split"] for r in datasets.airline_rows(tmp_path)] == ["test", "train", "test"]


@needs_data
def test_replayed_airline_tweets_read_as_their_authors_wrote_them(
    airline: tuple[list[Post], list[BrandConfig]],
) -> None:
    texts = [p.text.lower() for p in airline[0]]
    assert not any("cancelled flightled" in t or "late flightr" in t for t in texts)
    assert sum("cancelled" in t for t in texts) > 400 and sum("late" in t for t in texts) > 400


@needs_data
def test_twcs_threads_resolve_to_roots_in_the_sample() -> None:
    posts = datasets.load_twcs(DATA)
    by_id = {p.id: p for p in posts}
    assert len(posts) == len(by_id) >= 4_900
    assert [p.created_at for p in posts] == sorted(p.created_at for p in posts)
    for p in posts:
        root = by_id[p.conversation_id or ""]
        assert root.reply_to_id is None or root.reply_to_id not in by_id
        if p.reply_to_id in by_id:
            assert by_id[p.reply_to_id].conversation_id == p.conversation_id
    inbound = Counter(p.raw["twcs"]["inbound"] for p in posts)
    assert inbound[True] > 2_000 and inbound[False] > 2_000
    ba_answers = [p for p in posts if p.author.handle == "British_Airways" and p.reply_to_id in by_id]
    assert len(ba_answers) > 50 and all(by_id[p.reply_to_id or ""].raw["twcs"]["inbound"] for p in ba_answers)
    assert all("\r" not in p.text for p in posts)
