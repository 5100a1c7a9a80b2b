"""Fixtures that build a migrated desk on the `database_url` under test (SQLite and PostgreSQL)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest

from wakeful.analyze import Analyzer
from wakeful.api.app import build_desk
from wakeful.api.deps import Desk
from wakeful.core.clock import FixedClock
from wakeful.core.settings import BrandConfig, Settings
from wakeful.store.db import migrate

from tests.factories import T0

BRANDS = [
    BrandConfig(key="aurora", name="Aurora Airways", handles=["AuroraAirways", "AuroraHelp"],
                names=["Aurora Airways", "Aurora Air"], keywords=["#flyaurora"], languages=["en", "de", "fr"]),
    BrandConfig(key="nordrail", name="Nord Rail", handles=["NordRail"], names=["Nord Rail"],
                languages=["de", "en"]),
]


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
