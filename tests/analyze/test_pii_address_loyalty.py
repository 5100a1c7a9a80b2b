"""Loyalty numbers and postal addresses: found after their programme's name or street word, never in prose."""

from __future__ import annotations

from typing import get_args

from wakeful.analyze.pii import PII_LABELS, PiiKind, PiiMatch, find_pii, pii_kinds
from wakeful.web.views import pii_label

from tests.analyze.pii_cases import assert_redacted, assert_untouched, near_misses, redactions


@redactions(
    ("my Executive Club number is 12345678", "my Executive Club number is [loyalty]"),
    ("Miles & More 992000123456789", "Miles & More [loyalty]"),
    ("Miles &amp; More 992000123456789 please", "Miles &amp; More [loyalty] please"),
    ("AAdvantage #ABC1234", "AAdvantage #[loyalty]"),
    ("Flying Blue 1234567890", "Flying Blue [loyalty]"),  # a 3-3-4 number: not read as a phone
    ("SkyMiles 9012345678", "SkyMiles [loyalty]"),
    ("my frequent flyer number is 123456789", "my frequent flyer number is [loyalty]"),
    ("my Aurora Miles number: 55512345", "my Aurora Miles number: [loyalty]"),  # a brand's own programme
    ("attach my AA FF# 94LXA62 to reservation E2KVM4", "attach my AA FF# [loyalty] to reservation [booking-ref]"),
    ("Conf# FVF9YW  SWRR# 298033455", "Conf# [booking-ref]  SWRR# [loyalty]"),  # both real (airline tweets)
    ("BahnCard-Nummer 7081 4101 2345 6789", "BahnCard-Nummer [loyalty]"),
    ("Vielfliegernummer: 992 000 123 456 789", "Vielfliegernummer: [loyalty]"),
    ("meine Mitgliedsnummer ist 12345678", "meine Mitgliedsnummer ist [loyalty]"),
    ("carte Grand Voyageur n° 29090109876543210", "carte Grand Voyageur n° [loyalty]"),
    ("mon numéro de fidélité est 12345678", "mon numéro de fidélité est [loyalty]"),
    ("numéro Flying Blue 1234567890", "numéro Flying Blue [loyalty]"),
    ("número de socio 12345678", "número de socio [loyalty]"),
    ("codice MilleMiglia 12345678", "codice MilleMiglia [loyalty]"),
    ("mijn Flying Blue-nummer is 1234567890", "mijn Flying Blue-nummer is [loyalty]"),
)
def test_redacts_a_loyalty_number_after_its_programme(text: str, redacted: str) -> None:
    assert_redacted(text, redacted)


@near_misses(
    "SkyMiles 2015 changes are a joke",  # a year
    "AAdvantage 50,000 miles for a one-way",  # a balance
    "Flying Blue 60000 miles gone",
    "Executive Club 100000 Avios",
    "BahnCard 25 für 2 Jahre",  # products, not numbers
    "BahnCard 100 ist zu teuer",
    "rapid rewards 2x points this week",
    "member since 2012, loyalty 100%",
    "#AAdvantage #fail2015",  # hashtags
    "my Executive Club 2 for 1 voucher",
    "my frequent flyer status dropped, flight AU1234 on 24/02/2015",
    "staff were off 12345678 times",  # 'ff' inside words is no frequent-flyer cue
    "12345678 miles of Flying Blue",  # the number comes before the programme
    "AAdvantage AA1234 was late again",  # a flight number
    "Miles & More 069 12345678",  # a phone line, left to the phone test
)
def test_leaves_balances_products_and_years_after_a_programme(text: str) -> None:
    assert_untouched(text, "loyalty")


@redactions(
    ("deliver the bag to 221B Baker Street please", "deliver the bag to [address] please"),
    ("221B Baker Street, London NW1 6XE", "[address]"),
    ("I live at 1600 Pennsylvania Ave NW, Washington, DC 20500", "I live at [address]"),
    ("my postcode is SW1A 1AA", "my postcode is [address]"),
    ("send it to M1 1AE", "send it to [address]"),
    ("address: 3 Abbey Road", "address: [address]"),
    # real (TWCS): lower-case names count only because a ZIP follows
    ("my name is charles martin, 3238 w. columbine dr, phx,85029. my bill",
     "my name is charles martin, [address]. my bill"),
    ("Bitte an Musterstraße 12, 10115 Berlin schicken", "Bitte an [address] schicken"),
    ("Ich wohne in der Hauptstr. 5", "Ich wohne in der [address]"),
    ("Lieferung an Berliner Straße 17a", "Lieferung an [address]"),
    ("Richard-Reitzner-Allee 1 85540 Haar", "[address]"),
    ("Marienplatz 17 52064 Aachen", "[address]"),
    ("Kalverstraat 92", "[address]"),
    ("am Berliner Platz 1", "am [address]"),
    ("Biberger Str. 92 82008 Unterhaching", "[address]"),  # a real post (GermEval 2017)
    ("j'habite au 12 rue de la Paix, 75002 Paris", "j'habite au [address]"),
    ("envoyez-le au 5 bis avenue des Champs-Élysées", "envoyez-le au [address]"),
    ("3, place du Tertre, 75018 Paris", "[address]"),
)
def test_redacts_a_postal_address(text: str, redacted: str) -> None:
    assert_redacted(text, redacted)


@near_misses(
    "waiting at gate 12 for 3 hours",
    "Terminal 5 Heathrow, again",
    "flight 1600 Pennsylvania Ave",  # a flight number before the words
    "flight AU 123 on 24/02/2015 at 11:35",
    "waited 8 hours on the road",
    "a 7 Hour Drive for a bag",
    "only $39 each way",
    "10 Best Way to fly",
    "5 Star Street food",
    "#221B Baker Street",
    "Sitzplatz 45, Wagen 12",
    "Fensterplatz 12 bitte",
    "Kreisstraße 421 gesperrt",  # a numbered road
    "Rückweg 2 Stunden",
    "Hauptstraße 5 km entfernt",
    "Bahnhofstraße 12.05.2015",
    "Bonhoefferstr. 16:56h",  # a stop and a time (GermEval 2017)
    "Spring 16 Internships",  # -ring ends English words (airline tweets)
    "Recovering 2 accounts",
    "il reste 1 place de libre",
    "2 cours de maths",
    "le chemin de fer 12",
    "Flight 3744 (N284WN) departs",  # an aircraft's registration, no space
    "PS4 1TB and Galaxy S9 1TB",
    "80€ Bahn & ÖPNV 10115",
    "Aber Platz 3 war schon besetzt",  # '-er' words that name no place
    "Erster Platz 2 für uns",
)
def test_leaves_gates_seats_roads_and_prose(text: str) -> None:
    assert_untouched(text, "address")


def test_loyalty_and_address_spans_sit_among_the_other_kinds() -> None:
    text = "FF# 12345678, send to 10 Downing St, mail a@b.io"
    assert find_pii(text) == [
        PiiMatch("loyalty", 4, 12),
        PiiMatch("address", 22, 35),
        PiiMatch("email", 42, 48),
    ]
    assert pii_kinds(text) == ["loyalty", "address", "email"]


def test_every_kind_has_a_label_agents_read() -> None:
    assert set(PII_LABELS) == set(get_args(PiiKind))
    assert pii_label("loyalty") == "loyalty number"
    assert pii_label("address") == "postal address"
    assert pii_label("booking-ref") == "booking reference"
    assert pii_label("something-new") == "something-new"
