"""Suggested replies for a case: the brand's templates per topic in the customer's language, and the real replies
care teams gave to the most similar past messages (TF-IDF cosine over customer texts).

A suggestion is a draft the agent edits; it never repeats personal data in public (retrieved replies pass through
`redact`, and lose other customers' @handles), and when the matter needs a booking reference, an address or a
payment detail it offers to continue in a private message instead of asking for them in the open.
"""

from __future__ import annotations

import copy
import math
import re
from collections import Counter
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

import numpy as np
import numpy.typing as npt
from pydantic import BaseModel
from scipy import sparse
from sqlalchemy import select
from sqlalchemy.orm import Session

from wakeful.analyze.pii import find_pii, redact
from wakeful.analyze.topics import KeywordTopicTagger, TopicTagger
from wakeful.core.models import Post
from wakeful.core.settings import Settings
from wakeful.desk.incidents import FLIGHT
from wakeful.store.models import CasePostRow, CaseRow, PostRow
from wakeful.store.reply_templates import ReplyTemplateRow

LANGS = ("en", "de", "fr")
# Topics whose resolution needs details nobody should post publicly (booking reference, address, card).
NEEDS_PRIVATE_DETAILS = frozenset({"lost_luggage", "damaged_luggage", "refund", "booking", "cancellation",
                                   "baggage_fees"})

OPENING = {"en": "Hi @{handle}, thank you for contacting {brand}.",
           "de": "Hallo @{handle}, danke, dass Sie sich an {brand} wenden.",
           "fr": "Bonjour @{handle}, merci d'avoir contacté {brand}."}
DM_OFFER = {"en": "Please send us a direct message with your booking reference so we can look into it privately.",
            "de": "Bitte schicken Sie uns eine Direktnachricht mit Ihrer Buchungsnummer, dann prüfen wir das "
                  "vertraulich.",
            "fr": "Merci de nous écrire en message privé avec votre référence de réservation afin que nous "
                  "puissions vérifier en toute confidentialité."}
TOPIC_LINES: dict[str, dict[str, str]] = {
    "lost_luggage": {"en": "We are sorry your bag has not arrived; our baggage team will trace it.",
                     "de": "Es tut uns leid, dass Ihr Gepäck nicht angekommen ist; unser Gepäckteam sucht es.",
                     "fr": "Nous sommes désolés que votre bagage ne soit pas arrivé ; notre équipe le recherche."},
    "damaged_luggage": {"en": "We are sorry your luggage was damaged; we will help you with a claim.",
                        "de": "Es tut uns leid, dass Ihr Gepäck beschädigt wurde; wir helfen Ihnen bei der "
                              "Schadensmeldung.",
                        "fr": "Nous sommes désolés que votre bagage ait été endommagé ; nous vous aidons pour la "
                              "réclamation."},
    "delay": {"en": "We apologise for the delay and the disruption to your plans.",
              "de": "Wir entschuldigen uns für die Verspätung und die Unannehmlichkeiten.",
              "fr": "Nous vous prions de nous excuser pour ce retard et la gêne occasionnée."},
    "cancellation": {"en": "We are sorry your flight was cancelled; we will help you rebook.",
                     "de": "Es tut uns leid, dass Ihr Flug annulliert wurde; wir helfen Ihnen beim Umbuchen.",
                     "fr": "Nous sommes désolés pour l'annulation de votre vol ; nous vous aidons à le reprogrammer."},
    "refund": {"en": "We will check the status of your refund for you.",
               "de": "Wir prüfen gern den Stand Ihrer Erstattung.",
               "fr": "Nous allons vérifier où en est votre remboursement."},
    "customer_service": {"en": "We are sorry you could not reach us; we are here now and will help.",
                         "de": "Es tut uns leid, dass Sie uns nicht erreicht haben; jetzt sind wir für Sie da.",
                         "fr": "Nous sommes désolés que vous n'ayez pas pu nous joindre ; nous sommes là pour "
                               "vous aider."},
    "booking": {"en": "We will gladly help with your booking.",
                "de": "Wir helfen Ihnen gern bei Ihrer Buchung.",
                "fr": "Nous vous aidons volontiers pour votre réservation."},
    "seating": {"en": "We are sorry about your seat; let us see what we can do.",
                "de": "Das mit Ihrem Sitzplatz tut uns leid; wir schauen, was wir tun können.",
                "fr": "Nous sommes désolés pour votre siège ; voyons ce que nous pouvons faire."},
    "flight_attendant": {"en": "Thank you for telling us about your experience with our crew; we will pass it on.",
                         "de": "Danke für Ihre Rückmeldung zu unserer Crew; wir geben sie weiter.",
                         "fr": "Merci de votre retour sur notre équipage ; nous le transmettons."},
    "baggage_fees": {"en": "We will look at the baggage fee you were charged.",
                     "de": "Wir prüfen die berechnete Gepäckgebühr.",
                     "fr": "Nous allons vérifier les frais de bagage facturés."},
}
GENERAL = {"en": "We are sorry to hear this and will look into it.",
           "de": "Das tut uns leid, wir kümmern uns darum.",
           "fr": "Nous sommes désolés et allons nous en occuper."}
QUESTION = {"en": "Thanks for your question, we are happy to help.",
            "de": "Danke für Ihre Frage, wir helfen Ihnen gern.",
            "fr": "Merci pour votre question, nous vous aidons volontiers."}
FLIGHT_NOTED = {"en": "We have noted flight {flight}.", "de": "Wir haben den Flug {flight} notiert.",
                "fr": "Nous avons noté le vol {flight}."}
TOPICS = frozenset({*TOPIC_LINES, "general", "question"})
"""What a brand can approve a line for: each topic, 'general' (a complaint on no known topic) and 'question'."""
PLACEHOLDERS = frozenset({"brand", "flight"})
_PLACEHOLDER = re.compile(r"\{([^{}]*)\}")


class TemplateError(ValueError):
    """A template a brand may not approve, with the reason (unknown topic or placeholder, personal data)."""


@dataclass(frozen=True)
class CaseContext:
    """What a reply may use of a case: never the customer's texts themselves, only what they are about (and a
    flight number they gave, which is not personal data), plus the lines the brand has approved."""

    handle: str
    brand_name: str
    lang: str | None
    topics: Sequence[str]
    text: str  # the customer's latest words, used only to find similar past cases
    complaint: bool = True
    flight: str | None = None
    approved: Mapping[tuple[str, str], tuple[str, str]] = field(default_factory=dict)
    """(topic, language) -> (line, who approved it)."""
    peers: Sequence[str] = ()
    """Care accounts whose past replies suit this brand (its industry's); empty: any account."""


class Suggestion(BaseModel):
    text: str
    source: str  # "approved:<topic>" (the brand's line), "template:<topic>" (the desk's) or "similar:<handle>"
    score: float
    private_channel: bool
    approved_by: str | None = None
    note: str | None = None
    """Why the draft is not what the agent might expect, e.g. the brand's approved line could not be used."""


def needs_private_channel(ctx: CaseContext) -> bool:
    """True when the matter needs details that must not be posted, or the customer already posted some."""
    return bool(NEEDS_PRIVATE_DETAILS & set(ctx.topics)) or bool(find_pii(ctx.text))


def _line(ctx: CaseContext, topic: str, lang: str) -> tuple[str, str | None, bool, str | None]:
    """The line for a topic: the brand's approved one where it has one it can fill, else the desk's default
    (with the flight noted when the customer gave one). Returns (line, approved by, approved?, note)."""
    approved = ctx.approved.get((topic, lang))
    if approved is not None and ("{flight}" not in approved[0] or ctx.flight):
        return approved[0].format(brand=ctx.brand_name, flight=ctx.flight or ""), approved[1], True, None
    default = TOPIC_LINES[topic][lang] if topic in TOPIC_LINES else QUESTION[lang] if topic == "question" \
        else GENERAL[lang]
    noted = " " + FLIGHT_NOTED[lang].format(flight=ctx.flight) if ctx.flight else ""
    note = None if approved is None else \
        f"the line {approved[1]} approved names a flight, and this customer has not given one: ask for it"
    return default + noted, None, False, note


def template_replies(ctx: CaseContext) -> list[Suggestion]:
    """One draft per case topic (or a general one, or one for a question), in the case's language when there are
    lines for it, from the brand's approved lines first."""
    lang = ctx.lang if ctx.lang in LANGS else "en"
    private = needs_private_channel(ctx)
    topics = [t for t in ctx.topics if t in TOPIC_LINES] or ["general" if ctx.complaint else "question"]
    out = []
    for topic in topics:
        line, who, approved, note = _line(ctx, topic, lang)
        parts = [OPENING[lang].format(handle=ctx.handle, brand=ctx.brand_name), line]
        if private:
            parts.append(DM_OFFER[lang])
        out.append(Suggestion(text=" ".join(parts), source=f"{'approved' if approved else 'template'}:{topic}",
                              score=1.0, private_channel=private, approved_by=who, note=note))
    return out


def check_template(topic: str, lang: str, text: str) -> None:
    """Refuse what must not become a public reply: an unknown topic, language or placeholder, a @handle, a link or
    personal data (a template is sent to many customers; it names none of them)."""
    if topic not in TOPICS:
        raise TemplateError(f"unknown topic {topic!r}; one of {sorted(TOPICS)}")
    if lang not in LANGS:
        raise TemplateError(f"language {lang!r} has no reply opening; one of {list(LANGS)}")
    unknown = set(_PLACEHOLDER.findall(text)) - PLACEHOLDERS
    if unknown:
        raise TemplateError(f"unknown placeholder(s) {sorted(unknown)}; use {{brand}} or {{flight}}")
    if _MENTION.search(text) or _URL.search(text) or find_pii(text):
        raise TemplateError("a template must not contain a @handle, a link or personal data")
    if not text.strip():
        raise TemplateError("a template needs some text")


def approved_lines(session: Session, brand: str) -> dict[tuple[str, str], tuple[str, str]]:
    return {(r.topic, r.lang): (r.text, r.approved_by)
            for r in session.scalars(select(ReplyTemplateRow).where(ReplyTemplateRow.brand == brand))}


def list_templates(session: Session, brands: Collection[str] | None) -> list[ReplyTemplateRow]:
    stmt = select(ReplyTemplateRow).order_by(ReplyTemplateRow.brand, ReplyTemplateRow.topic, ReplyTemplateRow.lang)
    if brands is not None:
        stmt = stmt.where(ReplyTemplateRow.brand.in_(list(brands)))
    return list(session.scalars(stmt))


def approve_template(session: Session, brand: str, topic: str, lang: str, text: str, who: str,
                     now: datetime) -> ReplyTemplateRow:
    """Save (or replace) the brand's line for a topic and language, after `check_template`."""
    text = " ".join(text.split())
    check_template(topic, lang, text)
    row = session.scalars(select(ReplyTemplateRow).where(
        ReplyTemplateRow.brand == brand, ReplyTemplateRow.topic == topic, ReplyTemplateRow.lang == lang)).first()
    if row is None:
        row = ReplyTemplateRow(brand=brand, topic=topic, lang=lang)
        session.add(row)
    row.text, row.approved_by, row.approved_at = text, who, now
    session.flush()
    return row


def withdraw_template(session: Session, brand: str, topic: str, lang: str) -> bool:
    row = session.scalars(select(ReplyTemplateRow).where(
        ReplyTemplateRow.brand == brand, ReplyTemplateRow.topic == topic, ReplyTemplateRow.lang == lang)).first()
    if row is not None:
        session.delete(row)
    return row is not None


_TOKEN = re.compile(r"[a-z0-9']{2,}")
_MENTION = re.compile(r"(?<!\w)@\w+")
_URL = re.compile(r"https?://\S+")
_SIGNATURE = re.compile(r"(?:\^|\*|/|-|\u2013)\s?[A-Z][A-Za-z]{0,15}\s*$|\^\w+")  # "^JS", "-Teresa", "*TJF", "/BH"
_NAMED_GREETING = re.compile(r"^(Hi|Hello|Hey|Dear|Hallo|Bonjour)\s+[A-Z][a-z]+(?:\s[A-Z][a-z]+)?\s*([,!.])")
_NAME = r"(?!(?:There|Team|Tweet|Twitter|Everyone|All)\b)[A-Z][a-z]{1,14}"  # "Hi There" names nobody
_VOCATIVE_END = re.compile(rf",\s*{_NAME}(?=\s*[.!?)]|\s*$)")  # "... last flight, Kevin?"
_VOCATIVE_AFTER = re.compile(  # "Thanks Will!", "help Kevin.", "there for you Heather!", "Ty Andrew"
    rf"\b(Thanks|Thank you|Ty|Hey|Hi|Hello|Sorry|Dear|help|for you|to you|with you)\s+{_NAME}\b(?!\s*[A-Z&'-])")


def _tokens(text: str) -> list[str]:
    return _TOKEN.findall(_URL.sub(" ", _MENTION.sub(" ", text.casefold())))


def clean_reply(text: str) -> str:
    """A past reply made safe to reuse: no @handles or first names (they named another customer: in a greeting,
    after a comma at the end of a clause, or after thanks and the like), no agent signature, no links, personal
    data redacted, whitespace tidied."""
    text = re.sub(r"\s+", " ", redact(_URL.sub("", _MENTION.sub("", text)))).strip()
    text = _SIGNATURE.sub("", text).strip()
    text = _NAMED_GREETING.sub(r"\1\2", text)
    return _VOCATIVE_AFTER.sub(r"\1", _VOCATIVE_END.sub("", text))


class ReplyIndex:
    """TF-IDF vectors of past customer messages, each paired with the care account's first reply to it, and the
    message's topics under the keyword tagger (`topics[i]` for `pairs[i]`). Vectors are rows of one sparse matrix,
    so a query is one matrix-vector product, and `without` re-weighs the same counts for a smaller index."""

    def __init__(self, pairs: Sequence[tuple[str, str, str]], lang: str = "en",
                 tagger: TopicTagger | None = None) -> None:
        """`pairs` are (customer text, reply text, care account handle); `lang` is the replies' language."""
        self.pairs = list(pairs)
        self.lang = lang
        tagger = tagger or KeywordTopicTagger()
        self.topics = [frozenset(t) for t in tagger.tag_many([q for q, _, _ in self.pairs], [lang] * len(self.pairs))]
        self.vocabulary: dict[str, int] = {}
        rows: list[int] = []
        cols: list[int] = []
        values: list[float] = []
        for i, (q, _, _) in enumerate(self.pairs):
            for token, count in Counter(_tokens(q)).items():
                rows.append(i)
                cols.append(self.vocabulary.setdefault(token, len(self.vocabulary)))
                values.append(1 + math.log(count))
        self._tf = sparse.csr_matrix((values, (rows, cols)), shape=(len(self.pairs), len(self.vocabulary)),
                                     dtype=np.float64)
        self._weigh()

    def _weigh(self) -> None:
        self.known_topics: frozenset[str] = frozenset().union(*self.topics)
        n = self._tf.shape[0]
        df = np.bincount(self._tf.indices, minlength=self._tf.shape[1])
        self.idf = np.where(df > 0, np.log((1 + n) / (1 + df)) + 1, 0.0)  # a word no message has weighs nothing
        weighted = self._tf.multiply(self.idf[None, :]).tocsr()
        norms = np.sqrt(np.asarray(weighted.multiply(weighted).sum(axis=1)).ravel())
        self._vectors = sparse.diags(1 / np.where(norms > 0, norms, 1.0)) @ weighted

    def without(self, drop: Collection[int]) -> ReplyIndex:
        """The index of the other pairs (for leaving a thread out), weighed as if built from them alone."""
        dropped = set(drop)
        keep = [i for i in range(len(self.pairs)) if i not in dropped]
        other = copy.copy(self)  # the language and vocabulary are shared; the rows and their weights are not
        other.pairs = [self.pairs[i] for i in keep]
        other.topics = [self.topics[i] for i in keep]
        other._tf = self._tf[keep]
        other._weigh()
        return other

    def _query(self, text: str) -> npt.NDArray[np.float64]:
        q = np.zeros(len(self.vocabulary))
        for token, count in Counter(_tokens(text)).items():
            j = self.vocabulary.get(token)
            if j is not None:
                q[j] = (1 + math.log(count)) * self.idf[j]
        norm = math.sqrt(float(q @ q))
        return q / norm if norm else q

    @classmethod
    def from_threads(cls, posts: Iterable[Post], is_care: Iterable[str]) -> ReplyIndex:
        """Pairs each customer post with the first reply to it by a care account (handles in `is_care`)."""
        care = {h.casefold() for h in is_care}
        posts = list(posts)
        by_id = {p.id: p for p in posts}
        pairs: dict[str, tuple[str, str, str]] = {}
        for p in sorted(posts, key=lambda p: p.created_at):
            parent = by_id.get(p.reply_to_id or "")
            if (p.author.handle.casefold() in care and parent is not None and parent.id not in pairs
                    and parent.author.handle.casefold() not in care):
                pairs[parent.id] = (parent.text, p.text, p.author.handle)
        return cls(list(pairs.values()))

    def similar(self, text: str, k: int = 3, min_score: float = 0.1, accounts: Collection[str] = (),
                topics: Collection[str] = ()) -> list[tuple[float, str, str]]:
        """The `k` past replies whose customer message is closest to `text`: (cosine, reply, care handle).

        Only replies by `accounts` when some are named (a brand's industry peers), and when `topics` names a topic
        some past message is tagged with, only past messages sharing one of them: a reply on another matter is no
        draft."""
        return [(score, reply, self.pairs[i][2]) for score, i, reply in self.matches(text, k, min_score, accounts,
                                                                                     topics)]

    def matches(self, text: str, k: int = 3, min_score: float = 0.1, accounts: Collection[str] = (),
                topics: Collection[str] = ()) -> list[tuple[float, int, str]]:
        """`similar`, as (cosine, index into `pairs`, cleaned reply)."""
        allowed = {a.casefold() for a in accounts}
        wanted = self.known_topics & set(topics)
        cosine = self._vectors @ self._query(text) if self.pairs else np.zeros(0)
        scored = [(float(cosine[i]), i) for i in np.flatnonzero(cosine >= min_score).tolist()
                  if (not allowed or self.pairs[i][2].casefold() in allowed)
                  and (not wanted or wanted & self.topics[i])]
        scored.sort(key=lambda s: -s[0])
        out: list[tuple[float, int, str]] = []
        seen: set[str] = set()
        for score, i in scored:
            reply = clean_reply(self.pairs[i][1])
            if reply and reply not in seen:
                seen.add(reply)
                out.append((score, i, reply))
            if len(out) == k:
                break
        return out


def suggest(ctx: CaseContext, index: ReplyIndex | None = None, k: int = 3) -> list[Suggestion]:
    """Template drafts first, then up to `k` adapted past replies addressed to this customer, only where the past
    replies are in the language the customer is answered in (the TWCS replies are English)."""
    out = template_replies(ctx)
    lang = ctx.lang if ctx.lang in LANGS else "en"
    if index is None or index.lang != lang:
        return out
    private = needs_private_channel(ctx)
    for score, reply, handle in index.similar(ctx.text, k, accounts=ctx.peers, topics=ctx.topics):
        text = f"@{ctx.handle} {reply}"
        if private and "dm" not in reply.casefold() and "direct message" not in reply.casefold():
            text += " " + DM_OFFER[lang]
        out.append(Suggestion(text=text, source=f"similar:{handle}", score=round(score, 3),
                              private_channel=private))
    return out


def context_for_case(session: Session, case: CaseRow, settings: Settings) -> CaseContext:
    """The case's customer, brand, language, topics, latest customer text, whether any of their posts complains,
    the flight number they mentioned last, and the brand's approved lines."""
    posts = session.execute(
        select(PostRow.text, PostRow.complaint).join(CasePostRow, CasePostRow.post_id == PostRow.id)
        .where(CasePostRow.case_id == case.id, PostRow.author_id == case.author_id)
        .order_by(PostRow.created_at.desc())
    ).all()
    flights = [f"{a} {n}" for text, _ in posts for a, n in FLIGHT.findall(text)]
    brand = settings.brand(case.brand)
    return CaseContext(handle=case.author.handle, brand_name=brand.name if brand else case.brand, lang=case.lang,
                       topics=list(case.topics), text=posts[0][0] if posts else "",
                       complaint=any(c for _, c in posts) or not posts, flight=flights[0] if flights else None,
                       approved=approved_lines(session, case.brand), peers=brand.reply_peers if brand else ())
