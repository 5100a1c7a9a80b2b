"""The SELECTs a block of test code runs, and how each database would run one: for tests that a lookup is searched
through an index rather than read whole, on SQLite and PostgreSQL alike."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Engine


@contextmanager
def selects(engine: Engine, table: str | None = None) -> Iterator[list[tuple[str, Any]]]:
    """(statement, parameters) of each SELECT run inside the block, only those reading `table` when it is named."""
    seen: list[tuple[str, Any]] = []

    def capture(conn: Any, cursor: Any, statement: str, params: Any, context: Any, many: bool) -> None:
        if statement.lstrip().upper().startswith("SELECT") and (table is None or f"FROM {table}" in statement):
            seen.append((statement, params))

    event.listen(engine, "before_cursor_execute", capture)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", capture)


def query_plan(engine: Engine, statement: str, params: Any) -> str:
    """The database's plan for a captured statement, as one line of text. PostgreSQL is told to avoid reading a
    table whole where it can, since a near-empty test table is cheapest read whole."""
    with engine.connect() as conn:
        if conn.dialect.name == "postgresql":
            conn.exec_driver_sql("SET enable_seqscan = off")
            return " ".join(conn.exec_driver_sql(f"EXPLAIN {statement}", params).scalars().all())
        return " ".join(row[-1] for row in conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", params))
