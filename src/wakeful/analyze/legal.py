"""Posts a public reply must not answer unreviewed: accusations against named staff and alleged crimes.

Answering "your agent Mark stole from my bag" with a cheerful template repeats a named person's alleged crime
under the brand's name, and "we're sorry for the inconvenience" under a discrimination claim reads as an
admission or a dismissal. Such posts are flagged so a lead (or legal) reviews before anything public goes out.
Rules are strict about shape: a named member of staff is a role word followed by a capitalised name ("your agent
Mark", "Ihr Mitarbeiter Herr Weber", "l'hôtesse Julie") or a badge number, and a crime needs its own words
("stole", "gestohlen", "on m'a volé"), not the French "vol" (flight).
"""

from __future__ import annotations

import re

from wakeful.analyze.text import compile_terms, fold, strip_urls

_CRIMES: dict[str, list[str]] = {
    "theft": [
        r"stole", r"stolen", r"steal(?:ing|s)", r"theft", r"thie(?:f|ves)", r"robbed", r"pilfer(?:ed)?",
        r"went through my (?:bag|luggage|suitcase) and took", r"missing from my (?:bag|luggage|suitcase)",
        r"gestohlen", r"geklaut", r"klauen", r"diebstahl", r"dieb(?:e|in)?", r"bestohlen", r"ausgeraubt",
        r"(?:m'a|m'ont|ont|a ete|ete|etre|on a|j'ai ete) volee?s?", r"volee?s? dans (?:ma|mon|mes)",
        r"vol dans (?:ma|mon|mes) (?:valise|bagage|sac)", r"voleu(?:r|rs|se|ses)", r"derobee?s?",
        r"cambriolee?s?",
    ],
    "assault": [
        r"assault(?:ed)?", r"attacked me",
        r"(?:hit|punched|slapped|pushed|shoved|grabbed|kicked) (?:me|my (?:arm|hand|neck|face|wife|husband|son|"
        r"daughter|child|kid|mother|mom|father|dad|partner|friend))",
        r"sexual(?:ly)? harass(?:ed|ment)?", r"groped", r"molested", r"physically",
        r"angegriffen", r"geschlagen", r"geschubst", r"tatlich", r"sexuell belastigt", r"begrapscht",
        r"agressee?", r"agression", r"frappee?", r"bouscule(?:e)?", r"harcel(?:e|ee|ement) sexuel",
        r"attouchements?",
    ],
    "discrimination": [
        r"racis[mt]", r"discriminat\w*", r"sexis[mt]", r"homophob\w*", r"transphob\w*", r"islamophob\w*",
        r"antisemit\w*", r"because (?:i am|i'm|we are|we're) (?:black|muslim|jewish|gay|disabled|a woman)",
        r"rassis\w*", r"diskriminier\w*", r"auslanderfeindlich",
        r"raciste", r"racisme", r"discrimin\w*", r"sexiste", r"parce que (?:je suis|nous sommes) (?:noire?|"
        r"musulmane?|juive?|gay|handicapee?)",
    ],
    # Formal words only: "what a scam", "Abzocke" and "c'est une arnaque" are everyday for "rip-off".
    "fraud": [
        r"fraud(?:ulent)?(?! (?:alert|department|team|protection|prevention|check))", r"con artists?",
        r"embezzl\w*", r"betrug", r"betruger\w*", r"escroquerie", r"escrocs?", r"fraude",
    ],
}
_ACCUSATIONS = [
    r"rude", r"lied", r"liar", r"lying", r"yelled", r"shouted", r"screamed", r"insulted", r"threatened",
    r"harass(?:ed|ing)", r"mocked", r"humiliated", r"abusive", r"aggressive", r"drunk", r"swore at",
    r"unhoflich", r"unverschamt", r"frech", r"angeschrien", r"angebrullt", r"beleidigt", r"gelogen", r"bedroht",
    r"gedemutigt", r"betrunken", r"aggressiv",
    r"impolie?", r"grossiere?", r"insultee?", r"menti", r"hurle", r"crie dessus", r"menacee?", r"humiliee?",
    r"ivre", r"agressi(?:f|ve)",
]
_CRIME_RE = {name: compile_terms(terms) for name, terms in _CRIMES.items()}
_ACCUSATION_RE = compile_terms(_ACCUSATIONS)

_ROLES_EN = (r"agent|employee|staff(?: member)?|attendant|flight attendant|stewardess|steward|pilot|captain|"
             r"gate agent|crew member|representative|rep|supervisor|manager|driver|conductor|cashier|clerk|"
             r"guard|officer")
_ROLES_DE = (r"mitarbeiter(?:in)?|angestellte[rn]?|schaffner(?:in)?|zugbegleiter(?:in)?|flugbegleiter(?:in)?|"
             r"stewardess|pilot(?:in)?|kapit[äa]n|fahrer(?:in)?|servicemitarbeiter(?:in)?|kollege|kollegin")
_ROLES_FR = (r"agent|employ[ée]e?|h[ôo]tesse|steward|pilote|commandant|contr[ôo]leur|contr[ôo]leuse|conducteur|"
             r"conductrice|vendeur|vendeuse|conseill(?:er|[èe]re)|chef de cabine")
_NAME = r"((?-i:[A-ZÄÖÜÉÈ][a-zäöüßéèêëàâçîïôûù]+))"
# Role word then a capitalised name; the role part ignores case, the name must be capitalised.
_NAMED_STAFF_RE = re.compile(
    rf"(?i:\b(?:your|the|an?|this|that)\s+(?:{_ROLES_EN})(?:\s+(?:named|called))?)\s+"
    rf"(?:(?-i:Mr|Mrs|Ms|Miss)\.?\s+)?{_NAME}"
    rf"|(?i:\b(?:ihr|ihre|eure?|der|die|ein|eine)\s+(?:{_ROLES_DE})(?:\s+namens)?)\s+(?:(?-i:Herr|Frau)\s+)?{_NAME}"
    rf"|(?i:\b(?:votre|vos|le|la|l['\u2019]|un|une|cet|cette)\s*(?:{_ROLES_FR})(?:\s+(?:nommée?|appelée?))?)\s+"
    rf"(?:(?-i:M\.|Mme|Monsieur|Madame)\s+)?{_NAME}"
    rf"|{_NAME}(?i:\s+(?:at|from|on|am|an der|vom|au|du|de l')\s+(?:the\s+)?"
    rf"(?:check-?in|gate|counter|desk|front desk|customer service|schalter|guichet|comptoir))"
)
_BADGE_RE = re.compile(r"(?i)\b(?:employee|staff|badge|agent|personal|mitarbeiter|matricule)\s*"
                       r"(?:id|no\.?|number|nummer|nr\.?|#|n°)\s*:?\s*\d{2,}")
# Capitalised words after a role that are sentence words, not names.
_NOT_NAMES = frozenset({
    "was", "is", "who", "and", "the", "said", "told", "just", "did", "has", "had", "there", "today", "yesterday",
    "here", "when", "then", "but", "not", "never", "always", "at", "in", "on", "for", "from", "with", "again",
    "also", "ist", "war", "hat", "der", "die", "das", "und", "sagte", "nicht", "nie", "heute", "gestern", "hier",
    "auch", "est", "a", "et", "qui", "m'a", "n'a", "ne", "pas", "jamais", "aujourd'hui", "ici", "aussi",
})


def named_staff(text: str) -> list[str]:
    """Names of staff members the post singles out ('your agent Mark' → 'Mark'), and badge numbers."""
    names: list[str] = []
    for m in _NAMED_STAFF_RE.finditer(text):
        name = next(g for g in m.groups() if g)
        if name.lower() not in _NOT_NAMES and name not in names:
            names.append(name)
    names.extend(m.group(0) for m in _BADGE_RE.finditer(text))
    return names


def alleged_crimes(text: str) -> list[str]:
    """Kinds of crime the post alleges: theft, assault, discrimination, fraud (en, de, fr)."""
    folded = fold(strip_urls(text))
    return [name for name, pattern in _CRIME_RE.items() if pattern.search(folded)]


def legal_flags(text: str) -> list[str]:
    """Why the post needs review before a public reply: 'crime:<kind>' per alleged crime, and
    'staff_accusation' when a named member of staff is accused of a crime or of misconduct. Empty if none."""
    crimes = alleged_crimes(text)
    flags = [f"crime:{c}" for c in crimes]
    # Looking for a named person is the costly part, so only where there is something to accuse them of.
    if (crimes or _ACCUSATION_RE.search(fold(strip_urls(text)))) and named_staff(text):
        flags.insert(0, "staff_accusation")
    return flags
