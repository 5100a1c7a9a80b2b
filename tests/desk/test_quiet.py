"""A case waiting on a customer who has gone quiet is resolved by the tick; one with anything happening stays."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from wakeful.api.auth import Role, create_user
from wakeful.api.deps import Desk
from wakeful.cli_reports import resolved_text
from wakeful.core.names import SYSTEM_ACTORS
from wakeful.desk import click_farm, quiet, risk, routing, scheduled
from wakeful.desk.agent_report import desk_figures
from wakeful.desk.agents import AgentError, add_agent, person_name
from wakeful.desk.cases import CaseState
from wakeful.desk.daily import daily_report
from wakeful.desk.digest import build_digest, render
from wakeful.desk.quiet import resolve_quiet
from wakeful.desk.report_page import page_figures
from wakeful.desk.service import add_note, add_reply, set_state
from wakeful.store.models import AuthorRow, CaseEventRow, CaseRow

from tests.desk_fixtures import Headers
from tests.factories import T0, make_post
from tests.signin import login

LOST = "@AuroraAirways you lost my bag on AU 2213, nobody answers. Still waiting for my suitcase!"
NORD = "@NordRail mein Zug nach Hamburg ist ausgefallen und niemand hilft mir, das ist eine Frechheit!"
ANSWERED = T0 + timedelta(minutes=5)


def _cases(desk: Desk) -> dict[str, CaseRow]:
    with desk.db.session() as s:
        return {h: c for c, h in s.execute(select(CaseRow, AuthorRow.handle).join(AuthorRow))}


def _setup(desk: Desk) -> None:
    """ann and ben answered at ANSWERED (ben's case gets a note a day later); cat never answered."""
    desk.ingest.ingest([make_post(f"{h}1", LOST, author=h) for h in ("ann", "ben", "cat")])
    with desk.db.session() as s:
        rows = {h: c for c, h in s.execute(select(CaseRow, AuthorRow.handle).join(AuthorRow))}
        for handle in ("ann", "ben"):
            add_reply(s, rows[handle], "Sorry! Please DM us your booking reference.", "agent-1", ANSWERED)
        add_note(s, rows["ben"], "called the airport, bag located", "agent-1", ANSWERED + timedelta(hours=24))


def _tick(desk: Desk, at: datetime) -> dict[str, int]:
    with desk.db.session() as s:
        return scheduled.tick(s, at, desk.settings)


def test_a_case_quiet_for_the_settings_hours_is_resolved_once_with_its_reason(desk: Desk) -> None:
    _setup(desk)
    assert desk.settings.resolve_quiet_after_hours == 48
    assert _tick(desk, ANSWERED + timedelta(hours=47))["resolved_quiet"] == 0
    now = ANSWERED + timedelta(hours=49)
    assert _tick(desk, now)["resolved_quiet"] == 1
    assert _tick(desk, now + timedelta(minutes=1))["resolved_quiet"] == 0  # once
    cases = _cases(desk)
    assert cases["ann"].state == CaseState.RESOLVED.value and cases["ann"].resolved_at is not None
    assert cases["ann"].resolved_at.replace(tzinfo=None) == now.replace(tzinfo=None)
    assert cases["ben"].state == CaseState.WAITING.value  # the note a day later: not quiet yet
    assert cases["cat"].state == CaseState.NEW.value  # still waits for the desk: never resolved for quiet
    with desk.db.session() as s:
        event = s.scalars(select(CaseEventRow).where(CaseEventRow.case_id == cases["ann"].id,
                                                     CaseEventRow.kind == "state", CaseEventRow.actor == "desk")).one()
    assert event.actor == "desk" and event.data == {"previous": "waiting_on_customer", "state": "resolved"}
    assert event.text is not None and "48 h" in event.text and "reopens" in event.text
    assert _tick(desk, ANSWERED + timedelta(hours=73))["resolved_quiet"] == 1  # ben, 48 h after the note


def test_the_customers_next_post_in_the_thread_reopens_it(desk: Desk) -> None:
    _setup(desk)
    _tick(desk, ANSWERED + timedelta(hours=49))
    assert _cases(desk)["ann"].state == CaseState.RESOLVED.value
    desk.clock.advance(timedelta(hours=51))  # type: ignore[attr-defined]
    desk.ingest.ingest([make_post("ann2", "@AuroraAirways still no bag, where is it??", author="ann",
                                  reply_to="ann1", conversation="ann1", minutes=60 * 50)])
    assert _cases(desk)["ann"].state == CaseState.OPEN.value


def test_zero_hours_never_resolves_and_a_brand_filter_keeps_to_its_brands(desk: Desk) -> None:
    _setup(desk)
    later = ANSWERED + timedelta(days=30)
    never = desk.settings.model_copy(update={"resolve_quiet_after_hours": 0})
    with desk.db.session() as s:
        assert resolve_quiet(s, later, never) == 0
        assert resolve_quiet(s, later, desk.settings, brands={"nordrail"}) == 0
        assert resolve_quiet(s, later, desk.settings, brands={"aurora"}) == 2


def test_a_brands_own_hours_replace_the_desks(desk: Desk) -> None:
    """aurora resolves after 24 h, nordrail never (0), a brand no longer configured at the desk's 48 h."""
    _setup(desk)
    desk.ingest.ingest([make_post("n1", NORD, author="nils")])
    with desk.db.session() as s:
        nils = s.scalars(select(CaseRow).join(AuthorRow).where(AuthorRow.handle == "nils")).one()
        add_reply(s, nils, "Entschuldigung! Wir melden uns.", "agent-1", ANSWERED)
    brands = [b.model_copy(update={"resolve_quiet_after_hours": {"aurora": 24, "nordrail": 0}[b.key]})
              for b in desk.settings.brands]
    own = desk.settings.model_copy(update={"brands": brands})
    assert (own.quiet_hours_for("aurora"), own.quiet_hours_for("nordrail"), own.quiet_hours_for("gone")) == (24, 0, 48)
    with desk.db.session() as s:
        assert resolve_quiet(s, ANSWERED + timedelta(hours=23), own) == 0
        assert resolve_quiet(s, ANSWERED + timedelta(hours=25), own) == 1  # ann; ben's note was a day later
    with desk.db.session() as s:
        assert resolve_quiet(s, ANSWERED + timedelta(days=30), own) == 1  # ben; nils's brand never resolves
    cases = _cases(desk)
    assert [cases[h].state for h in ("ann", "ben", "nils")] == ["resolved", "resolved", "waiting_on_customer"]
    with desk.db.session() as s:
        reason = s.scalars(select(CaseEventRow.text).where(CaseEventRow.case_id == cases["ann"].id,
                                                           CaseEventRow.actor == "desk")).one()
    assert reason is not None and reason.startswith("waited 24 h on the customer")
    with desk.db.session() as s:  # with no brand configured but the one, the others read the desk's 48 h
        gone = desk.settings.model_copy(update={"brands": [b for b in brands if b.key == "aurora"]})
        assert resolve_quiet(s, ANSWERED + timedelta(days=30), gone) == 1  # nils


def test_the_reports_count_the_desks_quiet_resolutions_apart_from_a_persons(desk: Desk) -> None:
    """ann is resolved by the desk; cat by an agent; ben by the desk, then reopened by his post and resolved by an
    agent, so his resolution is the agent's."""
    _setup(desk)
    _tick(desk, ANSWERED + timedelta(hours=73))  # ann, then ben 48 h after his note
    with desk.db.session() as s:
        rows = {h: c for c, h in s.execute(select(CaseRow, AuthorRow.handle).join(AuthorRow))}
        set_state(s, rows["cat"], CaseState.RESOLVED, "agent-1", ANSWERED + timedelta(hours=2))
    desk.clock.advance(timedelta(hours=80))  # type: ignore[attr-defined]
    desk.ingest.ingest([make_post("ben2", "@AuroraAirways the bag never came", author="ben", reply_to="ben1",
                                  conversation="ben1", minutes=60 * 74)])
    with desk.db.session() as s:
        ben = s.scalars(select(CaseRow).join(AuthorRow).where(AuthorRow.handle == "ben")).one()
        assert ben.state == CaseState.OPEN.value
        set_state(s, ben, CaseState.RESOLVED, "agent-1", ANSWERED + timedelta(hours=75))
    since, until = T0 - timedelta(hours=1), T0 + timedelta(hours=23)
    with desk.db.session() as s:
        (row,) = daily_report(s, None, since, until, desk.settings)
        page = page_figures(s, None, desk.settings, since, until, since, until, team=True)
        overall = desk_figures(s, None, desk.settings, since, until)
        digest = render(build_digest(s, desk.settings, "aurora", T0.date(), ANSWERED + timedelta(hours=76)))
    assert (row.cases_opened, row.resolved, row.resolved_quiet) == (3, 3, 1)
    assert [(r.resolved, r.resolved_quiet) for r in page.daily] == [(3, 1)]
    # the resolution median is of what people resolved: cat after 2 h 5 min, ben after 75 h 5 min
    assert (overall.resolved, overall.resolved_quiet, overall.resolution_median_min) == (3, 1, (125 + 4505) / 2)
    assert page.team is not None and page.team.overall == overall and resolved_text(overall) == "3 (1 quiet)"
    assert "3 resolved (1 by the desk after the customer went quiet)" in digest


def test_nobody_can_sign_in_or_work_cases_under_a_name_the_desks_own_actions_use(desk: Desk) -> None:
    assert set(SYSTEM_ACTORS) == {quiet.ACTOR, click_farm.ACTOR, risk.ACTOR, routing.ROUTER, scheduled.ESCALATOR}
    with desk.db.session() as s:
        for name in ("desk", " Desk ", "SLA"):
            with pytest.raises(ValueError, match="the desk's own actions"):
                create_user(s, name, "a long enough password", "aurora", Role.AGENT, T0)
            with pytest.raises(AgentError, match="the desk's own actions"):
                add_agent(s, "aurora", name, T0)
        assert create_user(s, "desk-lead", "a long enough password", "aurora", Role.AGENT, T0) == "desk-lead"
        assert person_name("desk", "a team's name", acts=False) == "desk"  # a team acts on no case


def test_the_queue_tells_when_a_quiet_case_will_be_resolved(desk: Desk, client: TestClient, auth: Headers) -> None:
    """48 h after the later of its last post and its last change, as the tick reads it: ann was answered at
    ANSWERED, ben has a note a day later, cat waits for the desk and is never resolved for quiet."""
    _setup(desk)
    due = {"ann": ANSWERED + timedelta(hours=48), "ben": ANSWERED + timedelta(hours=72), "cat": None}
    listed = client.get("/api/v1/cases", headers=auth()).json()
    got = {c["author"]["handle"]: c["quiet_resolve_at"] for c in listed}
    assert {h: datetime.fromisoformat(v) if v else None for h, v in got.items()} == due
    with desk.db.session() as s:
        create_user(s, "lena", "a long enough password", "aurora", Role.AGENT, T0)
    assert login(client, {"username": "lena", "password": "a long enough password"}).status_code == 200
    page = client.get("/").text
    assert page.count("resolves if quiet") == 2 and "resolves if quiet 2026-03-04 09:05 UTC" in page
    assert _tick(desk, ANSWERED + timedelta(hours=48, minutes=-1))["resolved_quiet"] == 0
    assert _tick(desk, ANSWERED + timedelta(hours=48, minutes=1))["resolved_quiet"] == 1
