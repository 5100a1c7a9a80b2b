"""The database fixtures: each test gets its own empty, working database on SQLite and on PostgreSQL."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from tests.pg import PostgresServer

# URLs handed out so far in this session, per backend, to check that no two tests share a database.
_seen_urls: dict[str, set[str]] = {}


def _remember(database_url: str) -> None:
    backend = sa.engine.make_url(database_url).get_backend_name()
    seen = _seen_urls.setdefault(backend, set())
    assert database_url not in seen, f"{database_url} was already given to another test"
    seen.add(database_url)


def test_database_accepts_create_insert_select(database_url: str) -> None:
    _remember(database_url)
    engine = sa.create_engine(database_url)
    try:
        with engine.begin() as conn:
            conn.execute(sa.text("CREATE TABLE probe (id INTEGER PRIMARY KEY, body TEXT NOT NULL)"))
            conn.execute(
                sa.text("INSERT INTO probe (id, body) VALUES (:id, :body)"),
                [{"id": 1, "body": "héllo ✈"}, {"id": 2, "body": "world"}],
            )
        with engine.connect() as conn:
            rows = conn.execute(sa.text("SELECT id, body FROM probe ORDER BY id")).all()
        assert [tuple(r) for r in rows] == [(1, "héllo ✈"), (2, "world")]
    finally:
        engine.dispose()


def test_each_test_gets_a_fresh_empty_database(database_url: str) -> None:
    # Runs after the test above, which left a table `probe` behind in its own database.
    _remember(database_url)
    engine = sa.create_engine(database_url)
    try:
        assert sa.inspect(engine).get_table_names() == []
        with engine.begin() as conn:
            conn.execute(sa.text("CREATE TABLE probe (id INTEGER PRIMARY KEY)"))  # would clash if shared
    finally:
        engine.dispose()


def test_undisposed_connections_do_not_block_teardown(database_url: str) -> None:
    # The fixture drops PostgreSQL databases WITH (FORCE): a connection left open must not break teardown.
    _remember(database_url)
    engine = sa.create_engine(database_url)
    conn = engine.connect()
    assert conn.execute(sa.text("SELECT 1")).scalar_one() == 1


@pytest.mark.postgres
def test_server_listens_on_loopback_only_with_fast_settings(pg_server: PostgresServer) -> None:
    assert pg_server.url("x") == f"postgresql+psycopg://postgres@127.0.0.1:{pg_server.port}/x"
    with pg_server.connect() as conn:
        settings = {
            name: conn.execute(f"SHOW {name}").fetchone()
            for name in ("listen_addresses", "fsync", "server_encoding", "unix_socket_directories")
        }
    assert settings["listen_addresses"] == ("127.0.0.1",)
    assert settings["fsync"] == ("off",)
    assert settings["server_encoding"] == ("UTF8",)
    assert settings["unix_socket_directories"] == (str(pg_server.socket_dir),)


@pytest.mark.postgres
def test_create_database_gives_distinct_usable_databases(pg_server: PostgresServer) -> None:
    a = pg_server.create_database("t_fixture_a")
    b = pg_server.create_database("t_fixture_b")
    try:
        assert a != b
        for url in (a, b):
            engine = sa.create_engine(url)
            try:
                with engine.connect() as conn:
                    assert conn.execute(sa.text("SELECT current_database()")).scalar_one() in url
            finally:
                engine.dispose()
    finally:
        pg_server.drop_database("t_fixture_a")
        pg_server.drop_database("t_fixture_b")
