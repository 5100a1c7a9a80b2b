"""Read and write posts as JSON lines or flat CSV, one record at a time.

Files come from exports, other tools and people, so a bad record must never stop the rest of the file:
readers yield each record's parsed object or a `RecordError` saying which record and which field is wrong, and
the caller decides what to do with the error (the desk stores rejected records so they can be fixed and
replayed). Bytes that are not UTF-8 are such an error of their record alone: files are decoded with
`surrogateescape`, and a record still holding an escaped byte (or a lone surrogate from a JSON escape) is rejected
naming its field, never stored as a post; its error and text are kept `storable`. A file that is not UTF-8 text
at all (gzip, UTF-16) is refused as a whole, saying what it is.
"""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from wakeful.core.models import Post

Record = dict[str, Any]
_EXTRA = "\x00extra"  # DictReader key for cells beyond the header


_SURROGATE = re.compile("[\ud800-\udfff]")


def _escape_surrogate(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code - 0xDC00:02x}" if 0xDC80 <= code <= 0xDCFF else f"\\u{code:04x}"


def storable(text: str) -> str:
    """Text a database can hold and a terminal can print: a byte that was not UTF-8 (decoded with
    `surrogateescape`) as `\\xe9`, a lone surrogate from a JSON `\\ud83d` escape as `\\ud83d`. Every string a
    refused record sends to the store goes through this, or one bad byte fails the whole file's rejections."""
    return _SURROGATE.sub(_escape_surrogate, text)


class RecordError(ValueError):
    """One unreadable record: its 1-based number in the file, the dotted field path if known, and why; `raw` is
    the record's text where it could not be parsed at all (kept so an operator can fix and replay it). Its strings
    are `storable`: a field named by a key holding a byte that was not UTF-8 goes to the store, the terminal and a
    JSON reply, and must not fail any of them."""

    def __init__(self, record: int, field: str | None, message: str, raw: str | None = None) -> None:
        self.record = record
        self.field = storable(field) if field is not None else None
        self.message = storable(message)
        self.raw = storable(raw) if raw is not None else None
        super().__init__(str(self))

    def __str__(self) -> str:
        where = f"record {self.record}"
        if self.field:
            where += f", field '{self.field}'"
        return f"{where}: {self.message}"

    def __reduce__(self) -> tuple[type[RecordError], tuple[int, str | None, str, str | None]]:
        return (type(self), (self.record, self.field, self.message, self.raw))


def json_kind(value: object) -> str:
    """What a value is called in JSON, for errors read by people who sent JSON, not Python."""
    kinds: list[tuple[type | tuple[type, ...], str]] = [
        (bool, "a boolean"), ((int, float), "a number"), (str, "a string"), (list, "an array"), (dict, "an object")]
    return "null" if value is None else next((name for kind, name in kinds if isinstance(value, kind)),
                                              type(value).__name__)


def _not_text(value: object, path: str = "") -> tuple[str, str] | None:
    """The dotted path of the first key or string in `value` that is not text, and what is wrong with it: a byte
    that was not UTF-8 (decoded with `surrogateescape`), or a lone surrogate (JSON may spell half an emoji as
    "\\ud83d"); None when everything is text."""
    if isinstance(value, str):
        found = _SURROGATE.search(value)
        if found is None:
            return None
        code = ord(found.group())
        if 0xDC80 <= code <= 0xDCFF:
            return path, f"not UTF-8 text (byte 0x{code - 0xDC00:02x}); is the file in another encoding?"
        return path, (f"not text: a lone surrogate \\u{code:04x} (half of a character, such as an emoji cut in "
                      "two)")
    items = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else ()
    for key, item in items:
        here = f"{path}.{key}" if path else str(key)
        found_in = _not_text(key, here) or _not_text(item, here)
        if found_in:
            return found_in
    return None


def not_text(number: int, record: Record, raw: str | None = None) -> RecordError | None:
    """The error of a record holding something that is not text, naming the field; None when it is all text.
    Checked before validation, which would report a bad key without naming it."""
    found = _not_text(record)
    if found is None:
        return None
    field, why = found
    return RecordError(number, field or None, why, raw=raw)


def write_posts(posts: Iterable[Post], path: Path | str) -> int:
    """Write posts as UTF-8 JSON lines, one `Post` per line with every field; returns how many."""
    count = 0
    with Path(path).open("w", encoding="utf-8", newline="\n") as fh:
        for post in posts:
            fh.write(post.model_dump_json())
            fh.write("\n")
            count += 1
    return count


def _json_record(number: int, text: str) -> Record | RecordError:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        return RecordError(number, None, f"not valid JSON: {exc.msg} at column {exc.colno}", raw=text)
    if not isinstance(data, dict):
        return RecordError(number, None, f"expected a JSON object, got {json_kind(data)}", raw=text)
    return not_text(number, data, text) or data


def iter_records(path: Path | str) -> Iterator[tuple[int, Record | RecordError]]:
    """Each non-blank line of a JSONL file as (1-based line number, object or the error that line has)."""
    with Path(path).open(encoding="utf-8-sig", errors="surrogateescape", newline=None) as fh:
        for number, line in enumerate(fh, start=1):
            if line.strip():
                yield number, _json_record(number, line)


def _iter_json_file(path: Path) -> Iterator[tuple[int, Record | RecordError]]:
    """A `.json` file: an array of objects (record = 1-based index), one object, or else JSON lines."""
    text = path.read_text(encoding="utf-8-sig", errors="surrogateescape")
    try:
        data = json.loads(text)
    except json.JSONDecodeError:
        yield from iter_records(path)
        return
    items = data if isinstance(data, list) else [data]
    for number, item in enumerate(items, start=1):
        if isinstance(item, dict):
            yield number, not_text(number, item, json.dumps(item, ensure_ascii=False)) or item
        else:
            yield number, RecordError(number, None, f"expected a JSON object, got {json_kind(item)}",
                                        raw=json.dumps(item, ensure_ascii=False))


_EMPTY_IS_A_VALUE = {"text"}
"""Columns whose empty cell is a value, not a missing one. An empty post is a real post (a photo of a broken
suitcase with no words, a Mastodon status with only media) that may still need an answer, so `text` may be empty:
as `"text": ""` in JSON, so in CSV. Every other empty cell means "not given" (a default, or "Field required")."""


def _unflatten(number: int, row: dict[str, str]) -> Record | RecordError:
    """`{"author.id": "x"}` → `{"author": {"id": "x"}}`; empty cells are left out, except an empty `text`;
    `raw` may hold JSON."""
    out: Record = {}
    for column, value in row.items():
        if value is None or (value == "" and column.strip() not in _EMPTY_IS_A_VALUE):
            continue
        parts = column.strip().split(".")
        if not all(parts):
            return RecordError(number, column, "column name has an empty part")
        node = out
        for part in parts[:-1]:
            child = node.setdefault(part, {})
            if not isinstance(child, dict):
                return RecordError(number, column, f"column clashes with column {part!r}")
            node = child
        if parts[-1] in node:
            return RecordError(number, column, "column given twice")
        node[parts[-1]] = value
    raw = out.get("raw")
    if isinstance(raw, str):
        try:
            out["raw"] = json.loads(raw)
        except json.JSONDecodeError as exc:
            return RecordError(number, "raw", f"not valid JSON: {exc.msg}")
    return out


def iter_csv_records(path: Path | str) -> Iterator[tuple[int, Record | RecordError]]:
    """Each data row of a CSV with dotted column names (`author.followers`) as a nested dict.

    The record number is the 1-based data row (the header is not counted), so it stays right when a quoted
    cell spans lines. Cells are strings; `parse_post` lets pydantic convert them. A row with more cells than
    the header has yields an error.
    """
    with Path(path).open(encoding="utf-8-sig", errors="surrogateescape", newline="") as fh:
        reader = csv.DictReader(fh, restkey=_EXTRA)
        for number, row in enumerate(reader, start=1):
            if _EXTRA in row:
                extra = row[_EXTRA]
                yield number, RecordError(number, None, f"{len(extra)} more cells than the header has")
                continue
            cells = {k: v for k, v in row.items() if v}
            yield number, not_text(number, cells, json.dumps(cells, ensure_ascii=False)) or _unflatten(number, row)


_NOT_TEXT = [  # (leading bytes, what the file is and what to do); UTF-32 before UTF-16, whose BOM it starts with
    (b"\x1f\x8b", "gzip-compressed: decompress it first (gunzip)"),
    (b"PK\x03\x04", "a ZIP archive (an Excel workbook?): extract it, or export the sheet as CSV (UTF-8)"),
    (b"\xfd7zXZ\x00", "xz-compressed: decompress it first (unxz)"),
    (b"\x28\xb5\x2f\xfd", "zstd-compressed: decompress it first (unzstd)"),
    (b"\xff\xfe\x00\x00", "UTF-32: convert to UTF-8 first (iconv -f UTF-32 -t UTF-8)"),
    (b"\x00\x00\xfe\xff", "UTF-32: convert to UTF-8 first (iconv -f UTF-32 -t UTF-8)"),
    (b"\xff\xfe", "UTF-16: convert to UTF-8 first (iconv -f UTF-16 -t UTF-8)"),
    (b"\xfe\xff", "UTF-16: convert to UTF-8 first (iconv -f UTF-16 -t UTF-8)"),
]


def _refuse_non_text(path: Path) -> None:
    """A compressed or UTF-16 file is unreadable as a whole: one error saying what it is, not a 'not valid JSON'
    for every line of it (and rows of binary kept as rejected records)."""
    with path.open("rb") as fh:
        head = fh.read(8)
    for magic, what in _NOT_TEXT:
        if head.startswith(magic):
            raise ValueError(f"cannot read '{storable(path.name)}': it is {what}")


def iter_file_records(path: Path | str) -> Iterator[tuple[int, Record | RecordError]]:
    """Records of a `.jsonl`/`.ndjson`, `.json` or `.csv` file, chosen by suffix; a ValueError, before any record,
    for a file that is not UTF-8 text at all (compressed, UTF-16) or of another kind."""
    p = Path(path)
    if p.is_file():
        _refuse_non_text(p)  # first: 'posts.jsonl.gz' is better told it is gzip than that '.gz' is unknown
    suffix = p.suffix.lower()
    if suffix in (".jsonl", ".ndjson"):
        return iter_records(p)
    if suffix == ".json":
        return _iter_json_file(p)
    if suffix == ".csv":
        return iter_csv_records(p)
    shown = suffix or "(none)"
    raise ValueError(f"cannot read '{storable(p.name)}': unknown suffix '{storable(shown)}'; "
                     "use .jsonl, .ndjson, .json or .csv")


def parse_post(record_no: int, data: Record) -> Post:
    """Validate one record as a `Post`; a failure becomes a `RecordError` naming the first failing field."""
    try:
        return Post.model_validate(data)
    except ValidationError as exc:
        first = exc.errors(include_url=False)[0]
        field = ".".join(str(part) for part in first["loc"]) or None
        raise RecordError(record_no, field, first["msg"]) from None


def read_post(number: int, record: object) -> Post:
    """A record received as JSON (a webhook's item, a kept refusal) as a `Post`: an object, of text (a "\\ud83d"
    escape is JSON but not text), valid as a post; else the `RecordError` naming what is wrong."""
    if not isinstance(record, dict):
        raise RecordError(number, None, f"expected a post object, got {json_kind(record)}")
    refused = not_text(number, record)
    if refused is not None:
        raise refused
    return parse_post(number, record)
