from __future__ import annotations

import pytest

from wakeful.analyze.legal import alleged_crimes, legal_flags, named_staff


@pytest.mark.parametrize(
    ("text", "flags"),
    [
        ("@AuroraAirways your agent Mark stole $200 from my wallet at the gate", ["staff_accusation", "crime:theft"]),
        ("the flight attendant named Sarah was incredibly rude and yelled at my kid", ["staff_accusation"]),
        ("Mark at the check-in desk lied to my face", ["staff_accusation"]),
        ("Ihr Mitarbeiter Herr Weber hat mich angeschrien", ["staff_accusation"]),
        ("Der Schaffner Müller war rassistisch zu uns", ["staff_accusation", "crime:discrimination"]),
        ("l'hôtesse Julie a été très impolie avec ma mère", ["staff_accusation"]),
        ("votre agent Marc m'a menti sur le remboursement", ["staff_accusation"]),
        ("employee ID 40417 refused to board us and insulted my wife", ["staff_accusation"]),
        ("someone went through my bag and took my camera", ["crime:theft"]),
        ("my watch was stolen from my checked luggage", ["crime:theft"]),
        ("Mein Laptop wurde aus dem Koffer gestohlen", ["crime:theft"]),
        ("on m'a volé mon téléphone dans ma valise", ["crime:theft"]),
        ("a passenger assaulted me and the crew did nothing", ["crime:assault"]),
        ("the gate agent treated us differently because we're black, pure racism", ["crime:discrimination"]),
        ("charging twice for one seat is fraud", ["crime:fraud"]),
        ("Das ist Betrug am Kunden", ["crime:fraud"]),
        ("c'est de l'escroquerie pure", ["crime:fraud"]),
    ],
)
def test_accusations_and_crimes_are_flagged(text: str, flags: list[str]) -> None:
    assert legal_flags(text) == flags


@pytest.mark.parametrize(
    "text",
    [
        "mon vol est annulé, encore",  # 'vol' is a flight
        "j'ai volé avec vous la semaine dernière",  # 'voler' is also to fly
        "your agent Mark was so helpful, thank you!",  # named staff, praised
        "the agent was rude",  # rude, but nobody named
        "my flight was delayed 3 hours and nobody told us why",
        "What a steal: Lisbon for 39 euros",  # 'steal' as a bargain
        "20 passengers on board, I should have grabbed my baggage a seat",
        "I called from Mexico about the fraud alert on my card",
        "$25 for a bag, what a scam",  # everyday words for a rip-off
        "Das ist doch Abzocke",
        "c'est une arnaque, ces frais",
    ],
)
def test_ordinary_posts_are_not_flagged(text: str) -> None:
    assert legal_flags(text) == []


def test_names_are_capitalised_words_not_sentence_words() -> None:
    assert named_staff("your agent Mark said no, the agent Was rude") == ["Mark"]
    assert named_staff("the pilot announced a delay") == []


def test_crime_kinds() -> None:
    assert alleged_crimes("thieves at the airport and a racist guard") == ["theft", "discrimination"]


@pytest.mark.parametrize(
    ("text", "flags"),
    [  # staff accused of a crime without a name: the brand's people are still identifiable by flight and gate
        ("the agent stole my bag", ["staff_accusation", "crime:theft"]),
        ("your staff stole my iPad from my bag", ["staff_accusation", "crime:theft"]),
        ("one of your baggage handlers stole my watch", ["staff_accusation", "crime:theft"]),
        ("l'hôtesse m'a agressé", ["staff_accusation", "crime:assault"]),
        ("le steward m'a frappée", ["staff_accusation", "crime:assault"]),
        ("Der Schaffner hat mich geschlagen", ["staff_accusation", "crime:assault"]),
        ("Ihr Personal hat meinen Koffer geklaut", ["staff_accusation", "crime:theft"]),
        # a named member of staff written as a title, without 'the' or 'your'
        ("flight attendant Sarah insulted me", ["staff_accusation"]),
        ("Agent Maria was rude to my mother", ["staff_accusation"]),
        ("Stewardess Anna hat mich bestohlen", ["staff_accusation", "crime:theft"]),
        # other European languages customers write in
        ("el agente Juan me robó la maleta", ["staff_accusation", "crime:theft"]),
        ("l'assistente di volo Marco mi ha aggredito", ["staff_accusation", "crime:assault"]),
        ("de medewerker Jan heeft mijn tas gestolen", ["staff_accusation", "crime:theft"]),
        ("me robaron el móvil en el aeropuerto", ["crime:theft"]),
    ],
)
def test_staff_accused_of_crimes_and_titles_and_more_languages(text: str, flags: list[str]) -> None:
    assert legal_flags(text) == flags


@pytest.mark.parametrize(
    ("text", "flags"),
    [
        ("my bag was stolen at the airport", ["crime:theft"]),  # a crime, but nobody at the brand is accused
        ("the agent told me my bag was stolen at the airport", ["crime:theft"]),
        ("the flight attendant said a thief was on board", ["crime:theft"]),
        ("who stole the show? your crew, amazing!", []),
        ("Agent Monday said no", []),
        ("es una estafa, 50 euros por una maleta", []),  # everyday 'rip-off', as 'scam' and 'arnaque'
        ("che truffa questi prezzi", []),
    ],
)
def test_no_staff_accusation_where_staff_only_report_or_nobody_is_accused(text: str, flags: list[str]) -> None:
    assert legal_flags(text) == flags
