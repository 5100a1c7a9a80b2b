"""The `wakeful classify` contract: one JSON object per input line, in order, with exactly the documented keys."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from wakeful import cli_classify
from wakeful.cli import app

KEYS = ["lang", "sentiment", "sentiment_score", "complaint", "complaint_p", "topics", "severity", "pii"]
POSTS = [
    "@AuroraAirways my flight leaves in 2 hours and my bag is still missing, call me on +44 20 7946 0958",
    "",
    "Danke für den tollen Service, alles bestens!",
    "😡😡 #fail",
    "vol annulé encore une fois, personne ne répond",
    "   ",
    "Thank you so much, the crew was lovely",
]


def check_contract(stdout: str, posts: list[str]) -> list[dict[str, object]]:
    lines = stdout.splitlines()
    assert len(lines) == len(posts)
    records = [json.loads(line) for line in lines]
    for rec in records:
        assert list(rec) == KEYS
        assert rec["lang"] is None or isinstance(rec["lang"], str)
        assert rec["sentiment"] in {"negative", "neutral", "positive"}
        assert isinstance(rec["sentiment_score"], float) and -1.0 <= rec["sentiment_score"] <= 1.0
        assert isinstance(rec["complaint"], bool)
        assert isinstance(rec["complaint_p"], float) and 0.0 <= rec["complaint_p"] <= 1.0
        assert isinstance(rec["topics"], list) and all(isinstance(t, str) for t in rec["topics"])
        assert isinstance(rec["severity"], int) and 0 <= rec["severity"] <= 3
        assert isinstance(rec["pii"], list)
    return records


def check_posts(records: list[dict[str, object]]) -> None:
    """Each record belongs to its own line: the order is the input's."""
    first, empty, german, emoji, french, blank, thanks = records
    assert first["lang"] == "en" and first["complaint"] is True and first["pii"] == ["phone"]
    assert first["severity"] >= 2  # a deadline
    assert empty["lang"] is None and empty["complaint"] is False and empty["severity"] == 0
    assert german["lang"] == "de"
    assert emoji["lang"] is None
    assert french["lang"] == "fr" and french["complaint"] is True
    assert blank["lang"] is None and blank["topics"] == []
    assert thanks["lang"] == "en" and thanks["sentiment"] == "positive" and thanks["complaint"] is False


def test_reads_standard_input_in_order() -> None:
    result = CliRunner().invoke(app, ["classify"], input="\n".join(POSTS) + "\n")
    assert result.exit_code == 0, result.output
    check_posts(check_contract(result.stdout, POSTS))


def test_reads_a_file_with_crlf_and_no_final_newline(tmp_path: Path) -> None:
    path = tmp_path / "posts.txt"
    path.write_bytes("\r\n".join(POSTS).encode("utf-8"))
    result = CliRunner().invoke(app, ["classify", str(path)])
    assert result.exit_code == 0, result.output
    check_posts(check_contract(result.stdout, POSTS))


def test_order_survives_batching(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cli_classify, "BATCH", 3)
    posts = [f"my bag {i} is lost" if i % 2 else "Danke, alles gut gelaufen heute" for i in range(10)]
    result = CliRunner().invoke(app, ["classify"], input="\n".join(posts) + "\n")
    records = check_contract(result.stdout, posts)
    assert [r["lang"] for r in records] == ["de" if i % 2 == 0 else "en" for i in range(10)]
    assert [r["topics"] for r in records][1::2] == [["lost_luggage"]] * 5


def test_empty_input_writes_nothing() -> None:
    result = CliRunner().invoke(app, ["classify"], input="")
    assert result.exit_code == 0 and result.stdout == ""


def test_missing_file_and_bad_encoding_are_clear_errors(tmp_path: Path) -> None:
    missing = CliRunner().invoke(app, ["classify", str(tmp_path / "nope.txt")])
    assert missing.exit_code != 0 and "nope.txt" in missing.output
    latin1 = tmp_path / "latin1.txt"
    latin1.write_bytes("vol annulé\n".encode("latin-1"))
    bad = CliRunner().invoke(app, ["classify", str(latin1)])
    assert bad.exit_code != 0 and "not UTF-8" in bad.output


def test_installed_command_works_offline_over_a_pipe() -> None:
    """The real entry point, through a pipe, with proxies pointing nowhere: nothing may need the network."""
    env = {**os.environ, "HTTP_PROXY": "http://127.0.0.1:9", "HTTPS_PROXY": "http://127.0.0.1:9",
           "NO_PROXY": "", "HF_HUB_OFFLINE": "1"}
    exe = Path(sys.executable).with_name("wakeful")
    done = subprocess.run([str(exe), "classify"], input="\n".join(POSTS) + "\n", capture_output=True, text=True,
                          env=env, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    check_posts(check_contract(done.stdout, POSTS))
