"""The desk as built for the server: new cases are routed once agents exist, and the SLA tick runs as a job."""

from __future__ import annotations

from sqlalchemy import select

from wakeful.api.app import run_jobs
from wakeful.api.deps import Desk
from wakeful.desk import agents
from wakeful.desk.agents import parse_shifts
from wakeful.store.models import CaseEventRow, CaseRow

from tests.factories import make_post

LOST = "@AuroraAirways you lost my bag on AU 2213, nobody answers. Still waiting for my suitcase!"


def test_without_agents_cases_wait_unassigned_and_unpaged(desk: Desk) -> None:
    desk.ingest.ingest([make_post("p1", LOST)])
    with desk.db.session() as s:
        case = s.scalars(select(CaseRow)).one()
        assert case.assignee is None
        assert s.scalars(select(CaseEventRow).where(CaseEventRow.kind == "routed")).all() == []


def test_with_an_agent_on_shift_a_new_case_is_routed_on_ingest(desk: Desk) -> None:
    with desk.db.session() as s:
        agents.add_agent(s, "aurora", "ana", desk.clock.now(), languages=["en"],
                         shifts=parse_shifts("mon-sun 00:00-23:59"))
    desk.ingest.ingest([make_post("p1", LOST)])
    with desk.db.session() as s:
        case = s.scalars(select(CaseRow)).one()
        routed = s.scalars(select(CaseEventRow).where(CaseEventRow.kind == "routed")).one()
    assert case.assignee == "ana" and "ana" in (routed.text or "")


def test_the_sla_tick_is_one_of_the_servers_jobs(desk: Desk) -> None:
    desk.ingest.ingest([make_post("p1", LOST)])
    assert desk.jobs, "the desk has no scheduled jobs"
    run_jobs(desk)  # runs without error on a desk with no agents or policies
