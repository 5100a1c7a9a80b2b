"""Files a person hands the desk as they come: a stray byte in a key or a header, a compressed or UTF-16 export, an
empty post. Each bad record is refused alone with a message naming what is wrong, in strings any store can hold."""

from __future__ import annotations

import gzip
import io
import json
import zipfile
from pathlib import Path
from typing import Any

import pytest

from wakeful.ingest.jsonl import RecordError, iter_file_records, storable
from wakeful.ingest.replay import read_numbered_posts

GOOD: dict[str, Any] = {
    "platform": "x", "id": "1", "text": "@AuroraAirways where is my bag", "created_at": "2026-03-02T09:00:00Z",
    "author": {"id": "u1", "handle": "mira"},
}
CSV_HEADER = "platform,id,author.id,author.handle,text,created_at"


def assert_storable(*texts: str | None) -> None:
    """What a UTF-8 database column, a terminal and a JSON reply can take: no lone surrogate left."""
    for text in texts:
        if text is not None:
            text.encode("utf-8")


def test_storable_escapes_bytes_that_were_not_utf8_and_lone_surrogates() -> None:
    assert storable("caf\udce9") == "caf\\xe9"  # a Latin-1 byte read with surrogateescape
    assert storable("smile \ud83d!") == "smile \\ud83d!"  # half an emoji from a JSON "\ud83d" escape
    assert storable("vol annulé ☺") == "vol annulé ☺"


def test_a_bad_byte_in_a_json_key_refuses_that_record_alone(tmp_path: Path) -> None:
    """The tester's file: the key's byte used to reach the store as a lone surrogate and fail every rejection."""
    bad = json.dumps({**GOOD, "id": "2", "raw": {"café": 1}}, ensure_ascii=False).encode("latin-1")
    path = tmp_path / "lat.jsonl"
    path.write_bytes(json.dumps(GOOD).encode() + b"\n" + bad + b"\ngarbage\n")
    posts, errors, kept = read_numbered_posts(path)
    assert [(n, p.id) for n, p in posts] == [(1, "1")]
    assert [(e.record, e.field) for e in errors] == [(2, "raw.caf\\xe9"), (3, None)]
    assert "not UTF-8 text (byte 0xe9)" in errors[0].message
    assert str(errors[0]).startswith("record 2, field 'raw.caf\\xe9': not UTF-8")
    assert sorted(kept) == [2, 3] and '"caf\\xe9": 1' in str(kept[2])
    for e in errors:
        assert_storable(e.field, e.message, e.raw)


def test_a_bad_byte_in_a_csv_header_refuses_the_rows_that_fill_that_column(tmp_path: Path) -> None:
    path = tmp_path / "lat.csv"
    path.write_bytes(f"{CSV_HEADER},author.descripción\n".encode("latin-1")
                     + b"x,1,u1,mira,lost bag,2026-03-02T09:00:00Z,frequent flyer\n"
                     + b"x,2,u2,tom,lost bag,2026-03-02T09:01:00Z,\n")
    posts, errors, _ = read_numbered_posts(path)
    assert [n for n, _ in posts] == [2]  # its cell in that column is empty: nothing unreadable in it
    assert [(e.record, e.field) for e in errors] == [(1, "author.descripci\\xf3n")]
    assert "not UTF-8 text (byte 0xf3)" in errors[0].message
    assert_storable(errors[0].field, errors[0].raw)


def test_a_lone_surrogate_escape_in_a_key_is_storable_in_the_error(tmp_path: Path) -> None:
    """JSON may spell half an emoji as "\\ud83d": valid JSON, not text; the record is refused, its error storable."""
    path = tmp_path / "half.jsonl"
    path.write_text(json.dumps(GOOD) + "\n" + json.dumps({**GOOD, "id": "2", "\ud83d": 1}) + "\n", encoding="utf-8")
    posts, errors, _ = read_numbered_posts(path)
    assert [p.id for _, p in posts] == ["1"]
    assert [(e.record, e.field) for e in errors] == [(2, "\\ud83d")]
    assert "not text: a lone surrogate \\ud83d" in errors[0].message
    assert_storable(errors[0].field, errors[0].message)


def _utf16(text: str) -> bytes:
    return text.encode("utf-16")  # with its byte-order mark, as iconv -t UTF-16 and Excel write it


def _zip(text: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("posts.csv", text)
    return buffer.getvalue()


@pytest.mark.parametrize(("name", "encode", "said"), [
    ("posts.jsonl", lambda t: gzip.compress(t.encode()), "gzip-compressed: decompress it first"),
    ("posts.jsonl.gz", lambda t: gzip.compress(t.encode()), "gzip-compressed: decompress it first"),
    ("posts.csv", _utf16, "UTF-16: convert to UTF-8"),
    ("posts.json", lambda t: b"\xfe\xff" + t.encode("utf-16-be"), "UTF-16: convert to UTF-8"),
    ("posts.jsonl", lambda t: t.encode("utf-32"), "UTF-32: convert to UTF-8"),
    ("posts.csv", _zip, "a ZIP archive"),
])
def test_a_compressed_or_utf16_file_is_refused_as_a_whole_saying_what_it_is(
        tmp_path: Path, name: str, encode: Any, said: str) -> None:
    """Not a 'not valid JSON' for every line, nor lines of binary kept as rejected records."""
    text = (f"{CSV_HEADER}\nx,1,u1,mira,lost bag,2026-03-02T09:00:00Z\n" if ".csv" in name
            else json.dumps(GOOD) + "\n")
    path = tmp_path / name
    path.write_bytes(encode(text))
    with pytest.raises(ValueError, match=f"cannot read '{name}': it is {said}"):
        iter_file_records(path)


def test_an_empty_post_is_read_the_same_from_csv_and_json(tmp_path: Path) -> None:
    """A post without words (a photo of a broken suitcase) is still a post: an empty `text` cell is the empty text,
    as `"text": ""` is in JSON; a file without a text column still lacks the field."""
    csv_path, json_path, no_text = tmp_path / "in.csv", tmp_path / "in.jsonl", tmp_path / "no-text.csv"
    csv_path.write_text(f"{CSV_HEADER},lang\nx,1,u1,mira,,2026-03-02T09:00:00Z,\n", encoding="utf-8")
    json_path.write_text(json.dumps({**GOOD, "text": ""}) + "\n", encoding="utf-8")
    no_text.write_text("platform,id,author.id,author.handle,created_at\nx,1,u1,mira,2026-03-02T09:00:00Z\n")
    from_csv, from_json = read_numbered_posts(csv_path), read_numbered_posts(json_path)
    assert from_csv[1] == from_json[1] == []
    assert from_csv[0][0][1] == from_json[0][0][1]
    assert from_csv[0][0][1].text == "" and from_csv[0][0][1].lang is None  # other empty cells: not given
    _, errors, _ = read_numbered_posts(no_text)
    assert [(e.record, e.field, e.message) for e in errors] == [(1, "text", "Field required")]


def test_an_item_of_a_json_array_that_is_not_an_object_is_named_in_json_terms(tmp_path: Path) -> None:
    path = tmp_path / "in.json"
    path.write_text(json.dumps([GOOD, 5, "post", None, [GOOD]]), encoding="utf-8")
    posts, errors, kept = read_numbered_posts(path)
    assert [p.id for _, p in posts] == ["1"]
    assert [(e.record, e.message) for e in errors] == [
        (2, "expected a JSON object, got a number"), (3, "expected a JSON object, got a string"),
        (4, "expected a JSON object, got null"), (5, "expected a JSON object, got an array")]
    assert kept[3] == '"post"'  # kept as read, to fix and replay
    assert isinstance(errors[0], RecordError)
