"""Suggested replies for a case: the brand's templates per topic in the customer's language, and the real replies
care teams gave to the most similar past messages (TF-IDF cosine over customer texts).

A suggestion is a draft the agent edits; it never repeats personal data in public (retrieved replies pass through
`redact`, and lose other customers' @handles), and when the matter needs a booking reference, an address or a
payment detail it offers to continue in a private message instead of asking for them in the open.
"""

from __future__ import annotations

import logging
import string
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.orm import Session

from wakeful.analyze.pii import find_pii, redact
from wakeful.analyze.text import flight_numbers
from wakeful.core.settings import Settings
from wakeful.desk.cases import customer_posts
from wakeful.desk.reply_index import MENTION_RE, URL_RE, ReplyIndex
from wakeful.store.models import CaseRow
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
log = logging.getLogger(__name__)


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
    programmes: Sequence[str] = ()
    """The brand's own loyalty programmes: a member number after one is personal data too."""


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
    return bool(NEEDS_PRIVATE_DETAILS & set(ctx.topics)) or bool(find_pii(ctx.text, ctx.programmes))


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
    if "\x00" in text:
        raise TemplateError("a template must not contain the NUL character (\\u0000)")
    problem = template_problem(text)
    if problem:
        raise TemplateError(problem)
    if MENTION_RE.search(text) or URL_RE.search(text) or find_pii(text):
        raise TemplateError("a template must not contain a @handle, a link or personal data")
    if not text.strip():
        raise TemplateError("a template needs some text")


def template_problem(text: str) -> str | None:
    """Why `_line` could not fill `text` with the brand and flight, or None: found when a lead saves the line, not
    as a 500 on every suggestion for its topic and language later."""
    try:
        fields = [(name, spec, conv) for _, name, spec, conv in string.Formatter().parse(text) if name is not None]
    except ValueError as err:
        return (f"unbalanced brace ({err}); write a placeholder as {{brand}} or {{flight}} and a literal brace as "
                "{{ or }}")
    names = {name for name, _, _ in fields}
    if any(not name or name.isdigit() for name in names):
        return "a positional placeholder ({} or {0}) has nothing to fill it; name it: {brand} or {flight}"
    unknown = names - PLACEHOLDERS
    if unknown:
        return f"unknown placeholder(s) {sorted(unknown)}; use {{brand}} or {{flight}}"
    if any(spec or conv for _, spec, conv in fields):  # "{brand:>99999999}" would fill memory, not a reply
        return "a placeholder takes no format or conversion (':...', '!r'); write just {brand} or {flight}"
    try:
        text.format(brand="Brand", flight="AU 1")  # what `_line` supplies
    except (ValueError, KeyError, IndexError, AttributeError) as err:
        return f"the line cannot be filled in: {err!r}"
    return None


def approved_lines(session: Session, brand: str) -> dict[tuple[str, str], tuple[str, str]]:
    """The brand's approved lines; one stored before `check_template` refused what cannot be filled in is left
    out (the desk's default line is suggested instead), so it cannot break the case's suggestions."""
    lines: dict[tuple[str, str], tuple[str, str]] = {}
    for r in session.scalars(select(ReplyTemplateRow).where(ReplyTemplateRow.brand == brand)):
        problem = template_problem(r.text)
        if problem:
            log.warning("reply template %s/%s/%s skipped: %s", brand, r.topic, r.lang, problem)
        else:
            lines[(r.topic, r.lang)] = (r.text, r.approved_by)
    return lines


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


MAX_CHEER_FOR_COMPLAINTS = 0.5
"""The most cheerful a past reply may read (the shipped sentiment score, -1..1) to be offered for a complaint: about
the 95th percentile of the replies care accounts sent, in the TWCS threads, to customers the model reads as negative
(0.49; 0.87 for those it reads as positive). Past it are "That's great to hear!" and "Thanks for joining us on
board!", which the customer's own tone does not keep out: the model read "Its working again" as negative."""


def suggest(ctx: CaseContext, index: ReplyIndex | None = None, k: int = 3) -> list[Suggestion]:
    """Template drafts first, then up to `k` adapted past replies addressed to this customer, only where the past
    replies are in the language the customer is answered in (the TWCS replies are English)."""
    out = template_replies(ctx)
    lang = ctx.lang if ctx.lang in LANGS else "en"
    if index is None or index.lang != lang:
        return out
    private = needs_private_channel(ctx)
    avoid = ("positive",) if ctx.complaint else ()  # never thanks for praise to a complaint
    cheer = MAX_CHEER_FOR_COMPLAINTS if ctx.complaint else None
    for score, reply, handle in index.similar(ctx.text, k, accounts=ctx.peers, topics=ctx.topics, avoid_tones=avoid,
                                              max_cheer=cheer):
        text = f"@{ctx.handle} {reply}"
        if private and "dm" not in reply.casefold() and "direct message" not in reply.casefold():
            text += " " + DM_OFFER[lang]
        out.append(Suggestion(text=text, source=f"similar:{handle}", score=round(score, 3),
                              private_channel=private))
    return out


def context_for_case(session: Session, case: CaseRow, settings: Settings) -> CaseContext:
    """The case's customer, brand, language, topics, latest customer text, whether any of their posts complains,
    the flight number they mentioned last, and the brand's approved lines.

    A merged case has several customer accounts (the same person on X and Mastodon): all their posts count, and
    the reply is addressed to the account that wrote last, since that is where it is sent (`service.add_reply`)."""
    posts = customer_posts(session, case)
    # Read from the redacted text: 'booking ref AB1234' or 'IBAN DE89 ...' would otherwise be "noted" as a flight in
    # a public reply.
    brand = settings.brand(case.brand)
    programmes = brand.loyalty_programmes if brand else []
    flights = [f for p in posts for f in flight_numbers(redact(p.text, programmes))]
    handle = posts[0].author.handle if posts else case.author.handle
    return CaseContext(handle=handle, brand_name=brand.name if brand else case.brand, lang=case.lang,
                       topics=list(case.topics), text=posts[0].text if posts else "",
                       complaint=any(p.complaint for p in posts) or not posts,
                       flight=flights[0] if flights else None, approved=approved_lines(session, case.brand),
                       peers=brand.reply_peers if brand else (), programmes=programmes)
