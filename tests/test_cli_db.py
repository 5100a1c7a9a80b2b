"""Commands that read the desk say in one line when the configured database has no desk in it (a new user runs
`wakeful cases` beside `make demo`, whose database is var/demo.db), and `wakeful cases` stays readable on an
80-column terminal."""

from __future__ import annotations

import re
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from wakeful.api.deps import Desk
from wakeful.cli import app, main
from wakeful.core.settings import get_settings

from tests.factories import make_post


@pytest.fixture
def configured(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[Path]:
    """Settings from the environment only, with the database URL each test sets."""
    (tmp_path / "none.toml").write_text("")  # no settings of its own
    monkeypatch.setenv("WAKEFUL_CONFIG", str(tmp_path / "none.toml"))
    get_settings.cache_clear()
    yield tmp_path
    get_settings.cache_clear()


@pytest.mark.parametrize("command", [["cases"], ["report"], ["fairness"], ["agents", "list"]])
def test_a_missing_database_is_named_with_what_to_do_and_not_created(
        command: list[str], configured: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    missing = configured / "wakeful.db"
    monkeypatch.setenv("WAKEFUL_DATABASE_URL", f"sqlite:///{missing}")
    monkeypatch.setattr(sys, "argv", ["wakeful", *command])
    with pytest.raises(SystemExit) as exit_:
        main()
    said = " ".join(capsys.readouterr().out.split())
    assert exit_.value.code == 2 and "no database at sqlite:///" in said and "wakeful db upgrade" in said
    assert "var/demo.db" in said and not missing.exists()


def test_a_database_without_the_desks_tables_is_refused_too(
        configured: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    empty = configured / "other.db"
    empty.write_bytes(b"")  # an SQLite file of something else (here: nothing)
    monkeypatch.setenv("WAKEFUL_DATABASE_URL", f"sqlite:///{empty}")
    monkeypatch.setattr(sys, "argv", ["wakeful", "cases"])
    with pytest.raises(SystemExit):
        main()
    assert "has no wakeful tables" in " ".join(capsys.readouterr().out.split())


def test_the_queue_on_an_80_column_terminal_keeps_every_field(
        desk: Desk, configured: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WAKEFUL_DATABASE_URL", desk.settings.database_url)
    desk.ingest.ingest([make_post("p1", "@AuroraAirways you lost my bag on AU 2213 and nobody answers!",
                                  author="mira_castell_travels")])
    result = CliRunner().invoke(app, ["cases"], env={"COLUMNS": "80"})
    assert result.exit_code == 0, result.output
    row = next(line for line in result.output.splitlines() if "@mira_castell_travels" in line)
    assert "aurora" in row and " en " in row and " new " in row and "@AuroraAirw" in row  # the post cut, not the rest


def test_the_queue_pages_with_offset_and_says_which_cases_of_how_many_it_shows(
        desk: Desk, cli_runner: CliRunner) -> None:
    desk.ingest.ingest([make_post(f"q{i}", "@AuroraAirways you lost my bag on AU 2213 and nobody answers!",
                                  author=f"cust{i}", minutes=i) for i in range(5)])

    def shown(*args: str) -> tuple[list[str], str]:
        result = cli_runner.invoke(app, ["cases", *args])
        assert result.exit_code == 0, result.output
        return re.findall(r"@(cust\d)", result.output), result.output.splitlines()[-1]

    whole, said = shown("--limit", "5")
    assert len(set(whole)) == 5 and said == "cases 1-5 of 5"
    assert shown("--limit", "2", "--offset", "2") == (whole[2:4], "cases 3-4 of 5")
    assert shown("--offset", "4") == (whole[4:], "cases 5-5 of 5")
    assert shown("--offset", "5") == ([], "no cases from 6 on: 5 in all")  # as the API: past the end, no cases
    assert shown("--customer", "@CUST3") == (["cust3"], "cases 1-1 of 1")
    assert shown("--customer", "nobody") == ([], "no cases from 1 on: 0 in all")


def test_a_file_of_an_unknown_kind_is_refused_in_one_line_before_the_database_is_touched(
        configured: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    db = configured / "desk.db"
    monkeypatch.setenv("WAKEFUL_DATABASE_URL", f"sqlite:///{db}")
    posts = configured / "posts.txt"
    posts.write_text("@AuroraAirways where is my bag?\n")
    result = CliRunner().invoke(app, ["ingest", str(posts)], env={"COLUMNS": "200"})
    assert result.exit_code == 2 and "unknown suffix '.txt'" in result.output and "Traceback" not in result.output
    assert not db.exists()


def test_a_config_file_that_is_not_there_is_an_error_not_the_defaults(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("WAKEFUL_CONFIG", str(tmp_path / "wakefull.toml"))  # a typo
    get_settings.cache_clear()
    monkeypatch.setattr(sys, "argv", ["wakeful", "cases"])
    try:
        with pytest.raises(SystemExit) as exit_:
            main()
    finally:
        get_settings.cache_clear()
    said = " ".join(capsys.readouterr().out.split())
    assert exit_.value.code == 2 and "WAKEFUL_CONFIG names" in said and "wakefull.toml" in said


@pytest.mark.parametrize("command", [["eval", "--section", "analysis"], ["train", "--out"]])
def test_a_missing_data_folder_is_one_line_naming_it(
        configured: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
        command: list[str]) -> None:
    missing = configured / "no-data"
    args = [*command, str(configured / "models")] if command[-1] == "--out" else command
    monkeypatch.setattr(sys, "argv", ["wakeful", *args, "--data-dir", str(missing)])
    with pytest.raises(SystemExit) as exit_:
        main()
    said = " ".join(capsys.readouterr().out.split())
    assert exit_.value.code == 2 and said.startswith("error: data folder not found") and str(missing) in said
