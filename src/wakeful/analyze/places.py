"""Place names as the models read them: a city or airport named after an English travel word becomes
`@placename`.

The 2015 airline tweets tie places to moods, Houston and Newark to complaints, Austin to praise, so "my flight
to Houston is at 6" read as a complaint (p 0.62) where the same post about Chicago read 0.09. A desk hears of
other places, so the models learn that a post names a place, not which one, as they do for brands
(`linear.TRAINED_BRANDS_RE`).

A name is masked only after "to", "from", "in", "at", "via" and the like, written with a capital ('a nice flight'
and 'Nice flight!' keep their word), and not when more capitalised words follow ('to George Harrison' is a
person). An IATA code counts in capitals after those words or in a route ('ORD-EWR'). German and French
prepositions were measured and left out: 'de' and 'von' precede names of every kind (validation XLM-T fr
macro-F1 0.663 -> 0.654, GermEval complaint 0.711 -> 0.697), where English alone cost nothing.

The list, `places.txt`, is written by `python -m wakeful.training.places` from GeoNames (cities of 50,000 people
or more; CC BY 4.0) and airportsdata's IATA codes (MIT), so tokenising needs neither package.
"""

from __future__ import annotations

import re
from functools import cache, lru_cache
from pathlib import Path

PLACES_FILE = Path(__file__).with_name("places.txt")
PLACEHOLDER = "@placename"  # tokenised '@', 'placename': no word of its own
_TRAVEL = r"(?i:to|from|in|at|into|via|through|outta|out of|leaving)"
_AFTER_TRAVEL_RE = re.compile(rf"(?<![\w@#])({_TRAVEL})\s+([A-Z][\w'.-]*(?:\s+[A-Z][\w'.-]*){{0,2}})")
_ROUTE_RE = re.compile(r"(?<![\w@#])([A-Z]{3})(\s*(?:-|\u2013|>|->|\u2192|(?i:to))\s*)([A-Z]{3})(?!\w)")


class PlacesFileError(RuntimeError):
    """`places.txt` is missing or malformed."""


@cache
def gazetteer(path: Path = PLACES_FILE) -> tuple[frozenset[str], frozenset[str]]:
    """City names and IATA codes from `places.txt` (lines 'city<TAB>name' or 'iata<TAB>code', '#' comments)."""
    cities: set[str] = set()
    codes: set[str] = set()
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise PlacesFileError(f"cannot read the place list {path}: {exc}") from exc
    for number, line in enumerate(lines, 1):
        if not line or line.startswith("#"):
            continue
        kind, _, name = line.partition("\t")
        if kind == "city" and name:
            cities.add(name)
        elif kind == "iata" and re.fullmatch(r"[A-Z]{3}", name):
            codes.add(name)
        else:
            raise PlacesFileError(f"{path}:{number}: expected 'city<TAB>name' or 'iata<TAB>XYZ', got {line!r}")
    return frozenset(cities), frozenset(codes)


def _after_travel(m: re.Match[str]) -> str:
    """The longest city (or a single code) that the capitalised words after a travel word spell, if they end
    there; otherwise the match unchanged."""
    cities, codes = gazetteer()
    words = m.group(2).split()
    for n in range(len(words), 0, -1):
        name = " ".join(words[:n]).rstrip(".'")
        if name in cities or (n == 1 and name in codes):
            return m.group(0) if n < len(words) else f"{m.group(1)} {PLACEHOLDER} "
    return m.group(0)


def _route(m: re.Match[str]) -> str:
    _, codes = gazetteer()
    if m.group(1) in codes and m.group(3) in codes:
        return f" {PLACEHOLDER} {m.group(2)} {PLACEHOLDER} "
    return m.group(0)


@lru_cache(maxsize=1024)
def mask_places(text: str) -> str:
    """`text` with the places named after a travel word, and both ends of an IATA route, written `@placename`.
    Cached for a batch or so: the featurizer and the polarity lexicon tokenise the same post."""
    return _AFTER_TRAVEL_RE.sub(_after_travel, _ROUTE_RE.sub(_route, text))
