from __future__ import annotations

import pytest

from wakeful.analyze.brands import BrandMatcher

from tests.analyze.helpers import AURORA, NORDWIND

MATCHER = BrandMatcher([AURORA, NORDWIND])


@pytest.mark.parametrize(
    "text",
    [
        "Aurora Air lost my bag",
        "AURORA AIR lost my bag",
        "flying aurora-air tomorrow",
        "@auroraairways help please",
        "thanks @AuroraHelp!",
        "#FlyAurora again...",
        "#AuroraAirways!",
        "Aurôra Airways ist eine Katastrophe",
        "Aurora Airways\u2019 crew",
    ],
)
def test_matches_handles_names_and_keywords(text: str) -> None:
    assert MATCHER.match(text) == ["aurora"]


@pytest.mark.parametrize(
    "text",
    [
        "the aurora borealis was amazing",
        "AuroraAirlinesFan here",
        "Aurora Airlines is not our brand",
        "write to me at jane@auroraairways.com",
        "@AuroraAirways_fan is a parody account",
        "flyaurora",  # the configured keyword is the hashtag '#flyaurora', not the bare word
    ],
)
def test_does_not_match_lookalikes(text: str) -> None:
    assert MATCHER.match(text) == []


def test_returns_each_brand_once_in_config_order() -> None:
    text = "#NordwindChaos today, @NordwindBahn and Aurora Air both late, @AuroraAirways too"
    assert MATCHER.match(text) == ["aurora", "nordwind"]


def test_mask_writes_the_brands_names_as_a_handle() -> None:
    assert MATCHER.mask("Flying AURORA air, then aurora-air again; Nordwind  Bahn #Aurora Airways") == (
        "Flying @brand, then @brand again; @brand @brand")
    assert MATCHER.mask("the aurora borealis, @AuroraAirways, AuroraAirlinesFan") == (
        "the aurora borealis, @AuroraAirways, AuroraAirlinesFan")
    assert BrandMatcher([]).mask("Aurora Air") == "Aurora Air"
