"""The simulated team: answers in priority order, records honest waits, and more agents answer sooner."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from wakeful.api.deps import Desk
from wakeful.core.clock import FixedClock
from wakeful.core.models import Post
from wakeful.desk.simulation import Team, run_team
from wakeful.ingest.service import IngestService
from wakeful.store.models import CaseRow

from tests.factories import T0, make_post

LOST = "@AuroraAirways you lost my bag on AU {n}, nobody answers. Still waiting for my suitcase!"
SAFETY = "@AuroraAirways smoke in the cabin on AU {n}, crew ignored it. I will call my lawyer."


def _posts(run: str) -> list[Post]:
    lost = [make_post(f"{run}l{n}", LOST.format(n=n), author=f"{run}u{n}", minutes=n / 2) for n in range(20)]
    return [*lost, make_post(f"{run}s1", SAFETY.format(n=1), author=f"{run}urgent", minutes=10.2)]


def _run(desk: Desk, agents: int, run: str = "") -> tuple[list[float], dict[str, CaseRow]]:
    clock = FixedClock(T0)
    ingestor = IngestService(desk.db, desk.ingest.analyzer, desk.settings, clock)
    outcome = run_team(_posts(run), ingestor, desk.db, desk.settings, clock, Team(agents=agents, seed=3), drain=True)
    with desk.db.session() as s:
        cases = {c.author.handle: c for c in s.scalars(select(CaseRow)) if c.author.handle.startswith(run)}
    return outcome.waits_min, cases


def test_every_case_posted_is_answered_once_and_the_urgent_one_first_after_it_arrives(desk: Desk) -> None:
    waits, cases = _run(desk, agents=2)
    assert len(cases) == 21
    answered = [c for c in cases.values() if c.first_response_at is not None]
    assert len(waits) == len(answered) == 21
    urgent_wait = cases["urgent"].first_response_at - cases["urgent"].opened_at  # type: ignore[operator]
    lost_waits = sorted(c.first_response_at - c.opened_at for c in answered if c.author.handle != "urgent")  # type: ignore[operator]
    assert urgent_wait < lost_waits[len(lost_waits) // 2]
    assert all(w >= 0 for w in waits)


def test_more_agents_answer_sooner(desk: Desk) -> None:
    few, _ = _run(desk, agents=1, run="a")
    many, _ = _run(desk, agents=8, run="b")
    assert sorted(many)[len(many) // 2] < sorted(few)[len(few) // 2]
    assert max(many) < timedelta(hours=1).total_seconds() / 60
