"""Matching a value in a JSON list column, the same way on SQLite and PostgreSQL."""

from __future__ import annotations

from sqlalchemy import ColumnElement, String, cast, or_
from sqlalchemy.orm import InstrumentedAttribute


def json_list_has(column: InstrumentedAttribute[list[str]], *values: str) -> ColumnElement[bool]:
    """Rows whose JSON list holds any of `values`, via a quoted LIKE on the stored text.

    Meant for the project's keys (brands, topics: `[a-z0-9_-]`); `_` is escaped so it matches only itself.
    """
    text = cast(column, String)
    return or_(*(text.like('%"' + v.replace("_", "\\_") + '"%', escape="\\") for v in values))
