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


BRAND = '[[brands]]\nkey = "{key}"\nname = "{key} air"\nhandles = ["{key}Air"]\n'


@pytest.mark.parametrize(("text", "said"), [
    ("port = 99999999\n", "port: Input should be less than or equal to 65535"),
    ("port = 0\n", "port: Input should be greater than or equal to 1"),
    ("first_response_target_minutes = [10]\n", "first_response_target_minutes: give 4 targets in minutes"),
    ("first_response_target_minutes = [240, 120, 0, -15]\n", "each at least 1"),
    ("brands = []\n", "brands: give at least one [[brands]] entry"),
    (BRAND.format(key="aurora") + BRAND.format(key="aurora"), "brand key 'aurora' given more than once"),
    (BRAND.format(key="aurora") + 'languages = ["en", "xx"]\n', "'xx' is not a language the desk serves"),
    (BRAND.format(key="aurora") + "languages = []\n", "give at least one language the brand answers in"),
    ("[priority]\nreach_followers_per_level = [100000, 10000]\n", "reach_followers_per_level: give follower "
                                                                  "counts of at least 1 in ascending order"),
    ("[priority]\nreach_followers_per_level = [10000, 10000]\n", "in ascending order"),
    ('database_url = "mysql://u:hunter2@h/db"\n', "mysql databases are not supported"),
])
def test_unusable_values_are_named_in_one_line(config: Path, monkeypatch: pytest.MonkeyPatch,
                                               capsys: pytest.CaptureFixture[str], text: str, said: str) -> None:
    config.write_text(text, encoding="utf-8")
    code, out = run_main(monkeypatch, capsys)
    assert code == 2 and "invalid settings" in out and said in out
    assert "Traceback" not in out and "hunter2" not in out


def test_usable_values_next_to_those_limits_load(config: Path) -> None:
    config.write_text("port = 65535\nfirst_response_target_minutes = [1, 1, 1, 1]\n[priority]\n"
                      "reach_followers_per_level = [1, 2]\n" + BRAND.format(key="aurora")
                      + 'languages = [" EN", "de", "en"]\n' + BRAND.format(key="nordrail"), encoding="utf-8")
    settings = get_settings()
    assert settings.port == 65535 and settings.priority.reach_followers_per_level == [1, 2]
    assert [b.key for b in settings.brands] == ["aurora", "nordrail"]
    aurora = settings.brand("aurora")
    assert aurora is not None and aurora.languages == ["en", "de"]


@pytest.mark.parametrize(("name", "value", "said"), [
    ("WAKEFUL_FIRST_RESPONSE_TARGET_MINUTES", "[1,2]", "first_response_target_minutes: give 4 targets"),
    ("WAKEFUL_BRANDS", "notjson", "WAKEFUL_BRANDS is not valid JSON"),
    ("WAKEFUL_PORT", "99999999", "port: Input should be less than or equal to 65535"),
])
def test_unusable_environment_values_are_named_in_one_line(
        config: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
        name: str, value: str, said: str) -> None:
    config.write_text("", encoding="utf-8")
    monkeypatch.setenv(name, value)
    code, out = run_main(monkeypatch, capsys)
    assert code == 2 and out.startswith("error: invalid settings") and said in out and "Traceback" not in out


@pytest.mark.parametrize(("name", "value", "said"), [
    ("WAKEFUL_PRIORTY__REACH_MODE", "levels", "unknown variable WAKEFUL_PRIORTY__REACH_MODE (did you mean "
                                              "WAKEFUL_PRIORITY__REACH_MODE?)"),
    ("WAKEFUL_PRIORITY__REACH_MOD", "levels", "(did you mean WAKEFUL_PRIORITY__REACH_MODE?)"),
    ("WAKEFUL_NOTIFY__BRANDS__AURORA__SLAK_URL", "https://hooks.example/x",
     "(did you mean WAKEFUL_NOTIFY__BRANDS__AURORA__SLACK_URL?)"),
    ("WAKEFUL_DATABASE", "sqlite:///x.db", "(did you mean WAKEFUL_DATABASE_URL?)"),
    ("WAKEFUL_PORT__NUMBER", "80", "WAKEFUL_PORT takes one value, not parts"),
    ("WAKEFUL_BRANDS", '[{"key": "aurora", "name": "Aurora", "langauges": ["en"]}]',
     "WAKEFUL_BRANDS: unknown setting brands[0].langauges (did you mean 'languages'?)"),
])
def test_a_misspelt_environment_variable_is_an_error_naming_the_nearest_one(
        config: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
        name: str, value: str, said: str) -> None:
    config.write_text("", encoding="utf-8")
    monkeypatch.setenv(name, value)
    code, out = run_main(monkeypatch, capsys)
    assert code == 2 and out.startswith("error: WAKEFUL_* environment:") and said in out


def test_variables_read_outside_the_settings_and_real_settings_in_any_case_are_allowed(
        config: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config.write_text("", encoding="utf-8")
    for name in ("WAKEFUL_NEW_PASSWORD", "WAKEFUL_REQUIRE_POSTGRES", "WAKEFUL_DATA_DIR", "WAKEFUL_PG_BINDIR"):
        monkeypatch.setenv(name, "1")
    monkeypatch.setenv("wakeful_priority__reach_mode", "levels")
    monkeypatch.setenv("WAKEFUL_NOTIFY__BRANDS__AURORA__SLACK_URL", "https://hooks.example/x")
    monkeypatch.setenv("WAKEFUL_CONNECTORS__X__BEARER_TOKEN", "token")
    settings = get_settings()
    assert settings.priority.reach_mode == "levels" and "aurora" in settings.notify.brands
    assert settings.connectors.x.configured
