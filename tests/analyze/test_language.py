from __future__ import annotations

import pytest

from wakeful.analyze.language import LinguaLanguageDetector, clean_for_language


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("My bag never arrived at Heathrow", "en"),
        ("@AuroraAirways where is my bag?? 😡😡 #fail", "en"),
        ("still waiting", "en"),
        ("@AuroraAirways wo ist mein Koffer?? 😡 #Verspätung", "de"),
        ("Flug verspätet", "de"),
        ("@AuroraAirways Flug AU 123 schon wieder 2 Std Verspätung!! 🙄 #flyaurora", "de"),
        ("@AuroraHelp vol AU123 annulé, personne ne répond 😤", "fr"),
        ("@AuroraAirways ma valise est perdue 😡 #FlyAurora", "fr"),
        ("vol annulé", "fr"),
        ("Mi maleta se perdió", "es"),
        ("Mijn koffer is kwijt", "nl"),
    ],
)
def test_detects_short_and_noisy_posts(detector: LinguaLanguageDetector, text: str, expected: str) -> None:
    lang, confidence = detector.detect(text)
    assert lang == expected
    assert 0.4 <= confidence <= 1.0


@pytest.mark.parametrize(
    "text",
    [
        "👍👍 #aurora",
        "ok 👍",
        "lol",
        "",
        "😡😡😡 @AuroraAirways https://t.co/xyz 123 456",
        "مرحبا كيف حالك اليوم",  # a script none of the supported languages uses
        "Koffer verloren",  # German or Dutch: lingua cannot tell on two words
    ],
)
def test_unsure_is_none_not_a_guess(detector: LinguaLanguageDetector, text: str) -> None:
    assert detector.detect(text) == (None, 0.0)


def test_cleaning_keeps_only_words() -> None:
    cleaned = clean_for_language("@AuroraAirways 2 Std Verspätung!! 🙄 https://t.co/x #VolAnnulé")
    assert cleaned == "Std Verspätung!! Vol Annulé"


def test_rejects_unsupported_language_codes() -> None:
    with pytest.raises(ValueError, match="xx"):
        LinguaLanguageDetector(("en", "xx"))
