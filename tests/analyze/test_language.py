from __future__ import annotations

import numpy as np
import pytest

from wakeful.analyze.language import (
    LinguaLanguageDetector,
    NgramLanguageDetector,
    clean_for_language,
    default_detector,
    looks_dutch,
    ngram_ids,
    ngram_model,
)


@pytest.fixture(scope="module")
def fast() -> NgramLanguageDetector:
    return default_detector()


SHORT_AND_NOISY = [
    ("My bag never arrived at Heathrow", "en"),
    ("@AuroraAirways where is my bag?? 😡😡 #fail", "en"),
    ("@AuroraAirways wo ist mein Koffer?? 😡 #Verspätung", "de"),
    ("Flug verspätet", "de"),
    ("@AuroraAirways Flug AU 123 schon wieder 2 Std Verspätung!! 🙄 #flyaurora", "de"),
    ("@AuroraHelp vol AU123 annulé, personne ne répond 😤", "fr"),
    ("@AuroraAirways ma valise est perdue 😡 #FlyAurora", "fr"),
    ("vol annulé", "fr"),
    ("Mi maleta se perdió", "es"),
    ("Il mio volo è stato cancellato di nuovo", "it"),
    ("Minha mala não chegou até agora", "pt"),
    ("Mijn koffer is kwijt", "nl"),
    ("@AuroraAirways waarom is mijn vlucht weer vertraagd?! 😡 #schiphol", "nl"),
]

UNSURE = [
    "👍👍 #aurora",
    "ok 👍",
    "lol",
    "",
    "😡😡😡 @AuroraAirways https://t.co/xyz 123 456",
    "#fail #delayed #AuroraAirways #neveragain 😡",
    "مرحبا كيف حالك اليوم",  # a script none of the supported languages uses
]


@pytest.mark.parametrize(("text", "expected"), SHORT_AND_NOISY)
def test_default_detects_short_and_noisy_posts(fast: NgramLanguageDetector, text: str, expected: str) -> None:
    lang, confidence = fast.detect(text)
    assert lang == expected
    assert 0.4 <= confidence <= 1.0


@pytest.mark.parametrize(("text", "expected"), [c for c in SHORT_AND_NOISY if c[0] != "Flug verspätet"])
def test_lingua_detects_short_and_noisy_posts(detector: LinguaLanguageDetector, text: str, expected: str) -> None:
    assert detector.detect(text)[0] == expected


@pytest.mark.parametrize("text", UNSURE)
def test_unsure_is_none_not_a_guess(fast: NgramLanguageDetector, text: str) -> None:
    assert fast.detect(text) == (None, 0.0)


def test_lingua_abstains_on_two_words_of_german_or_dutch(detector: LinguaLanguageDetector) -> None:
    assert detector.detect("Koffer verloren") == (None, 0.0)  # the n-gram model, knowing no Dutch, says 'de'


def test_languages_the_desk_does_not_serve_are_unknown(fast: NgramLanguageDetector) -> None:
    hinglish = "yaar kya scene hai aaj flight phir se late hai, bahut bura laga"
    assert fast.detect(hinglish) == (None, 0.0)


def test_dutch_goes_to_lingua_not_to_german() -> None:
    alone = NgramLanguageDetector(fallback=None)
    text = "Ik heb nog steeds geen terugbetaling ontvangen"
    assert looks_dutch(clean_for_language(text))
    assert not looks_dutch("Ich habe immer noch keine Erstattung bekommen")
    assert alone.detect(text)[0] != "nl"  # the n-gram model has never seen Dutch
    assert default_detector().detect(text)[0] == "nl"


def test_without_fallback_the_model_abstains_when_unsure() -> None:
    alone = NgramLanguageDetector(fallback=None, min_probability=0.999, min_probability_short=0.999)
    assert alone.detect("the flight was late")[0] is None
    assert NgramLanguageDetector(fallback=None).detect("the flight was late again and nobody told us why")[0] == "en"


def test_short_posts_need_more_certainty() -> None:
    lenient = NgramLanguageDetector(fallback=None, min_probability_short=0.0)
    strict = NgramLanguageDetector(fallback=None, min_probability=0.0, min_probability_short=1.0)
    assert lenient.detect("bag still missing")[0] == "en"
    assert strict.detect("bag still missing")[0] is None
    assert strict.detect("my bag is still missing after three days")[0] == "en"


def test_hashed_ngrams_are_stable_and_case_insensitive() -> None:
    a = ngram_ids("Vol annulé")
    assert np.array_equal(a, ngram_ids("VOL ANNULÉ"))
    assert len(a) == 4 * len(" vol annulé ") - 6  # 1- to 4-grams of the padded text
    assert a.min() >= 0 and a.max() < len(ngram_model().idf)


def test_cleaning_keeps_only_words() -> None:
    cleaned = clean_for_language("@AuroraAirways 2 Std Verspätung!! 🙄 https://t.co/x #VolAnnulé")
    assert cleaned == "Std Verspätung!! Vol Annulé"


def test_rejects_unsupported_language_codes() -> None:
    with pytest.raises(ValueError, match="xx"):
        LinguaLanguageDetector(("en", "xx"))


def test_batch_detection_equals_one_by_one(fast: NgramLanguageDetector) -> None:
    texts = [t for t, _ in SHORT_AND_NOISY] + UNSURE + ["Danke!! #FlyAurora #Aurora", "vol annulé #colère"]
    batch, single = fast.detect_many(texts), [fast.detect(t) for t in texts]
    assert [code for code, _ in batch] == [code for code, _ in single]
    assert [c for _, c in batch] == pytest.approx([c for _, c in single], abs=1e-5)
    assert fast.detect_many([]) == []
