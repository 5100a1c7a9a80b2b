"""Incidents: spikes found in the brand's posts, kept open while they last, and what the incident room shows.

`scan` runs after every ingest batch (a case hook), so an incident opens within seconds of the posts that make
it. Two detectors: the share test over the last hours (`risk.spikes`, works from the first day) and, once the
brand has days of history, the seasonal test (`risk.seasonal`: this half hour against the same half hour on past
days, scaled by weekday), whose history is built once a day per brand. A third kind of incident flags a burst of
posts from suspected fake accounts (`click_farm`), so a lead sees the click farm instead of a crisis; its posts
count towards no case's priority. The room shows the posts driving it, its curve, the words and flight
numbers people use, and a holding statement for a lead to edit and approve.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Collection, Iterable, Sequence
from datetime import date, datetime, timedelta

from pydantic import BaseModel
from sqlalchemy import select, true
from sqlalchemy.orm import Session

from wakeful.analyze.pii import redact
from wakeful.analyze.text import flight_numbers
from wakeful.core.clock import as_utc
from wakeful.core.settings import BrandConfig
from wakeful.desk import click_farm
from wakeful.desk.cases import CasesBusy, lock_cases, unheld
from wakeful.desk.reports import mentions
from wakeful.desk.risk import author_of
from wakeful.desk.service import ACTIVE_STATES, add_reply, legal_flags
from wakeful.risk import seasonal
from wakeful.risk.authenticity import SUSPECT, account_score
from wakeful.risk.spikes import NEGATIVE_KEY, VOLUME_KEY, Observation, Spike, SpikeConfig, detect
from wakeful.store.incidents import IncidentRow
from wakeful.store.models import CasePostRow, CaseRow, PostRow
from wakeful.store.notify import serialize

QUIET_CLOSE = timedelta(hours=2)
"""An incident with no spike for this long is closed; a new spike opens a new one."""
SERIES_STEP = timedelta(minutes=10)
LOCK = "wakeful:incident:"
"""With `brand:key` appended: what a batch about to open that incident holds (`serialize`; see `scan`)."""
_HISTORY: dict[tuple[str, str, date], seasonal.SlotCounts] = {}
"""Seasonal history per (database, brand, day): past days do not change, so it is read once a day."""

STATEMENTS = {
    "en": "We know some customers are affected by {what} right now. Our teams are working on it and we will "
          "update you here. If you are affected, please send us a direct message and we will help.",
    "de": "Wir wissen, dass einige Kundinnen und Kunden gerade von {what} betroffen sind. Unsere Teams arbeiten "
          "daran, wir informieren hier weiter. Bitte schreiben Sie uns eine Direktnachricht, wir helfen Ihnen.",
    "fr": "Nous savons que certains clients sont touchés en ce moment par {what}. Nos équipes y travaillent et "
          "nous vous tiendrons informés ici. Si vous êtes concerné, écrivez-nous en message privé.",
}
WHAT = {
    "en": {"lost_luggage": "missing baggage", "delay": "delays", "cancellation": "cancellations",
           NEGATIVE_KEY: "a service problem"},
    "de": {"lost_luggage": "fehlendem Gepäck", "delay": "Verspätungen", "cancellation": "Annullierungen",
           NEGATIVE_KEY: "einer Störung"},
    "fr": {"lost_luggage": "des bagages manquants", "delay": "des retards", "cancellation": "des annulations",
           NEGATIVE_KEY: "une perturbation"},
}
_STOP_TEXT = (
    "the a an and or to of in on at for is are was were be been it its this that with my our your you we i me no "
    "not have has had from by as but so just all any what why how who when can will would der die das und ist "
    "nicht ein eine mit von zu im auf den dem des für sich es ich wir sie le la les un une des et est pas de du en "
    "au aux pour sur avec nous vous il elle ce qui que"
)
STOPWORDS = frozenset(_STOP_TEXT.split())
WORD = re.compile(r"[^\W\d_]{3,}", re.UNICODE)


class IncidentSummary(BaseModel):
    id: int
    brand: str
    key: str
    opened_at: datetime
    last_seen_at: datetime
    open: bool
    summary: str
    statement_approved: bool


class SeriesPoint(BaseModel):
    at: datetime
    matching: int
    posts: int
    negative: int


class DrivingPost(BaseModel):
    at: datetime
    handle: str
    text: str
    lang: str | None
    case_id: int | None


class IncidentDetail(IncidentSummary):
    posts: list[DrivingPost]
    series: list[SeriesPoint]
    top_terms: list[tuple[str, int]]
    flights: list[tuple[str, int]]
    statement: str
    statement_by: str | None
    statement_at: datetime | None


def _observations(session: Session, brand: str, since: datetime, until: datetime) -> list[Observation]:
    stmt = select(PostRow.created_at, PostRow.complaint, PostRow.sentiment, PostRow.topics).where(
        mentions([brand]), PostRow.created_at >= since, PostRow.created_at < until)
    return [Observation(as_utc(at), bool(c), s == "negative", t or []) for at, c, s, t in session.execute(stmt)]


def _history(session: Session, brand: str, today: datetime, config: seasonal.SeasonalConfig
             ) -> seasonal.SlotCounts:
    key = (str(session.get_bind().engine.url), brand, today.date())
    if key not in _HISTORY:
        if len(_HISTORY) > 64:
            _HISTORY.clear()
        _HISTORY[key] = seasonal.SlotCounts().add(
            _observations(session, brand, today - timedelta(days=config.days), today))
    return _HISTORY[key]


def _seasonal_spikes(session: Session, brand: str, live: list[Observation], now: datetime,
                     config: seasonal.SeasonalConfig) -> list[Spike]:
    today = now.replace(hour=0, minute=0, second=0, microsecond=0)
    history = _history(session, brand, today, config)
    if history.first_slot() is None:
        return []
    counts = seasonal.SlotCounts()
    counts.slots.update(history.slots)
    counts.add(o for o in live if o.at >= today)
    return seasonal.detect(counts, now, config)


def scan(session: Session, brands: Iterable[str], now: datetime, config: SpikeConfig = SpikeConfig(),
         seasonal_config: seasonal.SeasonalConfig = seasonal.SeasonalConfig()) -> list[int]:
    """Open or extend incidents for spikes in the window ending now; close the quiet ones. Ids touched.

    An incident opens once across server processes, though two batches ingesting a crisis find its spike at the
    same moment: a batch that would open one takes the lock of its brand and key (held until the batch commits) and
    reads the open incidents again under it. It does not wait for the lock: it holds the row locks of its own
    posts and cases, which the holder may need, so where another batch holds it, that batch opens the incident
    and this one leaves it. Batches that only extend open incidents take no lock."""
    touched = []
    for brand in sorted(set(brands)):
        since = now - config.window * (config.history_windows + 1)
        live = _observations(session, brand, since, now + timedelta(seconds=1))
        found = {s.key: s for s in _seasonal_spikes(session, brand, live, now, seasonal_config)}
        found.update({s.key: s for s in detect(live, now, config)})
        burst = click_farm.burst(session, brand, now)
        if burst is not None:
            found[click_farm.BURST_KEY] = burst[0]
            click_farm.set_aside(session, brand, burst[1], now)
        for key in _unopened(session, brand, found):
            if not serialize(session, f"{LOCK}{brand}:{key}", wait=False):
                del found[key]  # another batch is opening it now; the next batch of the brand extends it
        for spike in found.values():  # `_record` reads the open incidents again, under the locks
            touched.append(_record(session, brand, spike, now))
        for row in session.scalars(select(IncidentRow).where(IncidentRow.brand == brand,
                                                             IncidentRow.closed_at.is_(None))):
            if as_utc(row.last_seen_at) < now - QUIET_CLOSE:
                row.closed_at = now
    return touched


def _unopened(session: Session, brand: str, found: Collection[str]) -> list[str]:
    """The spikes found that have no open incident yet, so that recording them would open one, in one order."""
    if not found:
        return []
    open_keys = set(session.scalars(select(IncidentRow.key).where(IncidentRow.brand == brand,
                                                                  IncidentRow.closed_at.is_(None))))
    return sorted(set(found) - open_keys)


def _record(session: Session, brand: str, spike: Spike, now: datetime) -> int:
    row = session.scalars(select(IncidentRow).where(
        IncidentRow.brand == brand, IncidentRow.key == spike.key, IncidentRow.closed_at.is_(None))).first()
    if row is None:
        row = IncidentRow(brand=brand, key=spike.key, opened_at=now, last_seen_at=now, peak_score=spike.score,
                          peak_observed=spike.observed, summary=spike.describe())
        session.add(row)
        session.flush()
    row.last_seen_at = now
    if spike.score > row.peak_score:
        row.peak_score, row.peak_observed, row.summary = spike.score, spike.observed, spike.describe()
    return row.id


def case_hook(session: Session, case_ids: set[int], now: datetime) -> None:
    """Scan the brands of the cases a batch touched (an ingest case hook)."""
    brands = set(session.scalars(select(CaseRow.brand).where(CaseRow.id.in_(case_ids))))
    scan(session, brands, now)


def _summary(row: IncidentRow) -> IncidentSummary:
    return IncidentSummary(
        id=row.id, brand=row.brand, key=row.key, opened_at=as_utc(row.opened_at),
        last_seen_at=as_utc(row.last_seen_at), open=row.closed_at is None, summary=row.summary,
        statement_approved=row.statement_at is not None,
    )


def list_incidents(session: Session, brands: Collection[str] | None, *, open_only: bool = False,
                   limit: int = 50) -> list[IncidentSummary]:
    stmt = select(IncidentRow).order_by(IncidentRow.opened_at.desc()).limit(limit)
    if brands is not None:
        stmt = stmt.where(IncidentRow.brand.in_(list(brands)))
    if open_only:
        stmt = stmt.where(IncidentRow.closed_at.is_(None))
    return [_summary(r) for r in session.scalars(stmt)]


class IncidentNotFound(LookupError):
    pass


def load(session: Session, incident_id: int, brands: Collection[str] | None) -> IncidentRow:
    row = session.get(IncidentRow, incident_id)
    if row is None or (brands is not None and row.brand not in brands):
        raise IncidentNotFound(incident_id)
    return row


def default_statement(key: str, languages: Iterable[str]) -> str:
    """A holding statement in each of the brand's languages, for the lead to edit."""
    parts = []
    for lang in languages:
        if lang in STATEMENTS:
            what = WHAT[lang].get(key, WHAT[lang][NEGATIVE_KEY])
            parts.append(STATEMENTS[lang].format(what=what))
    return "\n\n".join(parts or [STATEMENTS["en"].format(what=WHAT["en"][NEGATIVE_KEY])])


def brand_words(brand: BrandConfig | None) -> frozenset[str]:
    """The words of a brand's own names, handles and keywords, folded: every post names the brand, so among an
    incident's top terms they would only crowd out what happened."""
    if brand is None:
        return frozenset()
    said = [brand.key, brand.name, *brand.names, *brand.handles, *brand.keywords]
    joined = [re.sub(r"[\s_#@]", "", name) for name in said]  # as hashtags write them: #AuroraAirways
    return frozenset(w.casefold() for w in WORD.findall(" ".join(said + joined)))


def detail(session: Session, row: IncidentRow, languages: Iterable[str], config: SpikeConfig = SpikeConfig(),
           brand: frozenset[str] = frozenset(), programmes: Sequence[str] = ()) -> IncidentDetail:
    """The incident room's data; `brand` are words left out of the top terms (`brand_words`), `programmes` the
    brand's loyalty programmes, whose numbers are redacted with the rest of the personal data."""
    start = as_utc(row.opened_at) - config.window
    end = as_utc(row.last_seen_at) + timedelta(seconds=1)
    stmt = (
        select(PostRow, CasePostRow.case_id)
        .outerjoin(CasePostRow, CasePostRow.post_id == PostRow.id)
        .where(mentions([row.brand]), PostRow.created_at >= start - timedelta(hours=6), PostRow.created_at < end)
        .order_by(PostRow.created_at)
    )
    driving: list[DrivingPost] = []
    buckets: dict[datetime, SeriesPoint] = {}
    terms: Counter[str] = Counter()
    flights: Counter[str] = Counter()
    seen: set[int] = set()
    for post, case_id in session.execute(stmt):
        if post.id in seen:
            continue
        seen.add(post.id)
        at = as_utc(post.created_at)
        matches = _drives(row.key, post)
        slot = at - timedelta(seconds=at.timestamp() % SERIES_STEP.total_seconds())
        point = buckets.setdefault(slot, SeriesPoint(at=slot, matching=0, posts=0, negative=0))
        point.posts += 1
        point.negative += post.sentiment == "negative"
        point.matching += bool(matches)
        if matches and at >= start:
            # the room is seen by the whole team: no personal data, not even as a term
            shown = redact(post.text, programmes)
            driving.append(DrivingPost(at=at, handle=post.author.handle, text=shown, lang=post.lang,
                                       case_id=case_id))
            flights.update(flight_numbers(shown))  # redacted: not a booking ref read as a flight
            words = (m.casefold() for m in WORD.findall(_plain(shown)))
            terms.update(w for w in words if w not in STOPWORDS and w not in brand)
    return IncidentDetail(
        **_summary(row).model_dump(),
        posts=driving,
        series=[buckets[k] for k in sorted(buckets)],
        top_terms=terms.most_common(12),
        flights=flights.most_common(8),
        statement=row.statement or default_statement(row.key, languages),
        statement_by=row.statement_by,
        statement_at=as_utc(row.statement_at) if row.statement_at else None,
    )


def _drives(key: str, post: PostRow) -> bool:
    """Whether a post is one of those that make the incident."""
    if key == NEGATIVE_KEY:
        return post.sentiment == "negative"
    if key == click_farm.BURST_KEY:
        return account_score(author_of(post.author), as_utc(post.created_at)) >= SUSPECT
    return bool(post.complaint and (key == VOLUME_KEY or key in (post.topics or [])))


def _plain(text: str) -> str:
    """Without handles, links, hashtags' marks and redaction placeholders, which say nothing about what happened."""
    return re.sub(r"@\w+|https?://\S+|#|\[[a-z-]+\]", " ", text)


def approve_statement(row: IncidentRow, text: str, actor: str, now: datetime) -> None:
    row.statement, row.statement_by, row.statement_at = text, actor, now


def _waiting(session: Session, row: IncidentRow, config: SpikeConfig, lang: str | None) -> set[int]:
    """The ids of the incident's cases (holding a post that drives it) still waiting for the desk, in `lang`."""
    stmt = (select(PostRow, CasePostRow.case_id).join(CasePostRow, CasePostRow.post_id == PostRow.id)
            .join(CaseRow, CaseRow.id == CasePostRow.case_id)
            .where(mentions([row.brand]), PostRow.created_at >= as_utc(row.opened_at) - config.window,
                   PostRow.created_at <= as_utc(row.last_seen_at), CaseRow.brand == row.brand,
                   CaseRow.state.in_(ACTIVE_STATES), CaseRow.awaiting_since.is_not(None),
                   true() if lang is None else CaseRow.lang == lang))
    return {case_id for post, case_id in session.execute(stmt) if _drives(row.key, post)}


def answer_cases(session: Session, row: IncidentRow, actor: str, now: datetime,
                 config: SpikeConfig = SpikeConfig(), *, lang: str | None = None) -> list[int]:
    """Reply with the approved holding statement on every case of the incident still waiting for the desk, so the
    customers of one outage are answered at once instead of each breaching in the queue. Cases with legal flags
    are left for a reviewed reply of their own. With `lang`, only cases in that language: one statement is in one
    language, so a bilingual desk approves and sends one per language. The ids of the cases answered.

    Chosen again with their rows locked (`lock_cases`), as every action on a case is: else an agent's resolve or
    merge, a batch's post with legal flags or another lead's send committed meanwhile is overwritten (a merged case
    waiting again, a case answered twice). One that joins only then (a merge's target) is left out if busy and
    below those held."""
    if row.statement_at is None or not row.statement:
        raise ValueError("approve the incident's holding statement before sending it")
    busy: set[int] = set()
    while todo := unheld(session, ids := _waiting(session, row, config, lang) - busy):
        try:
            lock_cases(session, todo)
        except CasesBusy as err:
            busy |= err.ids  # the rest of `todo` is held now: the next round takes only cases that joined meanwhile
    answered = []
    for case in session.scalars(select(CaseRow).where(CaseRow.id.in_(ids)).order_by(CaseRow.id)).all():
        if not legal_flags(session, case):
            add_reply(session, case, row.statement, actor, now)
            answered.append(case.id)
    return answered
