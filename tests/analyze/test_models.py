"""The shipped trained models: they load from the package without network, read posts the way a care agent
would, and the batch API agrees with the per-post one."""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator

import numpy as np
import pytest

from wakeful.analyze.complaint import PROBLEM_INPUT, LinearComplaintClassifier, cue_counts, problem_inputs
from wakeful.analyze.linear import MODELS_DIR, Featurizer, LinearHead, ModelFileError
from wakeful.analyze.offensive import OffensiveClassifier
from wakeful.analyze.sentiment import LinearSentiment
from wakeful.analyze.topics import ModelTopicTagger
from wakeful.core.models import Sentiment


@pytest.fixture(scope="module")
def sentiment() -> LinearSentiment:
    return LinearSentiment()


@pytest.fixture(scope="module")
def complaint() -> LinearComplaintClassifier:
    return LinearComplaintClassifier()


@pytest.fixture(scope="module")
def topics() -> ModelTopicTagger:
    return ModelTopicTagger()


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("a model tried to open a network connection")

    monkeypatch.setattr(socket, "socket", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    yield


def test_model_files_load_from_the_package_without_network(no_network: None) -> None:
    features = Featurizer.load(MODELS_DIR / "features.npz")
    for name in ("sentiment", "complaint", "topics", "offensive"):
        head = LinearHead.load(name, features.size)
        p = head.proba(features.row("My bag never arrived in Frankfurt"))
        assert p.shape == (len(head.classes),)
        assert np.all((p >= 0) & (p <= 1))


def test_a_missing_model_file_names_the_file_and_the_fix() -> None:
    with pytest.raises(ModelFileError, match=r"features\.npz.*wakeful train"):
        Featurizer.load(MODELS_DIR / "no-such-dir" / "features.npz")


def test_negative_mood_is_not_a_complaint(sentiment: LinearSentiment, complaint: LinearComplaintClassifier) -> None:
    text = "Worst weather ever, flying home tomorrow"
    assert sentiment.score(text, "en")[0] is Sentiment.NEGATIVE
    assert complaint.predict(text, "en", sentiment.score(text, "en")[1])[0] is False


@pytest.mark.parametrize(("text", "lang"), [
    ("@united my bag never arrived and nobody at the desk can tell me where it is", "en"),
    ("@AmericanAir flight cancelled again, 3 hours on hold and still no rebooking", "en"),
    ("Mein Koffer ist seit drei Tagen verschwunden und bei der Hotline geht niemand ran", "de"),
    ("Zug fällt schon wieder aus, 40 Minuten Verspätung und keine Information am Bahnsteig", "de"),
    ("Mon vol a été annulé et toujours aucun remboursement, c'est inadmissible", "fr"),
    ("Ma valise est arrivée cassée et le service client ne répond pas", "fr"),
])
def test_complaints_are_found_in_english_german_and_french(
    complaint: LinearComplaintClassifier, text: str, lang: str
) -> None:
    found, p = complaint.predict(text, lang, 0.0)
    assert found, f"missed complaint (p={p:.2f}): {text}"


@pytest.mark.parametrize(("text", "lang"), [
    ("Mon vol est annulé, je veux être remboursé", "fr"),
    ("Vol annulé et toujours pas remboursé, merci pour rien", "fr"),
    ("Flug gestrichen, keine Antwort. Danke für nichts", "de"),
])
def test_customer_complaints_read_negative_in_languages_without_labelled_ones(
    sentiment: LinearSentiment, text: str, lang: str
) -> None:
    """Sentiment's German and French tweets are general ones (XLM-T): before the problem-cue input
    (`complaint.problem_inputs`), and the shared head alone for posts with such a cue, the two French posts read
    positive and the German one neutral."""
    label, score = sentiment.score(text, lang)
    assert label is Sentiment.NEGATIVE and score < 0, f"{text}: {label.value} {score:.2f}"


def test_a_cancelled_train_said_the_german_way_is_a_complaint(complaint: LinearComplaintClassifier) -> None:
    """'fällt aus' (is cancelled) was no lexicon cue, and the model alone put this post at 0.46, then 0.43 after
    a retrain that moved nothing near it; the lexicon now names it ('fällt gut aus', turns out well, it does not)."""
    text = "Zug um 7:12 fällt aus, nächster kommt erst in einer Stunde, das ist doch nicht normal"
    assert cue_counts(text, "de").strong == 1
    assert cue_counts("Das Ergebnis fällt gut aus, die Party fällt aus dem Rahmen", "de").strong == 0
    found, p = complaint.predict(text, "de", 0.0)
    assert found, f"missed complaint (p={p:.2f}): {text}"


@pytest.mark.parametrize(("text", "lang"), [
    ("@JetBlue thank you for the lovely crew and the smooth landing, see you next month!", "en"),
    ("Vielen Dank an das freundliche Team im ICE nach Hamburg, alles pünktlich", "de"),
    ("Merci pour ce vol parfait, équipage adorable", "fr"),
])
def test_thanks_are_positive_and_not_complaints(
    sentiment: LinearSentiment, complaint: LinearComplaintClassifier, text: str, lang: str
) -> None:
    assert sentiment.score(text, lang)[0] is Sentiment.POSITIVE
    assert not complaint.predict(text, lang, 0.0)[0]


@pytest.mark.parametrize(("text", "topic"), [
    ("@united you lost my luggage, three days and still no sign of my suitcase", "lost_luggage"),
    ("@SouthwestAir flight delayed 4 hours and counting, will miss my connection", "delay"),
    ("@USAirways my flight was cancelled and no one will rebook me", "cancellation"),
    ("@AmericanAir the flight attendant was so rude to my mother", "flight_attendant"),
])
def test_topics_name_what_the_complaint_is_about(topics: ModelTopicTagger, text: str, topic: str) -> None:
    assert topic in topics.tag(text, "en")


def test_keyword_topics_fill_in_where_no_labelled_data_exists(topics: ModelTopicTagger) -> None:
    assert "refund" not in topics.model.classes
    assert "refund" in topics.tag("Still waiting for my refund after six weeks", "en")


def test_offensive_language_scores_above_a_plain_complaint() -> None:
    model = OffensiveClassifier()
    insult, plain = "@user you are a fucking idiot and a disgrace", "@user my flight was delayed by two hours"
    assert model.predict(insult)[0]
    assert not model.predict(plain)[0]


def test_batches_agree_with_single_posts(sentiment: LinearSentiment, complaint: LinearComplaintClassifier,
                                         topics: ModelTopicTagger) -> None:
    texts = ["Flight delayed again", "Danke für die schnelle Hilfe!", "", "🙂🙂🙂"]
    langs: list[str | None] = ["en", "de", None, None]
    batch = sentiment.predict_proba(texts, langs)
    assert batch.shape == (4, 3)
    assert np.allclose(batch.sum(axis=1), 1.0, atol=1e-5)
    for i, (text, lang) in enumerate(zip(texts, langs, strict=True)):
        assert np.allclose(batch[i], sentiment.proba(text, lang))
        assert complaint.predict_proba([text], [lang])[0] == pytest.approx(complaint.probability(text, lang))
    assert topics.predict_proba(texts).shape == (4, len(topics.model.classes))


def test_a_post_in_a_language_with_a_specialist_gets_the_mean_of_both_heads(sentiment: LinearSentiment) -> None:
    """Shipped: the specialist heads training kept (those that did not lower validation macro-F1); unknown
    languages, and posts reporting a problem (a strong lexicon cue), read the shared head alone. The batch path,
    which gathers each language's posts into a sub-batch, matches the mean post by post."""
    trained = json.loads((MODELS_DIR / "training.json").read_text(encoding="utf-8"))
    assert set(sentiment.specialists) == set(trained["heads"]["sentiment"]["specialists"]) >= {"en", "de", "fr"}
    shared = LinearSentiment(sentiment.features, sentiment.model, sentiment.polarity, specialists={})
    texts = ["Zug schon wieder verspätet, super gemacht", "Vol annulé, merci pour rien", "Zug pünktlich, danke",
             "Ce vol était une expérience", "no idea what this is"]
    langs: list[str | None] = ["de", "fr", "de", "fr", None]
    batch = sentiment.predict_proba(texts, langs)
    problems = [problem_inputs(text, lang)[PROBLEM_INPUT] > 0 for text, lang in zip(texts, langs, strict=True)]
    assert problems == [True, True, False, False, False]
    for i, (text, lang) in enumerate(zip(texts, langs, strict=True)):
        alone = shared.proba(text, lang)
        assert np.allclose(sentiment.proba(text, lang), batch[i], atol=1e-6)
        if lang is None or problems[i]:
            assert np.allclose(batch[i], alone)
            continue
        specialist = sentiment.specialists[lang].proba(sentiment.features.row(text), shared._inputs(text, lang))
        assert np.allclose(batch[i], (alone + specialist) / 2, atol=1e-6)
        assert not np.allclose(batch[i], alone)


def test_rows_are_unit_length_and_empty_text_is_no_evidence() -> None:
    features = Featurizer.load()
    row = features.row("The train was late again")
    assert np.linalg.norm(row.values) == pytest.approx(1.0, abs=1e-5)
    assert len(set(row.ids.tolist())) == len(row.ids)  # binary features: each n-gram once
    assert features.row("").ids.size == 0


def test_every_head_reports_no_evidence_for_a_post_with_nothing_to_read(
    sentiment: LinearSentiment, complaint: LinearComplaintClassifier, topics: ModelTopicTagger
) -> None:
    texts = ["@united", "@united @AmericanAir https://t.co/abc …", "", "@united my bag is lost"]
    langs: list[str | None] = [None, "en", None, "en"]
    p = sentiment.predict_proba(texts, langs)
    assert [row.argmax() for row in p[:3]] == [sentiment.model.classes.index("neutral")] * 3 and p[:3].max() == 1.0
    assert sentiment.score("@united", None) == (Sentiment.NEUTRAL, 0.0)
    assert complaint.predict_proba(texts, langs).tolist()[:3] == [0.0, 0.0, 0.0]
    assert complaint.probability("@united", None) == 0.0 < complaint.probability("@united my bag is lost", "en")
    assert topics.predict_proba(texts)[:3].max() == 0.0 and topics.tag_many(texts, langs)[:3] == [[], [], []]
    assert topics.proba("@united").max() == 0.0 < topics.proba("@united my bag is lost").max()
    offensive = OffensiveClassifier()
    assert offensive.predict_proba(texts)[:3].tolist() == [0.0, 0.0, 0.0] and offensive.probability("") == 0.0


@pytest.mark.parametrize("sentence", ["I am flying with {} tomorrow", "{} changed my seat", "booked {} for March"])
def test_the_trained_brands_names_carry_no_prior(sentiment: LinearSentiment, sentence: str) -> None:
    """The labelled tweets run 78 % negative for US Airways and 36 % for Virgin America: a model that learns from
    the names read "I am flying with JetBlue tomorrow" positive (0.72) and the same sentence with United neutral."""
    names = ["JetBlue", "United", "US Airways", "#Southwest", "Virgin America", "American Airlines", "Delta", "@delta"]
    texts = [sentence.format(name) for name in names]
    p = sentiment.predict_proba(texts, ["en"] * len(texts))
    np.testing.assert_allclose(p, np.repeat(p[:1], len(texts), axis=0), atol=1e-6)
