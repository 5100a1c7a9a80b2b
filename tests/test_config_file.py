"""A settings file with a key the desk does not know, or a value it cannot use, is an error in one line naming
it, not silently the default (a typo in `[[brands]]` would otherwise leave a brand on languages nobody chose);
a database server that cannot be reached is said in one line too."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from wakeful.cli import main
from wakeful.core.config_file import SettingsInvalid, check_file
from wakeful.core.settings import Settings, get_settings

GOOD = """
database_url = "sqlite:///desk.db"

[priority]
reach_max_levels = 1

[[brands]]
key = "aurora"
name = "Aurora Airways"
handles = ["@AuroraAirways"]
languages = ["en", "de"]

[brands.priority]
reach_max_levels = 0
"""


@pytest.fixture
def config(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[Path]:
    path = tmp_path / "wakeful.toml"
    monkeypatch.setenv("WAKEFUL_CONFIG", str(path))
    get_settings.cache_clear()
    yield path
    get_settings.cache_clear()


def run_main(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    monkeypatch.setattr(sys, "argv", ["wakeful", "cases"])
    with pytest.raises(SystemExit) as exit_:
        main()
    return int(exit_.value.code or 0), " ".join(capsys.readouterr().out.split())


def test_a_good_file_loads_every_level(config: Path) -> None:
    config.write_text(GOOD, encoding="utf-8")
    settings = get_settings()
    assert settings.database_url == "sqlite:///desk.db" and settings.priority.reach_max_levels == 1
    brand = settings.brand("aurora")
    assert brand is not None and brand.languages == ["en", "de"] and brand.priority is not None
    assert brand.priority.reach_max_levels == 0


def test_unknown_keys_are_named_at_every_level_with_the_nearest_known_one(config: Path) -> None:
    config.write_text(GOOD.replace("languages", "langauges").replace("database_url", "databse_url")
                      + "\n[notfy]\nemail = []\n", encoding="utf-8")
    with pytest.raises(SettingsInvalid) as err:
        check_file(Settings, config)
    said = str(err.value)
    assert said.startswith(f"{config}: unknown settings ")
    assert "databse_url (did you mean 'database_url'?)" in said
    assert "brands[0].langauges (did you mean 'languages'?)" in said
    assert "notfy (did you mean 'notify'?)" in said
    config.write_text(GOOD.replace("[brands.priority]\nreach_max_levels", "[brands.priority]\nreach_max_level"),
                      encoding="utf-8")
    with pytest.raises(SettingsInvalid, match=r"brands\[0\]\.priority\.reach_max_level \(did you mean"):
        get_settings()


def test_the_command_says_what_is_wrong_in_one_line(config: Path, monkeypatch: pytest.MonkeyPatch,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    config.write_text("port = 'eighty'\n", encoding="utf-8")
    code, said = run_main(monkeypatch, capsys)
    assert code == 2 and "invalid settings" in said and "port: Input should be a valid integer" in said
    assert "Traceback" not in said
    config.write_text("[[brands]\n", encoding="utf-8")
    get_settings.cache_clear()
    code, said = run_main(monkeypatch, capsys)
    assert code == 2 and "is not valid TOML" in said


def test_a_database_server_that_cannot_be_reached_is_one_line(config: Path, monkeypatch: pytest.MonkeyPatch,
                                                              capsys: pytest.CaptureFixture[str]) -> None:
    config.write_text("", encoding="utf-8")
    monkeypatch.setenv("WAKEFUL_DATABASE_URL", "postgresql+psycopg://desk:secret@127.0.0.1:1/desk")
    code, said = run_main(monkeypatch, capsys)
    assert code == 2 and "cannot reach the database" in said and "WAKEFUL_DATABASE_URL" in said
    assert "secret" not in said and "Traceback" not in said
