"""The Alembic migrations build exactly the schema the models map, and can be undone, on both databases."""

from __future__ import annotations

from datetime import UTC, datetime

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, inspect, text

from wakeful.ingest.jsonl import RecordError
from wakeful.ingest.service import rejected_values
from wakeful.store.db import alembic_config, migrate
from wakeful.store.registry import Base


def test_upgrade_matches_the_models_and_downgrade_removes_everything(database_url: str) -> None:
    migrate(database_url)
    engine = create_engine(database_url)
    try:
        with engine.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
        assert diff == []
        command.downgrade(alembic_config(database_url), "base")
        assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
        migrate(database_url)  # and back up again: migrations are repeatable
        assert "cases" in inspect(engine).get_table_names()
    finally:
        engine.dispose()


def test_rejected_records_kept_twice_before_the_fingerprint_are_merged_into_the_first(database_url: str) -> None:
    """A desk that replayed a file before rejected records were kept once upgrades: one row per record remains."""
    command.upgrade(alembic_config(database_url), "0001")
    engine = create_engine(database_url)
    rows = [("file:a.jsonl", 2, None, '"{not json"'), ("file:a.jsonl", 2, None, '"{not json"'),
            ("file:a.jsonl", 3, "text", '{"id": "x"}'), ("file:b.jsonl", 2, None, '"{not json"'),
            ("file:a.jsonl", 3, "text", '{"id": "x"}')]
    try:
        with engine.begin() as conn:
            for n, (source, record, field, payload) in enumerate(rows, start=1):
                conn.execute(text("INSERT INTO rejected_records (id, at, source, record, field, error, payload) "
                                  "VALUES (:id, :at, :source, :record, :field, 'bad', :payload)"),
                             {"id": n, "at": datetime(2026, 3, 2, tzinfo=UTC), "source": source, "record": record,
                              "field": field, "payload": payload})
        migrate(database_url)
        with engine.connect() as conn:
            kept = conn.execute(text("SELECT id, fingerprint FROM rejected_records ORDER BY id")).all()
        assert [row.id for row in kept] == [1, 3, 4]
        assert len({row.fingerprint for row in kept}) == 3
        again = rejected_values("file:a.jsonl", [RecordError(2, None, "not valid JSON")], {2: "{not json"},
                                datetime(2026, 3, 3, tzinfo=UTC))
        assert again[0]["fingerprint"] == kept[0].fingerprint  # the same record refused again is not kept again
    finally:
        engine.dispose()
