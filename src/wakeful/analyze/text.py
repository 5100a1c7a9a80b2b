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
_BARE_PUNCTUATION_RE = re.compile(r"[\s.,;:!?\u2026\-\u2013\u2014]*")


def content_free(text: str) -> bool:
    """Whether a post holds nothing but handles, links and bare punctuation ('', '@united', '@united https://t.co/x',
    an image-only post): the trained models have nothing to read there and report no evidence, where they would
    extrapolate from a lone '@user' feature ('@united' alone read as a complaint with p = 0.999, '' as negative).
    Emoticons (':-(', ':)') and emoji are content."""
    return _BARE_PUNCTUATION_RE.fullmatch(MENTION_RE.sub("", URL_RE.sub("", text))) is not None


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


_CODE = r"(?:[A-Z]{2}|[A-Z]\d|\d[A-Z])"  # an airline's IATA code: two letters, or a letter and a digit (U2, 3K)
FLIGHT_RE = re.compile(rf"\b({_CODE}) ?(\d{{2,4}})\b")
"""A flight number as airlines write it: upper-case code, then 2-4 digits ('AU 2213', 'LH400', 'U2 123')."""
FLIGHT_AFTER_WORD_RE = re.compile(rf"\b(?:flight|flug|vol|flt)\s*(?:no\.?|nr\.?|n°|#)?\s*({_CODE}) ?(\d{{2,4}})\b",
                                  re.IGNORECASE)
"""Any case right after the word for flight ('vol au467', 'flight ba 123'), which customers type in lower case;
elsewhere a lower-case 'at 1200' or 'in 2024' is no flight."""


def flight_numbers(text: str) -> list[str]:
    """The flight numbers a post names, as 'AU 2213', in order of appearance and once each. Pass redacted text:
    a booking reference (AB1234) would otherwise read as a flight."""
    found = sorted([(m.start(), m.group(1), m.group(2)) for m in FLIGHT_RE.finditer(text)]
                   + [(m.start(1), m.group(1), m.group(2)) for m in FLIGHT_AFTER_WORD_RE.finditer(text)])
    return list(dict.fromkeys(f"{code.upper()} {number}" for _, code, number in found))
