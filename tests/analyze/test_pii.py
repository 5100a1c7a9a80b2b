from __future__ import annotations

import pytest

from wakeful.analyze.pii import PiiMatch, find_pii, iban_valid, luhn_valid, pii_kinds, redact

from tests.analyze.pii_cases import assert_redacted, assert_untouched, near_misses, redactions


@redactions(
    ("mail me: jane.doe+trip@example.co.uk", "mail me: [email]"),
    ("call +44 20 7946 0958 please", "call [phone] please"),
    ("Ruf an: 030 12345678 oder 0171/1234567", "Ruf an: [phone] oder [phone]"),
    ("Appelez le 06 12 34 56 78", "Appelez le [phone]"),
    ("+49 (0)30 1234567", "[phone]"),
    ("(555) 123-4567 or 555.123.4567", "[phone] or [phone]"),
    ("card 4111 1111 1111 1111 charged twice", "card [card] charged twice"),
    ("Karte 4111-1111-1111-1111", "Karte [card]"),
    ("booking ref AB12CD please", "booking ref [booking-ref] please"),
    ("PNR: 7QX4KZ", "PNR: [booking-ref]"),
    ("Buchungsnummer X7K9QZ", "Buchungsnummer [booking-ref]"),
    ("ma réservation n° ABC123", "ma réservation n° [booking-ref]"),
    ("numéro de dossier: k9x2mb", "numéro de dossier: [booking-ref]"),
    ("PNR: KXJQWE", "PNR: [booking-ref]"),
    ("my booking reference is KXJQWE, bag lost", "my booking reference is [booking-ref], bag lost"),
    ("Buchungscode QWERTZ bitte prüfen", "Buchungscode [booking-ref] bitte prüfen"),
    ("call 0049 30 12345678", "call [phone]"),
    ("+1 (555) 123-4567 anytime", "[phone] anytime"),
    ("+33 (0)6 12 34 56 78", "[phone]"),
    ("Meine Nummer: +43 664 1234567", "Meine Nummer: [phone]"),
    ("+31 6 12345678", "[phone]"),
    ("Amex 3782 822463 10005", "Amex [card]"),
    ("IBAN DE89 3704 0044 0532 0130 00 für die Erstattung", "IBAN [iban] für die Erstattung"),
    ("mon IBAN FR1420041010050500013M02606", "mon IBAN [iban]"),
    ("GB82 WEST 1234 5698 7654 32", "[iban]"),
)
def test_redacts_each_kind(text: str, redacted: str) -> None:
    assert_redacted(text, redacted)


@near_misses(
    "flight AU 123 on 24/02/2015 at 11:35",
    "Flug AU123 am 24.02.2015 um 11:35",
    "2015-02-24 11:35",
    "paid $1,234.56 and €450 for nothing",
    "refund of 1234567890 EUR",
    "card 4111 1111 1111 1112",  # fails the Luhn check
    "ticket 0161234567890",  # 13 digits: a ticket number, not a phone
    "my booking is on flight AU1234",  # a flight number next to 'booking'
    "promo code SAVE20",  # no booking context word
    "AB12CD",  # a code with no booking context
    "see https://t.co/AB12CD7 booking",  # inside a link
    "3 hours 45 minutes, 2 bags, 1 stroller",
    "GB82 WEST 1234 5698 7654 33",  # fails the IBAN check digits
    "my booking is BROKEN",  # a capitalised word after 'booking' is not a locator
    "MY BOOKING NUMBER IS WRONG",  # nor is one in a post written in capitals
    "card 4111 1111 1111 1121 please",  # Luhn-invalid 16 digits
)
def test_leaves_dates_prices_and_flight_numbers(text: str) -> None:
    assert_untouched(text)


def test_matches_carry_spans_in_order() -> None:
    text = "ref AB12CD, mail a@b.io"
    assert find_pii(text) == [PiiMatch("booking-ref", 4, 10), PiiMatch("email", 17, 23)]
    assert pii_kinds("x@y.org, z@w.org, 06 12 34 56 78") == ["email", "phone"]


def test_iban_check_digits() -> None:
    assert iban_valid("DE89370400440532013000")
    assert iban_valid("de89 3704 0044 0532 0130 00")
    assert not iban_valid("DE88370400440532013000")
    assert not iban_valid("DE89")


def test_luhn() -> None:
    assert luhn_valid("4111111111111111")
    assert luhn_valid("79927398713")
    assert not luhn_valid("79927398710")


def test_a_fediverse_handle_is_not_an_email_address() -> None:
    """Mastodon posts name accounts as @user@instance: public handles, not personal data. A bare address is."""
    text = "@AuroraAirways@mastodon.social Flug AU2890 verspätet, cc @jan@social.example.de"
    assert pii_kinds(text) == []
    assert redact(text) == text
    assert pii_kinds("@AuroraAirways write to jan@social.example.de") == ["email"]


@redactions(  # shapes found in real posts (airline tweets, TWCS) or written by customers in de/fr/es/it/nl
    ("here is my conf #F8NEQM. My flight was delayed", "here is my conf #[booking-ref]. My flight was delayed"),
    ("Conf#FGKXV5. Please look into it", "Conf#[booking-ref]. Please look into it"),
    ("booking #YIU8NM", "booking #[booking-ref]"),
    ("confirmation #ABC12D", "confirmation #[booking-ref]"),
    ("conf code: F6DK04 / XZMSCW", "conf code: [booking-ref] / [booking-ref]"),
    ("numéro de réservation KXJQWE", "numéro de réservation [booking-ref]"),
    ("Référence de réservation SYQZTG.", "Référence de réservation [booking-ref]."),
    ("mi localizador es X7K9QZ", "mi localizador es [booking-ref]"),
    ("codice di prenotazione: KXJQWE", "codice di prenotazione: [booking-ref]"),
    ("mijn boekingsnummer is 7QX4KZ", "mijn boekingsnummer is [booking-ref]"),
    ("jane.doe at gmail dot com", "[email]"),
    ("write to jane (at) example (dot) co (dot) uk", "write to [email]"),
    ("jane[at]example[dot]com", "[email]"),
    ("email me jane dot doe at gmail dot com", "email me [email]"),
    ("schreibt an max punkt muster ät web punkt de", "schreibt an [email]"),
    ("jean.dupont arobase orange point fr", "[email]"),
    ("0170 / 1234567", "[phone]"),
    ("Tel. 030 / 123 456 78", "Tel. [phone]"),
    ("call 1-555-123-4567", "call [phone]"),
    ("passport number 123456789", "passport number [passport]"),
    ("my passport no. X1234567 was not accepted", "my passport no. [passport] was not accepted"),
    ("Reisepass Nr. C01X00T47", "Reisepass Nr. [passport]"),
    ("Passnummer: C01X00T47", "Passnummer: [passport]"),
    ("numéro de passeport 12AB34567", "numéro de passeport [passport]"),
    ("pasaporte AAA123456", "pasaporte [passport]"),
)
def test_redacts_real_world_shapes(text: str, redacted: str) -> None:
    assert_redacted(text, redacted)


@near_misses(
    "953858918761029632",  # an 18-digit tweet id that happens to pass the Luhn check
    "call 800-433-7300 for reservations",  # an airline's toll-free line is nobody's personal data
    "our hotline (800) 428-4322 is busy",
    "+1-800-433-7300",
    "Service-Hotline 0800 123 4567",
    "Hotline 0180 6 996633",
    "appelez le 08 00 12 34 56",
    "visit us at aurora dot com",  # a web address in words, not an e-mail address
    "we meet at the gate at 10 dot",
    "flight AU 123 from gate B12, booking class Y",
    "my passport expired, can I still fly?",
    "Passkontrolle dauerte 2 Stunden",
    "#BA2490 delayed again",  # a hashtag with no booking word before it
    "see you at #ABC12D booking",
)
def test_leaves_business_lines_ids_and_ordinary_words(text: str) -> None:
    assert_untouched(text)


@pytest.mark.parametrize(
    ("text", "kinds"),
    [
        ("tag numbers 0016 964012", ["phone"]),
        ("Visa 4539 1488 0343 6467, Mastercard 2223003122003222", ["card"]),
        ("Diners 3056 930902 5904", ["card"]),
    ],
)
def test_cards_need_an_issuers_first_digit_and_grouping(text: str, kinds: list[str]) -> None:
    assert pii_kinds(text) == kinds


def test_a_luhn_valid_office_number_is_not_a_card() -> None:
    """A real post (GermEval 2017) repeats a Berlin office line that passes Luhn; no card starts with 0."""
    assert "card" not in pii_kinds("Sekretariat 030-29021-14909")


@near_misses(
    "SNES Classic will go up for members only at Target dot com at 7 AM",  # a real post (TWCS): a web site
    "AA Ref#1-2990176298, please answer my claim",  # a real case reference, not a phone
)
def test_words_and_references_that_only_look_like_contacts(text: str) -> None:
    assert_untouched(text)


@redactions(
    ("my pnr is kxjqwe", "my pnr is [booking-ref]"),
    ("booking ref: f8neqm", "booking ref: [booking-ref]"),
    ("Conf #ggqzqd", "Conf #[booking-ref]"),  # a real post (airline tweets)
    ("Buchungscode: wxqzkt", "Buchungscode: [booking-ref]"),
    ("numéro de réservation kxjqwb", "numéro de réservation [booking-ref]"),
    ("mi localizador es kxjqwb", "mi localizador es [booking-ref]"),
    ("PNR: KXJQWE and qwzxkj", "PNR: [booking-ref] and qwzxkj"),  # lower case is not joined to a reference
)
def test_redacts_a_lower_case_locator_right_after_its_lead(text: str, redacted: str) -> None:
    assert_redacted(text, redacted)


@near_misses(
    "my pnr is needed",  # a word, not a locator
    "my booking ref is broken",
    "booking number is always wrong",
    "confirmation number: thanks",
    "record locator is listed below",
    "kxjqwe is my code",  # no lead before it
    "booking for kxjqwe",  # 'booking' alone is no lead
)
def test_leaves_words_after_a_lead_and_lower_case_without_one(text: str) -> None:
    assert_untouched(text, "booking-ref")
