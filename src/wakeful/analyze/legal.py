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

from wakeful.analyze.text import compile_terms, fold, fold_pattern, strip_urls

_CRIMES: dict[str, list[str]] = {
    "theft": [
        r"stole(?! the show)", r"stolen", r"steal(?:ing|s)", r"theft", r"thie(?:f|ves)", r"robbed", r"pilfer(?:ed)?",
        r"went through my (?:bag|luggage|suitcase) and took", r"missing from my (?:bag|luggage|suitcase)",
        r"gestohlen", r"geklaut", r"klauen", r"diebstahl", r"dieb(?:e|in)?", r"bestohlen", r"ausgeraubt",
        r"(?:m'a|m'ont|ont|a ete|ete|etre|on a|j'ai ete) volee?s?", r"volee?s? dans (?:ma|mon|mes)",
        r"vol dans (?:ma|mon|mes) (?:valise|bagage|sac)", r"voleu(?:r|rs|se|ses)", r"derobee?s?",
        r"cambriolee?s?",
        r"robad[oa]s?", r"robo", r"robaron", r"ladron(?:es)?", r"hurto", r"rubat[oaie]", r"derubat[oaie]", r"furto",
        r"ladr[oi]", r"gestolen", r"diefstal", r"dief", r"dieven", r"beroofd", r"bestolen",
    ],
    "assault": [
        r"assault(?:ed)?", r"attacked me",
        r"(?:hit|punched|slapped|pushed|shoved|grabbed|kicked) (?:me|my (?:arm|hand|neck|face|wife|husband|son|"
        r"daughter|child|kid|mother|mom|father|dad|partner|friend))",
        r"sexual(?:ly)? harass(?:ed|ment)?", r"groped", r"molested", r"physically",
        r"angegriffen", r"geschlagen", r"geschubst", r"tatlich", r"sexuell belastigt", r"begrapscht",
        r"agressee?", r"agression", r"frappee?", r"bouscule(?:e)?", r"harcel(?:e|ee|ement) sexuel",
        r"attouchements?",
        r"agredid[oa]s?", r"agresion", r"golpead[oa]", r"me (?:pego|golpeo|empujo)", r"acoso sexual",
        r"aggredit[oaie]", r"aggressione", r"picchiat[oaie]", r"molestie sessuali", r"mishandeld", r"aangevallen",
        r"geslagen",
    ],
    "discrimination": [
        r"racis[mt]", r"discriminat\w*", r"sexis[mt]", r"homophob\w*", r"transphob\w*", r"islamophob\w*",
        r"antisemit\w*", r"because (?:i am|i'm|we are|we're) (?:black|muslim|jewish|gay|disabled|a woman)",
        r"rassis\w*", r"diskriminier\w*", r"auslanderfeindlich",
        r"raciste", r"racisme", r"discrimin\w*", r"sexiste", r"parce que (?:je suis|nous sommes) (?:noire?|"
        r"musulmane?|juive?|gay|handicapee?)",
        r"racistas?", r"racismo", r"razzist[aie]", r"razzismo", r"racistisch\w*", r"racisme",
    ],
    # Formal words only: "what a scam", "Abzocke", "c'est une arnaque", "estafa" and "truffa" are everyday for
    # "rip-off".
    "fraud": [
        r"fraud(?:ulent)?(?! (?:alert|department|team|protection|prevention|check))", r"con artists?",
        r"embezzl\w*", r"betrug", r"betruger\w*", r"escroquerie", r"escrocs?", r"fraude", r"frode", r"oplichting",
        r"oplichters?",
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
_ANY_CRIME = "|".join(f"(?:{fold_pattern(t)})" for terms in _CRIMES.values() for t in terms)
_ACCUSATION_RE = compile_terms(_ACCUSATIONS)

_ROLES_EN = (r"agent|employee|staff(?: member)?|attendant|flight attendant|stewardess|steward|pilot|captain|"
             r"gate agent|crew member|representative|rep|supervisor|manager|driver|conductor|cashier|clerk|"
             r"guard|officer")
_ROLES_DE = (r"mitarbeiter(?:in)?|angestellte[rn]?|schaffner(?:in)?|zugbegleiter(?:in)?|flugbegleiter(?:in)?|"
             r"stewardess|pilot(?:in)?|kapit[äa]n|fahrer(?:in)?|servicemitarbeiter(?:in)?|kollege|kollegin")
_ROLES_FR = (r"agent|employ[ée]e?|h[ôo]tesse|steward|pilote|commandant|contr[ôo]leur|contr[ôo]leuse|conducteur|"
             r"conductrice|vendeur|vendeuse|conseill(?:er|[èe]re)|chef de cabine")
_ROLES_ES = r"agente|emplead[oa]|azafat[oa]|auxiliar de vuelo|piloto|revisor(?:a)?|conductor(?:a)?|tripulante"
_ROLES_IT = (r"agente|dipendente|impiegat[oa]|hostess|steward|assistente di volo|pilota|capotreno|controllore|"
             r"autista")
_ROLES_NL = r"medewerk(?:er|ster)|baliemedewerk(?:er|ster)|stewardess|steward|piloot|conducteur|chauffeur"
_NAME = r"((?-i:[A-ZÄÖÜÉÈ][a-zäöüßéèêëàâçîïôûùñ]+))"
# Role word then a capitalised name ("your agent Mark", "flight attendant Sarah", "Stewardess Anna"); the role part
# ignores case, the name must be capitalised.
_NAMED_STAFF_RE = re.compile(
    rf"(?i:\b(?:(?:your|the|an?|this|that)\s+)?(?:{_ROLES_EN})(?:\s+(?:named|called))?)\s+"
    rf"(?:(?-i:Mr|Mrs|Ms|Miss)\.?\s+)?{_NAME}"
    rf"|(?i:\b(?:(?:ihr|ihre|eure?|der|die|ein|eine)\s+)?(?:{_ROLES_DE})(?:\s+namens)?)\s+"
    rf"(?:(?-i:Herr|Frau)\s+)?{_NAME}"
    rf"|(?i:\b(?:(?:votre|vos|le|la|un|une|cet|cette)\s+|l['\u2019]\s*)?(?:{_ROLES_FR})"
    rf"(?:\s+(?:nommée?|appelée?))?)\s+(?:(?-i:M\.|Mme|Monsieur|Madame)\s+)?{_NAME}"
    rf"|(?i:\b(?:(?:el|la|su|vuestr[oa]|un|una|este|esta|ese|esa)\s+)?(?:{_ROLES_ES})(?:\s+llamad[oa])?)\s+"
    rf"(?:(?-i:Sr|Sra|Don|Doña)\.?\s+)?{_NAME}"
    rf"|(?i:\b(?:(?:il|la|lo|un|una|uno|vostr[oa]|questo|questa|quel|quella)\s+|l['\u2019]\s*)?(?:{_ROLES_IT})"
    rf"(?:\s+di nome)?)\s+(?:(?-i:Sig|Sig\.ra)\.?\s+)?{_NAME}"
    rf"|(?i:\b(?:(?:de|uw|jullie|een|die|deze)\s+)?(?:{_ROLES_NL}))\s+(?:(?-i:meneer|mevrouw)\s+)?{_NAME}"
    rf"|{_NAME}(?i:\s+(?:at|from|on|am|an der|vom|au|du|de l')\s+(?:the\s+)?"
    rf"(?:check-?in|gate|counter|desk|front desk|customer service|schalter|guichet|comptoir))"
)
# Staff accused of a crime without a name ("the agent stole my bag", "l'hôtesse m'a agressé", "Ihr Personal hat
# meinen Koffer geklaut"): the role is the subject, followed only by auxiliaries, pronouns or 'my <thing>' before
# the crime. "The agent told me my bag was stolen" reports a crime; it accuses nobody. Matched on folded text.
_STAFF_DET = (r"your|the|one of your|one of the|an?|this|that|ihr|ihre|eure?|der|die|ein|eine|votre|vos|le|la|les|"
              r"un|une|cet|cette|el|su|vuestr[oa]|il|lo|uno|vostr[oa]|de|uw|jullie|een|een van uw")
_STAFF_ROLES = (r"staff(?: members?)?|crew(?: members?)?|cabin crew|(?:baggage )?handlers?|(?:gate )?agents?|"
                r"employees?|(?:flight )?attendants?|stewardess(?:es)?|stewards?|pilots?|captain|representatives?|"
                r"reps?|supervisors?|managers?|drivers?|conductors?|personnel(?: de bord)?|personal|"
                r"mitarbeiter(?:in|innen)?|angestellte[rn]?|schaffner(?:in)?|zugbegleiter(?:in)?|"
                r"flugbegleiter(?:in)?|kapitan|fahrer(?:in)?|gepackabfertiger|hotesses?|employee?s?|pilotes?|"
                r"controleu(?:r|se)s?|conducteur|conductrice|equipage|chef de cabine|bagagistes?|"
                rf"{_ROLES_ES}|{_ROLES_IT}|{_ROLES_NL}")
_STAFF_AUX = (r"has|have|had|just|literally|actually|then|also|even|hat|haben|hatte|hatten|mich|uns|mir|einfach|"
              r"dann|auch|sogar|m'a|m'ont|nous a|nous ont|l'a|a|ont|me|nos|mi|ci|ha|hanno|heeft|hebben|mij|ons|"
              r"(?:my|our|mein\w*|unser\w*|mon|ma|mes|mi|mis|il mio|la mia|mijn|onze) \w+")
_STAFF_CRIME_RE = re.compile(
    rf"(?<!\w)(?:(?:{_STAFF_DET})\s+|l')(?:{_STAFF_ROLES})(?:\s+(?:{_STAFF_AUX})){{0,3}}\s+(?:{_ANY_CRIME})(?!\w)"
)
_BADGE_RE = re.compile(r"(?i)\b(?:employee|staff|badge|agent|personal|mitarbeiter|matricule)\s*"
                       r"(?:id|no\.?|number|nummer|nr\.?|#|n°)\s*:?\s*\d{2,}")
# Capitalised words after a role that are sentence words, not names.
_NOT_NAMES = frozenset({
    "was", "is", "who", "and", "the", "said", "told", "just", "did", "has", "had", "there", "today", "yesterday",
    "here", "when", "then", "but", "not", "never", "always", "at", "in", "on", "for", "from", "with", "again",
    "also", "ist", "war", "hat", "der", "die", "das", "und", "sagte", "nicht", "nie", "heute", "gestern", "hier",
    "auch", "est", "a", "et", "qui", "m'a", "n'a", "ne", "pas", "jamais", "aujourd'hui", "ici", "aussi",
    "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday", "montag", "dienstag", "mittwoch",
    "donnerstag", "freitag", "samstag", "sonntag", "lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi",
    "dimanche", "since", "please", "thanks", "thank", "if", "es", "ha", "heeft", "me", "mi", "el", "il", "de", "la",
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
    'staff_accusation' when a named member of staff is accused of a crime or of misconduct, or staff, named or
    not, are said to have committed one. Empty if none."""
    crimes = alleged_crimes(text)
    flags = [f"crime:{c}" for c in crimes]
    folded = fold(strip_urls(text))
    # Looking for a named person is the costly part, so only where there is something to accuse them of.
    if (crimes or _ACCUSATION_RE.search(folded)) and (
        named_staff(text) or (crimes and _STAFF_CRIME_RE.search(folded))
    ):
        flags.insert(0, "staff_accusation")
    return flags
