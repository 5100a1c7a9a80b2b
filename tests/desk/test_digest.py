"""The morning report reaches each brand's channels once a day from the set local time, with the reports' own
figures for the local yesterday, however many server processes tick and restart, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from functools import partial
from zoneinfo import ZoneInfo

import pytest
from pydantic import ValidationError
from sqlalchemy import select

from wakeful.api.deps import Desk
from wakeful.core.settings import Settings
from wakeful.desk.channels import SIGNATURE_HEADER, verify
from wakeful.desk.daily import breakdown, daily_report
from wakeful.desk.digest import EVENT, due_day
from wakeful.desk.fairness import fairness_report
from wakeful.store.notify import NotificationRow

from tests.desk.digest_data import (
    DAY,
    EIGHT,
    END,
    SECRET,
    START,
    ZONE,
    ServerFactory,
    fill_day,
    report_mails,
    reports,
    tick,
)
from tests.desk.loopback import Inbox, Receiver
from tests.desk.races import in_threads

BERLIN = ZoneInfo(ZONE)
DAY_UTC = datetime(2026, 3, 2, tzinfo=UTC)


def _report_rows(desk: Desk) -> list[NotificationRow]:
    with desk.db.session() as s:
        rows = list(s.scalars(select(NotificationRow).where(NotificationRow.event == EVENT)))
        s.expunge_all()
    return rows


def test_at_eight_each_brand_with_a_channel_gets_yesterdays_figures_once(
        desk: Desk, servers: ServerFactory, receiver: Receiver, smtp: tuple[Inbox, int]) -> None:
    fill_day(desk)
    server = servers(EIGHT - timedelta(hours=2))
    tick(server, EIGHT - timedelta(minutes=1))  # 07:59 in Berlin
    assert reports(receiver) == [] and report_mails(smtp[0]) == []

    tick(server, EIGHT)
    [(headers, body)] = reports(receiver)  # Aurora's; Nord Rail has no channel
    raw = next(b for h, b in receiver.requests if h.get("X-Wakeful-Event") == EVENT)
    assert verify(SECRET, raw, headers[SIGNATURE_HEADER])
    payload = body["payload"]
    assert (payload["brand"], payload["day"], payload["timezone"]) == ("aurora", "2026-03-02", ZONE)
    since, until = START, END  # Berlin's 2 March
    with desk.db.session() as s:
        [row] = daily_report(s, {"aurora"}, since, until, desk.settings, BERLIN)
        [utc_row] = daily_report(s, {"aurora"}, DAY_UTC, DAY_UTC + timedelta(days=1), desk.settings)
        kinds = breakdown(s, {"aurora"}, since, until)
        fair = fairness_report(s, {"aurora"}, since, until)
    assert payload["daily"] == row.model_dump(mode="json")
    assert row.posts != utc_row.posts, "the test day must differ between Berlin and UTC"
    assert (row.cases_opened, row.answered, row.resolved) == (13, 10, 1)
    assert payload["negative_share"] == pytest.approx(row.negative / row.posts)
    assert payload["top_topics"] == dict(list(kinds.by_topic.items())[:5]) and payload["top_topics"]
    assert payload["top_languages"] == dict(list(kinds.by_language.items())[:5])
    assert set(payload["top_languages"]) >= {"en", "de"}
    assert fair.band_gap is not None and payload["reach_gap"]["gap"] == pytest.approx(fair.band_gap)
    assert payload["reach_gap"] | {"gap": None, "chance": None} == {
        "gap": None, "chance": None, "slowest": "<1k", "fastest": "10k-100k", "two_tier": True}
    now = payload["open_now"]  # the queue at 08:00: all 14 cases but the resolved one, 4 never answered
    assert (now["open"], now["unanswered"]) == (13, 4)
    assert now["oldest_unanswered_min"] == (EIGHT - (START + timedelta(minutes=30))).total_seconds() / 60
    assert payload["link"] == "/reports?since=2026-03-02&until=2026-03-02"

    [mail] = report_mails(smtp[0])
    text = payload["message"]
    assert mail["Subject"] == f"[wakeful] {text.splitlines()[0]}"
    assert mail.get_content().splitlines() == text.splitlines() and "{" not in text  # text, not JSON
    assert text.startswith("Aurora Airways, Monday 2 March 2026: ")
    assert "Cases 13 opened, 10 answered, 1 resolved" in text
    assert "Report: /reports?since=2026-03-02&until=2026-03-02" in text

    tick(server, EIGHT + timedelta(seconds=30))  # the next tick of the same process
    assert len(reports(receiver)) == 1 and len(report_mails(smtp[0])) == 1


def test_another_process_and_a_restart_later_that_day_send_nothing_again(
        desk: Desk, servers: ServerFactory, receiver: Receiver, smtp: tuple[Inbox, int]) -> None:
    fill_day(desk)
    first, second = servers(EIGHT), servers(EIGHT)
    tick(first, EIGHT)
    tick(second, EIGHT + timedelta(seconds=10))  # a second server process on the same database
    restarted = servers(EIGHT + timedelta(hours=7))  # 15:00: the first server restarted
    tick(restarted, EIGHT + timedelta(hours=7))
    assert len(reports(receiver)) == 1 and len(report_mails(smtp[0])) == 1
    assert sorted(r.channel for r in _report_rows(desk)) == ["email", "webhook"]
    assert {r.status for r in _report_rows(desk)} == {"delivered"}


def test_processes_ticking_at_the_same_moment_send_one_report(
        desk: Desk, servers: ServerFactory, receiver: Receiver) -> None:
    """Each checks that the day's report was not sent and then adds it: without the lock around both, every
    process that checked before the first committed would send its own."""
    fill_day(desk)
    desks = [servers(EIGHT) for _ in range(4)]
    jobs = [next(j for j in d.jobs if getattr(j, "__name__", "") == "morning_report") for d in desks]
    errors = in_threads([partial(job, d, EIGHT) for job, d in zip(jobs, desks, strict=True)])
    for d in desks:
        d.notifier.drain()  # type: ignore[union-attr]
    assert errors == []
    assert sorted(r.channel for r in _report_rows(desk)) == ["email", "webhook"]
    assert len(reports(receiver)) == 1


def test_a_desk_down_at_eight_sends_when_it_is_back_that_day(
        desk: Desk, servers: ServerFactory, receiver: Receiver) -> None:
    fill_day(desk)
    back = EIGHT + timedelta(hours=5, minutes=12)  # 13:12 in Berlin
    tick(servers(back), back)
    [(_, body)] = reports(receiver)
    assert body["payload"]["day"] == "2026-03-02"
    assert body["payload"]["open_now"]["as_of"].startswith("2026-03-03T12:12")
    assert "Open at 13:12 Europe/Berlin: " in body["payload"]["message"]


def test_after_a_weeks_outage_only_the_latest_day_is_sent(
        desk: Desk, servers: ServerFactory, receiver: Receiver) -> None:
    fill_day(desk)
    back = EIGHT + timedelta(days=7, hours=2)  # 10:00 on 10 March in Berlin
    server = servers(back)
    tick(server, back)
    tick(server, back + timedelta(hours=1))
    assert [body["payload"]["day"] for _, body in reports(receiver)] == ["2026-03-09"]
    assert reports(receiver)[0][1]["payload"]["daily"]["posts"] == 0  # a quiet day is reported too


def test_the_report_is_off_unless_a_time_is_set(desk: Desk, servers: ServerFactory, receiver: Receiver) -> None:
    fill_day(desk)
    assert Settings(database_url=desk.settings.database_url).report_digest_time is None
    server = servers(EIGHT, report_digest_time=None)
    for hours in (0, 4, 15):
        tick(server, EIGHT + timedelta(hours=hours))
    assert reports(receiver) == [] and _report_rows(desk) == []


def test_the_time_setting_is_a_time_of_day_and_empty_turns_it_off(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WAKEFUL_REPORT_DIGEST_TIME", "")
    assert Settings().digest_time is None
    monkeypatch.setenv("WAKEFUL_REPORT_DIGEST_TIME", "07:30")
    assert Settings().digest_time == datetime(2026, 1, 1, 7, 30).time()
    for bad in ("8am", "24:00", "8:00:00"):
        with pytest.raises(ValidationError, match="HH:MM on a 24-hour clock"):
            Settings(report_digest_time=bad)


def test_the_due_day_is_yesterday_in_the_desks_zone_from_the_set_time() -> None:
    eight = datetime(2026, 1, 1, 8).time()
    assert due_day(EIGHT - timedelta(seconds=1), eight, BERLIN) is None
    assert due_day(EIGHT, eight, BERLIN) == DAY
    assert due_day(END - timedelta(minutes=1), eight, BERLIN) == DAY - timedelta(days=1)  # 23:59 on 2 March
    # New York leaves daylight time on 1 November 2026: 08:00 EST is 13:00 UTC, an hour later than the day before
    new_york = ZoneInfo("America/New_York")
    assert due_day(datetime(2026, 11, 2, 12, 59, tzinfo=UTC), eight, new_york) is None
    assert due_day(datetime(2026, 11, 2, 13, 0, tzinfo=UTC), eight, new_york) == datetime(2026, 11, 1).date()
