"""`wakeful agents …`: staff the desk from the terminal (agents, shifts, away, teams, on-call, SLA policies), run
one round of the scheduled routing and escalation by hand, and print per-agent and per-team figures."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

import typer
from pydantic import ValidationError
from rich.console import Console
from rich.table import Table
from sqlalchemy.orm import Session

from wakeful.api.agents import MAX_MINUTES
from wakeful.api.settings import load_at_start
from wakeful.cli_common import open_db
from wakeful.cli_reports import print_people
from wakeful.core.settings import get_settings
from wakeful.desk import agents, routing, scheduled
from wakeful.desk.agent_report import agent_report
from wakeful.desk.agents import AgentError
from wakeful.desk.notify import BrandNotifier
from wakeful.desk.routing import RecordingNotifier
from wakeful.store.agents import AgentRow
from wakeful.store.db import Database

console = Console()
agents_app = typer.Typer(help="Agents, shifts, teams, on-call rota and SLA policies.", no_args_is_help=True)

Brand = Annotated[str, typer.Option(help="The brand's key")]


def _topics(db: Database, brand: str) -> set[str]:
    """The topic keys the brand's cases can be tagged with: the shipped taxonomy's, the trained model's, and the
    brand's own (from the file or saved in Settings)."""
    return agents.topic_keys(load_at_start(get_settings(), db).brand(brand))


def _person(session: Session, brand: str, name: str, role: str) -> str:
    """The stored name of an agent or user who can be paged for the brand; anyone else is refused."""
    try:
        return agents.person(session, brand, name, role, "`wakeful agents add` or `wakeful user add`")
    except AgentError as err:
        raise typer.BadParameter(str(err)) from None


def _one(session: Session, brand: str, name: str) -> AgentRow:
    row = agents.get_agent(session, brand, name)
    if row is None:
        raise typer.BadParameter(f"no agent {name!r} for brand {brand!r}")
    return row


@agents_app.command("add")
def add(
    name: Annotated[str, typer.Argument(help="The agent's name, as cases' assignee and their sign-in")],
    brand: Brand,
    lang: Annotated[list[str], typer.Option(help="A language the agent answers in (repeat)")] = ["en"],  # noqa: B006
    skill: Annotated[list[str] | None, typer.Option(help="A topic the agent handles best (repeat)")] = None,
    max_cases: Annotated[int, typer.Option(help="Most working cases at once")] = 5,
    tz: Annotated[str, typer.Option(help="The agent's IANA time zone, e.g. Europe/Berlin")] = "UTC",
    team: Annotated[str | None, typer.Option(help="Team name")] = None,
    shift: Annotated[str, typer.Option(help="Weekly shifts in the agent's zone, e.g. 'mon-fri 09:00-17:00'")] = "",
) -> None:
    """Add an agent."""
    db = open_db(brand)
    try:
        with db.session() as session:
            row = agents.add_agent(session, brand, name, datetime.now(UTC), languages=lang, skills=skill or [],
                                   max_cases=max_cases, timezone=tz, team=team, shifts=agents.parse_shifts(shift),
                                   topics=_topics(db, brand))
    except AgentError as err:
        raise typer.BadParameter(str(err)) from None
    console.print(f"agent {row.name} added to {brand}")


@agents_app.command("list")
def list_(brand: Annotated[str | None, typer.Option(help="Only this brand")] = None) -> None:
    """The agents, their shifts and who is on shift now."""
    now = datetime.now(UTC)
    table = Table("brand", "name", "team", "languages", "skills", "max", "zone", "shifts", "now")
    with open_db(brand).session() as session:
        for a in agents.list_agents(session, [brand] if brand else None):
            v = agents.view(a, now)
            shifts = ", ".join(f"{agents.DAYS[s.weekday]} {s.start}-{s.end}" for s in v.shifts)
            state = "away" if v.away else ("on shift" if v.on_shift else "off")
            table.add_row(v.brand, v.name, v.team or "-", ",".join(v.languages), ",".join(v.skills),
                          str(v.max_cases), v.timezone, shifts or "-", state)
    console.print(table)


@agents_app.command("shift")
def shift(name: str, brand: Brand,
          spec: Annotated[str, typer.Argument(help="e.g. 'mon-fri 09:00-17:00, sat 22:00-06:00'")]) -> None:
    """Replace an agent's weekly shifts."""
    try:
        with open_db(brand).session() as session:
            agents.set_shifts(_one(session, brand, name), agents.parse_shifts(spec))
    except AgentError as err:
        raise typer.BadParameter(str(err)) from None
    console.print(f"{name}: shifts set")


@agents_app.command("away")
def away(name: str, brand: Brand) -> None:
    """Mark an agent away; their working cases are re-routed now."""
    db = open_db(brand)
    sender = BrandNotifier(db, get_settings().notify)
    sender.resume()  # this run also sends what an earlier one (or a crashed server) left in the outbox
    with db.session() as session:
        row = _one(session, brand, name)
        row.away = True
        moved = routing.reroute_agent(session, row, datetime.now(UTC), sender, f"{name} is away")
    sender.close()
    console.print(f"{name} is away; {moved} case(s) re-routed")


@agents_app.command("available")
def available(name: str, brand: Brand) -> None:
    """Mark an agent available again."""
    with open_db(brand).session() as session:
        _one(session, brand, name).away = False
    console.print(f"{name} is available")


@agents_app.command("team")
def team(name: str, brand: Brand, lead: Annotated[str | None, typer.Option(help="The team's lead")] = None) -> None:
    """Create or change a team; its lead must be an agent or user of the brand (they are told of SLA risks)."""
    try:
        name = agents.person_name(name, "a team's name", acts=False)
    except AgentError as err:
        raise typer.BadParameter(str(err)) from None
    with open_db(brand).session() as session:
        lead = _person(session, brand, lead, "lead") if lead is not None else None
        agents.upsert_team(session, brand, name, lead)
    console.print(f"team {name} ({brand}), lead {lead or '-'}")


@agents_app.command("oncall")
def oncall(name: str, brand: Brand,
           start: Annotated[datetime, typer.Option("--from", help="Start, UTC")],
           until: Annotated[datetime, typer.Option(help="End, UTC")]) -> None:
    """Put someone (an agent or user of the brand) on call for the brand between two UTC times."""
    try:
        with open_db(brand).session() as session:
            name = _person(session, brand, name, "on-call")
            agents.add_oncall(session, brand, name, start.replace(tzinfo=UTC), until.replace(tzinfo=UTC))
    except AgentError as err:
        raise typer.BadParameter(str(err)) from None
    console.print(f"{name} on call for {brand} from {start:%Y-%m-%d %H:%M} to {until:%Y-%m-%d %H:%M} UTC")


@agents_app.command("sla")
def sla(
    brand: Brand,
    priority: Annotated[int, typer.Option(min=0, max=3, help="Priority level 0 low .. 3 urgent")],
    first: Annotated[int, typer.Option(min=1, max=MAX_MINUTES, help="First-response target, minutes")],
    next_: Annotated[int | None, typer.Option("--next", min=1, max=MAX_MINUTES, help="Next-response target, "
                                                                                    "minutes")] = None,
    resolution: Annotated[int | None, typer.Option(min=1, max=MAX_MINUTES, help="Resolution target, minutes")
                          ] = None,
    business_tz: Annotated[str | None, typer.Option(help="Count only business hours (09:00-17:00 Mon-Fri) "
                                                         "in this zone; default: around the clock")] = None,
    escalate_at: Annotated[float, typer.Option(help="Fraction of a target at which the lead is told, above 0 and "
                                                    "at most 1")] = 0.75,
) -> None:
    """Set the brand's SLA policy for one priority level."""
    try:
        body = scheduled.PolicyIn(priority=priority, first_response_minutes=first, next_response_minutes=next_,
                                  resolution_minutes=resolution, business_hours=business_tz is not None,
                                  timezone=business_tz or "UTC", escalate_fraction=escalate_at)
    except ValidationError as err:  # what the option ranges cannot say (a fraction above 0)
        problem = err.errors(include_url=False)[0]
        option = {"escalate_fraction": "'--escalate-at'"}.get(str(problem["loc"][0]), str(problem["loc"][0]))
        raise typer.BadParameter(f"{problem['msg']} (got {problem['input']!r})", param_hint=option) from None
    try:
        with open_db(brand).session() as session:
            scheduled.set_policy(session, brand, body)
    except AgentError as err:
        raise typer.BadParameter(str(err)) from None
    console.print(f"SLA for {brand} priority {priority}: first response {first} min")


@agents_app.command("tick")
def tick() -> None:
    """Run one round of re-routing, SLA escalation and resolving quiet cases now (the server does this every
    scheduler interval)."""
    settings = get_settings()
    db = open_db()  # like every other command: a missing database is said, not created empty
    sender = BrandNotifier(db, settings.notify)
    sender.resume()  # this run also sends what an earlier one (or a crashed server) left in the outbox
    notifier = RecordingNotifier(forward=sender)
    with db.session() as session:
        done = scheduled.tick(session, datetime.now(UTC), settings, notifier)
    sender.close()
    console.print(f"re-routed {done['rerouted']}, escalated {done['escalated']}, resolved {done['resolved_quiet']} "
                  "quiet")
    for event, payload in notifier.sent:
        console.print(f"  {event}: case {payload.get('case_id')} -> {payload.get('agent') or payload.get('leads')}")


def register(app: typer.Typer) -> None:
    """Add `wakeful agents …` to the `wakeful` app."""
    app.add_typer(agents_app, name="agents")


@agents_app.command("report")
def report(brand: Annotated[str | None, typer.Option(help="Only this brand")] = None) -> None:
    """Per agent and per team: cases, first response (median, p90), resolution median, SLA attainment."""
    settings = get_settings()
    with open_db(brand).session() as session:
        people, teams = agent_report(session, [brand] if brand else None, settings)
    print_people(people, teams, console)
