"""Report counts the database makes: the volume chart's UTC hours and the daily report's UTC days whatever the
session's time zone, and the topic breakdown over posts grouped by their topic lists."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import text, update
from sqlalchemy.orm import Session

from wakeful.api.deps import Desk
from wakeful.desk.daily import breakdown, daily_report
from wakeful.desk.reports import volume_by_hour
from wakeful.store.models import PostRow

from tests.factories import T0, make_post

LOST = "@AuroraAirways you lost my bag on AU 2213, nobody answers. Still waiting for my suitcase!"
PRAISE = "@AuroraAirways thank you, the crew on AU 12 was wonderful and so kind!"
NORD = "@NordRail mein Zug nach Hamburg ist ausgefallen und niemand hilft mir, das ist eine Frechheit!"


def _off_utc(s: Session) -> None:
    if s.get_bind().dialect.name == "postgresql":
        s.execute(text("SET TIME ZONE 'Asia/Kolkata'"))  # +05:30: truncating local hours or days would shift them


def test_posts_are_counted_per_utc_hour_with_empty_hours_and_the_negative_ones(desk: Desk) -> None:
    desk.clock.set(T0 + timedelta(minutes=190))  # type: ignore[attr-defined]  # no post from the desk's future
    desk.ingest.ingest([
        make_post("a1", LOST, author="hasan", minutes=5), make_post("a2", LOST, author="bea", minutes=59.9),
        make_post("a3", PRAISE, author="cem", minutes=60), make_post("a4", LOST, author="dan", minutes=190),
        make_post("n1", NORD, author="jonas", minutes=30),
    ])
    with desk.db.session() as s:
        _off_utc(s)
        aurora = volume_by_hour(s, {"aurora"})
        both = volume_by_hour(s, None)
        later = volume_by_hour(s, {"aurora"}, since=T0 + timedelta(minutes=60), until=T0 + timedelta(minutes=190))
        none = volume_by_hour(s, {"aurora"}, since=T0 + timedelta(days=1))
    assert [(p.hour, p.posts, p.negative) for p in aurora] == [
        (T0, 2, 2), (T0 + timedelta(hours=1), 1, 0), (T0 + timedelta(hours=2), 0, 0), (T0 + timedelta(hours=3), 1, 1)]
    assert [p.posts for p in both] == [3, 1, 0, 1]
    assert [(p.hour, p.posts) for p in later] == [(T0 + timedelta(hours=1), 1)]
    assert none == []


def test_daily_posts_fall_on_their_utc_day_and_topics_count_every_post(desk: Desk) -> None:
    late = T0.replace(hour=23, minute=50)  # 05:20 the next day in Kolkata
    desk.clock.set(late + timedelta(minutes=20))  # type: ignore[attr-defined]  # no post from the desk's future
    desk.ingest.ingest([
        make_post("a1", LOST, author="hasan"), make_post("a2", LOST, author="bea", at=late),
        make_post("a3", PRAISE, author="cem", at=late, minutes=20), make_post("a4", LOST, author="dan", minutes=9),
    ])
    day = T0.replace(hour=0)
    with desk.db.session() as s:
        s.execute(update(PostRow).where(PostRow.platform_id == "a4").values(topics=None))
        _off_utc(s)
        rows = daily_report(s, {"aurora"}, day, day + timedelta(days=2), desk.settings)
        split = breakdown(s, {"aurora"}, day, day + timedelta(days=2))
    assert [(r.day, r.posts, r.negative, r.complaints) for r in rows] == [
        (day.date(), 3, 3, 3), ((day + timedelta(days=1)).date(), 1, 0, 0)]
    assert split.by_topic["lost_luggage"] == 2 and split.by_language == {"en": 4}
