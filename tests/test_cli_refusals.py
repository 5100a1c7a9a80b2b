"""A user's mistake on the command line is one line saying what is wrong, exit status 2, never a traceback and
never a quiet wrong answer: option values out of range, a brand the desk does not run, a database URL wakeful cannot
use, a file that is not a database, and a database made by another version of wakeful."""

from __future__ import annotations

import sqlite3
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from wakeful.api.deps import Desk
from wakeful.cli import app, main
from wakeful.core.settings import get_settings
from wakeful.store.agents import SlaPolicyRow
from wakeful.store.db import migrate

from tests.factories import make_post


@pytest.fixture
def configured(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[Path]:
    """Settings from the environment only (the default brand, aurora), with the database URL each test sets."""
    (tmp_path / "none.toml").write_text("")
    monkeypatch.setenv("WAKEFUL_CONFIG", str(tmp_path / "none.toml"))
    monkeypatch.setenv("COLUMNS", "200")
    get_settings.cache_clear()
    yield tmp_path
    get_settings.cache_clear()


def run_main(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    """`wakeful ARGS` as the installed command runs it: exit status and what it printed, on one line."""
    monkeypatch.setattr(sys, "argv", ["wakeful", *args])
    with pytest.raises(SystemExit) as exit_:
        main()
    captured = capsys.readouterr()
    return int(exit_.value.code or 0), " ".join((captured.out + captured.err).split())


@pytest.fixture
def on_desk(desk: Desk, configured: Path, monkeypatch: pytest.MonkeyPatch) -> Desk:
    monkeypatch.setenv("WAKEFUL_DATABASE_URL", desk.settings.database_url)
    return desk


@pytest.mark.parametrize(("option", "value", "said"), [
    ("--first", "-5", "'--first'"), ("--first", "0", "'--first'"), ("--next", "-1", "'--next'"),
    ("--resolution", "0", "'--resolution'"), ("--escalate-at", "7", "'--escalate-at'"),
    ("--escalate-at", "0", "'--escalate-at'"),
])
def test_sla_targets_out_of_range_are_refused_in_one_line_and_nothing_is_stored(
        on_desk: Desk, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
        option: str, value: str, said: str) -> None:
    base = ["agents", "sla", "--brand", "aurora", "--priority", "3"]
    args = [*base, option, value] if option == "--first" else [*base, "--first", "30", option, value]
    code, out = run_main(monkeypatch, capsys, *args)
    assert code == 2 and f"Invalid value for {said}" in out and "Traceback" not in out
    with on_desk.db.session() as s:
        assert s.scalars(select(SlaPolicyRow)).all() == []


def test_tick_on_a_missing_database_says_so_like_every_other_command_and_creates_nothing(
        configured: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    missing = configured / "wakeful.db"
    monkeypatch.setenv("WAKEFUL_DATABASE_URL", f"sqlite:///{missing}")
    code, out = run_main(monkeypatch, capsys, "agents", "tick")
    assert code == 2 and "no database at sqlite:///" in out and "wakeful db upgrade" in out
    assert "server" not in out and not missing.exists()


@pytest.mark.parametrize("command", [["cases"], ["report"], ["fairness"]])
def test_a_misspelt_brand_is_refused_not_reported_as_a_quiet_brand(
        on_desk: Desk, command: list[str]) -> None:
    on_desk.ingest.ingest([make_post("p1", "@AuroraAirways you lost my bag and nobody answers!")])
    result = CliRunner().invoke(app, [*command, "--brand", "auroa"])
    said = " ".join(result.output.split())
    assert result.exit_code == 2 and "unknown brand 'auroa'" in said and "['aurora']" in said
    assert "posts:" not in said
    assert CliRunner().invoke(app, [*command, "--brand", "aurora"]).exit_code == 0


def test_a_limit_below_one_is_refused_rather_than_dropping_cases(on_desk: Desk) -> None:
    on_desk.ingest.ingest([make_post("p1", "@AuroraAirways you lost my bag and nobody answers!")])
    for limit in ("-1", "0"):
        result = CliRunner().invoke(app, ["cases", "--limit", limit])
        assert result.exit_code == 2 and "'--limit'" in result.output
    shown = CliRunner().invoke(app, ["cases", "--limit", "1"])
    assert shown.exit_code == 0 and "@" in shown.output


def test_a_negative_offset_is_refused_naming_the_option(on_desk: Desk) -> None:
    on_desk.ingest.ingest([make_post("p1", "@AuroraAirways you lost my bag and nobody answers!")])
    result = CliRunner().invoke(app, ["cases", "--offset", "-1"])
    assert result.exit_code == 2 and "'--offset'" in result.output and "Traceback" not in result.output
    assert CliRunner().invoke(app, ["cases", "--offset", "0"]).exit_code == 0


@pytest.mark.parametrize(("url", "said"), [
    ("bogus", "database_url: not a database URL"),
    ("mysql://desk:secret@db.example/desk", "mysql databases are not supported; wakeful runs on SQLite"),
])
def test_a_database_url_wakeful_cannot_use_is_named_without_its_password(
        configured: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
        url: str, said: str) -> None:
    monkeypatch.setenv("WAKEFUL_DATABASE_URL", url)
    code, out = run_main(monkeypatch, capsys, "db", "upgrade")
    assert code == 2 and out.startswith("error: invalid settings") and said in out
    assert "secret" not in out and "Traceback" not in out


@pytest.mark.parametrize("command", [["cases"], ["db", "upgrade"]])
def test_a_file_that_is_not_sqlite_is_named_and_left_as_it_was(
        configured: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
        command: list[str]) -> None:
    garbage = configured / "notdb.db"
    garbage.write_text("garbage\n")
    monkeypatch.setenv("WAKEFUL_DATABASE_URL", f"sqlite:///{garbage}")
    code, out = run_main(monkeypatch, capsys, *command)
    assert code == 2 and f"{garbage} is not an SQLite database" in out
    assert garbage.read_text() == "garbage\n"


@pytest.mark.parametrize("command", ["upgrade", "ingest"])
def test_a_database_from_another_version_of_wakeful_is_said_so(
        configured: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], command: str) -> None:
    path = configured / "newer.db"
    migrate(f"sqlite:///{path}")
    with sqlite3.connect(path) as con:
        con.execute("UPDATE alembic_version SET version_num = 'deadbeef' "
                    "WHERE rowid = (SELECT min(rowid) FROM alembic_version)")
    monkeypatch.setenv("WAKEFUL_DATABASE_URL", f"sqlite:///{path}")
    posts = configured / "posts.jsonl"
    posts.write_text("")
    args = ["db", "upgrade"] if command == "upgrade" else ["ingest", str(posts)]
    code, out = run_main(monkeypatch, capsys, *args)
    assert code == 2 and "schema revision 'deadbeef'" in out and "newer or another version of wakeful" in out
    assert "Can't locate revision" not in out
