"""Engines, sessions and schema migration for SQLite (default) and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event, inspect
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

MIGRATIONS = Path(__file__).parent / "migrations"


def is_sqlite(url: str) -> bool:
    return make_url(url).get_backend_name() == "sqlite"


def make_engine(url: str, **kwargs: Any) -> Engine:
    """An engine tuned for the desk: SQLite in WAL mode with a busy timeout so the server and a replay can share it."""
    if is_sqlite(url):
        engine = create_engine(url, connect_args={"timeout": 30, "check_same_thread": False}, **kwargs)

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.close()

        return engine
    return create_engine(url, pool_pre_ping=True, **kwargs)


def alembic_config(url: str) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


class SchemaMissing(RuntimeError):
    """The configured database has no desk in it: a command that reads one was pointed at the wrong place."""


def open_existing(url: str) -> Database:
    """The desk's database at `url` for a command that reads it; `SchemaMissing`, saying where and what to do, when
    it holds no desk. Never creates an empty SQLite file on the way (connecting would)."""
    target = make_url(url)
    where = target.render_as_string(hide_password=True)
    hint = ("run `wakeful db upgrade` to create it, or point WAKEFUL_DATABASE_URL at the desk's database "
            "(the demo's is sqlite:///var/demo.db)")
    if is_sqlite(url) and target.database not in (None, "", ":memory:") and not Path(target.database).is_file():
        raise SchemaMissing(f"no database at {where}: {hint}")
    db = Database(url)
    tables = set(inspect(db.engine).get_table_names())
    if "alembic_version" not in tables or "cases" not in tables:
        db.dispose()
        raise SchemaMissing(f"the database at {where} has no wakeful tables: {hint}")
    return db


def migrate(url: str, revision: str = "heads") -> None:
    """Bring the database at `url` to `revision`, creating it (SQLite) or its tables as needed.

    "heads": features may add their own branch of revisions off a common base (each its own tables), and all of
    them are applied; a later merge revision can join them.
    """
    command.upgrade(alembic_config(url), revision)


class Database:
    """One engine and its session factory; the unit every service receives."""

    def __init__(self, url: str, **engine_kwargs: Any) -> None:
        self.url = url
        self.engine = make_engine(url, **engine_kwargs)
        self.sessions = sessionmaker(self.engine, expire_on_commit=False)

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A session committed on success and rolled back on any error."""
        with self.sessions() as session:
            try:
                yield session
                session.commit()
            except BaseException:
                session.rollback()
                raise

    def dispose(self) -> None:
        self.engine.dispose()
