from __future__ import annotations

from collections.abc import Sequence

import pytest

from wakeful.analyze import Analyzer, pipeline
from wakeful.analyze.pipeline import platform_language
from wakeful.core.models import Sentiment

from tests.analyze.helpers import AURORA, NORDWIND, make_post


def test_english_lost_bag_with_personal_data(analyzer: Analyzer) -> None:
    post = make_post("@AuroraAirways my bag never arrived at Heathrow. Booking ref AB12CD, call me on +44 20 7946 0958")
    a = analyzer.analyze(post)
    assert a.lang == "en" and a.lang_confidence > 0.5
    assert a.complaint and a.complaint_p > 0.5
    assert a.severity >= 1
    assert a.topics == ["lost_luggage"]
    assert a.brands == ["aurora"]
    assert a.pii == ["booking-ref", "phone"]
    assert not a.question and not a.spam
    assert a.needs_response


def test_negative_mood_mentioning_the_brand(analyzer: Analyzer) -> None:
    a = analyzer.analyze(make_post("Worst weather ever, flying home tomorrow #flyaurora"))
    assert a.sentiment is Sentiment.NEGATIVE and a.sentiment_score < -0.5
    assert not a.complaint and a.severity == 0
    assert a.brands == ["aurora"]
    assert not a.needs_response


def test_german_delay_with_a_deadline(analyzer: Analyzer) -> None:
    text = "@AuroraAirways Flug AU 123 schon wieder 2 Std Verspätung!! Anschluss in 2 Stunden 🙄"
    a = analyzer.analyze(make_post(text))
    assert a.lang == "de"
    assert a.complaint and a.severity == 2
    assert "delay" in a.topics
    assert a.pii == []  # 'AU 123' is a flight number


def test_french_vulnerable_customer_is_top_severity(analyzer: Analyzer) -> None:
    text = "@AuroraHelp vol annulé, personne ne répond. Mon père est en fauteuil roulant. #FlyAurora"
    a = analyzer.analyze(make_post(text))
    assert a.lang == "fr"
    assert a.complaint and a.severity == 3
    assert a.topics == ["cancellation", "customer_service"]


def test_spam_and_question(analyzer: Analyzer) -> None:
    spam, question = analyzer.analyze_many([
        make_post("Follow back for free followers! click here https://x.co/a @AuroraAirways", post_id="1"),
        make_post("@AuroraAirways can I take my guitar on board", post_id="2"),
    ])
    assert spam.spam and not spam.needs_response
    assert question.question and not question.complaint and question.needs_response


def test_platform_language_fills_in_only_when_detector_abstains(analyzer: Analyzer) -> None:
    # Two German-or-Dutch words: the detector abstains, the platform's tag is used (confidence 0: no model).
    a = analyzer.analyze(make_post("Koffer verloren 😡", lang="de-DE"))
    assert (a.lang, a.lang_confidence) == ("de", 0.0)
    assert a.complaint and "lost_luggage" in a.topics
    # An unsupported platform tag is not used.
    assert analyzer.analyze(make_post("👍👍 #aurora", lang="ja")).lang is None
    # A confident detection wins over a wrong platform tag.
    assert analyzer.analyze(make_post("My bag never arrived at Heathrow", lang="fr")).lang == "en"


def test_platform_language_normalises_tags() -> None:
    assert platform_language("en-GB") == "en"
    assert platform_language("pt_BR") == "pt"
    assert platform_language("und") is None
    assert platform_language(None) is None


def test_components_can_be_replaced() -> None:
    class Always:
        def detect(self, text: str) -> tuple[str | None, float]:
            return "it", 0.9

        def detect_many(self, texts: Sequence[str]) -> list[tuple[str | None, float]]:
            return [self.detect(t) for t in texts]

        def score(self, text: str, lang: str | None) -> tuple[Sentiment, float]:
            return Sentiment.POSITIVE, 0.7

        def score_many(self, texts: Sequence[str], langs: Sequence[str | None]) -> list[tuple[Sentiment, float]]:
            return [self.score(t, lang) for t, lang in zip(texts, langs, strict=True)]

    stub = Always()
    a = Analyzer([AURORA], detector=stub, sentiment=stub).analyze(make_post("Aurora Air ok"))
    assert (a.lang, a.sentiment, a.sentiment_score) == ("it", Sentiment.POSITIVE, 0.7)
    assert a.brands == ["aurora"]


def test_analyze_many_keeps_order(analyzer: Analyzer) -> None:
    posts = [make_post(t, post_id=str(i)) for i, t in enumerate(["vol annulé", "Flug verspätet", "bag lost"])]
    assert [a.lang for a in analyzer.analyze_many(posts)] == ["fr", "de", None]
    assert analyzer.analyze_many([]) == []


def test_the_trained_models_read_mood_apart_from_complaints(analyzer: Analyzer) -> None:
    weather = analyzer.analyze(make_post("Worst weather ever, flying home tomorrow #flyaurora"))
    assert weather.sentiment is Sentiment.NEGATIVE and weather.sentiment_score < 0
    assert not weather.complaint and weather.severity == 0
    bag = analyzer.analyze(make_post("@AuroraAirways Mein Koffer ist seit drei Tagen verschwunden, niemand hilft"))
    assert bag.lang == "de" and bag.complaint and bag.severity >= 1
    insult = analyzer.analyze(make_post("@AuroraAirways your agent Mark is a fucking idiot"))
    assert insult.offensive_p > 0.5 and "staff_abuse" in insult.legal


def test_a_batch_reads_every_post_as_if_alone(analyzer: Analyzer, monkeypatch: pytest.MonkeyPatch) -> None:
    texts = ["@AuroraAirways my bag never arrived at Heathrow, call me on 07700 900123",
             "Flug AU 123 nach Berlin seit 3 Stunden verspätet, niemand informiert uns",
             "vol annulé sans explication, remboursement svp", "Great crew today, thank you Aurora Air!",
             "", "👍👍 #aurora", "You idiots at Aurora Air lost my bag, Sarah at the desk lied to me"]
    posts = [make_post(t, post_id=str(i)) for i, t in enumerate(texts * 3)]
    monkeypatch.setattr(pipeline, "BATCH", 4)  # chunks split the list mid-way
    batch = [a.model_dump() for a in analyzer.analyze_many(posts)]
    alone = [analyzer.analyze(p).model_dump() for p in posts]
    for got, want in zip(batch, alone, strict=True):
        numbers = [k for k, v in want.items() if isinstance(v, float)]
        assert [got.pop(k) for k in numbers] == pytest.approx([want.pop(k) for k in numbers], abs=1e-6)
        assert got == want


@pytest.mark.parametrize("text", ["@AuroraAirways", "@AuroraAirways https://t.co/x1y2z3", "@AuroraAirways ?", ""])
def test_a_post_with_nothing_to_read_is_no_evidence(analyzer: Analyzer, text: str) -> None:
    """An image-only post, or a bare mention: '@AuroraAirways' alone read as a complaint (p = 0.999, severity 1)
    and an empty text as negative, the models extrapolating from a lone placeholder feature or their bias."""
    a = analyzer.analyze(make_post(text))
    assert (a.sentiment, a.sentiment_score) == (Sentiment.NEUTRAL, 0.0)
    assert (a.complaint, a.complaint_p, a.topics, a.severity, a.offensive_p) == (False, 0.0, [], 0, 0.0)
    assert a.brands == (["aurora"] if text else [])


def test_emoticons_and_emoji_beside_a_mention_are_still_read(analyzer: Analyzer) -> None:
    sad, happy = analyzer.analyze_many([make_post("@AuroraAirways :-("), make_post("@AuroraAirways 👍👍")])
    assert sad.sentiment is Sentiment.NEGATIVE and happy.sentiment is Sentiment.POSITIVE


def test_a_configured_brand_is_read_by_what_is_said_of_it_not_by_its_name() -> None:
    """A brand's name is read as its handle is: the models learn no prior for the names of the brands a desk
    serves, and two desks hearing the same sentence about each one's own brand read it the same way."""
    text = "{} lost my bag in Lyon, third time this year"
    aurora, nordwind = Analyzer([AURORA]), Analyzer([NORDWIND])
    a = aurora.analyze(make_post(text.format("Aurora Airways")))
    b = nordwind.analyze(make_post(text.format("Nordwind Bahn")))
    assert (a.brands, b.brands) == (["aurora"], ["nordwind"])
    assert (a.sentiment_score, a.complaint_p, a.topics) == (b.sentiment_score, b.complaint_p, b.topics)
    assert a.complaint and a.sentiment is Sentiment.NEGATIVE
    alone = aurora.analyze(make_post("Aurora Airways"))
    assert alone.unreadable and alone.sentiment_score == 0.0 and alone.brands == ["aurora"]
