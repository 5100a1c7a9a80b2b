"""Agents, teams, shifts and the on-call rota: who can take a case now, and who is woken when nobody can.

Shifts are weekly and written in the agent's own time zone ("mon 09:00-17:00"), so a Berlin agent's shift follows
Berlin's clock changes. Every function works inside the caller's session and brand scope.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence
from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from wakeful.analyze.linear import head
from wakeful.analyze.topics import AIRLINE_TAXONOMY
from wakeful.core import names
from wakeful.core.clock import as_utc
from wakeful.core.languages import SUPPORTED_LANGUAGES
from wakeful.core.settings import BrandConfig
from wakeful.store.agents import AgentRow, OnCallRow, ShiftRow, TeamRow
from wakeful.store.users import UserRow

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_SHIFT = re.compile(r"^\s*([a-z]{3})(?:-([a-z]{3}))?\s+(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*$")


class AgentError(ValueError):
    """Bad agent data, named precisely (unknown time zone, malformed shift, duplicate name)."""


class AgentNotFound(LookupError):
    """No such agent among the brands the caller may see."""


class Shift(BaseModel):
    weekday: int = Field(ge=0, le=6, description="0 Monday .. 6 Sunday, in the agent's time zone")
    start: str = Field(pattern=r"^\d{2}:\d{2}$", examples=["09:00"])
    end: str = Field(pattern=r"^\d{2}:\d{2}$", examples=["17:00"], description="At or before start: past midnight")


class AgentView(BaseModel):
    id: int
    brand: str
    name: str
    team: str | None
    languages: list[str]
    skills: list[str]
    max_cases: int
    timezone: str
    away: bool
    shifts: list[Shift]
    on_shift: bool


def _minute(hh: str, mm: str) -> int:
    h, m = int(hh), int(mm)
    if h > 24 or m > 59 or h * 60 + m > 1440:
        raise AgentError(f"time {hh}:{mm} is not a time of day")
    return h * 60 + m


def _span(start: int, end: int, text: str) -> None:
    """Refuse a shift that starts when it ends other than at midnight: '10:00-10:00' reads as nothing, or as a day
    nobody meant (it used to run 24 hours). A whole day is '00:00-24:00' (or, as before, '00:00-00:00')."""
    if start == end and start % 1440 != 0:
        raise AgentError(f"shift {text!r} ends when it starts; for a whole day write 00:00-24:00")


def parse_shifts(spec: str) -> list[Shift]:
    """'mon-fri 09:00-17:00, sat 22:00-06:00' into weekly shifts (a range of days repeats the hours; a whole day is
    00:00-24:00)."""
    shifts: list[Shift] = []
    for part in filter(None, (p.strip() for p in spec.lower().split(","))):
        m = _SHIFT.match(part)
        if not m or m.group(1) not in DAYS or (m.group(2) and m.group(2) not in DAYS):
            raise AgentError(f"shift {part!r}: expected e.g. 'mon-fri 09:00-17:00'")
        first, last = DAYS.index(m.group(1)), DAYS.index(m.group(2) or m.group(1))
        start, end = _minute(m.group(3), m.group(4)), _minute(m.group(5), m.group(6))
        _span(start, end, part)
        days = range(first, last + 1) if first <= last else [*range(first, 7), *range(0, last + 1)]
        shifts += [Shift(weekday=d, start=f"{start // 60:02d}:{start % 60:02d}",
                         end=f"{end // 60:02d}:{end % 60:02d}") for d in days]
    return shifts


def zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise AgentError(f"unknown time zone {name!r}; use an IANA name such as 'Europe/Berlin'") from None


def on_shift(shifts: Sequence[ShiftRow], timezone: str, now: datetime) -> bool:
    """Whether `now`, read on the agent's own clock, falls in one of their weekly shifts."""
    local = now.astimezone(zone(timezone))
    minute, day = local.hour * 60 + local.minute, local.weekday()
    for s in shifts:
        if s.start_minute < s.end_minute:
            if s.weekday == day and s.start_minute <= minute < s.end_minute:
                return True
        elif (s.weekday == day and minute >= s.start_minute) or ((s.weekday + 1) % 7 == day and minute < s.end_minute):
            return True
    return False


def view(agent: AgentRow, now: datetime) -> AgentView:
    return AgentView(
        id=agent.id, brand=agent.brand, name=agent.name, team=agent.team, languages=agent.languages,
        skills=agent.skills, max_cases=agent.max_cases, timezone=agent.timezone, away=agent.away,
        shifts=[Shift(weekday=s.weekday, start=f"{s.start_minute // 60:02d}:{s.start_minute % 60:02d}",
                      end=f"{s.end_minute // 60:02d}:{s.end_minute % 60:02d}") for s in agent.shifts],
        on_shift=on_shift(agent.shifts, agent.timezone, now),
    )


def list_agents(session: Session, brands: Collection[str] | None) -> list[AgentRow]:
    """By brand, then name with its numbers compared as numbers (agent-2 before agent-10), as people list a team."""
    stmt = select(AgentRow)
    if brands is not None:
        stmt = stmt.where(AgentRow.brand.in_(list(brands)))
    return sorted(session.scalars(stmt), key=lambda a: (a.brand, names.natural_key(a.name)))


def get_agent(session: Session, brand: str, name: str) -> AgentRow | None:
    return session.scalars(select(AgentRow).where(AgentRow.brand == brand, AgentRow.name == name)).first()


def load_agent(session: Session, agent_id: int, brands: Collection[str] | None) -> AgentRow:
    agent = session.get(AgentRow, agent_id)
    if agent is None or (brands is not None and agent.brand not in brands):
        raise AgentNotFound(agent_id)
    return agent


def person_name(name: str, what: str = "an agent's name", *, acts: bool = True) -> str:
    """`core.names.actor_name` (`person_name` for a name that never acts on a case, such as a team's), refused as
    an AgentError like every other check on an agent."""
    try:
        return names.actor_name(name, what) if acts else names.person_name(name, what)
    except ValueError as err:
        raise AgentError(str(err)) from None


def served_languages(languages: Sequence[str]) -> list[str]:
    """Language codes the desk detects (a case's language is one of them); any other would never match a case."""
    codes = list(dict.fromkeys(code.strip().lower() for code in languages))
    if not codes:
        raise AgentError("give at least one language the agent answers in")
    unknown = [code for code in codes if code not in SUPPORTED_LANGUAGES]
    if unknown:
        raise AgentError(f"unknown language code(s) {unknown}; the desk serves {list(SUPPORTED_LANGUAGES)}")
    return codes


def topic_keys(config: BrandConfig | None) -> set[str]:
    """The topic keys a brand's cases can be tagged with: the shipped taxonomy's, the trained model's, and the
    brand's own."""
    return {*AIRLINE_TAXONOMY, *head("topics").classes, *(config.topics if config else {})}


def known_skills(skills: Sequence[str], topics: Collection[str]) -> list[str]:
    """Skills are topic keys a case can be tagged with; any other would never win a case."""
    keys = list(dict.fromkeys(skill.strip().lower() for skill in skills))
    unknown = [key for key in keys if key not in topics]
    if unknown:
        raise AgentError(f"unknown skill(s) {unknown}; skills are the topics cases are tagged with: "
                         f"{', '.join(sorted(topics))}")
    return keys


def add_agent(session: Session, brand: str, name: str, now: datetime, *, languages: Sequence[str] = ("en",),
              skills: Sequence[str] = (), max_cases: int = 5, timezone: str = "UTC", team: str | None = None,
              shifts: Sequence[Shift] = (), topics: Collection[str] | None = None) -> AgentRow:
    """Add an agent; with `topics` (the keys the brand's cases may be tagged with), skills outside them are refused."""
    name = person_name(name)
    zone(timezone)
    if max_cases < 1:
        raise AgentError("max_cases must be at least 1")
    codes = served_languages(languages)
    skills = known_skills(skills, topics) if topics is not None else list(skills)
    if get_agent(session, brand, name) is not None:
        raise AgentError(f"agent {name!r} already exists for brand {brand!r}")
    agent = AgentRow(brand=brand, name=name, team=team, languages=codes,
                     skills=list(skills), max_cases=max_cases, timezone=timezone, away=False, created_at=now)
    session.add(agent)
    set_shifts(agent, shifts)
    session.flush()
    return agent


def set_shifts(agent: AgentRow, shifts: Sequence[Shift]) -> None:
    """Replace the agent's weekly shifts."""
    rows = [ShiftRow(weekday=s.weekday, start_minute=_minute(*s.start.split(":")),
                     end_minute=_minute(*s.end.split(":"))) for s in shifts]
    for s, row in zip(shifts, rows, strict=True):
        _span(row.start_minute, row.end_minute, f"{DAYS[s.weekday]} {s.start}-{s.end}")
    agent.shifts = rows


def upsert_team(session: Session, brand: str, name: str, lead: str | None) -> TeamRow:
    team = session.scalars(select(TeamRow).where(TeamRow.brand == brand, TeamRow.name == name)).first()
    if team is None:
        team = TeamRow(brand=brand, name=name)
        session.add(team)
    team.lead = lead
    session.flush()
    return team


def known_person(session: Session, brand: str, name: str) -> str | None:
    """The name, as stored, of someone who can be told about the brand's cases: an agent of the brand, or a user who
    signs in to work them (of the brand or of every brand, '*') and is not disabled; users' names ignore case. None
    for anyone else: a team lead or on-call slot naming them would page nobody."""
    name = name.strip()
    if get_agent(session, brand, name) is not None:
        return name
    users = select(UserRow.username).where(UserRow.name_key == names.name_key(name), UserRow.brand.in_([brand, "*"]),
                                           UserRow.disabled_at.is_(None)).order_by(UserRow.id)
    return session.scalars(users).first()


def reserved_names_in_use(session: Session) -> list[tuple[str, str]]:
    """Users and agents named as the desk's own actions are recorded (`core.names.SYSTEM_ACTORS`, 'desk'), added
    before such names were refused: what they do to a case reads as the desk's in its timeline, and a case one of
    them resolved counts as resolved by the desk after the customer went quiet. Each as (who, how to retire it)."""
    users = session.scalars(select(UserRow.username).where(UserRow.name_key.in_(names.SYSTEM_ACTORS))
                            .order_by(UserRow.id))
    agents = session.execute(select(AgentRow.brand, AgentRow.name).order_by(AgentRow.id))
    return [(f"user {name!r}", f"wakeful user disable {name!r}") for name in users] + [
        (f"agent {name!r} of {brand!r}", f"wakeful agents away {name!r} --brand {brand}") for brand, name in agents
        if names.is_system_actor(name)]


def person(session: Session, brand: str, name: str, role: str, how: str) -> str:
    """`known_person`'s stored name, or an `AgentError` naming who is missing and `how` to add them: a team lead, an
    on-call slot or an assignee naming anyone else would page nobody."""
    found = known_person(session, brand, name)
    if found is None:
        raise AgentError(f"{role} {name.strip()!r} is neither an agent of {brand!r} nor a user who works on it; "
                         f"add them first ({how})")
    return found


def list_teams(session: Session, brands: Collection[str] | None) -> list[TeamRow]:
    stmt = select(TeamRow).order_by(TeamRow.brand, TeamRow.name)
    if brands is not None:
        stmt = stmt.where(TeamRow.brand.in_(list(brands)))
    return list(session.scalars(stmt))


def leads_for(session: Session, brand: str, team: str | None) -> list[str]:
    """Who hears first about a case nearing its SLA: its team's lead, or else every lead of the brand."""
    teams = list_teams(session, [brand])
    own = [t.lead for t in teams if t.name == team and t.lead]
    return own or sorted({t.lead for t in teams if t.lead})


def add_oncall(session: Session, brand: str, agent: str, starts_at: datetime, ends_at: datetime) -> OnCallRow:
    if ends_at <= starts_at:
        raise AgentError("an on-call slot must end after it starts")
    row = OnCallRow(brand=brand, agent=agent, starts_at=starts_at, ends_at=ends_at)
    session.add(row)
    session.flush()
    return row


def on_call(session: Session, brand: str, now: datetime) -> str | None:
    """The person on call for the brand now (the latest-starting slot wins where slots overlap)."""
    rows = session.scalars(select(OnCallRow).where(OnCallRow.brand == brand))
    live = [r for r in rows if as_utc(r.starts_at) <= now < as_utc(r.ends_at)]
    return max(live, key=lambda r: as_utc(r.starts_at)).agent if live else None
