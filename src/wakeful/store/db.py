"""Engines, sessions and schema migration for SQLite (default) and PostgreSQL."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.util.exc import CommandError
from sqlalchemy import Engine, create_engine, event, inspect, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

MIGRATIONS = Path(__file__).parent / "migrations"


def is_sqlite(url: str) -> bool:
    return make_url(url).get_backend_name() == "sqlite"


def _lower(value: object) -> object:
    return value.lower() if isinstance(value, str) else value


def _upper(value: object) -> object:
    return value.upper() if isinstance(value, str) else value


def make_engine(url: str, **kwargs: Any) -> Engine:
    """An engine tuned for the desk: SQLite in WAL mode with a busy timeout so the server and a replay can share it,
    and with lower() and upper() that know every alphabet: SQLite's own fold ASCII letters only, so a search for
    "özlem" would miss "Özlem", and a name compared in lower case would match in Python and not in SQL."""
    if is_sqlite(url):
        engine = create_engine(url, connect_args={"timeout": 30, "check_same_thread": False}, **kwargs)

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.close()
            dbapi_conn.create_function("lower", 1, _lower, deterministic=True)
            dbapi_conn.create_function("upper", 1, _upper, deterministic=True)

        return engine
    return create_engine(url, pool_pre_ping=True, **kwargs)


def alembic_config(url: str) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


class SchemaMissing(RuntimeError):
    """The configured database has no desk in it: a command that reads one was pointed at the wrong place."""


class DatabaseUnusable(RuntimeError):
    """The configured database is something this wakeful cannot work on: a file that is not SQLite, or a schema
    written by a newer (or another) version of wakeful."""


SQLITE_HEADER = b"SQLite format 3\x00"


def _where(url: str) -> str:
    return make_url(url).render_as_string(hide_password=True)


def _sqlite_file(url: str) -> Path | None:
    """The file an SQLite URL names; None for in-memory databases and other servers."""
    database = make_url(url).database
    return Path(database) if is_sqlite(url) and database not in (None, "", ":memory:") else None


def _refuse_non_sqlite(url: str) -> None:
    """`DatabaseUnusable` for a file that exists but is not SQLite (a typo in the URL naming a log or a CSV), before
    SQLite says only "file is not a database". An empty file is an empty database."""
    path = _sqlite_file(url)
    if path is None or not path.is_file():
        return
    with path.open("rb") as f:
        head = f.read(len(SQLITE_HEADER))
    if head and head != SQLITE_HEADER:
        raise DatabaseUnusable(f"{path} is not an SQLite database (WAKEFUL_DATABASE_URL is {_where(url)}); point it "
                               "at the desk's database file")


def open_existing(url: str) -> Database:
    """The desk's database at `url` for a command that reads it; `SchemaMissing`, saying where and what to do, when
    it holds no desk. Never creates an empty SQLite file on the way (connecting would)."""
    where = _where(url)
    hint = ("run `wakeful db upgrade` to create it, or point WAKEFUL_DATABASE_URL at the desk's database "
            "(the demo's is sqlite:///var/demo.db)")
    path = _sqlite_file(url)
    if path is not None and not path.is_file():
        raise SchemaMissing(f"no database at {where}: {hint}")
    _refuse_non_sqlite(url)
    db = Database(url)
    tables = set(inspect(db.engine).get_table_names())
    if "alembic_version" not in tables or "cases" not in tables:
        db.dispose()
        raise SchemaMissing(f"the database at {where} has no wakeful tables: {hint}")
    return db


def migrate(url: str, revision: str = "heads") -> None:
    """Bring the database at `url` to `revision`, creating it (SQLite) or its tables as needed.

    "heads": features may add their own branch of revisions off a common base (each its own tables), and all of
    them are applied; a later merge revision can join them. `DatabaseUnusable` when the database is not one this
    version can migrate (not SQLite, or at a revision it does not know).
    """
    _refuse_non_sqlite(url)
    try:
        command.upgrade(alembic_config(url), revision)
    except CommandError as err:
        unknown = re.search(r"Can't locate revision identified by '([^']*)'", str(err))
        if unknown is None:
            raise
        raise DatabaseUnusable(
            f"the database at {_where(url)} is at schema revision {unknown.group(1)!r}, which this wakeful does not "
            "know: it was made by a newer or another version of wakeful. Run that version, or point "
            "WAKEFUL_DATABASE_URL at another database") from None


def folds_every_alphabet(engine: Engine) -> bool:
    """Whether the database's lower() lowers more than ASCII. PostgreSQL's follows the database's LC_CTYPE, and under
    the C locale it leaves 'Ö' as it is: customer search and the privacy search then match names with accents only
    in the case they were typed. SQLite's is replaced by `make_engine`."""
    with engine.connect() as conn:
        return bool(conn.execute(text("SELECT lower('ÄÉÖ') = 'äéö'")).scalar())


ASCII_ONLY_FOLDING = ("the database's lower() leaves letters outside ASCII as they are (PostgreSQL under the C locale),"
                      " so customer and personal-data searches match 'Özlem' only as typed; create the database with "
                      "a UTF-8 locale (CREATE DATABASE ... LC_CTYPE 'C.UTF-8' TEMPLATE template0)")


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
