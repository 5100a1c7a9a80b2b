"""Does a post ask something? Questions need an answer even when they are not complaints.

A v0 rule: a '?' outside links (a link's query string is not a question), or a post that opens, after any
leading @handles, with a question word of its language (en, de, fr; all three when the language is unknown).
Openers are per language because they collide across languages: German 'Was …' is English 'Was delayed'.
"""

from __future__ import annotations

import re

from wakeful.analyze.text import MENTION_RE, fold, fold_pattern, strip_urls

_OPENERS: dict[str, list[str]] = {
    "en": [
        r"what", r"why", r"how", r"when", r"where", r"who", r"whom", r"whose", r"which",
        # Auxiliaries only when a subject follows: 'Can you …', not "Can't believe …" or "Do not fly …".
        r"(?:can|could|would|will|should|may|do|does|did|is|are|was|were|have|has) (?:i|you|we|they|he|she|it|"
        r"there|someone|anyone|somebody|anybody|my|our|the|this|that)",
        r"any (?:update|news|info|idea|word|chance)s?", r"anyone know",
    ],
    "de": [
        r"was", r"warum", r"wieso", r"weshalb", r"wie", r"wann", r"wo", r"woher", r"wohin", r"wer",
        r"welche[rsmn]?", r"(?:kann|konnen|konnt|konnten|ist|sind|gibt|habt|haben|hat|wird|werden|muss|darf) "
        r"(?:ich|man|es|ihr|sie|er|mein|meine|der|die|das|jemand)",
    ],
    "fr": [
        r"pourquoi", r"comment", r"quand", r"ou", r"qui", r"quel(?:le)?s?", r"combien", r"est-ce que",
        r"(?:pouvez|pourriez|savez|avez|allez)-vous", r"y a-t-il",
    ],
}


def _compile(terms: list[str]) -> re.Pattern[str]:
    return re.compile(r"^(?:" + "|".join(f"(?:{fold_pattern(t)})" for t in terms) + r")(?![\w'])")


_OPENER_RE = {lang: _compile(terms) for lang, terms in _OPENERS.items()}
_LEADING_RE = re.compile(r"^(?:\s|[.,:;!\-]|" + MENTION_RE.pattern + r")*")


def is_question(text: str, lang: str | None = None) -> bool:
    """True when `text` contains a '?' outside links or starts with a question word of `lang`."""
    bare = strip_urls(text)
    if "?" in bare or "\uff1f" in bare:
        return True
    body = _LEADING_RE.sub("", fold(bare), count=1)
    langs = [lang] if lang is not None and lang in _OPENER_RE else list(_OPENER_RE)
    return any(_OPENER_RE[code].match(body) for code in langs)
