"""The Alembic migrations build exactly the schema the models map, and can be undone, on both databases."""

from __future__ import annotations

from datetime import UTC, datetime

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, inspect, text

from wakeful.ingest.jsonl import RecordError
from wakeful.ingest.service import rejected_values
from wakeful.store import notify as outbox
from wakeful.store.db import Database, alembic_config, migrate
from wakeful.store.registry import Base

from tests.query_plans import query_plan, selects


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


def test_the_outbox_is_read_by_event_through_its_index_which_a_downgrade_removes(database_url: str) -> None:
    """`accepted` (the morning report's once-a-day check, on every tick) searches the index, not the whole log."""
    migrate(database_url)
    db = Database(database_url)
    at = datetime(2026, 3, 2, tzinfo=UTC)
    try:
        with db.session() as session:
            session.add(outbox.pending("ops", "digest", {"brand": "aurora", "day": "2026-03-01"}, at))
        with selects(db.engine) as seen, db.session() as session:
            assert len(outbox.accepted(session, "digest", at, brand="aurora", day="2026-03-01")) == 1
        [(statement, params)] = seen
        assert "ix_notifications_event" in query_plan(db.engine, statement, params)
    finally:
        db.dispose()
    engine = create_engine(database_url)
    try:
        command.downgrade(alembic_config(database_url), "0012_notify_outbox")
        assert "ix_notifications_event" not in {i["name"] for i in inspect(engine).get_indexes("notifications")}
        assert "cases" in inspect(engine).get_table_names()  # the other branches stay as they were
        with engine.connect() as conn:
            assert conn.execute(text("SELECT event FROM notifications")).scalars().all() == ["digest"]
        migrate(database_url)
        indexes = {i["name"]: i["column_names"] for i in inspect(engine).get_indexes("notifications")}
        assert indexes["ix_notifications_event"] == ["event", "created_at"]
    finally:
        engine.dispose()
