"""Find and redact personal data customers put in public posts.

Customers paste e-mail addresses, phone numbers, card numbers, booking references, loyalty numbers and home
addresses into public replies.
The desk flags such posts (an agent should move the conversation to a private channel) and redacts them
before text is shown widely or logged. Each detector is strict about shape so dates, prices and flight
numbers are not blacked out: a false redaction hides what the customer said from the agent.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from wakeful.analyze.pii_address import find_addresses
from wakeful.analyze.pii_loyalty import find_loyalty
from wakeful.analyze.text import URL_RE, fold

PiiKind = Literal["email", "phone", "card", "iban", "booking-ref", "passport", "loyalty", "address"]
# How each kind reads to an agent ('contains loyalty number'); the kind itself stays the stored, API-facing name.
PII_LABELS: dict[str, str] = {
    "email": "e-mail address", "phone": "phone number", "card": "card number", "iban": "IBAN",
    "booking-ref": "booking reference", "passport": "passport number", "loyalty": "loyalty number",
    "address": "postal address",
}

# Not after "@": "@aurora@mastodon.social" is a fediverse handle, which is public, not an e-mail address.
_EMAIL_RE = re.compile(r"(?<![\w.+@-])[\w.+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}(?![\w-])")
# An address written out to dodge scrapers: 'jane dot doe at gmail dot com', 'max[at]web[dot]de',
# 'jean.dupont arobase orange point fr'. It must end in a common top-level domain, so prose never matches.
_OBF_AT = r"(?:\s*[(\[{<]\s*(?:at|ät|@)\s*[)\]}>]\s*|\s+(?P<word>at|ät|arobase)\s+)"
_OBF_DOT = r"(?:\s*[(\[{<]\s*(?:dot|punkt|point)\s*[)\]}>]\s*|\s+(?:dot|punkt|point)\s+|\.)"
_OBF_TLD = r"(?:com|net|org|edu|gov|info|io|co|uk|de|fr|at|ch|be|nl|lu|es|it|pt|ie|eu|pl|se|dk|no|fi|cz|us|ca)"
_OBF_LABEL = r"[\w+-]+"
_OBF_EMAIL_RE = re.compile(
    rf"(?i)(?<![\w.@#-])(?P<local>{_OBF_LABEL}(?:{_OBF_DOT}{_OBF_LABEL}){{0,3}}){_OBF_AT}"
    rf"(?P<domain>{_OBF_LABEL}(?:{_OBF_DOT}{_OBF_LABEL}){{0,3}}{_OBF_DOT}{_OBF_TLD})(?![\w-])"
)
# A plain-word 'at' is also prose ('members only at Target dot com'): it takes a mailbox-like name
# ('jane.doe', 'jane dot doe', 'max_72'), a mail provider's domain, or a post that talks about mail.
_MAILBOX_RE = re.compile(r"[\d._+-]|\s")
_MAIL_PROVIDER_RE = re.compile(
    r"(?i)(?:gmail|googlemail|yahoo|hotmail|outlook|live|msn|aol|icloud|me|gmx|web|t-online|freenet|posteo|"
    r"orange|free|wanadoo|laposte|sfr|libero|proton(?:mail)?|mail)\W"
)
_MAIL_CUE_RE = re.compile(r"(?i)mail|\bwrite|\bcontact|schreib|[ée]cri(?:s|vez)|courriel|correo|scriv")
_NOT_MAILBOXES = frozenset({"us", "me", "you", "him", "her", "them", "it", "we", "i", "here", "there", "online"})
# Card: 13-19 digits, optionally in groups separated by single spaces or hyphens.
_CARD_RE = re.compile(r"(?<![\w+.,/-])\d(?:[ -]?\d){12,18}(?![\w.,/-]?\d)")
# Phone candidate: optional + country prefix, then digits separated by at most one space, dot, hyphen or slash,
# by a spaced slash ('0170 / 1234567') or by a parenthesised area code ('+44 (0)20 7946 0958'). Each step is
# "separator, digit", so matching stays linear on long digit runs.
_PHONE_RE = re.compile(
    r"(?<![\w+.,/:-])\+?\(?\d(?:(?:[ .\-/]| / |\)\s?|\s?\()?\d){6,16}(?![\w.,:/-]?\d)"
)
# Payment cards start 2-6 (Mastercard, Amex/Diners/JCB, Visa, Mastercard/Maestro, Discover/UnionPay) and are
# printed whole or in the issuers' groups; an 18-digit tweet id or a phone passes Luhn one time in ten.
_CARD_GROUPS = frozenset({(4, 4, 4, 4), (4, 4, 4, 4, 3), (4, 6, 5), (4, 6, 4), (4, 4, 4, 1), (4, 4, 4, 3)})
_NANP_RE = re.compile(r"\(?\d{3}\)?[ .-]?\d{3}[ .-]?\d{4}")
_NANP_ONE_RE = re.compile(r"1[ .-]\(?\d{3}\)?[ .-]\d{3}[ .-]\d{4}")  # '1-555-123-4567', not a ref '1-2990176298'

# Freephone and service lines belong to businesses: NANP toll-free (800, 833 ... 888) and Europe's 0800/0808/0180.
_SERVICE_RE = re.compile(r"1?8(?:00|33|44|55|66|77|88)\d{7}|080[08]\d{5,8}|0180\d{5,8}")
_DATE_RE = re.compile(r"\d{1,4}[./-]\d{1,2}[./-]\d{1,4}")
_CURRENCY_BEFORE_RE = re.compile(r"(?:[$€£¥]|\b(?:usd|eur|gbp|chf|rs|inr))\s*$", re.IGNORECASE)
_CURRENCY_AFTER_RE = re.compile(r"^\s*(?:[$€£¥]|(?:usd|eur|euros?|gbp|chf|dollars?|pounds?)\b)", re.IGNORECASE)
# Booking words, shared by the three tests a reference passes. Heads that need a number word to be a lead
# ('booking ref', 'conf #'), other nouns, and compounds that are a lead alone ('Buchungsnummer').
_REF_HEADS = r"booking|reservation|buchung|reservierung|dossier|conf(?:irmation)?"
_REF_NOUNS = rf"{_REF_HEADS}|pnr|ref(?:erence)?|locator|reserva|prenotazione|boeking"
_REF_COMPOUNDS = r"buchungs(?:nummer|code|referenz)|reservierungsnummer|boekings(?:nummer|code)|reserveringsnummer"
_REF_NUMBER = r"code|number|no\.?|nr\.?|nummer"
# A 6-character reference with a digit; right after '#' only when a booking word leads ('conf #F8NEQM'), so a
# hashtag such as '#BA2490' is not one.
_REF_RE = re.compile(r"(?<![\w@/-])(?=[A-Za-z]*\d)(?=\d*[A-Za-z])[A-Za-z0-9]{6}(?![\w@/-])")
_REF_CONTEXT_RE = re.compile(rf"\b(?:{_REF_NOUNS}|bookings|localizador|reservering|{_REF_COMPOUNDS})\b")
_HASH_LEAD_RE = re.compile(rf"\b(?:{_REF_NOUNS})(?:\s*(?:{_REF_NUMBER}))?\s*#$")
_FLIGHT_WORD_RE = re.compile(r"\b(?:flight|flug|vol|flt)\s*(?:no\.?|nr\.?|n°|#)?\s*$", re.IGNORECASE)
# IBAN: country, check digits, then 11-30 letters or digits, printed whole or in groups of four.
_IBAN_RE = re.compile(r"(?<!\w)[A-Za-z]{2}\d{2}(?: ?[A-Za-z0-9]{4}){2,7}(?: ?[A-Za-z0-9]{1,3})?(?!\w)")
# An all-letter record locator ('KXJQWE') only right after its context word: 'PNR: KXJQWE', 'booking ref is …',
# or right after another reference ('conf code: F6DK04 / XZMSCW'). In lower case ('my pnr is kxjqwe') only right
# after the context word, and only if it is no word: see `_gibberish`.
_REF_LETTERS_RE = re.compile(r"(?<![\w@/-])[A-Z]{6}(?![\w@/-])")
_REF_LOWER_RE = re.compile(r"(?<![\w@/-])[a-z]{6}(?![\w@/-])")
# Every lead holds one of these, in the lower-cased post: a cheap test before reading each lower-case word.
_REF_LEAD_CUES = ("pnr", "locator", "localizador", "buchung", "reserv", "réserv", "boeking", "prenotazione",
                  "booking", "dossier", "conf")
_REF_LEAD_RE = re.compile(
    rf"(?:pnr|record locator|locator|localizador|{_REF_COMPOUNDS}|codice (?:di )?prenotazione|codigo de reserva|"
    r"(?:numero|code|reference) de (?:reservation|dossier|reserva)|"
    rf"(?:{_REF_HEADS})\s*(?:ref(?:erence)?|{_REF_NUMBER}|numero|n°|:|#))(?P<link>(?:\s*(?:is|ist|est|es|e|:|#|-))*)\s*$",
    re.IGNORECASE,
)
# Letter pairs that make up 97.5% of those in the words of the en/de/fr/es/it/pt posts in ../shared/data (each
# pair at least 0.03% of all), by first letter. A random six-letter locator has two pairs outside this set four
# times in five; a lower-case six-letter word in those posts one time in 200 ('jajaja', 'fixing', 'galaxy').
_WORD_PAIR_SECONDS = {
    "a": "abcdfghiklmnoprstuvwyz", "b": "aeilorsuy", "c": "acehiklortu", "d": "adeilmnorsuy",
    "e": "abcdefghiklmnoprstuvwxyz", "f": "abefilortu", "g": "aeghilnorstu", "h": "aeilnortuwy",
    "i": "abcdefghklmnopqrstvz", "j": "aeou", "k": "aeiklnost", "l": "adeilopstuy", "m": "abeimopsuy",
    "n": "acdefghiklnostuvyz", "o": "abcdefghiklmnoprstuvwy", "p": "aehiloprstu", "q": "u",
    "r": "abcdefgiklmnoprstuvwy", "s": "acehiklmnopstuwy", "t": "abcehiloprstuwyz", "u": "abcdefgilmnoprsty",
    "v": "aeio", "w": "aehio", "x": "pt", "y": "aeios", "z": "aeiou",
}
_WORD_PAIRS = frozenset(first + second for first, seconds in _WORD_PAIR_SECONDS.items() for second in seconds)
# The pairs that start at least 0.03% of the words of three letters or more in the same posts. Right after a strong
# lead ('booking ref oaaret', no 'is' between) a locator may be a vowel-heavy one whose pairs are all common: there a
# rare start and a doubled a, i or u count as rare pairs too, which flags nine random locators in ten and one word in
# a hundred ('skiing', 'square'), against one in 200 after a lead that reads as a sentence ('my pnr is needed').
# `benchmarks/pii_real_data.py --letter-tables` rebuilds both tables.
_WORD_START_SECONDS = {
    "a": "bcdfghiklmnpqrstuvw", "b": "aeiloru", "c": "aehikloru", "d": "aefioru", "e": "acdilmnrstuvx",
    "f": "aeiloru", "g": "aeiloru", "h": "aeiortu", "i": "cdhlmnprst", "j": "aefou", "k": "aeilnoru", "l": "aeilou",
    "m": "aeiou", "n": "adeginou", "o": "bcdflnprtuv", "p": "aehiloru", "q": "u", "r": "adeiou",
    "s": "acefhilmnopstuwy", "t": "aehioruwz", "u": "bhmnps", "v": "aeio", "w": "aehioru", "y": "eo", "z": "aeiuw",
}
_WORD_STARTS = frozenset(first + second for first, seconds in _WORD_START_SECONDS.items() for second in seconds)
_DOUBLED_VOWEL_RE = re.compile(r"aa|ii|uu")
_EMPHASIS_RE = re.compile(r"(.)\1\1")  # 'aaaand', 'sooooo': a word drawn out, which no locator looks like
_REF_JOIN_RE = re.compile(r"\s*(?:/|&|&amp;|,|and|und|et|y|e|en|or|oder|ou)\s*", re.IGNORECASE)
# A passport or identity-card number only where the post says so: 'passport no. X1234567', 'Passnummer: C01X00T47',
# 'numéro de passeport 12AB34567'.
_PASSPORT_RE = re.compile(
    r"(?i)\b(?:passports?|reisepass|passeport|pasaporte|passaporto|paspoort|pass(?=[ -]?(?:nummer|nr))|"
    r"(?:personal)?ausweis)(?:[ -]?(?:number|nummer|num[ée]ro|n[úu]mero|no\.?|nr\.?|n[°º]|#|id))?"
    r"(?:\s*(?:is|ist|est|es|è|:|#|-))*\s*(?P<id>(?=[A-Za-z]*\d)[A-Za-z0-9]{6,9})(?![\w@/-])"
)
_DIGIT_RE = re.compile(r"\d")
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
    if _SERVICE_RE.fullmatch(_national(digits, candidate.startswith(("+", "00")))):
        return False
    if candidate.startswith(("+", "00")):
        return 8 <= len(digits) <= 15
    if not 9 <= len(digits) <= 12:
        return False
    # National numbers: a trunk prefix 0 (Europe: 030 1234567, 06 12 34 56 78) or the North American
    # 3-3-4 shape, perhaps after a 1 ('1-555-123-4567'); anything else that long is more likely an order,
    # tracking or ticket number.
    if len(digits) == 11 and _NANP_ONE_RE.fullmatch(candidate):
        return True
    return digits.startswith("0") or (_NANP_RE.fullmatch(candidate) is not None and len(digits) == 10)


def _national(digits: str, international: bool) -> str:
    """The number as dialled at home ('+44 (0)800 ...' -> '0800...', '+1 800 ...' -> '1800...'), to tell
    business lines by their prefix."""
    if not international:
        return digits
    rest = digits[2:] if digits.startswith("00") else digits
    if rest.startswith("1"):
        return rest
    for code in ("44", "49", "33", "43", "41", "31", "32", "39", "34"):
        if rest.startswith(code):
            national = rest[len(code):]
            return national if national.startswith("0") else "0" + national
    return rest


def _card_shaped(candidate: str) -> bool:
    """An issuer's first digit and a length or grouping that cards are printed in."""
    groups = tuple(len(g) for g in re.split(r"[ -]", candidate))
    digits = _digits(candidate)
    if digits[0] not in "23456":
        return False
    return len(digits) in (13, 14, 15, 16, 19) if len(groups) == 1 else groups in _CARD_GROUPS


def _gibberish(word: str, strong_lead: bool = False) -> bool:
    """Whether a lower-case six-letter string is no word: two of its letter pairs are rare in words. Right after a
    strong lead a rare start and a doubled a, i or u count too, so a vowel-heavy locator ('oaaret') is read as one;
    after a weaker lead ('my pnr is …') a word is more likely, and only the pairs count."""
    rare = sum(word[i : i + 2] not in _WORD_PAIRS for i in range(len(word) - 1))
    if strong_lead and rare < 2 and not _EMPHASIS_RE.search(word):
        rare += (word[:2] not in _WORD_STARTS) + (_DOUBLED_VOWEL_RE.search(word) is not None)
    return rare >= 2


def _worded_mailbox(text: str, m: re.Match[str]) -> bool:
    """Whether 'name at domain dot com' with a plain-word 'at' names a mailbox rather than a web site."""
    local, domain = m.group("local"), m.group("domain")
    if local.casefold() in _NOT_MAILBOXES or "." in domain:  # 'see you at gate.com' has no written-out dot
        return False
    return bool(_MAILBOX_RE.search(local) or _MAIL_PROVIDER_RE.match(domain) or _MAIL_CUE_RE.search(text))


def _overlaps(a: tuple[int, int], taken: list[tuple[int, int]]) -> bool:
    return any(a[0] < e and s < a[1] for s, e in taken)


def find_pii(text: str, programmes: Sequence[str] = ()) -> list[PiiMatch]:
    """All personal data in `text`, sorted by position, without overlaps (e-mail, passport, IBAN, card, loyalty
    number, phone, postal address, reference). `programmes`: the loyalty programmes of the post's brand
    (`BrandConfig.loyalty_programmes`), whose numbers are found as the known programmes' are."""
    taken: list[tuple[int, int]] = [m.span() for m in URL_RE.finditer(text)]
    found: list[PiiMatch] = []
    low = text.lower()
    digits = _DIGIT_RE.search(text) is not None  # three in four posts have none, and so no number or address

    def add(kind: PiiKind, span: tuple[int, int]) -> None:
        if not _overlaps(span, taken):
            taken.append(span)
            found.append(PiiMatch(kind, *span))

    for m in _EMAIL_RE.finditer(text):
        add("email", m.span())
    for m in _OBF_EMAIL_RE.finditer(text):
        if m.group("word") and not _worded_mailbox(text, m):
            continue
        add("email", m.span())
    for m in _PASSPORT_RE.finditer(text):
        add("passport", m.span("id"))
    for m in _IBAN_RE.finditer(text):
        if iban_valid(m.group(0)):
            add("iban", m.span())
    for m in _CARD_RE.finditer(text):
        if luhn_valid(_digits(m.group(0))) and _card_shaped(m.group(0)):
            add("card", m.span())
    for span in find_loyalty(text, low, programmes) if digits else ():
        add("loyalty", span)
    for m in _PHONE_RE.finditer(text):
        start, end = m.span()
        if text[start:end].endswith(")") and "(" not in text[start:end]:
            end -= 1
        if _is_phone(text, start, end):
            add("phone", (start, end))
    for span in find_addresses(text) if digits else ():
        add("address", span)
    refs: list[int] = []  # where each reference found ends
    for m in _REF_RE.finditer(text):
        before = text[max(0, m.start() - _REF_WINDOW) : m.start()]
        if _FLIGHT_WORD_RE.search(before) or (before.endswith("#") and not _HASH_LEAD_RE.search(fold(before))):
            continue
        if _REF_CONTEXT_RE.search(fold(before)) and not _overlaps(m.span(), taken):
            add("booking-ref", m.span())
            refs.append(m.end())
    for m in _REF_LOWER_RE.finditer(text) if any(cue in low for cue in _REF_LEAD_CUES) else ():
        lead = _REF_LEAD_RE.search(fold(text[max(0, m.start() - _REF_WINDOW) : m.start()]))
        # A strong lead names the reference and goes straight on to it ('booking ref oaaret', 'pnr: kxjqwe').
        if lead and _gibberish(m.group(0), strong_lead=not re.search(r"[a-z]", lead.group("link"))):
            add("booking-ref", m.span())
            refs.append(m.end())
    for m in _REF_LETTERS_RE.finditer(text):
        window = max(0, m.start() - _REF_WINDOW)
        lead = _REF_LEAD_RE.search(fold(text[window : m.start()]))
        # In a post written in capitals any word looks like a locator; judge by the text around the lead.
        if (lead and not _shouting(text[: window + lead.start()] + text[m.end() :])) or any(
            _REF_JOIN_RE.fullmatch(text[end : m.start()]) for end in refs
        ):
            add("booking-ref", m.span())
            refs.append(m.end())
    return sorted(found, key=lambda p: p.start)


def pii_kinds(text: str, programmes: Sequence[str] = ()) -> list[str]:
    """Kinds of personal data in `text`, each once, in order of first appearance (`programmes`: see `find_pii`)."""
    kinds: list[str] = []
    for match in find_pii(text, programmes):
        if match.kind not in kinds:
            kinds.append(match.kind)
    return kinds


def redact(text: str, programmes: Sequence[str] = ()) -> str:
    """`text` with each piece of personal data replaced by its kind in brackets: `[email]`, `[phone]`, `[card]`,
    `[iban]`, `[booking-ref]`, `[passport]`, `[loyalty]` or `[address]` (`programmes`: see `find_pii`)."""
    out: list[str] = []
    pos = 0
    for match in find_pii(text, programmes):
        out.append(text[pos : match.start])
        out.append(f"[{match.kind}]")
        pos = match.end
    out.append(text[pos:])
    return "".join(out)
