"""Read and write posts as JSON lines or flat CSV, one record at a time.

Files come from exports, other tools and people, so a bad record must never stop the rest of the file:
readers yield each record's parsed object or a `RecordError` saying which record and which field is wrong, and
the caller decides what to do with the error (the desk stores rejected records so they can be fixed and
replayed). Bytes that are not UTF-8 are such an error of their record alone: files are decoded with
`surrogateescape`, and a record still holding an escaped byte is rejected naming its field, never stored.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from wakeful.core.models import Post

Record = dict[str, Any]
_EXTRA = "\x00extra"  # DictReader key for cells beyond the header


class RecordError(ValueError):
    """One unreadable record: its 1-based number in the file, the dotted field path if known, and why; `raw` is
    the record's text where it could not be parsed at all (kept so an operator can fix and replay it)."""

    def __init__(self, record: int, field: str | None, message: str, raw: str | None = None) -> None:
        self.record = record
        self.field = field
        self.message = message
        self.raw = raw
        super().__init__(str(self))

    def __str__(self) -> str:
        where = f"record {self.record}"
        if self.field:
            where += f", field {self.field!r}"
        return f"{where}: {self.message}"

    def __reduce__(self) -> tuple[type[RecordError], tuple[int, str | None, str, str | None]]:
        return (type(self), (self.record, self.field, self.message, self.raw))


def _shown(text: str) -> str:
    """Text as it can be stored and shown: bytes that were not UTF-8 as `\\xe9` escapes."""
    return text.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


def _escaped_byte(value: object, path: str = "") -> tuple[str, str] | None:
    """The dotted path of the first key or string in `value` holding a byte that was not UTF-8 (decoded with
    `surrogateescape`), and that byte as `0xe9`; None when everything is text."""
    if isinstance(value, str):
        for ch in value:
            if "\udc80" <= ch <= "\udcff":
                return path, f"0x{ord(ch) - 0xDC00:02x}"
        return None
    items = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else ()
    for key, item in items:
        here = f"{path}.{key}" if path else str(key)
        found = _escaped_byte(key, here) or _escaped_byte(item, here)
        if found:
            return found
    return None


def _undecodable(number: int, record: Record, raw: str) -> RecordError | None:
    found = _escaped_byte(record)
    if found is None:
        return None
    field, byte = found
    return RecordError(number, field or None, f"not UTF-8 text (byte {byte}); is the file in another encoding?",
                       raw=_shown(raw))


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
        return RecordError(number, None, f"not valid JSON: {exc.msg} at column {exc.colno}", raw=_shown(text))
    if not isinstance(data, dict):
        return RecordError(number, None, f"expected a JSON object, got {type(data).__name__}", raw=_shown(text))
    return _undecodable(number, data, text) or data


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
            yield number, _undecodable(number, item, json.dumps(item, ensure_ascii=False)) or item
        else:
            yield number, RecordError(number, None, f"expected a JSON object, got {type(item).__name__}")


def _unflatten(number: int, row: dict[str, str]) -> Record | RecordError:
    """`{"author.id": "x"}` → `{"author": {"id": "x"}}`; empty cells are left out; `raw` may hold JSON."""
    out: Record = {}
    for column, value in row.items():
        if value is None or value == "":
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
            yield number, _undecodable(number, cells, json.dumps(cells, ensure_ascii=False)) or _unflatten(number, row)


def iter_file_records(path: Path | str) -> Iterator[tuple[int, Record | RecordError]]:
    """Records of a `.jsonl`/`.ndjson`, `.json` or `.csv` file, chosen by suffix."""
    p = Path(path)
    suffix = p.suffix.lower()
    if suffix in (".jsonl", ".ndjson"):
        return iter_records(p)
    if suffix == ".json":
        return _iter_json_file(p)
    if suffix == ".csv":
        return iter_csv_records(p)
    shown = suffix or "(none)"
    raise ValueError(f"cannot read {p.name!r}: unknown suffix {shown!r}; use .jsonl, .ndjson, .json or .csv")


def parse_post(record_no: int, data: Record) -> Post:
    """Validate one record as a `Post`; a failure becomes a `RecordError` naming the first failing field."""
    try:
        return Post.model_validate(data)
    except ValidationError as exc:
        first = exc.errors(include_url=False)[0]
        field = ".".join(str(part) for part in first["loc"]) or None
        raise RecordError(record_no, field, first["msg"]) from None
