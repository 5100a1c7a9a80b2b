"""A brand's own topics: tagged in posts that mention that brand, whole words only, accents and case folded."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from wakeful.analyze.brand_topics import BrandTopics
from wakeful.core.settings import BrandConfig

AURORA = BrandConfig(key="aurora", name="Aurora Airways", handles=["AuroraAirways"],
                     topics={"miles_programme": ["Aurora Miles", "Meilenkonto", "programme de fidélité"],
                             "lounge": ["lounge"]})
NORD = BrandConfig(key="nordrail", name="Nord Rail", handles=["NordRail"], topics={"bahncard": ["BahnCard"]})


def test_a_brands_topic_is_tagged_only_in_posts_about_that_brand() -> None:
    topics = BrandTopics([AURORA, NORD])
    text = "My AURORA MILES are gone and the BahnCard too"
    assert topics.tag(text, ["aurora"], ["delay"]) == ["delay", "miles_programme"]
    assert topics.tag(text, ["nordrail"], []) == ["bahncard"]
    assert topics.tag(text, [], []) == []


def test_words_match_whole_folded_and_never_twice() -> None:
    topics = BrandTopics([AURORA])
    assert topics.tag("Mon programme de fidelite a disparu", ["aurora"], []) == ["miles_programme"]
    assert topics.tag("the loungers by the pool", ["aurora"], []) == []  # 'lounge' is not inside 'loungers'
    assert topics.tag("lounge closed, lounge dirty", ["aurora"], ["lounge"]) == ["lounge"]
    assert topics.tag("a (lounge) with regex [chars]", ["aurora"], []) == ["lounge"]


def test_topic_keys_must_be_simple_names() -> None:
    with pytest.raises(ValidationError, match="topic key 'Miles Programme'"):
        BrandConfig(key="aurora", name="Aurora", topics={"Miles Programme": ["miles"]})
