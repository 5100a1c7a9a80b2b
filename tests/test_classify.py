"""The `wakeful classify` contract: one JSON object per input line, in order, with exactly the documented keys."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

from wakeful import cli_classify
from wakeful.analyze import Analyzer
from wakeful.cli import app
from wakeful.core.models import Author, Platform, Post

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


@pytest.fixture(scope="module")
def expected() -> list[dict[str, object]]:
    """What the desk's own Analyzer reads in each post, one by one: classify must say the same, line for line."""
    analyzer = Analyzer([])
    now = datetime.now(UTC)
    author = Author(id="t", handle="t")
    return [cli_classify.record(analyzer.analyze(Post(platform=Platform.DEMO, id=str(i), author=author, text=t,
                                                      created_at=now))) if t.strip() else cli_classify.EMPTY
            for i, t in enumerate(POSTS)]


def check_posts(records: list[dict[str, object]], expected: list[dict[str, object]]) -> None:
    """Each record belongs to its own line: the order is the input's."""
    first, empty, german, emoji, french, blank, thanks = records
    assert first["lang"] == "en" and first["pii"] == ["phone"]
    assert empty == blank == cli_classify.EMPTY
    assert german["lang"] == "de"
    assert emoji["lang"] is None
    assert french["lang"] == "fr"
    assert thanks["lang"] == "en"
    for got, want in zip(records, expected, strict=True):
        assert {k: v for k, v in got.items() if not isinstance(v, float)} == {
            k: v for k, v in want.items() if not isinstance(v, float)}
        assert [v for v in got.values() if isinstance(v, float)] == pytest.approx(
            [v for v in want.values() if isinstance(v, float)], abs=1e-5)


def test_reads_standard_input_in_order(expected: list[dict[str, object]]) -> None:
    result = CliRunner().invoke(app, ["classify"], input="\n".join(POSTS) + "\n")
    assert result.exit_code == 0, result.output
    check_posts(check_contract(result.stdout, POSTS), expected)


def test_reads_a_file_with_crlf_and_no_final_newline(tmp_path: Path, expected: list[dict[str, object]]) -> None:
    path = tmp_path / "posts.txt"
    path.write_bytes("\r\n".join(POSTS).encode("utf-8"))
    result = CliRunner().invoke(app, ["classify", str(path)])
    assert result.exit_code == 0, result.output
    check_posts(check_contract(result.stdout, POSTS), expected)


def test_order_survives_batching(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cli_classify, "BATCH", 3)
    posts = [f"my bag {i} is lost" if i % 2 else "Danke, alles gut gelaufen heute" for i in range(10)]
    result = CliRunner().invoke(app, ["classify"], input="\n".join(posts) + "\n")
    records = check_contract(result.stdout, posts)
    assert [r["lang"] for r in records] == ["de" if i % 2 == 0 else "en" for i in range(10)]
    assert len({json.dumps(r["topics"]) for r in records[1::2]}) == 1  # the same text in every batch, same topics


def test_empty_input_writes_nothing() -> None:
    result = CliRunner().invoke(app, ["classify"], input="")
    assert result.exit_code == 0 and result.stdout == ""


def test_missing_file_and_bad_encoding_are_clear_errors(tmp_path: Path) -> None:
    missing = CliRunner().invoke(app, ["classify", str(tmp_path / "nope.txt")])
    assert missing.exit_code != 0 and "nope.txt" in missing.output
    latin1 = tmp_path / "latin1.txt"
    latin1.write_bytes("vol annulé\n".encode("latin-1"))
    bad = CliRunner().invoke(app, ["classify", str(latin1)])
    assert bad.exit_code != 0 and "line 1 is not UTF-8" in bad.output
    assert "nothing was classified" in bad.output


def test_bad_bytes_on_standard_input_stop_at_their_line_after_the_lines_before() -> None:
    """Undecodable input is named by line, not classified as mojibake nor skipped (which would shift every later
    record off its line); what came before it has been written. A byte-order mark is not text."""
    data = ("\ufeffmy bag is lost\nDanke, alles gut gelaufen heute\n".encode() + "vol annulé\n".encode("latin-1")
            + b"never read\n")
    result = CliRunner().invoke(app, ["classify"], input=data)
    assert result.exit_code != 0
    assert "standard input: line 3 is not UTF-8" in result.output and "lines 1-2 were classified" in result.output
    records = [json.loads(line) for line in result.stdout.splitlines() if line.startswith("{")]
    assert [r["lang"] for r in records] == ["en", "de"]


def test_installed_command_works_offline_over_a_pipe(expected: list[dict[str, object]]) -> None:
    """The real entry point, through a pipe, with proxies pointing nowhere: nothing may need the network."""
    env = {**os.environ, "HTTP_PROXY": "http://127.0.0.1:9", "HTTPS_PROXY": "http://127.0.0.1:9",
           "NO_PROXY": "", "HF_HUB_OFFLINE": "1"}
    exe = Path(sys.executable).with_name("wakeful")
    done = subprocess.run([str(exe), "classify"], input="\n".join(POSTS) + "\n", capture_output=True, text=True,
                          env=env, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    check_posts(check_contract(done.stdout, POSTS), expected)
