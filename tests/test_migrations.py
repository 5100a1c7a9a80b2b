"""The Alembic migrations build exactly the schema the models map, and can be undone, on both databases."""

from __future__ import annotations

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, inspect

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
