"""Text folding and lexicon compilation shared by the rule-based analysers.

Posts arrive in any case, with or without accents ("annulé", "annule", "ANNULÉ") and with typographic
apostrophes; folding both the text and the lexicon the same way lets one pattern catch every spelling.
"""

from __future__ import annotations

import re
import sys
import unicodedata
from collections.abc import Iterable
from functools import cache, lru_cache

_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u02bc": "'", "\u00b4": "'", "`": "'"})

URL_RE = re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)
MENTION_RE = re.compile(r"(?<![\w@])@\w+")
HASHTAG_RE = re.compile(r"(?<![\w#])#(\w+)")


@cache
def _combining_marks() -> dict[int, None]:
    """Every combining code point (912 in Unicode 15), as a `str.translate` table that deletes them: one C pass
    per post instead of a Python test per character. Built once, on the first non-ASCII text (~0.1 s)."""
    return {c: None for c in range(sys.maxunicode + 1) if unicodedata.combining(chr(c))}


def strip_accents(text: str) -> str:
    """Drop combining marks after NFKD, so 'Verspätung' and 'Verspatung' compare equal."""
    if text.isascii():
        return text
    return unicodedata.normalize("NFKD", text).translate(_combining_marks())


@lru_cache(maxsize=1024)
def fold(text: str) -> str:
    """Case- and accent-insensitive form of `text` (NFKD, marks dropped, casefolded, apostrophes unified).

    NFKD keeps one output char per base char for Latin text, but may change lengths (ligatures, 'ß' → 'ss'),
    so offsets into folded text are not offsets into the original. Cached: every rule-based stage folds the
    same post, and folding is a per-character loop.
    """
    return strip_accents(text.translate(_APOSTROPHES)).casefold()


def fold_pattern(pattern: str) -> str:
    """Fold a lower-case regex source the way `fold` folds text, without touching escapes like `\\B`."""
    return strip_accents(pattern.translate(_APOSTROPHES)).replace("ß", "ss")


def compile_terms(terms: Iterable[str]) -> re.Pattern[str]:
    """One alternation of lower-case regex terms, bounded so 'sue' never fires inside 'issue'."""
    body = "|".join(f"(?:{fold_pattern(t)})" for t in terms)
    return re.compile(rf"(?<!\w)(?:{body})(?!\w)")


@lru_cache(maxsize=1024)
def strip_urls(text: str) -> str:
    """Remove links: their paths carry digits and '?' that would otherwise look like phones or questions. Cached:
    seven rules strip the same post."""
    return URL_RE.sub(" ", text)
