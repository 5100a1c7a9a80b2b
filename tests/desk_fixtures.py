"""Fixtures that build a migrated desk on the `database_url` under test (SQLite and PostgreSQL)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from wakeful.analyze import Analyzer
from wakeful.api.app import build_desk, create_app
from wakeful.api.auth import Role, create_token
from wakeful.api.deps import Desk
from wakeful.core.clock import FixedClock
from wakeful.core.settings import BrandConfig, Settings, get_settings
from wakeful.store.db import migrate

from tests.factories import T0

BRANDS = [
    BrandConfig(key="aurora", name="Aurora Airways", handles=["AuroraAirways", "AuroraHelp"],
                names=["Aurora Airways", "Aurora Air"], keywords=["#flyaurora"], languages=["en", "de", "fr"]),
    BrandConfig(key="nordrail", name="Nord Rail", handles=["NordRail"], names=["Nord Rail"],
                languages=["de", "en"]),
]


Headers = Callable[..., dict[str, str]]
"""`auth(name, brand, role)`: the Authorization header of a fresh token."""


@pytest.fixture
def client(desk: Desk) -> Iterator[TestClient]:
    with TestClient(create_app(desk)) as c:
        yield c


@pytest.fixture
def auth(desk: Desk) -> Headers:
    def headers(name: str = "ana", brand: str = "aurora", role: Role = Role.AGENT) -> dict[str, str]:
        with desk.db.session() as s:
            token = create_token(s, name, brand, role, desk.clock.now())
        return {"Authorization": f"Bearer {token}"}

    return headers


@pytest.fixture(scope="session")
def analyzer() -> Analyzer:
    return Analyzer(BRANDS)


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(T0 + timedelta(minutes=5))


@pytest.fixture
def settings(database_url: str) -> Settings:
    return Settings(database_url=database_url, brands=BRANDS)


@pytest.fixture
def desk(settings: Settings, clock: FixedClock, analyzer: Analyzer) -> Iterator[Desk]:
    migrate(settings.database_url)
    built = build_desk(settings, clock=clock, analyzer=analyzer)
    yield built
    built.db.dispose()


@pytest.fixture
def cli_runner(desk: Desk, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[CliRunner]:
    """Runs `wakeful …` commands against the test desk's database, with an empty configuration file (so a
    wakeful.toml in the working directory cannot leak in) and wide output (so table cells are not cut)."""
    monkeypatch.setenv("WAKEFUL_DATABASE_URL", desk.settings.database_url)
    (tmp_path / "none.toml").write_text("")
    monkeypatch.setenv("WAKEFUL_CONFIG", str(tmp_path / "none.toml"))
    monkeypatch.setenv("COLUMNS", "200")
    get_settings.cache_clear()
    yield CliRunner()
    get_settings.cache_clear()
