"""Find loyalty and frequent-flyer numbers: right after a programme's name, a known one or a brand's own.

A number alone is no loyalty number (a year, a balance, a flight): what makes it one is the programme named just
before it. The desk knows the big programmes; a brand names its own in its settings (`loyalty_programmes`), since
'Aurora Club 12345678' says nothing to a detector that has never heard of Aurora's club.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from functools import lru_cache

from wakeful.analyze.text import strip_accents

# A loyalty or frequent-flyer number right after its programme: 'Executive Club number is 12345678',
# 'Miles & More 992000123456789', 'AAdvantage #ABC1234', 'BahnCard-Nummer 7081 4101 2345 6789'. Generic words
# ('FF', 'member', 'rewards', 'socio') need a number word ('FF#', 'member no.', 'número de socio'). The number:
# 6-19 digits, in groups of three or more, or 6-12 capitals and digits with a digit; '50,000 miles', 'BahnCard 25'
# (a product) and years are not.
_NUMBER_WORD = (
    r"(?:number|no\.?|nr\.?|n[°º]|#|-?nummer|num[ée]ro|n[úu]mero|numero|id|account|acct|card|karte|carte|"
    r"tarjeta|tessera|kaart|code|codice)"
)
_PROGRAMMES = (
    r"executive ?club|aadvantage|sky ?miles|mileage ?plus|mileage ?plan|rapid ?rewards|swrr|trueblue|"
    r"dividend ?miles|aeroplan|hawaiian ?miles|flying ?blue|flying ?club|miles ?(?:&|&amp;|and|\+|und|et) ?more|"
    r"krisflyer|asia ?miles|skywards|etihad ?guest|privilege ?club|miles ?(?:&|&amp;) ?smiles|eurobonus|"
    r"iberia ?plus|mille ?miglia|lifemiles|bahn ?card|bahn ?bonus|grand ?voyageur|club ?eurostar|carta ?freccia|"
    r"frequent[ -]?fl[yi]er|vielflieger|fid[ée]lit[ée]|fidelizaci[óo]n|fedelt[àa]|loyalty|klantenkaart"
)
# Words that name no programme alone: after them a number word must follow ('FF#', 'member no.', 'Aurora Miles
# number'), or, for 'socio', 'adhérent', come before ('número de socio').
_GENERIC = r"ff|rr|miles|meilen|member(?:ship)?|mitglieds?|rewards?|avios|elevate|true ?blue|lidmaatschaps?"
_MEMBER = r"socio|adh[ée]rent|member|mitglied|fid[ée]lit[ée]|fedelt[àa]"
# What may stand between a programme and its number ('number is', ': '), then the number itself.
_NUMBER = (
    rf"(?:\s*(?:{_NUMBER_WORD}|is|ist|est|es|è|:|=|-)(?!\w))*\s*"
    r"(?P<id>\d{2,}(?:[ -]\d{3,}){0,5}|(?-i:(?=[A-Z]*\d)[A-Z\d]{6,12}))(?![\w.,/-]?\d)(?![\w@/-])"
)
_LOYALTY_RE = re.compile(
    rf"(?i)(?<![\w@])(?:(?:{_PROGRAMMES})(?:[ -]?{_NUMBER_WORD})?"
    rf"|(?:{_GENERIC})[ -]?{_NUMBER_WORD}"
    rf"|{_NUMBER_WORD}\s*(?:de |d['\u2019]|di |del )?(?:{_MEMBER})){_NUMBER}"
)
# Searching the pattern above costs five times a substring test for each of these, in the lower-cased post: every
# alternative holds one of them, 'ff' and 'rr' apart, which `_SHORT_RE` checks.
_CUES = (
    "executive", "advantage", "miles", "mileage", "reward", "swrr", "trueblue", "true blue", "aeroplan", "flying",
    "krisflyer", "skywards", "etihad", "privilege", "eurobonus", "iberia", "miglia", "bahncard", "bahn card",
    "bahnbonus", "bahn bonus", "voyageur", "eurostar", "freccia", "frequent", "vielflieger", "fidélit", "fidelit",
    "fidelizaci", "fedelt", "loyalty", "klantenkaart", "member", "mitglied", "avios", "elevate", "socio",
    "adhérent", "adherent", "lidmaatschap", "meilen",
)
_SHORT_RE = re.compile(r"(?<![a-z])(?:ff|rr)[ -]?[#nicakt-]")
_FLIGHT_ID_RE = re.compile(r"[A-Z\d]{2}\d{1,4}")
_UNIT_RE = re.compile(r"\s*(?:miles|meilen|points|punkte|pts|avios|km|€|\$|%|eur|usd)", re.IGNORECASE)
_AND_RE = re.compile(r"&|and|und|et|y|e|\+", re.IGNORECASE)


def programme_pattern(name: str) -> str:
    """A brand's programme name as customers write it: any case, accents or not, words apart, hyphenated or run
    together ('Aurora Miles', 'aurora-miles', '#AuroraMiles', 'Prämienclub' as 'Pramienclub'), '&' or 'and'."""
    words = []
    for word in name.split():
        if _AND_RE.fullmatch(word):
            words.append(r"(?:&|&amp;|and|und|et|y|e|\+)")
            continue
        chars = (f"[{ch}{base}]" if len(base := strip_accents(ch)) == 1 and base != ch and base.isalpha()
                 else re.escape(ch) for ch in word)
        words.append("".join(chars))
    return r"(?:\s+|-)?".join(words)


@lru_cache(maxsize=64)
def _brand_re(programmes: tuple[str, ...]) -> re.Pattern[str]:
    """One pattern for a brand's programmes, compiled once: the analyzer passes the same names for every post."""
    names = "|".join(programme_pattern(p) for p in sorted(programmes, key=len, reverse=True))
    return re.compile(rf"(?i)(?<![\w@])(?:{names})(?:[ -]?{_NUMBER_WORD})?{_NUMBER}")


def _cue(low: str) -> bool:
    """Whether the lower-cased post names a known programme at all: a cheap test before `_LOYALTY_RE`."""
    for cue in _CUES:
        if cue in low:
            return True
    return ("ff" in low or "rr" in low) and _SHORT_RE.search(low) is not None


def _loyalty_number(candidate: str) -> bool:
    """Six or more digits, or capitals with digits that are no flight number ('AAdvantage AA1234 was late');
    a leading 0 is a phone line's ('Miles & More 069 ...'), left to the phone test."""
    digits = "".join(ch for ch in candidate if ch.isdigit())
    if candidate.isdigit() or " " in candidate or "-" in candidate:
        return 6 <= len(digits) <= 19 and not digits.startswith("0")
    return _FLIGHT_ID_RE.fullmatch(candidate) is None


def find_loyalty(text: str, low: str, programmes: Sequence[str] = ()) -> Iterator[tuple[int, int]]:
    """Spans of loyalty numbers in `text` (`low` is it lower-cased), after a known programme or one of
    `programmes`, the names the post's brand gave its own; perhaps overlapping, the caller keeps the first."""
    matches: list[re.Match[str]] = list(_LOYALTY_RE.finditer(text)) if _cue(low) else []
    if programmes:
        matches += _brand_re(tuple(programmes)).finditer(text)
    for m in matches:
        if _loyalty_number(m.group("id")) and not _UNIT_RE.match(text, m.end()):
            yield m.span("id")
