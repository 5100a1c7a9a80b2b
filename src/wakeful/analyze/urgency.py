"""Urgency signals in a post's text (en, de, fr), each named with the words that raised it, and its deadline.

An agent must see *why* a case jumped the queue, so every signal keeps the phrase it matched, and a deadline
("my flight leaves in 2 hours", "Flug geht in 2 Stunden", "mon vol part dans 2 heures") is parsed to minutes
after the post, so the desk can tell whether an answer can still help. Repeated contact is read here from the
words only ("third time I'm asking"); the desk also knows it from the customer's history.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from wakeful.analyze.text import compile_terms, fold, strip_urls

_WORD_NUMBERS: dict[str, float] = {
    "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "ten": 10, "twenty": 20,
    "thirty": 30, "forty": 40, "fifty": 50, "half an": 0.5, "half a": 0.5, "a half": 0.5,
    "ein": 1, "eine": 1, "einer": 1, "zwei": 2, "drei": 3, "vier": 4, "funf": 5, "sechs": 6, "zehn": 10,
    "zwanzig": 20, "dreissig": 30, "vierzig": 40, "funfzig": 50, "einer halben": 0.5, "einer dreiviertel": 0.75,
    "un": 1, "une": 1, "deux": 2, "trois": 3, "quatre": 4, "cinq": 5, "dix": 10, "vingt": 20,
    "trente": 30, "quarante": 40, "cinquante": 50, "une demi": 0.5, "une demie": 0.5,
}
_NUM = r"(?:\d+(?:[.,]\d+)?|" + "|".join(sorted((re.escape(w) for w in _WORD_NUMBERS), key=len, reverse=True)) + ")"
_HOURS = r"(?:hours?|hrs?|h|stunden?|std|heures?)"
_MINUTES = r"(?:minutes?|mins?|minuten|min)"
# "in 2 hours", "in 2h30", "in 1.5 hrs", "dans 45 min", "in einer halben Stunde", "in half an hour", "dans une
# demi-heure"; the number is group 1, the unit group 2, extra minutes after '2h' group 3.
_DEADLINE_RE = re.compile(
    rf"(?<!\w)(?:in|dans|d'ici) (?:the next |den nachsten |les prochaines )?"
    rf"({_NUM})[ -]?({_HOURS}|{_MINUTES})(?:(\d\d)(?!\d))?(?!\w)"
)

_SIGNAL_TERMS: dict[str, list[str]] = {
    # A clock running: an answer tomorrow is useless.
    "deadline": [
        r"(?:leaves|departs|boarding|boards|takes off|closes|leaving|departing) (?:at|in) \d+", r"asap",
        r"urgent(?:ly)?", r"emergency", r"right now", r"tonight",
        r"my (?:flight|connection|train) (?:is )?(?:today|tonight)",
        r"dringend", r"sofort", r"heute abend", r"(?:geht|fahrt|fliegt|startet) (?:um|in) \d+",
        r"urgence", r"ce soir", r"tout de suite", r"(?:part|decolle) (?:a|dans) \d+",
    ],
    # Repeated contact: the customer already tried and was let down by the desk itself.
    "repeat_contact": [
        r"(?:second|third|fourth|fifth|2nd|3rd|4th|5th|\d+th) time", r"(?:\d+|two|three|four|five|several|many"
        r"|multiple) times", r"again and again", r"still (?:no|not|nothing|waiting)", r"(?:already|keep) "
        r"(?:called|calling|emailed|emailing|messaged|messaging|asked|asking|tweeted|dm'?d)", r"(?:called|emailed|"
        r"messaged|tweeted|dm'?d) (?:you )?(?:twice|\d+ times|(?:two|three|four) times)", r"no (?:one|body) "
        r"(?:answers|responds|replies|got back)", r"nobody (?:answers|responds|replies|got back)",
        r"(?:asking|asked|writing|wrote) (?:you )?again",
        r"for the (?:(?:[2-9]|\d\d+)(?:st|nd|rd|th)|second|third|fourth|fifth) time",
        r"zum (?:zweiten|dritten|vierten|x-ten|\d+\.) mal", r"schon wieder", r"immer noch (?:keine?|nicht|nichts)",
        r"noch immer (?:keine?|nicht|nichts)", r"mehrmals", r"mehrfach", r"(?:schon|bereits) (?:\w+ )?(?:angerufen|"
        r"geschrieben|gemeldet|nachgefragt)", r"(?:deuxieme|troisieme|quatrieme|\d+e) fois", r"encore une fois",
        r"toujours (?:pas|aucune?|rien)", r"plusieurs fois", r"(?:deja|j'ai) (?:appele|ecrit|relance)",
    ],
    # A threat to leave or switch: the customer is about to be lost, and says so publicly.
    "churn_threat": [
        r"never (?:fly|flying|book|booking|use|using|travel(?:l?ing)?) (?:with )?\w* ?again", r"never again",
        r"last time (?:i|we) (?:fly|flew|book|use)", r"switch(?:ing)? (?:to|airlines|carriers|providers)",
        r"done with (?:you|\w+ air\w*)", r"cancel(?:ling)? my (?:membership|account|subscription|card)",
        r"taking my (?:business|money) elsewhere", r"lost (?:a|me as a|my) (?:customer|business)",
        r"nie wieder", r"nie mehr", r"zum letzten mal", r"(?:ich )?(?:wechsle|wechseln) (?:zu|zur|jetzt)",
        r"(?:bahncard|abo|vertrag|mitgliedschaft) (?:wird )?(?:gekundigt|kundigen)", r"kundige",
        r"plus jamais", r"derniere fois", r"je (?:change|changerai) de (?:compagnie|transporteur|banque)",
        r"resilier mon (?:abonnement|contrat|compte)",
    ],
    "safety": [
        r"unsafe", r"not safe", r"safety (?:issue|concern|hazard|risk|problem)s?", r"smoke", r"(?:on|engine|a) fire",
        r"injur(?:ed|y|ies)", r"(?:got|was|were|been|am|is|are) hurt", r"bleeding", r"dangerous",
        r"emergency landing", r"sicherheit", r"unsicher", r"gefahrlich", r"rauch", r"feuer", r"verletzt",
        r"notlandung", r"securite", r"dangereu(?:x|se)", r"fumee", r"incendie", r"blessee?s?",
        r"atterrissage d'urgence",
    ],
    "legal_threat": [
        r"lawyers?", r"attorneys?", r"sue", r"suing", r"lawsuit", r"legal action", r"small claims",
        r"anwalt", r"anwaltin", r"klage", r"verklagen", r"rechtliche schritte", r"gericht",
        r"avocat", r"poursuivre en justice", r"porter plainte", r"tribunal", r"action en justice",
    ],
    # A vulnerable customer: disabled, elderly, pregnant, a child alone, a medical need.
    "vulnerable_customer": [
        r"wheel ?chairs?", r"disabled", r"disability", r"reduced mobility", r"elderly",
        r"(?:my|our) (?:\d+ ?(?:year|yr)s? old|blind|deaf|pregnant) \w+", r"pregnant", r"unaccompanied minors?",
        r"infant", r"medical (?:condition|emergency|equipment|needs?)", r"medication", r"insulin", r"diabet(?:ic|es)",
        r"(?:child|kid|son|daughter|minor)s? (?:is |was )?(?:travell?ing |flying |left |stranded )?alone",
        r"epi ?pen", r"severe allergy", r"oxygen", r"seizures?", r"dialysis", r"heart condition",
        r"rollstuhl\w*", r"behindert\w*", r"behinderung", r"schwanger", r"unbegleitete\w* minderjahrig\w*",
        r"(?:alte|altere|betagte)[nr]? (?:vater|mutter|eltern)", r"medikament\w*", r"diabetiker\w*",
        r"(?:kind|sohn|tochter) (?:ist |war |reist |fliegt |sitzt )?(?:ganz )?allein\w*",
        r"fauteuil roulant", r"handicape\w*", r"mobilite reduite", r"enceinte", r"mineur non accompagne",
        r"personne agee", r"(?:pere|mere|parents) age(?:e|s)?", r"medicaments?", r"diabetique",
        r"(?:enfant|fils|fille) (?:est |voyage |reste )?seule?",
    ],
}
_SIGNAL_RE: dict[str, re.Pattern[str]] = {name: compile_terms(terms) for name, terms in _SIGNAL_TERMS.items()}

_ANGER_RE = re.compile("[\U0001F92C\U0001F621\U0001F620\U0001F624]")  # 🤬 😡 😠 😤, often glued to a word
"""Fury in any language. In TweetEval's emotion tweets (English, labelled by annotators) 97% of the training tweets
with one of these are labelled anger (93% of validation), against 43% of all; "!!" (47%) and capitals (54%) say
nothing, so they are not signals."""
SIGNALS: tuple[str, ...] = (*_SIGNAL_TERMS, "anger")
MIN_DEADLINE_MINUTES = 5
URGENT_SIGNALS = frozenset({"deadline", "repeat_contact", "churn_threat", "anger"})
CRITICAL_SIGNALS = frozenset({"safety", "legal_threat", "vulnerable_customer"})


@dataclass(frozen=True)
class Urgency:
    """The signals found, each with the (folded) phrase that raised it, and the deadline in minutes if stated."""

    evidence: dict[str, str] = field(default_factory=dict)
    deadline_minutes: int | None = None

    @property
    def signals(self) -> list[str]:
        return list(self.evidence)


def _number(token: str) -> float:
    token = token.strip()
    if token in _WORD_NUMBERS:
        return _WORD_NUMBERS[token]
    return float(token.replace(",", "."))


def parse_deadline(text: str) -> tuple[int, str] | None:
    """Minutes until the first relative deadline in `text` ("in 2 hours" → 120, "dans 2h30" → 150,
    "in einer halben Stunde" → 30) and the phrase, or None. "In a minute" is a figure of speech and more than
    two days is not a deadline, so only 5 minutes to 48 hours count; "within 24 hours" is mostly a promise
    quoted back at the brand, so only "in", "dans" and "d'ici" introduce one."""
    folded = fold(strip_urls(text))
    for m in _DEADLINE_RE.finditer(folded):
        amount = _number(m.group(1))
        unit = m.group(2)
        minutes = amount * 60 if re.fullmatch(_HOURS, unit) else amount
        if m.group(3) and re.fullmatch(_HOURS, unit):
            minutes += int(m.group(3))
        if MIN_DEADLINE_MINUTES <= minutes <= 48 * 60:
            return round(minutes), m.group(0)
    return None


def read_urgency(text: str) -> Urgency:
    """Every urgency signal in `text`, in the order of `SIGNALS`, and the parsed deadline."""
    folded = fold(strip_urls(text))
    evidence: dict[str, str] = {}
    deadline = parse_deadline(text)
    for name, pattern in _SIGNAL_RE.items():
        if name == "deadline" and deadline is not None:
            evidence[name] = deadline[1]
            continue
        m = pattern.search(folded)
        if m:
            evidence[name] = m.group(0)
    anger = _ANGER_RE.search(text)
    if anger:
        evidence["anger"] = anger.group(0)
    return Urgency(evidence, deadline[0] if deadline else None)
