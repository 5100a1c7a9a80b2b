"""What a post is about, as zero or more keys of a topic taxonomy.

Topics route a case to the team that can fix it (baggage desk, refunds) and feed reporting. v0 is keyword
rules in en, de and fr over folded text; a taxonomy is plain data so another brand's can be passed in. The default
tagger (`ModelTopicTagger`) is a trained multi-label model for the topics labelled data exists for (airline
negative reasons, GermEval 2017 aspects) and the keyword rules for the rest (refunds, baggage fees).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Protocol

from wakeful.analyze.linear import Featurizer, FloatArray, LinearHead, featurizer, head
from wakeful.analyze.text import compile_terms, fold, strip_urls


class TopicTagger(Protocol):
    """Tags `text` (in `lang`, None if unknown) with topic keys, in taxonomy order."""

    def tag(self, text: str, lang: str | None) -> list[str]: ...

    def tag_many(self, texts: Sequence[str], langs: Sequence[str | None]) -> list[list[str]]:
        """`tag` for many posts, in order (a batch may share work between them)."""
        ...


_BAG_EN = r"(?:bags?|luggage|baggage|suitcases?|stroller|car ?seat)"
_BAG_DE = r"(?:koffer|gepack(?:stuck)?|tasche|reisetasche)"
_BAG_FR = r"(?:valises?|bagages?|sac)"
# Damage is also reported of what travels in the hold besides bags (airline tweets: guitars, bikes, wheelchairs).
_ITEM_EN = (rf"(?:{_BAG_EN}|carry-?ons?|strollers?|prams?|car ?seats?|guitars?|instruments?|cellos?|violins?|bikes?|"
            r"bicycles?|wheelchairs?|golf clubs|skis|(?:guitar|hard|camera|instrument) cases?)")
_ITEM_DE = rf"(?:{_BAG_DE}|rucksack|kinderwagen|kindersitz|gitarre|fahrrad|rollstuhl)"
_ITEM_FR = rf"(?:{_BAG_FR}|sacs?|poussettes?|guitares?|velos?|fauteuils? roulants?|sieges? auto)"
_DAMAGED_EN = (r"(?:damaged|broken|busted|smashed|ripped|torn|destroyed|cracked|dented|crushed|ruined|shattered|"
               r"mangled|wrecked|soaked|drenched)")
_DAMAGE_VERB_EN = (r"(?:broke|break|breaks|breaking|damage[ds]?|damaging|smashed|destroy(?:ed|s)?|ripped|tore|"
                   r"crushed|ruined|wrecked|busted|cracked|dented|mangled|trashed)")
# Words between a bag and 'broken' that make the broken thing something else ('lost bag process is broken').
_NOT_THE_BAG_EN = r"(?:process|system|policy|policies|website|site|app|service|belt|carousel|claim|tracking|tracker)"
_PART_EN = r"(?:handles?|wheels?|zippers?|zips?|straps?|seams?)"

# topic -> language -> lower-case regex terms (accents are folded when compiled).
AIRLINE_TAXONOMY: dict[str, dict[str, list[str]]] = {
    "lost_luggage": {
        "en": [rf"(?:lost|missing|lose|losing|misplaced|delayed|find|locate|track) (?:\w+ ){{0,2}}{_BAG_EN}",
               rf"{_BAG_EN} (?:\w+ ){{0,3}}(?:lost|missing|never arrived|didn'?t arrive|did not arrive|not here|"
               r"hasn'?t arrived|gone)", rf"without (?:my|our) {_BAG_EN}", rf"where(?:'s| is| are) (?:\w+ ){{0,2}}"
               rf"{_BAG_EN}", r"baggage claim", r"lost (?:and|&) found"],
        "de": [rf"{_BAG_DE} (?:\w+ ){{0,3}}(?:verloren|weg|verschwunden|fehlt|nicht angekommen)",
               rf"(?:verlorene[nr]?|vermisste[nr]?) {_BAG_DE}", rf"wo (?:ist|bleibt) (?:\w+ ){{0,2}}{_BAG_DE}",
               r"gepackermittlung", rf"ohne (?:\w+ ){{0,2}}{_BAG_DE}", rf"verlier\w* (?:\w+ ){{0,3}}{_BAG_DE}"],
        "fr": [rf"{_BAG_FR} (?:\S+ ){{0,3}}(?:perdue?s?|egaree?s?|pas arrivee?s?|jamais arrivee?s?|disparue?s?)",
               rf"ou est (?:\w+ ){{0,2}}{_BAG_FR}", rf"sans (?:\w+ ){{0,2}}{_BAG_FR}"],
    },
    "damaged_luggage": {
        # A damage word near the thing ('luggage all wet and partly damaged', 'ruined bag'), what was done to it
        # ('you broke my sick wife's luggage handle', 'broke out cases': 'out' is a typo seen on TWCS), a part
        # that came off, the noun 'damage' in the same sentence as the thing ('pay for the damages'), a hashtag.
        # Never the word alone: 'broken promises', 'the plane broke down', 'damage control', a parcel 'arrived
        # damaged' (TWCS has parcels too).
        "en": [rf"{_ITEM_EN} (?:(?!{_NOT_THE_BAG_EN}\b)\w+ ){{0,3}}(?:{_DAMAGED_EN}|wet|broke(?! down| into))",
               rf"{_DAMAGED_EN} (?:(?!(?:lost|missing|delayed|late|promises?)\b)\w+ ){{0,2}}{_ITEM_EN}",
               rf"{_DAMAGE_VERB_EN} (?:my|our|her|his|their|your|the|a|both|all|out) (?:\S+ ){{0,2}}{_ITEM_EN}",
               rf"(?:{_ITEM_EN}|the|a|my|its|her|his|our|one) {_PART_EN} (?:\w+ ){{0,3}}(?:broke|broken|snapped|"
               r"ripped|torn|busted|cracked|bent|missing|came off|fell off)",
               rf"(?:broken|busted|snapped|missing|cracked|bent) (?:\w+ )?{_PART_EN}",
               rf"{_ITEM_EN}\b[^.!?]{{0,80}}?\b(?:damages?(?! control)|repair(?:s|ed)?)",
               rf"(?:damages?|repairs?) (?:to|on|of|for) (?:\S+ ){{0,3}}{_ITEM_EN}",
               r"(?:throw(?:s|ing|n)?|threw|toss(?:es|ed|ing)?) (?:\S+ ){0,2}(?:bags|luggage|baggage|suitcases|"
               r"guitars?|instruments?)",
               r"#\w*(?:damaged?|broken|breaks|smashed)(?:bags?|luggage|baggage|suitcases?|guitars?)\w*"],
        "de": [rf"{_ITEM_DE}\W+(?:\w+\W+){{0,5}}(?:beschadigt|kaputt|zerstort|gerissen|zerbeult|demoliert|"
               r"zerkratzt|eingedellt|aufgerissen|gebrochen|abgebrochen|durchnasst|klatschnass|nass)",
               rf"(?:beschadigte[nrs]?|kaputte[nrs]?|zerstorte[nrs]?|demolierte[nrs]?|zerbeulte[nrs]?) "
               rf"(?:\w+ )?{_ITEM_DE}",
               r"(?:rollen?|rad|rader|griff|henkel|reissverschluss) (?:\w+\W+){0,3}(?:abgebrochen|abgerissen|"
               r"kaputt|gebrochen)", r"(?:gepack|koffer)schad\w*",
               rf"schaden (?:an|am) (?:\w+ ){{0,2}}{_ITEM_DE}", rf"{_ITEM_DE}\W+(?:\w+\W+){{0,5}}schaden"],
        "fr": [rf"{_ITEM_FR}\W+(?:\S+\W+){{0,5}}(?:endommagee?s?|cassee?s?|abimee?s?|dechiree?s?|detruite?s?|"
               r"defoncee?s?|eventree?s?|fissuree?s?|enfoncee?s?|trempee?s?|bousillee?s?|en morceaux)",
               rf"(?:casse|abime|endommage|detruit|dechire|defonce|bousille|esquinte)e?s? (?:ma|mon|mes|notre|nos|"
               rf"la|le|les|leurs?) (?:\S+ )?{_ITEM_FR}",
               r"(?:roues?|roulettes?|poignees?|fermeture eclair|anse) (?:\S+ ){0,4}(?:cassee?s?|arrachee?s?|"
               r"manquante?s?|tordue?s?)",
               rf"(?:dommages?|degats?) (?:sur|a|au|aux) (?:\S+ ){{0,2}}{_ITEM_FR}",
               rf"{_ITEM_FR}\W+(?:\S+\W+){{0,5}}(?:dommages?|degats)"],
    },
    "delay": {
        "en": [r"delay(?:s|ed)?", r"late ?flight", r"(?:hours?|hrs?|mins?|minutes) late", r"running late",
               r"missed (?:my |our |the )?connect\w*", r"(?:stuck|sitting|waiting) on (?:the )?tarmac"],
        "de": [r"versp[aä]t(?:et|ung|ungen)", r"anschluss(?:flug)? verpasst"],
        "fr": [r"retard(?:s|e|ee|es)?", r"correspondance (?:ratee|manquee)", r"toujours pas parti",
               r"pas encore parti", r"bloquee?s? (?:a|au|dans|sur) "],
    },
    "cancellation": {
        "en": [r"cancel+(?:ed|ing|ations?)", r"cxl+d", r"cncl+e?d"],
        # "ausgefallen" alone is any outage ("das Gepäcksystem ist ausgefallen"): only a flight's counts
        "de": [r"(?:flug|flieger|verbindung|ruckflug|anschluss)\w* (?:\w+ ){0,4}(?:ist |wurde )?ausgefallen",
               r"\b[a-z]{2} ?\d{2,4} (?:\w+ ){0,2}(?:ist |wurde )?ausgefallen", r"ausgefallene[nr]? flug",
               r"annulliert", r"gestrichen", r"flugausfall", r"\bausfall\b"],
        "fr": [r"annule(?:e|s|es)?", r"annulation"],
    },
    "refund": {
        "en": [r"refund(?:s|ed)?", r"reimburse\w*", r"compensation", r"money back", r"charged (?:me )?twice",
               r"double[- ]charged", r"chargeback", r"where(?:'s| is) (?:my|our) money",
               r"(?:want|need|get|give me|deserve) (?:my|our) money", r"(?:my|our) money back",
               r"(?:took|taken) (?:[£$€] ?\d+|\d+ ?(?:pounds|dollars|euros?)) (?:from|out of) (?:my|our)"],
        "de": [r"erstattung", r"ruckerstattung", r"erstatte\w*", r"entschadigung", r"geld zuruck",
               r"(?:doppelt|zweimal) (?:abgebucht|belastet)", r"wo (?:ist|bleibt) (?:mein|unser) geld"],
        "fr": [r"rembourse\w*", r"indemnisation", r"indemnite", r"(?:debite|preleve)e?s? (?:deux|2) fois",
               r"me doi(?:t|vent)", r"ou est (?:mon|notre) argent", r"rende[zs](?:-moi)? (?:mon|notre) argent"],
    },
    "customer_service": {
        "en": [r"customer (?:service|care|support|relations)", r"on hold", r"hung up", r"call ?cent(?:er|re)",
               r"no (?:answer|response|reply)", r"nobody (?:answers|responds|helps)", r"agent", r"(?:phone|hold) line",
               r"(?:rude|unhelpful|unprofessional) (?:staff|agent|employee|rep|gate agent)"],
        "de": [r"kundenservice", r"kundendienst", r"hotline", r"warteschleife", r"keine antwort",
               r"nicht erreichbar", r"(?:personal|mitarbeiter\w*|schalter) (?:\w+ ){0,6}(?:unfreundlich|unverschamt)"],
        "fr": [r"service client", r"service apres-vente", r"hotline", r"aucune reponse", r"pas de reponse",
               r"personne ne repond", r"impolitesse", r"(?:agent|personnel|employee?) (?:\S+ ){0,6}impolie?"],
    },
    "booking": {
        # Quoting a booking reference ('booking ref AB12CD') is not a booking problem.
        "en": [r"(?:re)?book(?:ing|ed)?(?! (?:ref|reference|number|no|code)\b)", r"reservations?",
               r"check ?-?in", r"website", r"ticket(?:s|ing)?",
               r"itinerary", r"change fee", r"confirmation"],
        "de": [r"(?:um)?buchung", r"(?:um)?buchen", r"gebucht", r"reservierung", r"einchecken", r"check-?in",
               r"ticket", r"webseite"],
        "fr": [r"reservation", r"reserver", r"billets?", r"enregistrement", r"site web",
               r"(?:votre|le) site (?:\S+ ){0,2}(?:plante|bug\w*|ne marche pas)", r"au moment du paiement"],
    },
    "seating": {
        "en": [r"seats?", r"seating", r"legroom", r"upgrade\w*", r"middle seat", r"aisle", r"window seat",
               r"exit row", r"bumped"],
        "de": [r"sitzpl[aä]tze?", r"sitz(?:e)?", r"beinfreiheit", r"platzreservierung", r"reihen verteilt",
               r"nicht (?:nebeneinander|zusammen) (?:sitzen|gesetzt)"],
        "fr": [r"sieges?", r"place assise", r"hublot", r"couloir", r"surclassement"],
    },
    "flight_attendant": {
        "en": [r"flight attendants?", r"cabin crew", r"\bfa\b", r"stewardess(?:es)?", r"steward", r"crew member"],
        "de": [r"flugbegleiter(?:in|innen)?", r"stewardess", r"kabinenpersonal", r"crew"],
        "fr": [r"hotesses?(?: de l'air)?", r"personnel navigant", r"steward", r"equipage"],
    },
    "baggage_fees": {
        "en": [r"bag(?:gage)? fees?", r"luggage fees?", r"checked bag fee", r"(?:charged|pay|paid) (?:\w+ ){0,3}"
               r"(?:for )?(?:my |a |the )?(?:carry-?on|checked bag|bag|luggage)", r"overweight (?:fee|bag|charge)",
               r"excess baggage", r"(?:second|2nd|third|3rd|additional) (?:checked )?(?:bag|suitcase|luggage)",
               r"an? extra (?:bag|suitcase|luggage)", r"counts? as (?:an )?extra",
               r"how much (?:is|for|does|do) (?:\w+ ){0,3}(?:bag|luggage|suitcase|baggage)"],
        "de": [r"gepackgebuhr\w*", r"ubergepack", r"(?:koffer|gepack) (?:\w+ ){0,2}(?:bezahlen|gebuhr|kosten)",
               r"(?:euro|eur) fur (?:ein |einen |das )?(?:handgepack|koffer)", r"handgepack\w* (?:\w+ ){0,6}kassiert"],
        "fr": [r"frais de bagages?", r"supplement bagages?", r"bagage en soute payant", r"excedent de bagages?",
               r"(?:kilo|kg) de trop", r"factur\w* (?:\S+ ){0,5}(?:bagage|valise)"],
    },
}


class KeywordTopicTagger:
    """Multi-label keyword topics; reads with the post's language plus English, or every language if unknown."""

    def __init__(self, taxonomy: Mapping[str, Mapping[str, Sequence[str]]] | None = None) -> None:
        taxonomy = AIRLINE_TAXONOMY if taxonomy is None else taxonomy
        self.topics: list[str] = list(taxonomy)
        self._rules: dict[str, dict[str, re.Pattern[str]]] = {
            topic: {lang: compile_terms(terms) for lang, terms in by_lang.items() if terms}
            for topic, by_lang in taxonomy.items()
        }
        terms = [term for by_lang in taxonomy.values() for ts in by_lang.values() for term in ts]
        self._any = compile_terms(terms) if terms else None  # most posts match no keyword: one search says so

    def tag(self, text: str, lang: str | None) -> list[str]:
        folded = fold(strip_urls(text))
        found: list[str] = []
        if self._any is None or not self._any.search(folded):
            return found
        for topic in self.topics:
            rules = self._rules[topic]
            langs = [lang, "en"] if lang in rules else list(rules)
            if any(code in rules and rules[code].search(folded) for code in langs):
                found.append(topic)
        return found

    def tag_many(self, texts: Sequence[str], langs: Sequence[str | None]) -> list[list[str]]:
        return [self.tag(text, lang) for text, lang in zip(texts, langs, strict=True)]


class ModelTopicTagger:
    """Trained one-vs-rest topics for English, plus keyword rules for taxonomy keys the model has no labels for.

    A topic is tagged when its probability reaches `threshold` (by default the one chosen on validation data and
    shipped with the model); the model was trained with "no topic" examples (negative airline tweets whose reason
    the annotators could not tell, GermEval documents about the company in general), so it may tag nothing.
    Outside `languages`, or when the language is unknown, the keyword rules decide: the model's only non-English
    labels are GermEval's few rail-specific German aspects (see MODEL_CARD.md), which tag airline posts at random.
    `predict_proba` takes a batch.
    """

    def __init__(self, features: Featurizer | None = None, model: LinearHead | None = None,
                 threshold: float | None = None, languages: tuple[str, ...] = ("en",)) -> None:
        self.features = features or featurizer()
        self.model = model or head("topics")
        self.threshold = self.model.threshold if threshold is None else threshold
        self.languages = languages
        self.all_keywords = KeywordTopicTagger()
        learned = set(self.model.classes)
        self.keywords = KeywordTopicTagger({k: v for k, v in AIRLINE_TAXONOMY.items() if k not in learned})
        self.topics = [*self.model.classes, *self.keywords.topics]

    def proba(self, text: str) -> FloatArray:
        """P(topic) per class of `self.model.classes`, each independent (0 for a post with nothing to read)."""
        row: FloatArray = self.predict_proba([text])[0]
        return row

    def learned(self, text: str) -> list[str]:
        """The model's topics alone, in any language (what `wakeful eval` measures)."""
        p = self.proba(text)
        return [c for c, q in zip(self.model.classes, p, strict=True) if q >= self.threshold]

    def tag(self, text: str, lang: str | None) -> list[str]:
        return self.tag_many([text], [lang])[0]

    def tag_many(self, texts: Sequence[str], langs: Sequence[str | None]) -> list[list[str]]:
        modelled = [i for i, lang in enumerate(langs) if lang in self.languages]
        p = self.predict_proba(texts)[modelled] >= self.threshold  # all texts: the batch's features are shared
        learned = {i: [c for c, yes in zip(self.model.classes, row, strict=True) if yes]
                   for i, row in zip(modelled, p.tolist(), strict=True)}
        return [learned[i] + self.keywords.tag(text, lang) if i in learned else self.all_keywords.tag(text, lang)
                for i, (text, lang) in enumerate(zip(texts, langs, strict=True))]

    def predict_proba(self, texts: Sequence[str]) -> FloatArray:
        """Rows of per-topic probabilities (columns in `self.model.classes` order) for a batch of texts; zeros for a
        post with nothing to read (`text.content_free`)."""
        batch = self.features.batch(texts)
        p = self.model.proba_many(batch)
        p[batch.unread] = 0.0
        return p
