"""Insert-if-absent that stays correct when two deliveries of one post race (SQLite and PostgreSQL)."""

from __future__ import annotations

from functools import cache
from typing import Any, cast

from sqlalchemy import Table, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session
from sqlalchemy.sql.dml import ReturningInsert

from wakeful.store.models import Base


@cache
def _statement(table: Table, dialect: str, conflict: tuple[str, ...]) -> ReturningInsert[int]:
    """Built once per table: values go in as parameters, so the hot ingest path skips statement compilation."""
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    stmt = insert(table).on_conflict_do_nothing(index_elements=list(conflict)).returning(table.c.id)
    return cast(ReturningInsert[int], stmt)


def insert_ignore(session: Session, model: type[Base], values: dict[str, Any], conflict: list[str]) -> int | None:
    """Insert a row unless one with the same `conflict` columns exists; the new id, or None if it existed."""
    table = cast(Table, model.__table__)
    stmt = _statement(table, session.get_bind().dialect.name, tuple(conflict))
    new_id: int | None = session.execute(stmt, values).scalar_one_or_none()
    return new_id


def get_or_insert(session: Session, model: type[Base], values: dict[str, Any], conflict: list[str]) -> tuple[int, bool]:
    """The row's id and whether this call created it."""
    new_id = insert_ignore(session, model, values, conflict)
    if new_id is not None:
        return new_id, True
    table = cast(Table, model.__table__)
    where = [table.c[c] == values[c] for c in conflict]
    existing: int = session.execute(select(table.c.id).where(*where)).scalar_one()
    return existing, False
