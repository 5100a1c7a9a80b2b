"""The queue's breach view and time left follow the brand's stored SLA policy, else the settings' targets."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from wakeful.api.deps import Desk
from wakeful.desk import scheduled
from wakeful.desk.scheduled import PolicyIn
from wakeful.desk.service import QueueFilters, list_cases, queue_counts

from tests.factories import T0, make_post

LOST = "@AuroraAirways you lost my bag on AU 2213, nobody answers. Still waiting for my suitcase!"
NORD = "@NordRail mein Zug nach Hamburg ist ausgefallen und niemand hilft mir, das ist eine Frechheit!"


def _policies(desk: Desk, brand: str, minutes: int, **extra: object) -> None:
    with desk.db.session() as s:
        for level in range(4):
            scheduled.set_policy(s, brand, PolicyIn.model_validate(
                {"priority": level, "first_response_minutes": minutes, **extra}))


def test_a_brand_policy_tighter_than_the_settings_marks_the_case_breached(desk: Desk) -> None:
    desk.ingest.ingest([make_post("a1", LOST, author="hasan"), make_post("n1", NORD, author="jonas")])
    _policies(desk, "aurora", 30)
    settings = desk.settings.model_copy(update={"first_response_target_minutes": [240, 240, 240, 240]})
    now = T0 + timedelta(minutes=45)
    with desk.db.session() as s:
        late = list_cases(s, None, now, settings, QueueFilters(breached=True))
        counts = queue_counts(s, None, now, settings)
        nord = list_cases(s, {"nordrail"}, now, settings)
    assert [c.brand for c in late] == ["aurora"]  # Nord Rail has no policy: 45 of the settings' 240 minutes
    assert late[0].sla_target_minutes == 30 and late[0].sla_left_minutes == -15
    assert counts.breached == 1 and counts.active == 2
    assert nord[0].sla_target_minutes == 240 and nord[0].sla_left_minutes == 195


def test_under_a_business_hours_policy_only_business_time_counts(desk: Desk) -> None:
    friday = datetime(2026, 3, 6, 16, 30, tzinfo=UTC)
    desk.clock.set(friday)  # type: ignore[attr-defined]  # the desk takes no post from its future
    desk.ingest.ingest([make_post("a1", LOST, author="hasan", at=friday)])
    _policies(desk, "aurora", 60, business_hours=True, timezone="UTC")
    with desk.db.session() as s:
        saturday = list_cases(s, {"aurora"}, friday + timedelta(hours=19, minutes=30), desk.settings)
        assert queue_counts(s, {"aurora"}, friday + timedelta(hours=19, minutes=30), desk.settings).breached == 0
        monday = datetime(2026, 3, 9, 9, 45, tzinfo=UTC)
        late = list_cases(s, {"aurora"}, monday, desk.settings, QueueFilters(breached=True))
    assert saturday[0].sla_left_minutes == 30  # 16:30-17:00 on Friday; the weekend does not count
    assert saturday[0].waiting_minutes is not None and saturday[0].waiting_minutes > 19 * 60
    assert len(late) == 1 and late[0].sla_left_minutes == -15
