"""`wakeful agents …` refuses what would leave cases with nobody: a blank name, a language or skill no case carries,
a shift that starts when it ends, and a team lead or on-call slot naming someone the desk cannot reach."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select
from typer.testing import CliRunner, Result

from wakeful.api.auth import Role, create_user
from wakeful.api.deps import Desk
from wakeful.cli import app
from wakeful.core.settings import BrandConfig
from wakeful.desk import agents, brand_settings
from wakeful.desk.agents import AgentError
from wakeful.store.agents import AgentRow, OnCallRow, TeamRow

from tests.factories import T0


@pytest.fixture
def runner(cli_runner: CliRunner) -> CliRunner:
    return cli_runner


def run(runner: CliRunner, *args: str) -> Result:
    return runner.invoke(app, ["agents", *args])


def said(result: Result) -> str:
    return " ".join(result.output.split())


@pytest.mark.parametrize(("args", "error"), [
    (["add", ""], "an agent's name must not be blank"),
    (["add", "   "], "an agent's name must not be blank"),
    (["add", "x", "--lang", "klingon"], "unknown language code(s) ['klingon']"),
    (["add", "x", "--skill", "baggage"], "unknown skill(s) ['baggage']"),
    (["add", "x", "--shift", "mon 10:00-10:00"], "shift 'mon 10:00-10:00' ends when it starts"),
])
def test_an_agent_no_case_could_reach_is_refused(runner: CliRunner, desk: Desk, args: list[str], error: str) -> None:
    result = run(runner, *args, "--brand", "aurora")
    assert result.exit_code == 2 and error in said(result) and "Traceback" not in result.output
    with desk.db.session() as s:
        assert s.scalars(select(AgentRow)).all() == []


def test_names_languages_and_skills_are_normalised_and_a_whole_day_is_00_to_24(runner: CliRunner, desk: Desk) -> None:
    result = run(runner, "add", " sol ", "--brand", "aurora", "--lang", "EN", "--lang", "de ", "--skill", "Delay",
                 "--skill", "disruption", "--shift", "mon 00:00-24:00, tue 00:00-00:00")
    assert result.exit_code == 0 and "agent sol added" in said(result)
    with desk.db.session() as s:
        sol = agents.get_agent(s, "aurora", "sol")
        assert sol is not None and (sol.languages, sol.skills) == (["en", "de"], ["delay", "disruption"])
        monday_noon = T0.replace(hour=12)  # T0 is a Monday
        assert agents.on_shift(sol.shifts, "UTC", monday_noon)
        assert agents.on_shift(sol.shifts, "UTC", monday_noon + timedelta(days=1))
        assert not agents.on_shift(sol.shifts, "UTC", monday_noon + timedelta(days=2))


def test_a_brands_own_topics_are_skills_too(runner: CliRunner, desk: Desk) -> None:
    own = BrandConfig(key="aurora", name="Aurora Airways", handles=["AuroraAirways"],
                      topics={"miles_programme": ["Aurora Miles"]})
    assert "unknown skill(s) ['miles_programme']" in said(
        run(runner, "add", "mia", "--brand", "aurora", "--skill", "miles_programme"))
    with desk.db.session() as s:  # a lead adds the topic in Settings
        brand_settings.save(s, desk.file_settings, own, "root", desk.clock.now())
    assert run(runner, "add", "mia", "--brand", "aurora", "--skill", "miles_programme").exit_code == 0


def test_shifts_that_start_when_they_end_are_refused_when_changed_too(runner: CliRunner, desk: Desk) -> None:
    assert run(runner, "add", "ana", "--brand", "aurora", "--shift", "mon-fri 09:00-17:00").exit_code == 0
    result = run(runner, "shift", "ana", "--brand", "aurora", "sat 22:00-22:00")
    assert result.exit_code == 2 and "ends when it starts; for a whole day write 00:00-24:00" in said(result)
    with desk.db.session() as s:
        ana = agents.get_agent(s, "aurora", "ana")
        assert ana is not None and len(ana.shifts) == 5
        with pytest.raises(AgentError, match="ends when it starts"):  # the API's path, with shifts as a list
            agents.set_shifts(ana, [agents.Shift(weekday=0, start="10:00", end="10:00")])


@pytest.mark.parametrize("args", [
    ["oncall", "ghost", "--from", "2026-01-01T00:00", "--until", "2026-01-02T00:00"],
    ["team", "t1", "--lead", "ghost"],
])
def test_a_lead_or_on_call_nobody_can_reach_is_refused(runner: CliRunner, desk: Desk, args: list[str]) -> None:
    result = run(runner, *args, "--brand", "aurora")
    assert result.exit_code == 2 and "'ghost' is neither an agent of 'aurora' nor a user" in said(result)
    with desk.db.session() as s:
        assert s.scalars(select(OnCallRow)).all() == [] and s.scalars(select(TeamRow)).all() == []


def test_agents_and_users_of_the_brand_can_lead_and_be_on_call(runner: CliRunner, desk: Desk) -> None:
    with desk.db.session() as s:
        create_user(s, "Lena", "a long enough password", "aurora", Role.LEAD, desk.clock.now())
        create_user(s, "nils", "a long enough password", "nordrail", Role.LEAD, desk.clock.now())
    assert run(runner, "add", "olga", "--brand", "aurora").exit_code == 0
    assert "lead Lena" in said(run(runner, "team", "day", "--brand", "aurora", "--lead", "lena"))
    assert run(runner, "oncall", "olga", "--brand", "aurora", "--from", "2026-01-01T00:00",
               "--until", "2026-01-02T00:00").exit_code == 0
    assert run(runner, "team", "night", "--brand", "aurora", "--lead", "nils").exit_code == 2  # another brand's
    with desk.db.session() as s:
        assert s.scalars(select(TeamRow.lead)).all() == ["Lena"]
        assert s.scalars(select(OnCallRow.agent)).all() == ["olga"]


def test_add_agent_itself_refuses_blank_names_and_unserved_languages(desk: Desk) -> None:
    with desk.db.session() as s:
        with pytest.raises(AgentError, match="must not be blank"):
            agents.add_agent(s, "aurora", " ", desk.clock.now())
        with pytest.raises(AgentError, match="unknown language"):
            agents.add_agent(s, "aurora", "x", desk.clock.now(), languages=["xx"])
        with pytest.raises(AgentError, match="at least one language"):
            agents.add_agent(s, "aurora", "x", desk.clock.now(), languages=[])
        assert agents.add_agent(s, "aurora", " ana ", desk.clock.now(), languages=[" DE"]).name == "ana"
