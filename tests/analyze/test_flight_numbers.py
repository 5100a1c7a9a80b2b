"""Flight numbers a post names, for the reply's 'we have noted flight …' and the incident room's affected flights."""

from __future__ import annotations

import pytest

from wakeful.analyze.text import flight_numbers


@pytest.mark.parametrize(("text", "flights"), [
    ("@AuroraAirways AU 2213 from Frankfurt, no bags", ["AU 2213"]),
    ("LH400 then U2 123 then 3K 540", ["LH 400", "U2 123", "3K 540"]),
    # customers type the code in lower case after the word for flight (the demo's French check-in question)
    ("l'enregistrement en ligne ouvre quand pour le vol au467 ?", ["AU 467"]),
    ("Flug lh 400 heute gestrichen", ["LH 400"]),
    ("flight #ba283 and again AU 2213, AU2213", ["BA 283", "AU 2213"]),
])
def test_flight_numbers_are_read_as_airlines_and_customers_write_them(text: str, flights: list[str]) -> None:
    assert flight_numbers(text) == flights


@pytest.mark.parametrize("text", [
    "landed at 1200 in 2024, by 2030 they will fix it",
    "my 2 bags and 3 kids",
    "au revoir 2023",  # lower case with no flight word before it
    "Gate B 12 closed",
])
def test_lower_case_words_and_numbers_are_no_flight(text: str) -> None:
    assert flight_numbers(text) == []
