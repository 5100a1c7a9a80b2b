from __future__ import annotations

import pytest

from wakeful.analyze.pii import PiiMatch, find_pii, iban_valid, luhn_valid, pii_kinds, redact


@pytest.mark.parametrize(
    ("text", "redacted"),
    [
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
    ],
)
def test_redacts_each_kind(text: str, redacted: str) -> None:
    assert redact(text) == redacted


@pytest.mark.parametrize(
    "text",
    [
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
    ],
)
def test_leaves_dates_prices_and_flight_numbers(text: str) -> None:
    assert find_pii(text) == []
    assert redact(text) == text


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
