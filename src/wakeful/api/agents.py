"""Agents, teams, on-call rota and SLA policies: leads and admins manage their brand's; agents read them and set
themselves away or available (going away hands their working cases on at once)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, status
from pydantic import AfterValidator, BaseModel, BeforeValidator, Field, field_validator, model_validator
from sqlalchemy.orm import Session

from wakeful.api.auth import Principal, Role
from wakeful.api.deps import AnyUser, DbSession, Desk, DeskDep, Lead, RowId
from wakeful.core.clock import as_utc
from wakeful.core.models import refuse_nul
from wakeful.desk import agents, replies, routing, scheduled, service
from wakeful.desk.agent_report import PersonStats, agent_report
from wakeful.desk.agents import AgentError, AgentView, Shift
from wakeful.desk.routing import Notifier, RecordingNotifier
from wakeful.store.agents import AgentRow
from wakeful.store.reply_templates import ReplyTemplateRow

router = APIRouter(prefix="/api/v1", tags=["agents"])


def _utc(value: datetime) -> datetime:
    if value.tzinfo is None:
        raise ValueError("give a time zone, e.g. 2026-03-02T09:00:00Z")
    return as_utc(value)


Instant = Annotated[datetime, AfterValidator(_utc)]


def _notifier(desk: Desk) -> Notifier:
    """The desk's notifier where the server wired one, else the recording default."""
    found: Notifier | None = getattr(desk, "notifier", None)
    return found or RecordingNotifier()


def _brand(who: Principal, requested: str | None, desk: Desk) -> str:
    """The brand a write goes to: the caller's own, or for an all-brands admin the one named in the body."""
    brand = requested or (who.brand if who.brands is not None else None)
    if brand is None:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, "name the brand: 'brand' is required for '*'")
    if who.brands is not None and brand not in who.brands:
        raise HTTPException(status.HTTP_403_FORBIDDEN, f"you may not manage brand {brand!r}")
    if desk.settings.brand(brand) is None:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, f"unknown brand {brand!r}")
    return brand


def _agent(session: Session, agent_id: int, who: Principal) -> AgentRow:
    try:
        return agents.load_agent(session, agent_id, who.brands)
    except agents.AgentNotFound:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"agent {agent_id} not found") from None


_ADD = "POST /api/v1/agents, or `wakeful user add`"


def _bad(err: AgentError) -> HTTPException:
    return HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, str(err))


def _shift_spec(value: Any) -> Any:
    """Shifts as a list, or as the CLI's text ('mon-fri 09:00-17:00, sat 22:00-06:00') that the settings page sends."""
    if isinstance(value, str):
        try:
            return agents.parse_shifts(value)
        except AgentError as err:
            raise ValueError(str(err)) from None
    return value


ShiftList = Annotated[list[Shift], BeforeValidator(_shift_spec)]


def _name(value: str) -> str:
    """A person's or team's name is a key (a case's assignee holds it): 'ana ' is 'ana', and a blank name, or one
    PostgreSQL cannot store, names nobody."""
    refuse_nul(value)
    if not value.strip():
        raise ValueError("must not be blank (only spaces)")
    return value.strip()


Name = Annotated[str, Field(min_length=1, max_length=128), AfterValidator(_name)]
Languages = Annotated[list[str], Field(min_length=1), AfterValidator(agents.served_languages)]


class AgentIn(BaseModel):
    name: Name
    brand: str | None = None
    team: str | None = None
    languages: Languages = ["en"]
    skills: list[str] = []
    max_cases: int = Field(default=5, ge=1, le=100)
    timezone: str = "UTC"
    shifts: ShiftList = []


class AgentPatch(BaseModel):
    team: str | None = None
    languages: Languages | None = None
    skills: list[str] | None = None
    max_cases: int | None = Field(default=None, ge=1, le=100)
    timezone: str | None = None
    shifts: ShiftList | None = None


class Availability(BaseModel):
    away: bool


class AvailabilityOut(BaseModel):
    agent: AgentView
    rerouted: int


class TeamIn(BaseModel):
    name: Name
    brand: str | None = None
    lead: Name | None = None


class TeamOut(BaseModel):
    brand: str
    name: str
    lead: str | None


class OnCallIn(BaseModel):
    agent: Name
    brand: str | None = None
    starts_at: Instant
    ends_at: Instant


class OnCallOut(BaseModel):
    brand: str
    agent: str | None


MAX_MINUTES = 366 * 24 * 60  # a target beyond a year is a typo, and past 2**31 PostgreSQL could not store it
Minutes = Annotated[int, Field(gt=0, le=MAX_MINUTES)]


def _minute(value: str) -> int:
    hours, minutes = value.split(":")
    return int(hours) * 60 + int(minutes)


def _time_of_day(value: str) -> str:
    if int(value.split(":")[1]) > 59 or _minute(value) > 24 * 60:
        raise ValueError(f"{value} is not a time of day; use 00:00 to 24:00")
    return value


TimeOfDay = Annotated[str, Field(pattern=r"^\d{2}:\d{2}$"), AfterValidator(_time_of_day)]


class PolicyIn(scheduled.PolicyIn):
    """The stored policy's fields, held to values under which time is counted: with no business day (or none of
    0-6) a business-hours clock would never run and no case would ever breach."""

    brand: str | None = None
    first_response_minutes: Minutes
    next_response_minutes: Minutes | None = None
    resolution_minutes: Minutes | None = None
    day_start: TimeOfDay = "09:00"
    day_end: TimeOfDay = "17:00"

    @field_validator("weekdays")
    @classmethod
    def _business_days(cls, value: list[int]) -> list[int]:
        if not value or any(day not in range(7) for day in value):
            raise ValueError(f"weekdays must be a non-empty list of days 0 (Monday) .. 6 (Sunday), not {value}")
        return value

    @model_validator(mode="after")
    def _hours_open(self) -> PolicyIn:
        if self.business_hours and _minute(self.day_end) <= _minute(self.day_start):
            raise ValueError(f"business hours must end after they start (day_start {self.day_start}, "
                             f"day_end {self.day_end})")
        return self


class PolicyOut(scheduled.PolicyIn):
    brand: str


class CaseSla(BaseModel):
    case_id: int
    timers: list[scheduled.TimerView]


@router.get("/agents", response_model=list[AgentView], summary="The brand's agents, with who is on shift now")
def list_agents(who: AnyUser, session: DbSession, desk: DeskDep) -> list[AgentView]:
    now = desk.clock.now()
    return [agents.view(a, now) for a in agents.list_agents(session, who.brands)]


@router.post("/agents", response_model=AgentView, status_code=201, summary="Add an agent (leads and admins)")
def add_agent(body: AgentIn, who: Lead, session: DbSession, desk: DeskDep) -> AgentView:
    brand = _brand(who, body.brand, desk)
    try:
        row = agents.add_agent(session, brand, body.name, desk.clock.now(), languages=body.languages,
                               skills=body.skills, max_cases=body.max_cases, timezone=body.timezone,
                               team=body.team, shifts=body.shifts,
                               topics=agents.topic_keys(desk.settings.brand(brand)))
    except AgentError as err:
        raise _bad(err) from None
    return agents.view(row, desk.clock.now())


@router.patch("/agents/{agent_id}", response_model=AgentView, summary="Change an agent (leads and admins)")
def change_agent(agent_id: RowId, body: AgentPatch, who: Lead, session: DbSession, desk: DeskDep) -> AgentView:
    row = _agent(session, agent_id, who)
    try:
        if body.timezone is not None:
            agents.zone(body.timezone)
            row.timezone = body.timezone
        if body.shifts is not None:
            agents.set_shifts(row, body.shifts)
        if body.skills is not None:  # a skill no case is tagged with would never win one
            body.skills = agents.known_skills(body.skills, agents.topic_keys(desk.settings.brand(row.brand)))
    except AgentError as err:
        raise _bad(err) from None
    changes: dict[str, Any] = body.model_dump(exclude_unset=True, exclude={"timezone", "shifts"})
    for key, value in changes.items():
        setattr(row, key, value)
    session.flush()
    return agents.view(row, desk.clock.now())


@router.delete("/agents/{agent_id}", status_code=204, summary="Remove an agent; their working cases are re-routed")
def remove_agent(agent_id: RowId, who: Lead, session: DbSession, desk: DeskDep) -> None:
    row = _agent(session, agent_id, who)
    row.away = True
    routing.reroute_agent(session, row, desk.clock.now(), _notifier(desk), f"{row.name} was removed")
    session.delete(row)


@router.post("/agents/{agent_id}/availability", response_model=AvailabilityOut,
             summary="Set away or available: agents for themselves, leads for anyone in their brand")
def set_availability(agent_id: RowId, body: Availability, who: AnyUser, session: DbSession,
                     desk: DeskDep) -> AvailabilityOut:
    row = _agent(session, agent_id, who)
    if row.name != who.name and not who.at_least(Role.LEAD):
        raise HTTPException(status.HTTP_403_FORBIDDEN, "agents may set only their own availability")
    row.away = body.away
    now = desk.clock.now()
    moved = routing.reroute_agent(session, row, now, _notifier(desk), f"{row.name} is away") if body.away else 0
    return AvailabilityOut(agent=agents.view(row, now), rerouted=moved)


@router.get("/teams", response_model=list[TeamOut], summary="The brand's teams and their leads")
def list_teams(who: AnyUser, session: DbSession) -> list[TeamOut]:
    return [TeamOut(brand=t.brand, name=t.name, lead=t.lead) for t in agents.list_teams(session, who.brands)]


@router.put("/teams", response_model=TeamOut, summary="Create or change a team (leads and admins)")
def put_team(body: TeamIn, who: Lead, session: DbSession, desk: DeskDep) -> TeamOut:
    brand = _brand(who, body.brand, desk)
    try:
        lead = agents.person(session, brand, body.lead, "lead", _ADD) if body.lead is not None else None
    except AgentError as err:
        raise _bad(err) from None
    team = agents.upsert_team(session, brand, body.name, lead)
    return TeamOut(brand=team.brand, name=team.name, lead=team.lead)


@router.post("/oncall", response_model=OnCallOut, status_code=201, summary="Put someone on call (leads, admins)")
def add_oncall(body: OnCallIn, who: Lead, session: DbSession, desk: DeskDep) -> OnCallOut:
    brand = _brand(who, body.brand, desk)
    try:
        agents.add_oncall(session, brand, agents.person(session, brand, body.agent, "on-call", _ADD), body.starts_at,
                          body.ends_at)
    except AgentError as err:
        raise _bad(err) from None
    return OnCallOut(brand=brand, agent=agents.on_call(session, brand, desk.clock.now()))


@router.get("/oncall", response_model=list[OnCallOut], summary="Who is on call now, per brand")
def who_is_on_call(who: AnyUser, session: DbSession, desk: DeskDep) -> list[OnCallOut]:
    brands = sorted(who.brands) if who.brands is not None else [b.key for b in desk.settings.brands]
    return [OnCallOut(brand=b, agent=agents.on_call(session, b, desk.clock.now())) for b in brands]


def _policy_out(row: Any) -> PolicyOut:
    return PolicyOut(brand=row.brand, priority=row.priority, first_response_minutes=row.first_response_minutes,
                     next_response_minutes=row.next_response_minutes, resolution_minutes=row.resolution_minutes,
                     business_hours=row.business_hours, timezone=row.timezone,
                     day_start=f"{row.day_start_minute // 60:02d}:{row.day_start_minute % 60:02d}",
                     day_end=f"{row.day_end_minute // 60:02d}:{row.day_end_minute % 60:02d}",
                     weekdays=[int(d) for d in row.weekdays], escalate_fraction=row.escalate_fraction,
                     page_fraction=row.page_fraction)


@router.get("/sla-policies", response_model=list[PolicyOut], summary="Stored SLA policies (others use the default)")
def list_policies(who: AnyUser, session: DbSession) -> list[PolicyOut]:
    return [_policy_out(r) for r in scheduled.list_policies(session, who.brands)]


@router.put("/sla-policies", response_model=PolicyOut, summary="Set a brand's SLA policy for one priority level")
def put_policy(body: PolicyIn, who: Lead, session: DbSession, desk: DeskDep) -> PolicyOut:
    brand = _brand(who, body.brand, desk)
    try:
        row = scheduled.set_policy(session, brand, scheduled.PolicyIn(**body.model_dump(exclude={"brand"})))
    except AgentError as err:
        raise _bad(err) from None
    return _policy_out(row)


class TemplateIn(BaseModel):
    text: str = Field(min_length=1, max_length=1000, examples=["We are sorry flight {flight} was late."],
                      description="One line; placeholders {brand} and {flight}; no handles, links or personal data")
    brand: str | None = Field(default=None, description="Needed only by an all-brands admin")


class TemplateOut(BaseModel):
    brand: str
    topic: str
    lang: str
    text: str
    approved_by: str
    approved_at: datetime


def _template_out(row: ReplyTemplateRow) -> TemplateOut:
    return TemplateOut(brand=row.brand, topic=row.topic, lang=row.lang, text=row.text, approved_by=row.approved_by,
                       approved_at=as_utc(row.approved_at))


@router.get("/reply-templates", response_model=list[TemplateOut], tags=["replies"],
            summary="The brand's approved reply lines per topic and language (others use the desk's defaults)")
def list_templates(who: AnyUser, session: DbSession) -> list[TemplateOut]:
    return [_template_out(r) for r in replies.list_templates(session, who.brands)]


@router.put("/reply-templates/{topic}/{lang}", response_model=TemplateOut, tags=["replies"],
            summary="Approve the brand's line for a topic ('general', 'question' or a topic) and language (leads)")
def put_template(topic: str, lang: str, body: TemplateIn, who: Lead, session: DbSession,
                 desk: DeskDep) -> TemplateOut:
    brand = _brand(who, body.brand, desk)
    try:
        row = replies.approve_template(session, brand, topic, lang, body.text, who.name, desk.clock.now())
    except replies.TemplateError as err:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, str(err)) from None
    return _template_out(row)


@router.delete("/reply-templates/{topic}/{lang}", status_code=status.HTTP_204_NO_CONTENT, tags=["replies"],
               summary="Withdraw an approved line; the desk's default is suggested again (leads)")
def delete_template(topic: str, lang: str, who: Lead, session: DbSession, desk: DeskDep,
                    brand: str | None = None) -> None:
    if not replies.withdraw_template(session, _brand(who, brand, desk), topic, lang):
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"no approved template for {topic}/{lang}")


@router.get("/cases/{case_id}/sla", response_model=CaseSla, summary="A case's SLA timers and the time left")
def case_sla(case_id: RowId, who: AnyUser, session: DbSession, desk: DeskDep) -> CaseSla:
    try:
        case = service.load_case(session, case_id, who.brands)
    except service.CaseNotFound:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"case {case_id} not found") from None
    _, timers = scheduled.case_timers(session, case, desk.clock.now(), desk.settings)
    return CaseSla(case_id=case.id, timers=[scheduled.timer_view(t) for t in timers])


class AgentReport(BaseModel):
    agents: list[PersonStats]
    teams: list[PersonStats]


@router.get("/agents/report", response_model=AgentReport,
            summary="Per agent and team: cases, first response and resolution times, SLA attainment (leads)")
def report(who: Lead, session: DbSession, desk: DeskDep, since: Instant | None = None) -> AgentReport:
    people, teams = agent_report(session, who.brands, desk.settings, since)
    return AgentReport(agents=people, teams=teams)
