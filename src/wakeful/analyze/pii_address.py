"""Find postal addresses in posts: UK postcodes and street addresses written the en, de/nl, fr and es/it way.

A customer who posts where they live (to get a bag delivered, a refund posted) has put personal data in public.
Each shape needs a street word or a postcode, so prose such as 'gate 12', 'terminal 5', 'Sitzplatz 45' or
'Kreisstraße 421' (a road, not an address) is left alone: a false redaction hides what the customer said.
Measured on the real posts in ../shared/data (see the README's personal-data section).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

_DIGIT_RE = re.compile(r"\d")

# UK postcode, written with its space: 'SW1A 1AA', 'M1 1AE'. The area must be one of the 124 postcode areas (the
# Channel Islands' and Man's with them), so a tail number ('N366SW'), a console ('PS4 1TB') or a model name is not
# one; inward codes never hold C I K M O V, and '1TB'/'2GB' (a phone's storage after 'S9', 'M2') are left out.
_UK_AREAS = frozenset({
    "AB", "AL", "B", "BA", "BB", "BD", "BH", "BL", "BN", "BR", "BS", "BT", "CA", "CB", "CF", "CH", "CM", "CO", "CR",
    "CT", "CV", "CW", "DA", "DD", "DE", "DG", "DH", "DL", "DN", "DT", "DY", "E", "EC", "EH", "EN", "EX", "FK", "FY",
    "G", "GL", "GU", "GY", "HA", "HD", "HG", "HP", "HR", "HS", "HU", "HX", "IG", "IM", "IP", "IV", "JE", "KA", "KT",
    "KW", "KY", "L", "LA", "LD", "LE", "LL", "LN", "LS", "LU", "M", "ME", "MK", "ML", "N", "NE", "NG", "NN", "NP",
    "NR", "NW", "OL", "OX", "PA", "PE", "PH", "PL", "PO", "PR", "RG", "RH", "RM", "S", "SA", "SE", "SG", "SK", "SL",
    "SM", "SN", "SO", "SP", "SR", "SS", "ST", "SW", "SY", "TA", "TD", "TF", "TN", "TQ", "TR", "TS", "TW", "UB", "W",
    "WA", "WC", "WD", "WF", "WN", "WR", "WS", "WV", "YO", "ZE"
})
_UK_INWARD_RE = re.compile(r" \d[ABD-HJLNP-UW-Z]{2}(?![\w-])")  # a cheap first test: a literal start is fast
_UK_POSTCODE_RE = re.compile(
    r"(?<![\w#@/-])(?P<area>[A-Z]{1,2})\d[A-Z\d]? (?![1-9][GT]B\b)\d[ABD-HJLNP-UW-Z]{2}(?![\w-])"
)
# In lower or mixed case, or run together ('sw1a 1aa', 'Sw1a1aa'), only right after a word that says a postcode or
# an address follows ('my postcode is sw1a 1aa'): alone, chat such as 'e1 1st' or 'm4 3rd' takes the shape too.
_UK_ANY_CASE_RE = re.compile(
    r"(?i)(?<![\w#@/-])(?P<area>[a-z]{1,2})\d[a-z\d]? ?\d[abd-hjlnp-uw-z]{2}(?![\w-])"
)
_UK_CUE_RE = re.compile(r"(?i)\b(?:post ?code|post-code|postal code|address|addr)\b[^.!?\n\d]{0,25}$")

# English: house number, perhaps a direction, one to three name words (or a numbered street, '5th', '107'), then
# a street word: '221B Baker Street', '1600 Pennsylvania Ave', '3003 E 107 Terr'. Names must be capitalised
# unless a US ZIP or a UK postcode follows ('12008 blue ridge blvd, grandview mo 64030'), which prose never has.
_EN_TYPES = (
    "street|avenue|ave|road|rd|lane|ln|boulevard|blvd|terrace|terr|crescent|highway|hwy|parkway|pkwy",
    "st|way|drive|dr|place|pl|court|ct|square|sq|close|circle|cir|gardens|mews",  # also plain words: capitalised
)
_EN_WORD = r"(?:[A-Za-z][A-Za-z'\u2019.-]*|\d{1,3}(?i:st|nd|rd|th)?)"
# The street patterns start with the digit and look behind it, so a search skips from digit to digit instead of
# trying every position: twice as fast on real posts.
_EN_STREET_RE = re.compile(
    r"\d(?<![\w$€£#@.,:/'\u2019-]\d)\d{0,4}[A-Za-z]?(?:-\d{1,5})?\s+"
    r"(?:[NSEWnsew]\.?\s+|(?i:north|south|east|west)\s+)?"
    rf"(?P<names>{_EN_WORD}(?:\s+{_EN_WORD}){{0,2}})\s+(?:(?i:{_EN_TYPES[0]})|(?P<plain>{_EN_TYPES[1]}|"
    rf"{_EN_TYPES[1].title()}|{_EN_TYPES[1].upper()}))(?![\w'\u2019-])\.?"
)
# The rest of a US or UK address after the street: ', Herndon, Virginia, 20171', ', grandview mo 64030',
# ' London NW1 6XE'.
_EN_TAIL_RE = re.compile(
    r",?\s*(?:[A-Za-z][A-Za-z.]*(?:,?\s+[A-Za-z][A-Za-z.]*){0,3},?\s*)?"
    r"(?:\d{5}(?:-\d{4})?(?![\w-])|(?P<area>(?i:[a-z]{1,2}))\d(?i:[a-z\d]? ?\d[abd-hjlnp-uw-z]{2})(?![\w-]))"
)
# In a post written in capitals any phrase looks like a street name ('SPENT 5 HOURS ON THE ROAD'): there an address
# in capitals needs a word before it that says one follows ('SEND MY BAG TO 12 HIGH STREET').
_EN_CUE_RE = re.compile(
    r"(?i)\b(?:address|addr|deliver\w*|send|sent|ship\w*|courier|live|lives|living|return\w*|bring|brought|"
    r"drop\w*)\b[^.!?\n]{0,30}$"
)
# Words that make 'N <words> way/drive/road' prose: '8 hour drive', '5 hours on the road', '39 each way'.
_EN_NOT_NAMES = frozenset({
    "a", "an", "the", "my", "your", "our", "his", "her", "their", "this", "that", "one", "each", "every", "all",
    "no", "any", "some", "more", "other", "way", "of", "on", "in", "at", "to", "for", "by", "from", "and", "or",
    "but", "down", "up", "along", "across", "off", "hour", "hours", "hr", "hrs", "h", "min", "mins", "minute",
    "minutes", "mile", "miles", "mi", "km", "kms", "day", "days", "week", "weeks", "month", "months", "year",
    "years", "time", "times", "am", "pm", "is", "was", "are", "were", "be", "been", "star", "stars"
})
# Title-case words that make 'N <words> Way/Drive/Place' a phrase: '10 Best Way', 'the 2 Long Drive'.
_EN_NOT_PLAIN_NAMES = frozenset({
    "best", "worst", "good", "bad", "great", "long", "short", "new", "old", "only", "first", "last", "next",
    "wrong", "right", "easy", "hard", "same", "whole", "half", "nice", "big", "little", "top", "hour", "hours"
})
# The word before a number that makes it a flight, gate, seat or the like, never a house number.
_NOT_HOUSE_RE = re.compile(
    r"(?i)(?<!\w)(?:flight|flug|vol|flt|gate|terminal|seat|row|platform|gleis|bus|train|zug|line|linie|route|room|"
    r"zimmer|chambre|voie|track|number|no|nr|n°|ref|pnr|code|#)\W{0,2}$"
)

# German and Dutch: a compound street name and the house number: 'Musterstraße 12', 'Hauptstr. 5',
# 'Richard-Reitzner-Allee 1', 'Biberger Str. 92', 'Kalverstraat 12', then perhaps ', 10115 Berlin'.
_DE_STREET_RE = re.compile(
    r"(?<![\w-])(?P<name>[A-ZÄÖÜ][a-zäöüß]+(?:-[A-ZÄÖÜ][a-zäöüß]+)*-?"
    r"(?:[Ss]tra(?:ß|ss)e|[Ss]tr\.|[Aa]llee|[Gg]asse|[Ww]eg|[Pp]latz|[Rr]ing|[Dd]amm|[Uu]fer|[Cc]haussee|"
    r"straat|laan|gracht|plein)"
    r"|[A-ZÄÖÜ][a-zäöüß]+(?:er|sche[rn]?)\s+(?:Stra(?:ß|ss)e|Str\.|Allee|Weg|Platz|Ring|Damm|Ufer))"
    r"\s*(?P<number>\d{1,4}(?:\s?[a-g](?!\w))?(?:-\d{1,4})?)(?![\w:.,/]?\d)(?![\w:%°€$£-])"
    r"(?P<tail>,?\s+(?:\d{5}|\d{4} ?[A-Z]{2})\s+[A-ZÄÖÜ][\wäöüß]+(?:-[A-ZÄÖÜ]?[\wäöüß]+)*)?"
)
# Roads numbered by class ('Kreisstraße 421', 'Bundesstraße 3') and compounds of -weg, -platz, -ring, -damm that
# name no street: 'Rückweg 2', 'Sitzplatz 45', 'Fensterplatz 12', 'Ehering 1', 'Staudamm 3'.
_DE_NOT_STREETS = re.compile(
    r"(?i)(?:kreis|bundes|landes|staats|gemeinde|land|autobahn|fern|neben|einbahn|"
    r"rück|ruck|heim|hin|um|fuß|fuss|aus|rad|fahr|arbeits|schul|wander|geh|lauf|flucht|zu|weiter|"
    r"sitz|fenster|gang|park|stell|steh|liege|camping|spiel|sport|abstell|lager|schlaf|halte|bahn|flug|"
    r"sieger|lieblings|wunsch|studien|ausbildungs|kinder|krippen|kita|start|ziel|tabellen|"
    r"ehe|ohr|he|schlüssel|finger|nasen|box|dichtungs|rettungs|stau|deich)"
    r"(?:weg|platz|ring|damm|ufer|allee|straße|strasse|str\.)$"
)
# '-ring', '-damm', '-ufer' end English words too ('Spring 16', 'offering 2', 'Touring 3'): a postcode must follow.
_DE_WEAK_TYPES = ("ring", "damm", "ufer")
# Every German or Dutch street word holds one of these, in the lower-cased post: a cheap test before the pattern.
_DE_CUES = ("str", "allee", "gasse", "weg", "platz", "ring", "damm", "ufer", "chaussee", "laan", "gracht", "plein")
_DE_UNIT_RE = re.compile(
    r"\s*(?:[€$£%]|(?:min|minuten|std|stunden|h|km|m|uhr|tage|jahre|euro|eur|prozent|mal|x)\b)", re.IGNORECASE
)
# Words ending in -er that are no place ('Aber Platz 3 war frei', 'Erster Platz 2'): before 'Weg', 'Platz', 'Ring',
# 'Damm' or 'Ufer' the first word must name a place ('Berliner Platz 1', 'Mittlerer Ring 5').
_DE_NOT_PLACES = frozenset({
    "aber", "über", "oder", "unter", "hinter", "wieder", "immer", "jeder", "jener", "dieser", "welcher", "unser",
    "euer", "ihrer", "seiner", "meiner", "deiner", "keiner", "einer", "anderer", "erster", "zweiter", "dritter",
    "letzter", "nächster", "freier", "leerer", "guter", "bester", "fester", "sicherer", "richtiger", "falscher",
})

# French: number, perhaps 'bis'/'ter', then the street word and its name: '12 rue de la Paix, 75002 Paris'.
_FR_STREET_RE = re.compile(
    r"\d(?<![\w$€£#@.,:/-]\d)\d{0,3}(?:\s?(?:bis|ter|[a-dA-D]))?,?\s+"
    r"(?i:rue|avenue|av\.|boulevard|bd|all[ée]e|impasse|quai|chemin|cours|place|route)\s+"
    r"(?P<name>(?:(?i:de|du|des|la|le|les|l['\u2019]|d['\u2019]|saint|ste?)\s*)*"
    r"(?!(?i:fer|de|du|des)\b)[A-Za-zÀ-ÿ][\w'\u2019-]*"
    r"(?:\s+(?:(?:de|du|des|la|le|les|l['\u2019]|d['\u2019])\s*)*[A-ZÀ-Ý][\w'\u2019-]*){0,3})"
    r"(?P<tail>,?\s+\d{5}\s+[A-ZÀ-Ýa-zà-ÿ][\w'\u2019-]*(?:[ -][A-ZÀ-Ý][\w'\u2019-]*)*)?"
)
# A 'place', 'cours' or 'route' after a number is more often a seat or a lesson ('1 place de libre', '2 cours de
# maths') than a street, unless a postcode follows.
_FR_WEAK_TYPES = ("place", "cours", "route")
_FR_CUES = ("rue", "av", "bd", "all", "impasse", "quai", "chemin", "cours", "place", "route")

# Spanish and Italian: the street word, its name, then the number: 'Calle Mayor 5', 'C/ Alcalá, 23', 'Avda. de la
# Constitución nº 12', 'Paseo de Gracia 43, 08007 Barcelona', 'Via Roma 10', 'Viale Monza 12/A', 'Piazza San Marco
# 1', 'Corso Buenos Aires 33, 20124 Milano'. The name's words are capitalised unless a postcode follows.
_SOUTH_TYPES = (
    r"calle|c/|avenida|avda\.?|av\.|plaza|pza\.|paseo|p[º°]|ronda|traves[íi]a|camino|carrer|passeig|rambla|"
    r"glorieta|via|viale|v\.le|piazza|p\.zza|piazzale|corso|c\.so|largo|vicolo|lungomare"
)
_SOUTH_LINK = r"(?:de|del|la|las|los|el|di|da|dal|dei|degli|delle|della|dello|d['\u2019]|dell['\u2019]|sant['\u2019])"
_SOUTH_LINK_RE = re.compile(_SOUTH_LINK)
_SOUTH_ELIDED_RE = re.compile(r"\b(?:d|dell|sant)['\u2019]")  # 'dell'Indipendenza' is named by 'Indipendenza'
_SOUTH_WORD = r"(?:[A-ZÀ-ÖØ-Þ][a-zß-öø-ÿ'\u2019.-]+|[IVXL]{1,5}|[a-zß-öø-ÿ][a-zß-öø-ÿ'\u2019.-]*)"
_SOUTH_STREET_RE = re.compile(
    rf"(?=[CAPRTGVLcaprtgvl])(?<![\w/.-])(?i:{_SOUTH_TYPES})(?:(?<=[/.º°])\s*|\s+)"  # first letters: twice as fast
    rf"(?P<name>(?:{_SOUTH_LINK}\s*)*{_SOUTH_WORD}(?:\s+(?:{_SOUTH_LINK}\s*)*{_SOUTH_WORD}){{0,3}})"
    r"(?:,\s*|\s+)(?:(?i:n\.?\s?[º°o]\.?|n\.|n[úu]m\.?)\s*)?"
    r"(?P<number>\d{1,4})(?:[A-Za-z]|\s[A-Z]|/[A-Za-z\d]{1,3}|\s?bis)?(?![\w:.,/]?\d)(?![\w:%°€$£'\u2019-])"
    r"(?P<tail>,?\s+\d{5}\s+[A-ZÀ-Ýa-zß-ÿ][\w'\u2019-]*(?:[ -][A-ZÀ-Ý][\w'\u2019-]*)*)?"
)
# After a number, words that make it a count ('via Frankfurt 3 hours', 'Plaza Hotel 5 stars', 'via Roma 3 volte').
_SOUTH_UNIT_RE = re.compile(
    r"(?i)\s*(?:[€$£%]|(?:h|hrs?|hours?|mins?|minutes?|days?|weeks?|months?|years?|times|x|am|pm|stars?|people|bags?|"
    r"flights?|stops?|ore|ora|minuti|giorni|settimane|mesi|anni|volte|stelle|persone|voli|horas?|minutos?|d[íi]as?|"
    r"semanas?|meses|a[ñn]os|veces|estrellas|personas|vuelos|euros?|eur|km|kg)\b)"
)
# Names that 'via' puts before a number in prose: a channel ('via Twitter 2 days ago'), a railway ('Via Rail 68').
_SOUTH_NOT_NAMES = frozenset({
    "twitter", "facebook", "instagram", "whatsapp", "messenger", "telegram", "email", "e-mail", "mail", "phone",
    "app", "web", "internet", "skype", "google", "youtube", "tiktok", "linkedin", "text", "sms", "chat", "rail",
})
# Every street word above holds one of these, in the lower-cased post: one search, cheaper than a test for each.
_SOUTH_CUE_RE = re.compile(
    r"calle|c/|av|plaza|pza|paseo|p[º°]|ronda|traves|camino|carrer|passeig|rambla|glorieta|via|v\.le|piazza|p\.zza|"
    r"corso|c\.so|largo|vicolo|lungomare"
)


def _en_streets(text: str) -> Iterator[tuple[int, int]]:
    for m in _EN_STREET_RE.finditer(text):
        if _NOT_HOUSE_RE.search(text[max(0, m.start() - 12) : m.start()]):
            continue
        words = m.group("names").split()
        names = [w.casefold().strip(".,'\u2019") for w in words]
        plain = m.group("plain")
        if any(w in _EN_NOT_NAMES for w in names) or (plain and any(w in _EN_NOT_PLAIN_NAMES for w in names)):
            continue
        tail = _EN_TAIL_RE.match(text, m.end())
        if tail and (tail.group("area") is None or tail.group("area").upper() in _UK_AREAS):
            yield m.start(), tail.end()
            continue
        capitalised = all(w[0].isupper() or w[0].isdigit() for w in words) and (not plain or plain[0].isupper())
        if capitalised and (_caps_address(text, m) if m.group(0).isupper() else not _shouting(m.group(0))):
            yield m.span()


def _caps_address(text: str, m: re.Match[str]) -> bool:
    """An address in capitals ('12 HIGH STREET'), as forms and labels write one: in a post otherwise in lower case
    the capitals are the address's own; in one written in capitals, a word before it must say an address follows."""
    letters = [ch for ch in text[: m.start()] + text[m.end() :] if ch.isalpha()]
    if sum(ch.isupper() for ch in letters) <= 0.5 * len(letters):
        return True
    return _EN_CUE_RE.search(text[max(0, m.start() - 40) : m.start()]) is not None


# German, Spanish and Italian street names are matched by their capitalised words; in capitals ('HAUPTSTRASSE 12',
# 'CALLE MAYOR 5') they are read title-cased (the same length, so the spans hold) and kept under the English rule:
# in a post otherwise in lower case, or after a word that says an address follows.
_CAPS_WORD_RE = re.compile(r"\b[A-ZÄÖÜÀ-ÖØ-Þ]{2,}\b")
_CAPS_CUE_WORD_RE = re.compile("|".join([*(c.upper() for c in _DE_CUES), _SOUTH_CUE_RE.pattern.upper()]))
_CAPS_CUE_RE = re.compile(
    r"(?i)\b(?:an|nach|adresse|anschrift|schick\w*|send\w*|liefer\w*|zustell\w*|wohne\w*|"
    r"a|al|en|direcci[oó]n|env[ií]\w*|mand\w*|entreg\w*|vivo|"
    r"indirizzo|sped\w*|consegn\w*|abito|presso)\b[^.!?\n]{0,30}$"
)


def _caps_streets(text: str, low: str) -> Iterator[tuple[int, int]]:
    titled = _CAPS_WORD_RE.sub(lambda w: w.group(0).capitalize(), text)
    if titled == text or len(titled) != len(text):
        return
    found = [*(_de_streets(titled) if any(cue in low for cue in _DE_CUES) else ()),
             *(_south_streets(titled) if _SOUTH_CUE_RE.search(low) else ())]
    for start, end in found:
        if text[start:end].isupper() and _caps_ok(text, start, end):
            yield start, end


def _caps_ok(text: str, start: int, end: int) -> bool:
    letters = [ch for ch in text[:start] + text[end:] if ch.isalpha()]
    if sum(ch.isupper() for ch in letters) <= 0.5 * len(letters):
        return True
    return _CAPS_CUE_RE.search(text[max(0, start - 40) : start]) is not None


def _shouting(words: str) -> bool:
    """Capitals on every word: in 'SPENT 5 HOURS ON THE ROAD' any phrase looks like a street name."""
    return sum(w.isupper() for w in words.split()) > 2


def _de_streets(text: str) -> Iterator[tuple[int, int]]:
    for m in _DE_STREET_RE.finditer(text):
        name = m.group("name")
        first, *rest = name.split()
        if _DE_NOT_STREETS.match(name) or (rest and first.casefold() in _DE_NOT_PLACES):
            continue
        weak = not rest and name.casefold().endswith(_DE_WEAK_TYPES)
        if not m.group("tail") and (weak or _DE_UNIT_RE.match(text, m.end("number"))):
            continue
        yield m.span()


def _fr_streets(text: str) -> Iterator[tuple[int, int]]:
    for m in _FR_STREET_RE.finditer(text):
        if _NOT_HOUSE_RE.search(text[max(0, m.start() - 12) : m.start()]):
            continue
        kind = m.group(0)[: m.start("name") - m.start()].split()[-1].casefold()
        if kind in _FR_WEAK_TYPES and not m.group("tail"):
            continue
        yield m.span()


def _south_streets(text: str) -> Iterator[tuple[int, int]]:
    for m in _SOUTH_STREET_RE.finditer(text):
        words = [w for w in _SOUTH_ELIDED_RE.sub("", m.group("name")).split() if not _SOUTH_LINK_RE.fullmatch(w)]
        if m.group("tail"):
            yield m.span()
            continue
        if (not words or any(w[0].islower() for w in words) or len(m.group("number")) > 3
                or any(w.casefold() in _SOUTH_NOT_NAMES for w in words) or _SOUTH_UNIT_RE.match(text, m.end())):
            continue
        yield m.span()


def find_addresses(text: str) -> Iterator[tuple[int, int]]:
    """Spans of postal addresses in `text`, perhaps overlapping; the caller keeps the first of any overlap."""
    if not _DIGIT_RE.search(text):  # every shape holds a house number or a postcode
        return
    low = text.lower()
    if any(cue in low for cue in _DE_CUES):
        yield from _de_streets(text)
    if any(cue in low for cue in _FR_CUES):
        yield from _fr_streets(text)
    if _SOUTH_CUE_RE.search(low):
        yield from _south_streets(text)
    if _CAPS_CUE_WORD_RE.search(text):
        yield from _caps_streets(text, low)
    yield from _en_streets(text)
    for m in _UK_POSTCODE_RE.finditer(text) if _UK_INWARD_RE.search(text) else ():
        if m.group("area") in _UK_AREAS:
            yield m.span()
    for m in _UK_ANY_CASE_RE.finditer(text) if "post" in low or "addr" in low else ():
        if m.group("area").upper() in _UK_AREAS and _UK_CUE_RE.search(text[max(0, m.start() - 40) : m.start()]):
            yield m.span()
