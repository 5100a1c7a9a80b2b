"""Shared scaffolding for the personal-data tests: tables of posts with what the desk must show of each, and of near
misses that must stay readable, checked with messages that say what was read as what."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from wakeful.analyze.pii import PiiKind, find_pii, redact


def redactions(*cases: tuple[str, str]) -> pytest.MarkDecorator:
    """Parametrise a test with (text, redacted) pairs: a post and what the desk shows of it."""
    return pytest.mark.parametrize(("text", "redacted"), cases)


def near_misses(*texts: str) -> pytest.MarkDecorator:
    """Parametrise a test with posts that only look like they hold personal data."""
    return pytest.mark.parametrize("text", texts)


def _read(text: str, kind: PiiKind | None, programmes: Sequence[str]) -> list[str]:
    return [f"{text[m.start:m.end]!r} as {m.kind}" for m in find_pii(text, programmes) if kind in (None, m.kind)]


def assert_redacted(text: str, redacted: str, programmes: Sequence[str] = ()) -> None:
    """The desk shows `redacted` of `text` (for a brand with these loyalty `programmes`)."""
    shown = redact(text, programmes)
    assert shown == redacted, f"{text!r} shows as {shown!r}: read {_read(text, None, programmes)}"


def assert_untouched(text: str, kind: PiiKind | None = None, programmes: Sequence[str] = ()) -> None:
    """Nothing in `text` is read as personal data (of `kind`, when given)."""
    read = _read(text, kind, programmes)
    assert not read, f"{text!r}: read {read}"
