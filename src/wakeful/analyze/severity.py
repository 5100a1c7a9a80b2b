"""How bad a complaint is, 0..3, and the urgency signals behind it.

Severity sets a case's base priority, so the levels follow what an agent must do first: 3 is someone's safety,
a legal threat or a vulnerable customer (answer now, escalate); 2 is a complaint with a clock running or one
the customer has already chased, or that is furious; 1 is an ordinary complaint; 0 is not a complaint.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from wakeful.analyze.text import compile_terms, fold, strip_urls

_NUM = r"(?:\d+(?:[.,]\d+)?|an?|one|two|three|four|five|half an?|ein(?:e|er)?|zwei|drei|une?|deux|trois)"

# signal -> lower-case regex terms in en, de and fr (accents folded when compiled).
_SIGNALS: dict[str, list[str]] = {
    # A deadline: the customer's problem gets worse in hours, so an answer tomorrow is useless.
    "deadline": [
        rf"in {_NUM} ?(?:hours?|hrs?|h|minutes?|mins?)", r"in (?:an|one|half an) hour",
        r"(?:leaves|departs|boarding|boards|takes off|closes) (?:at|in) \d", r"asap", r"urgent(?:ly)?",
        r"emergency", r"right now", r"tonight", r"my (?:flight|connection) (?:is )?(?:today|tonight)",
        rf"in {_NUM} ?(?:stunden?|std|minuten|min)", r"in einer (?:halben )?stunde", r"dringend", r"sofort",
        r"heute abend", rf"dans {_NUM} ?(?:heures?|h|minutes?|min)", r"dans une (?:demi-)?heure",
        r"urgence", r"ce soir", r"tout de suite",
    ],
    # Repeated contact: the customer already tried and was let down by the desk itself.
    "repeat_contact": [
        r"(?:second|third|fourth|fifth|2nd|3rd|4th|5th|\d+th) time", r"(?:\d+|two|three|four|five|several|many"
        r"|multiple) times", r"again and again", r"still (?:no|not|nothing|waiting)", r"(?:already|keep) "
        r"(?:called|calling|emailed|emailing|messaged|messaging|asked|tweeted|dm'?d)", r"(?:called|emailed|"
        r"messaged|tweeted|dm'?d) (?:you )?(?:twice|\d+ times|(?:two|three|four) times)", r"no (?:one|body) "
        r"(?:answers|responds|replies|got back)", r"nobody (?:answers|responds|replies|got back)",
        r"zum (?:zweiten|dritten|vierten|\d+\.) mal", r"schon wieder", r"immer noch (?:keine?|nicht|nichts)",
        r"noch immer (?:keine?|nicht|nichts)", r"mehrmals", r"mehrfach", r"(?:deuxieme|troisieme|quatrieme|"
        r"\d+e) fois", r"encore une fois", r"toujours (?:pas|aucune?|rien)", r"plusieurs fois",
        r"(?:deja|j'ai) (?:appele|ecrit|relance)",
    ],
    # A threat to leave: the customer is about to be lost, and says so publicly.
    "churn_threat": [
        r"never (?:fly|flying|book|booking|use|using|travel(?:l?ing)?) (?:with )?\w* ?again", r"never again",
        r"last time (?:i|we) (?:fly|flew|book|use)",
        r"switch(?:ing)? (?:to (?:another|a different|other) (?:airline|carrier)|airlines|carriers)",
        r"done with (?:you|\w+ air\w*)",
        r"taking my (?:business|money) elsewhere", r"lost (?:a|me as a|my) (?:customer|business)",
        r"nie wieder", r"nie mehr", r"zum letzten mal", r"plus jamais", r"derniere fois",
    ],
    "safety": [
        r"unsafe", r"not safe", r"safety (?:issue|concern|hazard|risk|problem)s?", r"smoke", r"(?:on|engine|a) fire",
        r"injur(?:ed|y|ies)", r"(?:got|was|were|been|am|is|are) hurt", r"bleeding",
        r"dangerous", r"emergency landing", r"sicherheit", r"unsicher", r"gefahrlich", r"rauch", r"feuer",
        r"verletzt", r"notlandung", r"securite", r"dangereu(?:x|se)", r"fumee", r"incendie", r"blessee?s?",
        r"atterrissage d'urgence",
    ],
    "legal_threat": [
        r"lawyers?", r"attorneys?", r"sue", r"suing", r"lawsuit", r"legal action", r"small claims",
        r"anwalt", r"anwaltin", r"klage", r"verklagen", r"rechtliche schritte", r"gericht",
        r"avocat", r"poursuivre en justice", r"porter plainte", r"tribunal", r"action en justice",
    ],
    "vulnerable_customer": [
        r"wheel ?chairs?", r"disabled", r"disability", r"reduced mobility", r"elderly",
        r"(?:my|our) (?:\d+ ?(?:year|yr)s? old|blind|deaf|pregnant) \w+", r"pregnant", r"unaccompanied minors?",
        r"infant", r"medical (?:condition|emergency|equipment)", r"medication", r"insulin",
        r"rollstuhl\w*", r"behindert\w*", r"behinderung", r"schwanger", r"unbegleitete\w* minderjahrig\w*",
        r"(?:alte|altere|betagte)[nr]? (?:vater|mutter|eltern)", r"medikament\w*",
        r"fauteuil roulant", r"handicape\w*", r"mobilite reduite", r"enceinte", r"mineur non accompagne",
        r"personne agee", r"(?:pere|mere|parents) age(?:e|s)?", r"medicaments?",
    ],
}

_SIGNAL_RE: dict[str, re.Pattern[str]] = {name: compile_terms(terms) for name, terms in _SIGNALS.items()}

URGENT_SIGNALS = frozenset({"deadline", "repeat_contact", "churn_threat"})
CRITICAL_SIGNALS = frozenset({"safety", "legal_threat", "vulnerable_customer"})
STRONGLY_NEGATIVE = -0.6
COMPOUND_TOPICS = 3


def urgency_signals(text: str) -> list[str]:
    """Names of the urgency signals in `text`: deadline, repeat_contact, churn_threat (raise a complaint to
    severity 2) and safety, legal_threat, vulnerable_customer (raise it to 3)."""
    folded = fold(strip_urls(text))
    return [name for name, pattern in _SIGNAL_RE.items() if pattern.search(folded)]


def severity(complaint: bool, sentiment_score: float, text: str, topics: Sequence[str]) -> int:
    """0 no complaint; 1 complaint; 2 strongly negative, urgent, or touching `COMPOUND_TOPICS` problems at
    once (a lost bag *and* a missing refund is a failing relationship); 3 safety, legal or vulnerable."""
    if not complaint:
        return 0
    signals = set(urgency_signals(text))
    if signals & CRITICAL_SIGNALS:
        return 3
    if signals & URGENT_SIGNALS or sentiment_score <= STRONGLY_NEGATIVE or len(set(topics)) >= COMPOUND_TOPICS:
        return 2
    return 1
