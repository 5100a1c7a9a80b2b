"""The morning report, sent: each brand's figures for yesterday to its notification channels, once a day.

A team lead should learn how yesterday went without opening the dashboard. From `settings.report_digest_time`
(local, in `report_timezone`) each brand with a channel gets one `report.daily` event for the previous local day:
the reports page's daily figures, top topics and languages and the reach-band fairness gap (the same report
functions, so the numbers match the page), the queue as it stands when the report is sent, and a link to that day
on /reports. Webhooks get it as JSON; chat and mail its text (`message`, see `channels.readable`).

Once per brand and day, however many server processes tick and restart: the outbox row is the record that the day
was sent, and the check for it and the insert are one step under a lock (`store.notify.serialize`). Only ever
yesterday: a desk down at the set time sends when it is back the same day, and one back after a week's outage sends
the latest day, not a week of stale reports. The payload carries figures only, no customer's name or words.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import date, datetime, time, timedelta, tzinfo
from typing import Any, Protocol
from urllib.parse import urlencode

from pydantic import BaseModel
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from wakeful.core.clock import as_utc
from wakeful.core.settings import Settings, report_zone
from wakeful.desk.daily import DailyRow, breakdown, daily_report
from wakeful.desk.fairness import MIN_ANSWERED_FOR_GAP, TWO_TIER_RATIO, fairness_report
from wakeful.desk.reports import day_bounds
from wakeful.desk.routing import Notifier
from wakeful.desk.service import ACTIVE_STATES, queue_counts
from wakeful.store import notify as outbox
from wakeful.store.db import Database
from wakeful.store.models import CaseRow
from wakeful.store.notify import NotificationRow

log = logging.getLogger(__name__)

EVENT = "report.daily"
LOCK = "wakeful:" + EVENT
"""What processes that are about to send a morning report wait for (`store.notify.serialize`)."""
TOP = 5
"""Topics and languages named in a report: the few a lead reads at a glance."""


class OpenNow(BaseModel):
    """The queue when the report is made: what the lead walks into."""

    as_of: datetime
    open: int
    unanswered: int
    breached: int
    oldest_unanswered_min: float | None


class ReachGap(BaseModel):
    """The fairness report's gap between reach bands, when enough cases were answered to compare them."""

    gap: float
    chance: float | None
    slowest: str
    fastest: str
    two_tier: bool


class Digest(BaseModel):
    brand: str
    brand_name: str
    day: date
    timezone: str
    daily: DailyRow
    negative_share: float | None
    top_topics: dict[str, int]
    top_languages: dict[str, int]
    open_now: OpenNow
    reach_gap: ReachGap | None
    link: str

    @property
    def text(self) -> str:
        return render(self)

    def payload(self) -> dict[str, Any]:
        """What the event carries: the figures as JSON, and the text for chat and mail as `message`."""
        return {**self.model_dump(mode="json"), "message": self.text}


class DigestNotifier(Notifier, Protocol):
    """A notifier that can tell whether a brand's events reach anyone (`desk.notify.BrandNotifier`)."""

    def reaches(self, brand: str) -> bool: ...


def due_day(now: datetime, at: time, zone: tzinfo) -> date | None:
    """The day whose report is due at `now`: yesterday once the local time is `at` or later, else None."""
    local = as_utc(now).astimezone(zone)
    return local.date() - timedelta(days=1) if local.time() >= at else None


def _open_now(session: Session, brand: str, now: datetime, settings: Settings) -> OpenNow:
    counts = queue_counts(session, {brand}, now, settings)
    waiting, oldest = session.execute(select(func.count(), func.min(CaseRow.awaiting_since)).where(
        CaseRow.brand == brand, CaseRow.state.in_(ACTIVE_STATES), CaseRow.awaiting_since.is_not(None))).one()
    wait = max(0.0, (as_utc(now) - as_utc(oldest)).total_seconds() / 60) if oldest is not None else None
    return OpenNow(as_of=as_utc(now), open=counts.active, unanswered=waiting, breached=counts.breached,
                   oldest_unanswered_min=wait)


def build_digest(session: Session, settings: Settings, brand: str, day: date, now: datetime) -> Digest:
    """The brand's report for the local `day`, from the reports' own functions, and its queue at `now`."""
    zone = settings.report_zone
    since, until = day_bounds(day, zone)
    brands = {brand}
    rows = daily_report(session, brands, since, until, settings, zone)
    row = rows[0] if rows else DailyRow(day=day, posts=0, negative=0, positive=0, complaints=0, cases_opened=0,
                                        answered=0, first_response_median_min=None, first_response_p90_min=None,
                                        sla_met_share=None, resolved=0)
    kinds = breakdown(session, brands, since, until)
    fair = fairness_report(session, brands, since, until)
    reach_gap = None
    if fair.band_gap is not None:
        compared = [g for g in fair.by_band
                    if g.answered >= MIN_ANSWERED_FOR_GAP and g.first_response_median_min is not None]
        by_median = sorted(compared, key=lambda g: g.first_response_median_min or 0.0)
        reach_gap = ReachGap(gap=fair.band_gap, chance=fair.band_gap_chance, slowest=by_median[-1].group,
                             fastest=by_median[0].group, two_tier=fair.band_gap > TWO_TIER_RATIO)
    config = settings.brand(brand)
    return Digest(
        brand=brand, brand_name=config.name if config else brand, day=day, timezone=settings.report_timezone,
        daily=row, negative_share=row.negative / row.posts if row.posts else None,
        top_topics=dict(list(kinds.by_topic.items())[:TOP]), top_languages=dict(list(kinds.by_language.items())[:TOP]),
        open_now=_open_now(session, brand, now, settings), reach_gap=reach_gap,
        link="/reports?" + urlencode({"since": day.isoformat(), "until": day.isoformat()}),
    )


def minutes_text(value: float | None) -> str:
    """Minutes as a lead reads them: "42 min", "3.5 h" from two hours, "-" for none."""
    if value is None:
        return "-"
    return f"{value:.0f} min" if value < 120 else f"{value / 60:.1f} h"


def share_text(value: float | None) -> str:
    return "-" if value is None else f"{value:.0%}"


def _counts(counts: dict[str, int]) -> str:
    return ", ".join(f"{key} {n}" for key, n in counts.items()) or "none"


def render(d: Digest) -> str:
    """The report as a few lines a lead reads at a glance; the first is the headline (the mail's subject)."""
    r, zone = d.daily, d.timezone
    headline = f"{d.brand_name}, {d.day:%A} {d.day.day} {d.day:%B %Y}: {r.posts} posts, {r.cases_opened} new cases"
    if r.sla_met_share is not None:
        headline += f", SLA met {share_text(r.sla_met_share)}"
    lines = [headline,
             f"Posts {r.posts} ({share_text(d.negative_share)} negative), complaints {r.complaints}",
             f"Cases {r.cases_opened} opened, {r.answered} answered, {r.resolved} resolved"
             + (f" ({r.resolved_quiet} by the desk after the customer went quiet)" if r.resolved_quiet else "")]
    if r.answered:
        lines.append(f"First response median {minutes_text(r.first_response_median_min)}, p90 "
                     f"{minutes_text(r.first_response_p90_min)}; SLA met {share_text(r.sla_met_share)}")
    else:
        lines.append("First response: no case opened that day was answered")
    lines += [f"Top topics: {_counts(d.top_topics)}", f"Languages: {_counts(d.top_languages)}"]
    q = d.open_now
    oldest = f"; oldest unanswered waiting {minutes_text(q.oldest_unanswered_min)}" if q.unanswered else ""
    lines.append(f"Open at {q.as_of.astimezone(report_zone(zone)):%H:%M} {zone}: {q.open} cases, {q.unanswered} "
                 f"unanswered, {q.breached} past their SLA{oldest}")
    if d.reach_gap is not None:
        g = d.reach_gap
        verdict = f"over {TWO_TIER_RATIO}x: a two-tier service?" if g.two_tier else f"within {TWO_TIER_RATIO}x"
        lines.append(f"Reach bands: customers with {g.slowest} followers waited {g.gap:.1f}x as long as those "
                     f"with {g.fastest} (medians; {verdict})")
    lines.append(f"Report: {d.link}")
    return "\n".join(lines)


def sent(session: Session, brand: str, day: date, zone: tzinfo) -> list[NotificationRow]:
    """The outbox rows of the brand's report for `day` (one per channel); empty while it has not been sent. A
    report is made only once its day has ended, so only rows from then on are read."""
    return outbox.accepted(session, EVENT, day_bounds(day, zone)[1], brand=brand, day=day.isoformat())


def send_digest(db: Database, settings: Settings, notifier: Notifier, brand: str, day: date,
                now: datetime) -> bool:
    """Put the brand's report for `day` in the outbox unless any process has already: True when this call did.
    The figures are read outside the lock (a second or two on a busy desk); the check that counts and the insert
    are made under it, and the rows are sent once they have committed."""
    zone = settings.report_zone
    with db.session() as session:
        if sent(session, brand, day, zone):
            return False
        digest = build_digest(session, settings, brand, day, now)
    with db.session() as session:
        outbox.serialize(session, LOCK)
        if sent(session, brand, day, zone):
            return False
        notifier.notify(EVENT, digest.payload(), session)
    return True


class _DeskLike(Protocol):
    db: Database
    settings: Settings


def job(notifier: DigestNotifier) -> Callable[[_DeskLike, datetime], None]:
    """The server's scheduled job (`desk.jobs`): from the set time, yesterday's report for each brand with a channel.
    Remembers the brands done today, so later ticks of this process do not ask the database again."""
    done: set[tuple[str, date]] = set()

    def morning_report(desk: _DeskLike, now: datetime) -> None:
        settings = desk.settings
        at = settings.digest_time
        day = due_day(now, at, settings.report_zone) if at is not None else None
        if day is None:
            return
        done.intersection_update({k for k in done if k[1] == day})
        for brand in settings.brands:
            if (brand.key, day) in done or not notifier.reaches(brand.key):
                continue
            try:
                if send_digest(desk.db, settings, notifier, brand.key, day, now):
                    log.info("morning report for %s, %s, sent", brand.key, day)
                done.add((brand.key, day))
            except Exception:  # one brand's failure must not keep the others' reports back; retried next tick
                log.exception("morning report for %s, %s, could not be made", brand.key, day)

    return morning_report
