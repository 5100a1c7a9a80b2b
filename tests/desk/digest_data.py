"""A day at Aurora and Nord Rail in Berlin time, and server desks that send its morning report to loopback receivers."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

import pytest
from sqlalchemy import select

from wakeful.analyze import Analyzer
from wakeful.api.app import build_desk, run_jobs
from wakeful.api.deps import Desk
from wakeful.core.clock import FixedClock
from wakeful.core.notify_settings import NotifySettings
from wakeful.core.settings import Settings
from wakeful.desk import service
from wakeful.desk.cases import CaseState
from wakeful.desk.digest import EVENT
from wakeful.desk.notify import BrandNotifier
from wakeful.store.models import AuthorRow, CaseRow

from tests.desk.loopback import Inbox, Receiver
from tests.desk_fixtures import BRANDS
from tests.factories import make_post

SECRET = "digest-signing-key"
ZONE = "Europe/Berlin"
DAY = date(2026, 3, 2)
START = datetime(2026, 3, 1, 23, 0, tzinfo=UTC)
"""Midnight starting 2 March in Berlin (UTC+1 in winter): still 1 March in UTC."""
END = START + timedelta(days=1)
EIGHT = END + timedelta(hours=8)
"""08:00 on 3 March in Berlin, when the report for 2 March is due."""

LOST = "@AuroraAirways you lost my bag on flight AU {n}, still no answer. Where is my suitcase?"
GERMAN = "@AuroraAirways mein Koffer ist seit gestern verschwunden und niemand antwortet mir. Eine Frechheit!"
NORD = "@NordRail mein Zug nach Hamburg ist ausgefallen und niemand hilft mir, das ist eine Frechheit!"


def fill_day(desk: Desk) -> None:
    """Aurora's 2 March in Berlin: two posts after local midnight (1 March in UTC), one after the next midnight
    (not that day), a German complaint, five small accounts answered in 90 minutes and five with 50,000 followers
    answered in 10 (a two-tier gap), one case resolved; and a Nord Rail complaint."""
    posts = [make_post("early", LOST.format(n=1), author="early", at=START + timedelta(minutes=30)),
             make_post("early2", LOST.format(n=2), author="early2", at=START + timedelta(minutes=40)),
             make_post("late", LOST.format(n=3), author="late", at=END + timedelta(minutes=30)),
             make_post("de1", GERMAN, author="karl", at=START + timedelta(hours=10)),
             make_post("n1", NORD, author="jonas", at=START + timedelta(hours=11))]
    for i in range(5):
        for kind, followers, wait in (("quiet", 120, 90), ("loud", 50_000, 10)):
            at = START + timedelta(hours=9, minutes=i)
            posts.append(make_post(f"{kind}{i}", LOST.format(n=100 + i), author=f"{kind}{i}", followers=followers,
                                   at=at))
            posts.append(make_post(f"r-{kind}{i}", f"@{kind}{i} Sorry about your bag, please DM us your file "
                                   "reference.", author="AuroraHelp", followers=90_000,
                                   at=at + timedelta(minutes=wait), reply_to=f"{kind}{i}",
                                   conversation=f"{kind}{i}"))
    assert isinstance(desk.clock, FixedClock)
    desk.clock.set(END + timedelta(hours=1))
    desk.ingest.ingest(sorted(posts, key=lambda p: p.created_at))
    with desk.db.session() as s:
        case = s.scalars(select(CaseRow).join(AuthorRow, AuthorRow.id == CaseRow.author_id)
                         .where(AuthorRow.handle == "quiet0")).one()
        service.set_state(s, case, CaseState.RESOLVED, "ana", START + timedelta(hours=12))


ServerFactory = Callable[..., Desk]


@pytest.fixture
def servers(database_url: str, analyzer: Analyzer, receiver: Receiver,
            smtp: tuple[Inbox, int]) -> Iterator[ServerFactory]:
    """`start(at, **settings)`: a server desk (a process) on the test database, its clock at `at`, whose settings
    send the morning report at 08:00 Berlin time; Aurora's channels are a signed webhook and e-mail, Nord Rail has
    none. Every desk started is closed afterwards."""
    made: list[Desk] = []

    def start(at: datetime, **overrides: Any) -> Desk:
        notify = NotifySettings.model_validate({"backoff_s": 0, "brands": {"aurora": {
            "webhook_url": receiver.url, "webhook_secret": SECRET, "smtp_host": "127.0.0.1", "smtp_port": smtp[1],
            "smtp_to": ["lead@aurora.test"], "backoff_s": 0}}})
        options: dict[str, Any] = {"notify": notify, "report_timezone": ZONE, "report_digest_time": "08:00",
                                   **overrides}
        desk = build_desk(Settings(database_url=database_url, brands=BRANDS, **options), clock=FixedClock(at),
                          analyzer=analyzer)
        made.append(desk)
        return desk

    yield start
    for desk in made:
        if isinstance(desk.notifier, BrandNotifier):
            desk.notifier.close()
        desk.db.dispose()


def tick(desk: Desk, at: datetime) -> None:
    """One round of the server's scheduled jobs at `at`, waiting until what it sent has been delivered."""
    assert isinstance(desk.clock, FixedClock) and isinstance(desk.notifier, BrandNotifier)
    desk.clock.set(at)
    run_jobs(desk)
    desk.notifier.drain()


def reports(receiver: Receiver) -> list[tuple[dict[str, str], dict[str, Any]]]:
    """The morning reports the webhook received (headers, body), among whatever else the desk sent (SLA alerts)."""
    return [(headers, json.loads(body)) for headers, body in receiver.requests
            if headers.get("X-Wakeful-Event") == EVENT]


def report_mails(inbox: Inbox) -> list[EmailMessage]:
    """The morning reports mailed, by their subject (the report's headline), among the desk's other mail."""
    mails = [message_from_bytes(m.original_content or b"", policy=policy.default) for m in inbox.messages]
    return [m for m in mails if isinstance(m, EmailMessage) and str(m["Subject"]).startswith("[wakeful] Aurora ")]
