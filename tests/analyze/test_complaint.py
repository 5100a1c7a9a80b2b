from __future__ import annotations

import pytest

from wakeful.analyze import Analyzer
from wakeful.analyze.complaint import (
    PRAISE_SCORE,
    PROBLEM_INPUT,
    LexiconComplaintClassifier,
    LinearComplaintClassifier,
    cue_counts,
    problem_inputs,
)
from wakeful.analyze.sentiment import LinearSentiment, VaderSentiment
from wakeful.core.models import Sentiment

from tests.analyze.helpers import make_post

CLASSIFIER = LexiconComplaintClassifier()
VADER = VaderSentiment()


def predict(text: str, lang: str | None) -> tuple[bool, float]:
    _, score = VADER.score(text, lang)
    return CLASSIFIER.predict(text, lang, score)


def test_negative_mood_is_not_a_complaint() -> None:
    text = "Worst weather ever, flying home tomorrow"
    assert VADER.score(text, "en")[1] < -0.5
    complaint, p = predict(text, "en")
    assert not complaint
    assert p < 0.5


def test_a_calm_problem_report_is_a_complaint() -> None:
    text = "My bag never arrived at Heathrow"
    assert VADER.score(text, "en")[1] == 0.0
    assert predict(text, "en")[0]


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("Flight AU12 delayed again, 3 hours at the gate", "en"),
        ("charged twice for one ticket and still no refund", "en"),
        ("cancelled flight and nobody answers the phone", "en"),
        ("Mein Koffer ist verloren gegangen", "de"),
        ("Warte seit drei Wochen auf die Erstattung", "de"),
        ("Flug ausgefallen, keine Antwort vom Kundenservice", "de"),
        ("Ma valise est perdue depuis lundi", "fr"),
        ("Vol annulé et toujours pas remboursé", "fr"),
        ("J'attends depuis 2 heures, aucune réponse", "fr"),
        ("Vol AU 2829 : tout l'avion sans bagages, le système de Francfort est en panne", "fr"),
        ("Gelandet, aber ohne Koffer", "de"),
        ("Flug verspätet", None),  # unknown language: every lexicon is read
    ],
)
def test_complaints_in_each_language(text: str, lang: str | None) -> None:
    complaint, p = predict(text, lang)
    assert complaint, p


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("Thanks for the smooth flight, great crew!", "en"),
        ("Will my flight tomorrow be delayed by the snow?", "en"),
        ("Can I bring my guitar as hand luggage?", "en"),
        ("Danke für den tollen Service", "de"),
        ("Merci pour le super vol", "fr"),
    ],
)
def test_non_complaints(text: str, lang: str) -> None:
    complaint, p = predict(text, lang)
    assert not complaint, p


def test_sentiment_supports_but_never_decides() -> None:
    strong_only = CLASSIFIER.predict("my flight was cancelled", "en", 0.0)[1]
    with_anger = CLASSIFIER.predict("my flight was cancelled", "en", -0.8)[1]
    no_cue_furious = CLASSIFIER.predict("what a day", "en", -1.0)[1]
    assert with_anger > strong_only > 0.5
    assert no_cue_furious < 0.5


def test_weak_cue_inside_strong_cue_is_not_counted_twice() -> None:
    assert cue_counts("lost my bag", "en") == (1, 0, 0)


def test_praise_with_no_problem_cue_is_not_a_complaint_but_a_praised_problem_still_is() -> None:
    model = LinearComplaintClassifier()
    praise = "Shoutout to the customer service agent on the phone who rebooked me in 5 minutes. Legends."
    assert model.predict_proba([praise], ["en"], [0.0])[0] >= 0.5  # the model alone reads travel words as grievance
    assert model.predict_proba([praise], ["en"], [PRAISE_SCORE])[0] < 0.5  # said warmly, with no problem cue
    mixed = "Flight cancelled but the crew were lovely"  # a strong cue: the mood does not gate it
    assert model.predict_proba([mixed], ["en"], [0.8])[0] >= 0.5


@pytest.mark.parametrize(("text", "lang"), [
    ("Zum zweiten Mal verliert ihr mein Gepäck. Ich bin so sauer", "de"),
    ("Online-Check-in geht nicht, nur 'Fehler 500'", "de"),
    ("Flug annulliert, kein Hotel, wir schlafen am Flughafen", "de"),
    ("L'agent d'enregistrement a été d'une impolitesse incroyable", "fr"),
    ("Votre site plante au moment du paiement, suis-je débité ?", "fr"),
    ("19 jours que la compagnie me doit 312 euros", "fr"),
    ("Impossible de m'enregistrer en ligne pour le vol AU12, 'erreur 500'", "fr"),
    ("On m'a mis au fond alors que j'ai payé mon siège. Je veux être remboursée", "fr"),
    ("Mein Koffer kam in Hamburg völlig zerbeult an, Flug AU12", "de"),
    ("Flug gestrichen, keine Antwort. Danke für nichts", "de"),
    ("Vol annulé, merci pour rien", "fr"),
])
def test_german_and_french_problem_reports_the_lexicon_now_reads(text: str, lang: str) -> None:
    """Cues English had and German and French lacked ("doesn't work", "owes me", "rude"): such reports were
    missed, so German and French complaints ranked below English ones in the queue."""
    assert cue_counts(text, lang).strong >= 1
    assert LinearComplaintClassifier().predict_proba([text], [lang], [0.0])[0] >= 0.5


def test_sarcastic_thanks_are_a_strong_cue_in_german_and_french_as_in_english() -> None:
    for text, lang in (("thanks for nothing", "en"), ("Danke für nichts!", "de"), ("Merci pour rien.", "fr")):
        assert cue_counts(text, lang) == (1, 0, 0), text  # the thanks inside is not counted as mitigating


def test_the_sentiment_models_problem_input_counts_strong_cues_capped_at_two() -> None:
    assert problem_inputs("Lovely flight, thanks", "en") == {PROBLEM_INPUT: 0.0}
    assert problem_inputs("Flight delayed", "en") == {PROBLEM_INPUT: 1.0}
    assert problem_inputs("Flight delayed, bag lost, stranded, no refund", "en") == {PROBLEM_INPUT: 2.0}
    # German posts also read English cues ("delay" is borrowed); 'will it be delayed' is no report
    assert problem_inputs("Flug gestrichen und Koffer weg", "de") == {PROBLEM_INPUT: 2.0}
    assert problem_inputs("Will my flight be delayed tomorrow?", "en") == {PROBLEM_INPUT: 0.0}


def test_a_bag_that_did_not_come_along_said_the_german_short_way_is_a_problem() -> None:
    """'Gelandet in Hamburg, Gepäck nicht.' (landed, the bag did not): English had 'bag didn't'; the sentiment model
    read the template, thanks and all, as positive."""
    assert cue_counts("Gelandet in Hamburg, Gepäck nicht. Danke @AuroraAirways", "de").strong == 1
    assert cue_counts("Ich bin angekommen, mein Koffer leider nicht!", "de").strong == 1
    for fine in ("Gepäck nicht vergessen!", "Bitte Gepäck nicht unbeaufsichtigt lassen"):
        assert cue_counts(fine, "de").strong == 0, fine
    sentiment = LinearSentiment()
    text = "Gelandet in Hamburg, Gepäck nicht. Danke @AuroraAirways, super Start in den Urlaub 💔"
    assert sentiment.score(text, "de")[0] is Sentiment.NEGATIVE


@pytest.mark.parametrize(("text", "lang"), [
    ("vous êtes sérieux ? 3 heures d'attente au comptoir", "fr"),
    ("J'ai attendu 2 heures au téléphone, personne", "fr"),
    ("3 Stunden Wartezeit an der Hotline, super Service", "de"),
    ("Seit zwei Stunden stehen wir am Gate", "de"),
])
def test_hours_of_waiting_are_a_problem_in_german_and_french_as_in_english(text: str, lang: str) -> None:
    """English read "waited 2 hours" and "for over an hour"; the German and French ways of saying it had no cue,
    so the sarcastic "3 Stunden Wartezeit …, super Service" read positive and no complaint."""
    assert cue_counts(text, lang).strong == 1
    analysis = Analyzer([]).analyze(make_post(text, lang))
    assert analysis.complaint and analysis.sentiment is Sentiment.NEGATIVE, analysis


@pytest.mark.parametrize(("text", "lang"), [
    ("le vol de 3 heures était parfait", "fr"), ("Danke, 2 Stunden früher gelandet!", "de"),
    ("Seit Jahren fliege ich gern mit euch", "de"), ("depuis 3 ans je vole avec vous", "fr"),
])
def test_hours_without_waiting_are_no_problem(text: str, lang: str) -> None:
    assert cue_counts(text, lang).strong == 0


@pytest.mark.parametrize(("text", "lang"), [
    ("@AuroraAirways my booking ABC123 is gone, call me", "en"),
    ("my reservation has just vanished from the app", "en"),
    ("Meine Buchung ist einfach weg", "de"), ("ma réservation a disparu de l'appli", "fr"),
])
def test_a_booking_that_has_vanished_is_a_problem(text: str, lang: str) -> None:
    """"my booking ABC123 is gone, call me" sat at the model's threshold (complaint p 0.50, then 0.43 after a
    retrain that moved nothing near it) and opened no case when under it."""
    assert cue_counts(text, lang).strong == 1
    assert Analyzer([]).analyze(make_post(text, lang)).complaint


def test_a_booking_that_has_gone_through_is_no_problem() -> None:
    assert cue_counts("the booking has gone through, thanks", "en").strong == 0


@pytest.mark.parametrize(("text", "lang"), [
    ("Gelandet in Hamburg, Gepäck nicht. Danke @AuroraAirways, super Start in den Urlaub 💔", "de"),
    ("Flug annulliert, kein Hotel, wir schlafen am Flughafen. Danke @AuroraAirways", "de"),
])
def test_thanks_after_a_problem_in_a_negative_post_is_sarcasm_not_praise(text: str, lang: str) -> None:
    """'Gepäck nicht. Danke …, super Start in den Urlaub': the lexicon rule counted 'Danke' and 'super' as praise
    and the lost bag read as no complaint (p 0.35)."""
    cues = cue_counts(text, lang)
    assert cues.strong >= 1 and cues.mitigating >= 1
    assert CLASSIFIER.probability_of(cues, -0.2) > 0.5
    assert Analyzer([]).analyze(make_post(text, lang)).complaint


def test_thanks_after_a_problem_in_a_positive_post_still_mitigates() -> None:
    """'Thanks for rebooking me so fast after the cancellation' reads positive: there the thanks is meant."""
    cues = cue_counts("Thanks for rebooking me so fast after the cancellation", "en")
    assert cues.strong == 1 and cues.mitigating == 1
    assert CLASSIFIER.probability_of(cues, 0.6) < CLASSIFIER.probability_of(cues._replace(mitigating=0), 0.6)
    assert CLASSIFIER.probability_of(cues, 0.6) < 0.5


@pytest.mark.parametrize(("text", "lang"), [
    ("@AuroraHelp eure Website bricht bei der Zahlung ab, 4 Versuche", "de"),
    ("Die App ist beim Check-in abgestürzt", "de"),
    ("Familie auf 3 Reihen verteilt, Kinder 5 und 7", "de"),
    ("Wir können nicht zusammen sitzen, obwohl wir Plätze gebucht haben", "de"),
    ("Une valise neuve, un seul vol avec vous, détruite.", "fr"),
    ("ça fait 2 heures. il y a quelqu'un ?", "fr"),
    ("Famille répartis sur trois rangs, enfants de 5 et 7 ans", "fr"),
    ("booked seats together months ago, family split across 4 rows", "en"),
    ("we can't sit together even though we paid for seats", "en"),
    ("separated from my 4 year old son on the flight", "en"),
])
def test_broken_payment_pages_split_families_and_destroyed_bags_are_problems(text: str, lang: str) -> None:
    assert cue_counts(text, lang).strong >= 1


@pytest.mark.parametrize(("text", "lang"), [
    ("Die Verbindung bricht nie ab, super WLAN an Bord", "de"),
    ("Wir saßen zusammen in Reihe 3", "de"),
    ("ça fait du bien de rentrer", "fr"),
    ("we sat together in row 12, thanks", "en"),
])
def test_the_new_problem_phrases_leave_ordinary_sentences_alone(text: str, lang: str) -> None:
    assert cue_counts(text, lang).strong == 0
