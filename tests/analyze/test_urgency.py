from __future__ import annotations

import pytest

from wakeful.analyze.severity import severity
from wakeful.analyze.urgency import parse_deadline, read_urgency


@pytest.mark.parametrize(
    ("text", "minutes"),
    [
        ("@AuroraAirways my flight leaves in 2 hours and my bag is still missing", 120),
        ("Mein Flug geht in 2 Stunden und keiner hilft", 120),
        ("mon vol part dans 2 heures, personne au comptoir", 120),
        ("boarding in 45 min and no seat assignment", 45),
        ("connection in 1.5 hrs, will I make it?", 90),
        ("Anschluss in 1,5 Std!", 90),
        ("mon train part dans 2h30", 150),
        ("in half an hour my connection is gone", 30),
        ("Zug fährt in einer halben Stunde", 30),
        ("mon vol décolle dans une demi-heure", 30),
        ("in zwei Stunden geht mein Flug", 120),
        ("flight in three hours, still no rebooking", 180),
    ],
)
def test_deadline_is_parsed_to_minutes(text: str, minutes: int) -> None:
    parsed = parse_deadline(text)
    assert parsed is not None and parsed[0] == minutes
    urgency = read_urgency(text)
    assert urgency.deadline_minutes == minutes
    assert "deadline" in urgency.signals
    assert urgency.evidence["deadline"] in text.lower().replace("ä", "a").replace("é", "e")


@pytest.mark.parametrize(
    "text",
    [
        "I waited 2 hours in line",
        "you promised a refund within 24 hours",
        "be right back in a minute",
        "flight AU 123 was delayed 3 hours",
        "in 2019 I flew with you",
        "see you in 5 days",
    ],
)
def test_no_deadline_where_none_is_stated(text: str) -> None:
    assert parse_deadline(text) is None
    assert read_urgency(text).deadline_minutes is None


def test_clock_times_are_a_deadline_without_minutes() -> None:
    urgency = read_urgency("my flight departs at 14:30, where is my bag")
    assert urgency.signals == ["deadline"]
    assert urgency.deadline_minutes is None


@pytest.mark.parametrize(
    ("text", "signal"),
    [
        ("third time I'm asking: where is my refund?", "repeat_contact"),
        ("Schon wieder keine Antwort von euch", "repeat_contact"),
        ("Encore une fois, aucune réponse", "repeat_contact"),
        ("ich habe schon dreimal angerufen", "repeat_contact"),
        ("the flight was fine, thanks", None),
        ("for the 1st time in years the flight was on time", None),
        ("asking for the 21st time: where is my bag", "repeat_contact"),
        ("I'm switching to Lufthansa after this", "churn_threat"),
        ("ich wechsle zu einer anderen Airline", "churn_threat"),
        ("je change de compagnie, c'est fini", "churn_threat"),
        ("my lawyer will be in touch", "legal_threat"),
        ("my 9 year old daughter is travelling alone and stranded in Paris", "vulnerable_customer"),
        ("mein Sohn ist allein am Flughafen", "vulnerable_customer"),
        ("ma fille voyage seule et personne ne l'aide", "vulnerable_customer"),
        ("I'm diabetic and my insulin is in the lost bag", "vulnerable_customer"),
        ("smoke in the cabin", "safety"),
        ("still waiting at the gate🤬", "anger"),
        ("great crew today 😀!!!", None),  # a happy face and exclamation marks are no fury
    ],
)
def test_signals_are_named_with_their_evidence(text: str, signal: str | None) -> None:
    urgency = read_urgency(text)
    if signal is None:
        assert urgency.signals == []
        return
    assert signal in urgency.signals
    assert urgency.evidence[signal]


def test_severity_uses_the_signals() -> None:
    assert severity(True, 0.0, "my flight leaves in 2 hours", []) == 2
    assert severity(True, 0.0, "my son is flying alone and nobody meets him", []) == 3
    assert severity(True, 0.0, "whatever the text says", [], signals=["legal_threat"]) == 3
    assert severity(False, -1.0, "I will sue", [], signals=["legal_threat"]) == 3  # critical even unflagged
