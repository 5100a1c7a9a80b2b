"""The demo's server, replaying a day at once with a simulated team, reads the replay's time, not the wall clock."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from wakeful import cli_demo
from wakeful.analyze.pipeline import Analyzer
from wakeful.api.app import build_desk, run_jobs
from wakeful.api.deps import Desk
from wakeful.core.clock import FixedClock, FollowClock, SystemClock
from wakeful.core.settings import Settings
from wakeful.desk.simulation import Team
from wakeful.ingest import scenario
from wakeful.ingest.replay import shift_to_end
from wakeful.store.db import migrate
from wakeful.store.models import CaseEventRow, CaseRow


@pytest.fixture
def demo_desk(settings: Settings, analyzer: Analyzer) -> Iterator[Desk]:
    migrate(settings.database_url)
    built = build_desk(settings, clock=FollowClock(SystemClock()), analyzer=analyzer)
    yield built
    built.db.dispose()


def test_escalations_during_an_instant_replay_follow_the_replayed_day(
        demo_desk: Desk, monkeypatch: pytest.MonkeyPatch) -> None:
    """The server's scheduler ticks while the replay runs. On the wall clock (the day shifted to end now) every case
    the simulated team has not reached yet read as hours overdue: the lead was told and on-call paged about cases
    answered minutes after they came in, in the replayed day's time."""
    morning = [p for p in scenario.generate_scenario(seed=7, hours=8) if p.observed_at().hour >= 6]
    posts = shift_to_end(morning, datetime.now(UTC))
    real_run_team = cli_demo.run_team
    ticks: list[datetime] = []

    def run_team_and_scheduler(*args: Any, progress: Callable[[int], None], **kwargs: Any) -> Any:
        def both(n: int) -> None:
            progress(n)
            ticks.append(demo_desk.clock.now())
            run_jobs(demo_desk)  # what the server's scheduler does meanwhile, at its own pace

        return real_run_team(*args, progress=both, **kwargs)

    monkeypatch.setattr(cli_demo, "run_team", run_team_and_scheduler)
    outcome = cli_demo._simulate_with_progress(demo_desk, posts, Team(agents=1))
    assert outcome.answered > 20 and len(ticks) > 20
    step = timedelta(minutes=1)  # the replay's time, minute by minute through the morning
    assert ticks == sorted(ticks) and ticks[0] <= posts[0].observed_at() + step
    assert ticks[-1] <= posts[-1].observed_at() + step
    with demo_desk.db.session() as session:
        escalated = session.execute(select(CaseEventRow.at, CaseRow.first_response_at)
                                    .join(CaseRow, CaseRow.id == CaseEventRow.case_id)
                                    .where(CaseEventRow.kind == "escalated",
                                           CaseEventRow.text.like("first_response%"))).all()
    assert escalated  # one agent is too few: some cases did wait, and those were escalated
    answered_first = [(at, first) for at, first in escalated if first is not None and first < at]
    assert not answered_first, f"{len(answered_first)} of {len(escalated)} escalated after their first response"
    assert abs(demo_desk.clock.now() - datetime.now(UTC)) < timedelta(seconds=5)  # the wall clock again after it


def test_follow_clock_reads_the_clock_it_follows() -> None:
    start = datetime(2026, 3, 2, 8, tzinfo=UTC)
    replay = FixedClock(start)
    clock = FollowClock(SystemClock())
    assert clock.speed == 1.0 and abs(clock.now() - datetime.now(UTC)) < timedelta(seconds=5)
    clock.follow(replay)
    replay.advance(timedelta(minutes=3))
    assert clock.now() == start + timedelta(minutes=3) and clock.speed == 0.0
