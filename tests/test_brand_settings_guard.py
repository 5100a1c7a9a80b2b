"""A brand's settings can only say what identifies that brand: no lead (nor admin) may listen for another brand's
handle, name or keyword, which would open cases for that brand's customers and let the wrong agents reveal their
personal data; terms too short to identify anyone, unknown languages and unknown keys are refused, not dropped."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from wakeful.analyze import Analyzer
from wakeful.api.auth import Role
from wakeful.api.deps import Desk
from wakeful.core.settings import BrandConfig
from wakeful.desk.brand_settings import SettingsError, check

from tests.desk_fixtures import BRANDS, Headers
from tests.factories import make_post

BETA = {"key": "beta", "name": "Beta Bank", "handles": ["BetaBank"], "names": ["Beta Bank"], "languages": ["en"]}
SKYLINE = {"key": "skyline", "name": "Skyline Hotels", "handles": ["SkylineHotels"], "keywords": ["#skylinestay"],
           "languages": ["en"]}


@pytest.fixture
def analyzer() -> Analyzer:
    """A desk's own analyzer: these tests add brands to what it listens for, so it must not be the shared one."""
    return Analyzer(BRANDS)


def _put(client: TestClient, headers: dict[str, str], body: dict[str, object]) -> tuple[int, str]:
    got = client.put(f"/api/v1/settings/brands/{body['key']}", json=body, headers=headers)
    return got.status_code, got.text


def _add(client: TestClient, auth: Headers, body: dict[str, object]) -> None:
    code, text = _put(client, auth("root", "*", Role.ADMIN), body)
    assert code == 200, text


def test_a_lead_cannot_take_over_another_brands_handle_and_its_customers(
        desk: Desk, client: TestClient, auth: Headers) -> None:
    _add(client, auth, BETA)
    beta = auth("bea", "beta", Role.LEAD)
    for handle in ("AuroraAirways", "@auroraairways", "AURORAHELP"):
        code, text = _put(client, beta, {**BETA, "handles": [handle]})
        assert code == 422, text
        assert "handles" in text and "'aurora'" in text  # the field, and whose it is
    code, text = _put(client, auth("root", "*", Role.ADMIN), {**BETA, "handles": ["BetaBank", "AuroraAirways"]})
    assert code == 422 and "'aurora'" in text  # a handle is one account's: not even an admin moves it silently

    result = desk.ingest.ingest([make_post("a1", "@AuroraAirways my booking ABC123 is gone, call me", author="kim")])
    assert len(result.cases) == 1
    every = client.get("/api/v1/cases", headers=auth("root", "*", Role.ADMIN)).json()
    assert [c["brand"] for c in every] == ["aurora"]  # beta opened no case for aurora's customer
    assert client.get("/api/v1/cases", headers=beta).json() == []
    history = client.get("/api/v1/settings/brands/beta/history", headers=beta).json()
    assert [h["config"]["handles"] for h in history] == [["BetaBank"]]  # the refused saves left no version


@pytest.mark.parametrize(("field", "value", "owner"), [
    ("names", "Aurora Airways", "aurora"),    # another brand's name, from the configuration file
    ("keywords", "nordrail", "nordrail"),      # another brand's handle, as a keyword
    ("name", "Skyline Hotels", "skyline"),     # the name of a brand that was added in Settings (the database)
    ("keywords", "#SkylineStay", "skyline"),   # its keyword, in another case
])
def test_names_and_keywords_of_another_brand_are_refused(
        client: TestClient, auth: Headers, field: str, value: str, owner: str) -> None:
    _add(client, auth, SKYLINE)
    _add(client, auth, BETA)
    body = {**BETA, field: value if field == "name" else ["Beta Bank", value]}
    code, text = _put(client, auth("bea", "beta", Role.LEAD), body)
    assert code == 422, text
    assert field in text and repr(owner) in text


@pytest.mark.parametrize(("field", "value"), [("names", "a"), ("keywords", "#ab"), ("keywords", " x "),
                                              ("name", ""), ("name", "AB"), ("handles", "@"),
                                              ("handles", "Beta Bank")])
def test_a_term_too_short_to_identify_a_brand_is_refused(
        client: TestClient, auth: Headers, field: str, value: str) -> None:
    _add(client, auth, BETA)
    body = {**BETA, field: value if field == "name" else [value]}
    code, text = _put(client, auth("bea", "beta", Role.LEAD), body)
    assert code == 422, text
    assert field in text and ("too short" in text or "not an account handle" in text)


@pytest.mark.parametrize(("change", "said"), [
    ({"languages": []}, "at least one language"),
    ({"languages": ["en", "xx"]}, "'xx' is not a language the desk serves"),
    ({"colour": "blue"}, "colour"),                               # an unknown key is refused, not ignored
    ({"priority": {"reach_mod": "levels"}}, "reach_mod"),         # and a misspelt one in the fairness policy
])
def test_unknown_languages_and_keys_are_refused_with_what_is_wrong(
        client: TestClient, auth: Headers, change: dict[str, object], said: str) -> None:
    _add(client, auth, BETA)
    beta = auth("bea", "beta", Role.LEAD)
    code, text = _put(client, beta, {**BETA, **change})
    assert code == 422, text
    assert said in text
    assert len(client.get("/api/v1/settings/brands/beta/history", headers=beta).json()) == 1


def test_a_brand_may_keep_and_repeat_its_own_terms_and_use_every_served_language(
        client: TestClient, auth: Headers) -> None:
    _add(client, auth, BETA)
    body = {**BETA, "handles": ["@BetaBank", "BetaHelp"], "keywords": ["#betabank"],
            "languages": ["en", "de", "fr", "es", "it", "nl", "pt"]}
    code, text = _put(client, auth("bea", "beta", Role.LEAD), body)
    assert code == 200, text


def test_the_check_compares_terms_as_the_matcher_sees_them() -> None:
    aurora = BRANDS[0]
    check(BrandConfig(key="aurora", name="Aurora Airways", handles=["AuroraAirways"]), BRANDS)  # itself: fine
    with pytest.raises(SettingsError, match="brand 'aurora'"):
        check(BrandConfig(key="x", name="Xenon Air", names=["aurôra   AIR"]), [aurora])  # accents, case, spaces
    with pytest.raises(SettingsError, match="brand 'aurora'"):
        check(BrandConfig(key="x", name="Xenon Air", handles=["@@flyaurora"]), [aurora])  # a keyword's word
