from __future__ import annotations

import pytest

from wakeful.analyze.severity import severity, urgency_signals


def test_not_a_complaint_is_zero_unless_it_is_critical() -> None:
    assert severity(False, -0.9, "worst weather ever, flying home tomorrow, so annoyed", ["delay"]) == 0
    # a legal threat or safety issue that no complaint model caught still needs a person, urgently
    assert severity(False, -0.9, "my lawyer will hear about the smoke", ["delay"]) == 3


def test_plain_complaint_is_one() -> None:
    assert severity(True, -0.2, "my flight was delayed", ["delay"]) == 1


def test_strong_negativity_is_two() -> None:
    assert severity(True, -0.8, "my flight was delayed", ["delay"]) == 2


@pytest.mark.parametrize(
    ("text", "signal"),
    [
        ("my flight leaves in 2 hours and the desk is closed", "deadline"),
        ("Anschluss in 2 Stunden, niemand hilft", "deadline"),
        ("mon vol part dans 2 heures", "deadline"),
        ("third time I ask about my bag", "repeat_contact"),
        ("still no answer from you", "repeat_contact"),
        ("zum dritten Mal: wo ist mein Koffer", "repeat_contact"),
        ("toujours pas de réponse", "repeat_contact"),
        ("never flying with you again", "churn_threat"),
        ("nie wieder Aurora", "churn_threat"),
        ("plus jamais avec vous", "churn_threat"),
        ("Zum zweiten Mal verliert ihr mein Gepäck. Ich bin so sauer😡", "anger"),
        ("45 jours que vous me devez 312€ 🤬", "anger"),
    ],
)
def test_urgency_makes_two(text: str, signal: str) -> None:
    assert signal in urgency_signals(text)
    assert severity(True, 0.0, text, []) == 2


@pytest.mark.parametrize(
    ("text", "signal"),
    [
        ("the plane felt unsafe", "safety"),
        ("smoke in the cabin", "safety"),
        ("a passenger was injured by a falling bag", "safety"),
        ("Sicherheit ist euch egal", "safety"),
        ("la sécurité à bord", "safety"),
        ("my lawyer will contact you", "legal_threat"),
        ("I will sue", "legal_threat"),
        ("mein Anwalt meldet sich", "legal_threat"),
        ("mon avocat vous contactera", "legal_threat"),
        ("they broke my wheelchair", "vulnerable_customer"),
        ("my elderly father was left at the gate", "vulnerable_customer"),
        ("our son flew as an unaccompanied minor", "vulnerable_customer"),
        ("Rollstuhl kaputt", "vulnerable_customer"),
        ("mon fauteuil roulant est cassé", "vulnerable_customer"),
        ("I am disabled and nobody helped", "vulnerable_customer"),
    ],
)
def test_safety_legal_and_vulnerable_make_three(text: str, signal: str) -> None:
    assert signal in urgency_signals(text)
    assert severity(True, 0.0, text, []) == 3


@pytest.mark.parametrize("text", ["my issue is still open", "I sued nobody", "the food court was closed", "fired up"])
def test_no_false_alarms_on_lookalike_words(text: str) -> None:
    assert not {"legal_threat", "safety"} & set(urgency_signals(text))


def test_many_problems_at_once_is_two() -> None:
    assert severity(True, 0.0, "bag lost, refund missing", ["lost_luggage", "refund", "customer_service"]) == 2
