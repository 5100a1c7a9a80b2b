"""The daily report's days are the desk's own (`report_timezone`), not UTC's: a lead in New York or Kolkata reads
'yesterday' as it was there, across a daylight-saving change and in zones half an hour off UTC, on both databases."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from fastapi.testclient import TestClient
from pydantic import ValidationError
from typer.testing import CliRunner

from wakeful.api.auth import Role, create_user
from wakeful.api.deps import Desk
from wakeful.cli import app
from wakeful.core.settings import Settings
from wakeful.desk.daily import daily_report
from wakeful.desk.reports import offsets

from tests.desk_fixtures import BRANDS, Headers
from tests.factories import make_post
from tests.signin import login

LOST = "@AuroraAirways you lost my bag on AU 2213, nobody answers. Still waiting for my suitcase!"
KOLKATA = ZoneInfo("Asia/Kolkata")
NEW_YORK = ZoneInfo("America/New_York")
DAY = datetime(2026, 3, 2, tzinfo=UTC)


def _local_midnight(day: datetime, zone: ZoneInfo) -> datetime:
    return day.replace(tzinfo=zone).astimezone(UTC)


def _ingest(desk: Desk, times: list[datetime]) -> None:
    desk.clock.set(max(times) + timedelta(minutes=1))  # type: ignore[attr-defined]  # no post from the future
    desk.ingest.ingest([make_post(f"p{i}", LOST, author=f"author{i}", at=at) for i, at in enumerate(times)])


def test_days_split_at_midnight_in_a_zone_half_an_hour_off_utc(desk: Desk) -> None:
    """18:20 and 18:40 UTC share an hour but not a day in Kolkata (23:50 and 00:10 IST): counting by UTC hour
    would put both on one day."""
    before, after = DAY.replace(hour=18, minute=20), DAY.replace(hour=18, minute=40)
    morning = DAY.replace(hour=2)  # 07:30 IST, the same local day as `before`
    _ingest(desk, [morning, before, after])
    since = _local_midnight(DAY.replace(tzinfo=None), KOLKATA)
    with desk.db.session() as s:
        local = daily_report(s, {"aurora"}, since, since + timedelta(days=2), desk.settings, KOLKATA)
        utc = daily_report(s, {"aurora"}, DAY, DAY + timedelta(days=2), desk.settings)
    assert [(r.day.isoformat(), r.posts, r.complaints, r.cases_opened) for r in local] == [
        ("2026-03-02", 2, 2, 2), ("2026-03-03", 1, 1, 1)]
    assert [(r.day.isoformat(), r.posts, r.cases_opened) for r in utc] == [("2026-03-02", 3, 3)]


def test_days_follow_a_daylight_saving_change(desk: Desk) -> None:
    """New York leaves daylight time on 1 November 2026 at 06:00 UTC: its midnight is 04:00 UTC before and
    05:00 UTC after, and each post counts on the local day it was written."""
    times = [datetime(2026, 11, 1, 3, 30, tzinfo=UTC),  # 23:30 EDT, 31 October
             datetime(2026, 11, 2, 4, 30, tzinfo=UTC),  # 23:30 EST, 1 November
             datetime(2026, 11, 2, 5, 30, tzinfo=UTC)]  # 00:30 EST, 2 November
    _ingest(desk, times)
    since = _local_midnight(datetime(2026, 10, 31), NEW_YORK)
    with desk.db.session() as s:
        rows = daily_report(s, {"aurora"}, since, since + timedelta(days=3), desk.settings, NEW_YORK)
    assert [(r.day.isoformat(), r.posts, r.cases_opened) for r in rows] == [
        ("2026-10-31", 1, 1), ("2026-11-01", 1, 1), ("2026-11-02", 1, 1)]
    assert offsets(NEW_YORK, since, since + timedelta(days=3)) == {timedelta(hours=-4), timedelta(hours=-5)}


@pytest.fixture
def settings(database_url: str) -> Settings:
    """The desk's reports run on Kolkata's days."""
    return Settings(database_url=database_url, brands=BRANDS, report_timezone="Asia/Kolkata")


def test_the_api_counts_days_in_the_desks_zone_or_the_one_asked_for(desk: Desk, client: TestClient,
                                                                    auth: Headers) -> None:
    _ingest(desk, [DAY.replace(hour=18, minute=20), DAY.replace(hour=18, minute=40)])
    agent = auth("ana")
    window = {"since": "2026-03-01T00:00:00Z", "until": "2026-03-05T00:00:00Z"}
    desk_days = client.get("/api/v1/stats/daily", params=window, headers=agent).json()
    assert [(d["day"], d["posts"]) for d in desk_days] == [("2026-03-02", 1), ("2026-03-03", 1)]
    utc_days = client.get("/api/v1/stats/daily", params=window | {"tz": "UTC"}, headers=agent).json()
    assert [(d["day"], d["posts"]) for d in utc_days] == [("2026-03-02", 2)]
    wrong = client.get("/api/v1/stats/daily", params=window | {"tz": "Mars/Olympus"}, headers=agent)
    assert wrong.status_code == 422
    assert "tz: unknown time zone 'Mars/Olympus'" in wrong.json()["detail"]


def test_an_unknown_report_zone_is_refused_with_how_to_name_one() -> None:
    with pytest.raises(ValidationError, match=r"unknown time zone 'Europe/Londn'.*IANA name"):
        Settings(report_timezone="Europe/Londn")
    assert Settings(report_timezone="Europe/London").report_zone == ZoneInfo("Europe/London")


def test_wakeful_report_shows_the_backlog_hours_in_the_desks_zone(desk: Desk, cli_runner: CliRunner,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    _ingest(desk, [DAY.replace(hour=9)])
    monkeypatch.setenv("WAKEFUL_REPORT_TIMEZONE", "Asia/Kolkata")
    result = cli_runner.invoke(app, ["report", "--hours", "2"])
    assert result.exit_code == 0, result.output
    assert "hour (Asia/Kolkata)" in result.output and "2026-03-02 14:30" in result.output  # 09:00 UTC


def test_the_reports_page_shows_the_desks_days(desk: Desk, client: TestClient) -> None:
    """At 20:00 UTC it is already 3 March in Kolkata: the page's default range ends on the local today, and the
    post written at 00:10 IST is that day's."""
    _ingest(desk, [DAY.replace(hour=18, minute=20), DAY.replace(hour=18, minute=40)])
    desk.clock.set(DAY.replace(hour=20))  # type: ignore[attr-defined]
    with desk.db.session() as s:
        create_user(s, "lee", "a-long-lead-password", "aurora", Role.LEAD, desk.clock.now())
    login(client, {"username": "lee", "password": "a-long-lead-password"})
    html = client.get("/reports").text
    assert 'id="until" name="until" type="date" value="2026-03-03"' in html
    assert "days run midnight to midnight, Asia/Kolkata" in html
    assert '<th scope="row">2026-03-02</th><td>1</td>' in html and '<th scope="row">2026-03-03</th><td>1</td>' in html
    assert "tz=Asia%2FKolkata" in html  # the daily CSV counts the same days
