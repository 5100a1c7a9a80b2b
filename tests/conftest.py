"""Shared test fixtures.

Databases
---------
`database_url` (function scope) is parametrized over SQLite and PostgreSQL (ids `sqlite`, `postgresql`; the
latter carries the `postgres` marker, so `pytest -m "not postgres"` runs SQLite only and never starts a
server). Every test gets a fresh, empty database: `sqlite:///<tmp_path>/wakeful.db`, or a new database
`t_<uuid hex>` on the session's PostgreSQL server, dropped after the test.

`pg_server` (session scope) is that server (see tests/pg.py), started on first use. When PostgreSQL is not
installed the PostgreSQL tests are skipped, unless `CI=true` or `WAKEFUL_REQUIRE_POSTGRES` is set: then they
fail, so that CI cannot go green without having run them. `make system-deps` installs PostgreSQL.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.pg import PG_BIN_GLOB, PostgresServer, find_pg_bindir

_FALSY = {"", "0", "false", "no", "off"}


def postgres_required() -> bool:
    """True in CI (CI=true) or when WAKEFUL_REQUIRE_POSTGRES is set: a missing PostgreSQL is then an error."""
    return (
        os.environ.get("CI", "").strip().lower() not in _FALSY
        or os.environ.get("WAKEFUL_REQUIRE_POSTGRES", "").strip().lower() not in _FALSY
    )


@pytest.fixture(scope="session")
def pg_server() -> Iterator[PostgresServer]:
    bindir = find_pg_bindir()
    if bindir is None:
        where = os.environ.get("WAKEFUL_PG_BINDIR") or f"{PG_BIN_GLOB} or on PATH"
        why = f"PostgreSQL is not installed (no initdb in {where}); run `make system-deps`"
        if postgres_required():
            pytest.fail(f"{why}. It is required here (CI=true or WAKEFUL_REQUIRE_POSTGRES is set).")
        pytest.skip(why)
    with PostgresServer(bindir) as server:
        yield server


@pytest.fixture(
    params=[
        pytest.param("sqlite", id="sqlite"),
        pytest.param("postgresql", id="postgresql", marks=pytest.mark.postgres),
    ]
)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh, empty database per test, once on SQLite and once on PostgreSQL."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path}/wakeful.db"
        return
    server: PostgresServer = request.getfixturevalue("pg_server")  # started lazily: SQLite-only runs skip it
    name = f"t_{uuid.uuid4().hex}"
    url = server.create_database(name)
    try:
        yield url
    finally:
        server.drop_database(name)


# ======================================================================================================
# END of the database server fixtures (pg_server, database_url).
# Fixtures that migrate the schema into `database_url` (and other shared fixtures) go BELOW this line.
# ======================================================================================================

from tests.desk_fixtures import analyzer, auth, cli_runner, client, clock, desk, settings  # noqa: E402, F401 - shared fixtures
