"""Per-agent and per-team figures: cases held, first response and resolution times (median, p90), SLA attainment.

A lead reads these to see whether one person or one shift is carrying the desk. Cases count for their current
assignee; first-response attainment uses the brand's SLA policy (else the settings' targets) for the case's
priority when it opened (severity and reach, before any waiting boost), in business hours where the policy says so.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from statistics import median

from pydantic import BaseModel, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from wakeful.core.clock import as_utc
from wakeful.core.names import natural_key
from wakeful.core.settings import PriorityPolicy, Settings
from wakeful.desk import agents as agents_mod
from wakeful.desk import sla
from wakeful.desk.cases import one_per_matter
from wakeful.desk.fairness import minutes_between, percentile
from wakeful.desk.priority import priority_level
from wakeful.desk.quiet import resolved_quietly
from wakeful.desk.service import ACTIVE_STATES
from wakeful.desk.sla_targets import Targets, load_targets
from wakeful.store.models import CaseRow


class PersonStats(BaseModel):
    brand: str
    name: str
    team: str | None = None
    cases: int
    active: int
    answered: int
    first_response_median_min: float | None
    first_response_p90_min: float | None
    resolved: int
    resolved_quiet: int = Field(0, description="Of those resolved, the ones the desk resolved itself after the "
                                               "customer went quiet")
    resolution_median_min: float | None = Field(description="Opened to resolved, over the cases a person resolved "
                                                            "(the desk's quiet resolutions would count its wait)")
    sla_met_share: float | None


class _Policies(dict[str, PriorityPolicy]):
    """Each brand's priority policy, looked up once per report rather than once per case."""

    def __init__(self, settings: Settings) -> None:
        super().__init__()
        self._settings = settings

    def __missing__(self, brand: str) -> PriorityPolicy:
        policy = self[brand] = self._settings.priority_for(brand)
        return policy


@dataclass
class _Acc:
    cases: int = 0
    active: int = 0
    resolved: int = 0
    quiet: int = 0
    met: int = 0

    def __post_init__(self) -> None:
        self.first: list[float] = []
        self.resolution: list[float] = []


def _stats(brand: str, name: str, team: str | None, acc: _Acc) -> PersonStats:
    p90 = percentile(acc.first, 0.9)
    return PersonStats(
        brand=brand, name=name, team=team, cases=acc.cases, active=acc.active, answered=len(acc.first),
        first_response_median_min=round(median(acc.first), 1) if acc.first else None,
        first_response_p90_min=round(p90, 1) if p90 is not None else None, resolved=acc.resolved,
        resolved_quiet=acc.quiet, resolution_median_min=round(median(acc.resolution), 1) if acc.resolution else None,
        sla_met_share=round(acc.met / len(acc.first), 3) if acc.first else None,
    )


CaseTimes = tuple[str, str | None, int, int, str, datetime, datetime | None, datetime | None, bool]
"""What the figures read of a case, in the order of `CASE_COLUMNS`."""
CASE_COLUMNS = (CaseRow.brand, CaseRow.assignee, CaseRow.severity, CaseRow.reach, CaseRow.state, CaseRow.opened_at,
                CaseRow.first_response_at, CaseRow.resolved_at, resolved_quietly().label("quiet"))


def _cases(session: Session, brands: Collection[str] | None, since: datetime | None,
           assigned: bool, until: datetime | None = None) -> Sequence[CaseTimes]:
    """The columns the figures need, as plain tuples (not whole rows with their authors: a week is 10,000 cases at
    a busy desk)."""
    stmt = select(*CASE_COLUMNS).where(one_per_matter())  # a merged case is counted as the case it went into
    if assigned:
        stmt = stmt.where(CaseRow.assignee.is_not(None))
    if brands is not None:
        stmt = stmt.where(CaseRow.brand.in_(list(brands)))
    if since is not None:
        stmt = stmt.where(CaseRow.opened_at >= since)
    if until is not None:
        stmt = stmt.where(CaseRow.opened_at < until)
    return session.connection().execute(stmt).all()


def _count(case: CaseTimes, targets: Targets, policies: Mapping[str, PriorityPolicy], accs: list[_Acc]) -> None:
    """Add one case to each accumulator; attainment under the policy of its priority level when it opened. Times
    and attainment are worked out once for all the accumulators, and only for cases answered or resolved."""
    brand, _, severity, reach, state, opened_at, first_at, resolved_at, by_desk = case
    first = resolution = None
    met = False
    if first_at is not None:
        opened = as_utc(opened_at)
        level, _ = priority_level(severity, reach, None, opened, policies[brand])
        policy = targets.policy(brand, level)
        first = minutes_between(opened_at, first_at)
        met = sla.counted_seconds(opened, as_utc(first_at), policy) / 60 <= policy.first_response_minutes
    quiet = bool(by_desk)
    if resolved_at is not None and not quiet:
        resolution = minutes_between(opened_at, resolved_at)
    active = state in ACTIVE_STATES
    for acc in accs:
        acc.cases += 1
        acc.active += active
        if first is not None:
            acc.first.append(first)
            acc.met += met
        if resolution is not None:
            acc.resolution.append(resolution)
        acc.resolved += resolved_at is not None
        acc.quiet += quiet


def agent_report(session: Session, brands: Collection[str] | None, settings: Settings,
                 since: datetime | None = None, until: datetime | None = None,
                 ) -> tuple[list[PersonStats], list[PersonStats]]:
    """Figures per assignee (agents and anyone else cases were given to) and per team, for cases opened in
    [since, until)."""
    _, people, teams = team_figures_of(session, brands, settings,
                                       _cases(session, brands, since, assigned=True, until=until))
    return people, teams


def desk_figures(session: Session, brands: Collection[str] | None, settings: Settings,
                 since: datetime | None = None, until: datetime | None = None) -> PersonStats:
    """The same figures over every case, assigned or not (brand `*` when several): the desk's SLA attainment."""
    return team_figures(session, brands, settings, since, until)[0]


def team_figures(session: Session, brands: Collection[str] | None, settings: Settings,
                 since: datetime | None = None, until: datetime | None = None,
                 ) -> tuple[PersonStats, list[PersonStats], list[PersonStats]]:
    """`desk_figures` and `agent_report` together, from one read of the cases."""
    return team_figures_of(session, brands, settings, _cases(session, brands, since, assigned=False, until=until))


def team_figures_of(session: Session, brands: Collection[str] | None, settings: Settings,
                    cases: Iterable[CaseTimes]) -> tuple[PersonStats, list[PersonStats], list[PersonStats]]:
    """The desk's, each assignee's and each team's figures over cases already read, in one pass: a case's
    attainment is worked out once for all three."""
    teams = {(a.brand, a.name): a.team for a in agents_mod.list_agents(session, brands)}
    targets = load_targets(session, brands, settings)
    policies = _Policies(settings)
    overall = _Acc()
    people: dict[tuple[str, str], _Acc] = defaultdict(_Acc)
    by_team: dict[tuple[str, str], _Acc] = defaultdict(_Acc)
    for case in cases:
        accs = [overall]
        brand, assignee = case[0], case[1]
        if assignee is not None:
            accs.append(people[(brand, assignee)])
            team = teams.get((brand, assignee))
            if team:
                accs.append(by_team[(brand, team)])
        _count(case, targets, policies, accs)
    brand = next(iter(brands)) if brands is not None and len(brands) == 1 else "*"
    return (_stats(brand, "all cases", None, overall),
            [_stats(b, n, teams.get((b, n)), acc) for (b, n), acc in sorted(people.items(), key=_natural)],
            [_stats(b, t, t, acc) for (b, t), acc in sorted(by_team.items(), key=_natural)])


def _natural(item: tuple[tuple[str, str], _Acc]) -> tuple[str, list[tuple[int, str]]]:
    """Brand, then name with its numbers compared as numbers: agent-2 before agent-10."""
    (brand, name), _ = item
    return brand, natural_key(name)
