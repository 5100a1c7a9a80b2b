"""Find and redact personal data customers put in public posts.

Customers paste e-mail addresses, phone numbers, card numbers and booking references into public replies.
The desk flags such posts (an agent should move the conversation to a private channel) and redacts them
before text is shown widely or logged. Each detector is strict about shape so dates, prices and flight
numbers are not blacked out: a false redaction hides what the customer said from the agent.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from wakeful.analyze.text import URL_RE, fold

PiiKind = Literal["email", "phone", "card", "iban", "booking-ref"]

# Not after "@": "@aurora@mastodon.social" is a fediverse handle, which is public, not an e-mail address.
_EMAIL_RE = re.compile(r"(?<![\w.+@-])[\w.+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}(?![\w-])")
# Card: 13-19 digits, optionally in groups separated by single spaces or hyphens.
_CARD_RE = re.compile(r"(?<![\w+.,/-])\d(?:[ -]?\d){12,18}(?![\w.,/-]?\d)")
# Phone candidate: optional + country prefix, then digits separated by at most one space, dot, hyphen or slash,
# or by a parenthesised area code ('+44 (0)20 7946 0958'). Each step is "separator, digit", so matching stays
# linear on long digit runs.
_PHONE_RE = re.compile(
    r"(?<![\w+.,/:-])\+?\(?\d(?:(?:[ .\-/]|\)\s?|\s?\()?\d){6,16}(?![\w.,:/-]?\d)"
)
_NANP_RE = re.compile(r"\(?\d{3}\)?[ .-]?\d{3}[ .-]?\d{4}")
_DATE_RE = re.compile(r"\d{1,4}[./-]\d{1,2}[./-]\d{1,4}")
_CURRENCY_BEFORE_RE = re.compile(r"(?:[$€£¥]|\b(?:usd|eur|gbp|chf|rs|inr))\s*$", re.IGNORECASE)
_CURRENCY_AFTER_RE = re.compile(r"^\s*(?:[$€£¥]|(?:usd|eur|euros?|gbp|chf|dollars?|pounds?)\b)", re.IGNORECASE)
_REF_RE = re.compile(r"(?<![\w@#/-])(?=[A-Za-z]*\d)(?=\d*[A-Za-z])[A-Za-z0-9]{6}(?![\w@/-])")
_REF_CONTEXT_RE = re.compile(
    r"\b(?:booking|bookings|ref|reference|pnr|confirmation|conf|record locator|locator|reservation|"
    r"buchung|buchungsnummer|buchungscode|buchungsreferenz|reservierung|reservierungsnummer|"
    r"reservation|dossier|booking code|confirmation code|code de reservation)\b"
)
_FLIGHT_WORD_RE = re.compile(r"\b(?:flight|flug|vol|flt)\s*(?:no\.?|nr\.?|n°|#)?\s*$", re.IGNORECASE)
# IBAN: country, check digits, then 11-30 letters or digits, printed whole or in groups of four.
_IBAN_RE = re.compile(r"(?<!\w)[A-Za-z]{2}\d{2}(?: ?[A-Za-z0-9]{4}){2,7}(?: ?[A-Za-z0-9]{1,3})?(?!\w)")
# An all-letter record locator ('KXJQWE') only right after its context word: 'PNR: KXJQWE', 'booking ref is …'.
_REF_LETTERS_RE = re.compile(r"(?<![\w@#/-])[A-Z]{6}(?![\w@/-])")
_REF_LEAD_RE = re.compile(
    r"(?:pnr|record locator|locator|buchungs(?:nummer|code|referenz)|reservierungsnummer|"
    r"(?:booking|reservation|buchung|reservierung|dossier|confirmation)\s*(?:ref(?:erence)?|code|number|nummer|"
    r"numero|no\.?|nr\.?|n°|:|#))(?:\s*(?:is|ist|est|:|#|-))*\s*$",
    re.IGNORECASE,
)
_REF_WINDOW = 40  # characters before a candidate reference in which a context word must appear


@dataclass(frozen=True)
class PiiMatch:
    """One piece of personal data: its kind and its [start, end) span in the original text."""

    kind: PiiKind
    start: int
    end: int


def luhn_valid(digits: str) -> bool:
    """The Luhn checksum every payment card number satisfies; rejects most long random digit runs."""
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2 == 1:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


def iban_valid(candidate: str) -> bool:
    """ISO 13616 mod-97 check: letters count 10..35, the rotated number leaves 1. Rejects 99% of lookalikes."""
    compact = candidate.replace(" ", "").upper()
    if not 15 <= len(compact) <= 34:
        return False
    rotated = compact[4:] + compact[:4]
    return int("".join(str(int(ch, 36)) for ch in rotated)) % 97 == 1


def _shouting(text: str) -> bool:
    letters = [ch for ch in text if ch.isalpha()]
    return sum(ch.isupper() for ch in letters) > 0.5 * max(1, len(letters))


def _digits(s: str) -> str:
    return "".join(ch for ch in s if ch.isdigit())


def _is_phone(text: str, start: int, end: int) -> bool:
    candidate = text[start:end]
    digits = _digits(candidate)
    if candidate.count("(") != candidate.count(")"):
        return False
    if _DATE_RE.fullmatch(candidate):
        return False
    if _CURRENCY_BEFORE_RE.search(text[max(0, start - 5) : start]) or _CURRENCY_AFTER_RE.match(text[end:]):
        return False
    if candidate.startswith(("+", "00")):
        return 8 <= len(digits) <= 15
    if not 9 <= len(digits) <= 12:
        return False
    # National numbers: a trunk prefix 0 (Europe: 030 1234567, 06 12 34 56 78) or the North American
    # 3-3-4 shape; anything else that long is more likely an order, tracking or ticket number.
    return digits.startswith("0") or (_NANP_RE.fullmatch(candidate) is not None and len(digits) == 10)


def _overlaps(a: tuple[int, int], taken: list[tuple[int, int]]) -> bool:
    return any(a[0] < e and s < a[1] for s, e in taken)


def find_pii(text: str) -> list[PiiMatch]:
    """All personal data in `text`, sorted by position, without overlaps (e-mail, IBAN, card, phone,
    reference)."""
    taken: list[tuple[int, int]] = [m.span() for m in URL_RE.finditer(text)]
    found: list[PiiMatch] = []

    def add(kind: PiiKind, span: tuple[int, int]) -> None:
        if not _overlaps(span, taken):
            taken.append(span)
            found.append(PiiMatch(kind, *span))

    for m in _EMAIL_RE.finditer(text):
        add("email", m.span())
    for m in _IBAN_RE.finditer(text):
        if iban_valid(m.group(0)):
            add("iban", m.span())
    for m in _CARD_RE.finditer(text):
        if luhn_valid(_digits(m.group(0))):
            add("card", m.span())
    for m in _PHONE_RE.finditer(text):
        start, end = m.span()
        if text[start:end].endswith(")") and "(" not in text[start:end]:
            end -= 1
        if _is_phone(text, start, end):
            add("phone", (start, end))
    for m in _REF_RE.finditer(text):
        before = text[max(0, m.start() - _REF_WINDOW) : m.start()]
        if _FLIGHT_WORD_RE.search(before):
            continue
        if _REF_CONTEXT_RE.search(fold(before)):
            add("booking-ref", m.span())
    for m in _REF_LETTERS_RE.finditer(text):
        window = max(0, m.start() - _REF_WINDOW)
        lead = _REF_LEAD_RE.search(fold(text[window : m.start()]))
        # In a post written in capitals any word looks like a locator; judge by the text around the lead.
        if lead and not _shouting(text[: window + lead.start()] + text[m.end() :]):
            add("booking-ref", m.span())
    return sorted(found, key=lambda p: p.start)


def pii_kinds(text: str) -> list[str]:
    """Kinds of personal data in `text`, each once, in order of first appearance."""
    kinds: list[str] = []
    for match in find_pii(text):
        if match.kind not in kinds:
            kinds.append(match.kind)
    return kinds


def redact(text: str) -> str:
    """`text` with each piece of personal data replaced by `[email]`, `[phone]`, `[card]`, `[iban]` or
    `[booking-ref]`."""
    out: list[str] = []
    pos = 0
    for match in find_pii(text):
        out.append(text[pos : match.start])
        out.append(f"[{match.kind}]")
        pos = match.end
    out.append(text[pos:])
    return "".join(out)
