"""The commands that take `--brand` know the brands the desk runs, those added in Settings (saved in the database)
as well as the configuration file's, and a plain user error is one line, not a traceback."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from wakeful.api.deps import Desk
from wakeful.cli import app
from wakeful.core.settings import BrandConfig, get_settings
from wakeful.desk import agents, brand_settings
from wakeful.store.models import ApiTokenRow
from wakeful.store.users import UserRow

SKYLINE = BrandConfig(key="skyline", name="Skyline Hotels", handles=["SkylineHotels"], languages=["en"])


@pytest.fixture
def runner(desk: Desk, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[CliRunner]:
    """The CLI on the desk's database, with the default brands from no file (aurora), and skyline saved in
    Settings as a lead or admin would."""
    monkeypatch.setenv("WAKEFUL_DATABASE_URL", desk.settings.database_url)
    (tmp_path / "none.toml").write_text("")
    monkeypatch.setenv("WAKEFUL_CONFIG", str(tmp_path / "none.toml"))
    monkeypatch.setenv("COLUMNS", "200")
    with desk.db.session() as s:
        brand_settings.save(s, desk.file_settings, SKYLINE, "root", desk.clock.now())
    get_settings.cache_clear()
    yield CliRunner()
    get_settings.cache_clear()


def test_a_brand_added_in_settings_gets_tokens_users_and_agents(runner: CliRunner, desk: Desk) -> None:
    assert get_settings().brand("skyline") is None  # not in the configuration
    token = runner.invoke(app, ["token", "create", "sky-lead", "--brand", "skyline", "--role", "lead"])
    assert token.exit_code == 0, token.output
    assert token.output.strip().startswith("wk_")
    user = runner.invoke(app, ["user", "add", "sam", "--brand", "skyline", "--password", "a-long-sky-password"])
    assert user.exit_code == 0, user.output
    agent = runner.invoke(app, ["agents", "add", "sol", "--brand", "skyline"])
    assert agent.exit_code == 0, agent.output
    with desk.db.session() as s:
        assert s.scalars(select(ApiTokenRow.brand).where(ApiTokenRow.name == "sky-lead")).all() == ["skyline"]
        assert s.scalars(select(UserRow.brand).where(UserRow.username == "sam")).all() == ["skyline"]
        assert agents.get_agent(s, "skyline", "sol") is not None


@pytest.mark.parametrize("command", [["token", "create", "x"], ["agents", "add", "x"],
                                     ["user", "add", "x", "--password", "a-long-enough-password"]])
def test_a_brand_the_desk_does_not_run_is_named_with_those_it_does(runner: CliRunner, command: list[str]) -> None:
    result = runner.invoke(app, [*command, "--brand", "nope"])
    assert result.exit_code == 2 and result.exception is not None and isinstance(result.exception, SystemExit)
    said = " ".join(result.output.split())
    assert "unknown brand 'nope'" in said and "'aurora'" in said and "'skyline'" in said


def test_all_brands_for_a_lead_token_is_one_clear_line_not_a_traceback(runner: CliRunner, desk: Desk) -> None:
    result = runner.invoke(app, ["token", "create", "bad", "--brand", "*", "--role", "lead"])
    assert result.exit_code == 2, result.output
    assert isinstance(result.exception, SystemExit)  # handled, not a ValueError escaping
    assert "only an admin token may span all brands" in " ".join(result.output.split())
    assert "Traceback" not in result.output
    with desk.db.session() as s:
        assert s.scalars(select(ApiTokenRow).where(ApiTokenRow.name == "bad")).all() == []
    admin = runner.invoke(app, ["token", "create", "root", "--brand", "*", "--role", "admin"])
    assert admin.exit_code == 0, admin.output
