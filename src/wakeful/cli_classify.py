"""`wakeful classify [FILE]`: the stable command-line contract for scripts and evaluations.

One post text per input line (standard input when no file is given), one JSON object per output line, in the
same order, so line N of the output always belongs to line N of the input, empty lines included:
`{"lang", "sentiment", "sentiment_score", "complaint", "complaint_p", "topics", "severity", "pii"}`; `lang` is
null when the detector is unsure. Runs the desk's own Analyzer with its shipped models, in batches, offline.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any, TextIO

import typer

from wakeful.analyze import Analyzer
from wakeful.core.models import Analysis, Author, Platform, Post

BATCH = 256
MAX_TEXT = 40_000  # the Post model's limit; a longer line is classified on its first MAX_TEXT characters
_AUTHOR = Author(id="classify", handle="classify")


def record(analysis: Analysis) -> dict[str, Any]:
    """The contract's fields of one analysis, in the contract's order."""
    return {
        "lang": analysis.lang,
        "sentiment": analysis.sentiment.value,
        "sentiment_score": float(analysis.sentiment_score),
        "complaint": bool(analysis.complaint),
        "complaint_p": float(analysis.complaint_p),
        "topics": list(analysis.topics),
        "severity": int(analysis.severity),
        "pii": list(analysis.pii),
    }


EMPTY: dict[str, Any] = {"lang": None, "sentiment": "neutral", "sentiment_score": 0.0, "complaint": False,
                         "complaint_p": 0.0, "topics": [], "severity": 0, "pii": []}


def classify_lines(lines: Iterable[str], analyzer: Analyzer) -> Iterator[dict[str, Any]]:
    """One record per line, in order, analysed `BATCH` lines at a time. A blank line is no post: it gets the
    empty record (no language, neutral, no complaint, nothing found) without asking the models. When reading a
    line fails (`ValueError`, such as bytes that are not UTF-8), the lines before it are still analysed and
    yielded, then the error is raised."""
    now = datetime.now(UTC)
    source, pending = iter(lines), []
    while True:
        try:
            pending.append(next(source).rstrip("\r\n"))
        except StopIteration:
            break
        except ValueError:
            yield from _analysed(pending, analyzer, now)
            raise
        if len(pending) == BATCH:
            yield from _analysed(pending, analyzer, now)
            pending = []
    yield from _analysed(pending, analyzer, now)


def _analysed(texts: list[str], analyzer: Analyzer, now: datetime) -> Iterator[dict[str, Any]]:
    posts = [Post(platform=Platform.DEMO, id=f"line-{i + 1}", author=_AUTHOR, text=text[:MAX_TEXT],
                  created_at=now) for i, text in enumerate(texts) if text.strip()]
    analyses = iter(analyzer.analyze_many(posts)) if posts else iter(())
    for text in texts:
        yield record(next(analyses)) if text.strip() else dict(EMPTY)


class NotUtf8Error(ValueError):
    """An input line is not UTF-8: names the line, so the user can find it."""

    def __init__(self, line: int, err: UnicodeDecodeError) -> None:
        super().__init__(f"line {line} is not UTF-8 text ({err.reason} at byte {err.start + 1} of the line)")
        self.line = line


def decoded(lines: Iterable[bytes]) -> Iterator[str]:
    """Byte lines as text, strictly UTF-8 (a leading byte-order mark is dropped): a line that is not stops the
    run with `NotUtf8Error`, after the lines before it have been classified, rather than classifying mojibake or
    dropping it silently, which would shift every later record off its line."""
    for number, raw in enumerate(lines, start=1):
        try:
            yield raw.decode("utf-8-sig" if number == 1 else "utf-8")
        except UnicodeDecodeError as err:
            raise NotUtf8Error(number, err) from None


def write_records(lines: Iterable[str], out: TextIO, analyzer: Analyzer | None = None) -> int:
    """Classify `lines` into `out` as JSON lines; returns how many were written."""
    count = 0
    for rec in classify_lines(lines, analyzer or Analyzer([])):
        out.write(json.dumps(rec, ensure_ascii=False) + "\n")
        count += 1
    return count


def classify(
    file: Annotated[Path | None, typer.Argument(help="UTF-8 text, one post per line; standard input if omitted",
                                                 exists=True, dir_okay=False, readable=True)] = None,
    encoder: Annotated[bool, typer.Option(help="Read English sentiment with the opt-in encoder (wakeful[encoder]; "
                                          "about a seventh of the throughput)")] = False,
) -> None:
    """Classify one post per line: one JSON object per line, in order (lang, sentiment, complaint, topics,
    severity, pii)."""
    analyzer = Analyzer([], encoder=encoder)
    try:
        if file is None:
            write_records(decoded(sys.stdin.buffer), sys.stdout, analyzer)
        else:
            with file.open("rb") as fh:
                write_records(decoded(fh), sys.stdout, analyzer)
    except NotUtf8Error as err:
        sys.stdout.flush()
        source = str(file) if file is not None else "standard input"
        done = {1: "nothing was classified", 2: "line 1 was classified"}.get(err.line,
                                                                              f"lines 1-{err.line - 1} were classified")
        raise typer.BadParameter(f"{source}: {err}; {done}") from None
    sys.stdout.flush()


def register(app: typer.Typer) -> None:
    app.command("classify")(classify)
