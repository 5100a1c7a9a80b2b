"""Per-agent and per-team figures: cases held, first response and resolution times (median, p90), SLA attainment.

A lead reads these to see whether one person or one shift is carrying the desk. Cases count for their current
assignee; first-response attainment uses the brand's SLA policy (else the settings' targets) for the case's
priority when it opened (severity and reach, before any waiting boost), in business hours where the policy says so.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from statistics import median
from typing import NamedTuple

from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.orm import Session

from wakeful.core.clock import as_utc
from wakeful.core.settings import PriorityPolicy, Settings
from wakeful.desk import agents as agents_mod
from wakeful.desk import sla
from wakeful.desk.fairness import percentile
from wakeful.desk.priority import priority_level
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
    resolution_median_min: float | None
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
        resolution_median_min=round(median(acc.resolution), 1) if acc.resolution else None,
        sla_met_share=round(acc.met / len(acc.first), 3) if acc.first else None,
    )


class _Case(NamedTuple):
    brand: str
    assignee: str | None
    severity: int
    reach: int
    state: str
    opened_at: datetime
    first_response_at: datetime | None
    resolved_at: datetime | None


def _cases(session: Session, brands: Collection[str] | None, since: datetime | None,
           assigned: bool) -> Iterator[_Case]:
    """The columns the figures need, as plain tuples (not whole rows with their authors: a week is 10,000 cases at
    a busy desk)."""
    stmt = select(*(getattr(CaseRow, name) for name in _Case._fields))
    if assigned:
        stmt = stmt.where(CaseRow.assignee.is_not(None))
    if brands is not None:
        stmt = stmt.where(CaseRow.brand.in_(list(brands)))
    if since is not None:
        stmt = stmt.where(CaseRow.opened_at >= since)
    return map(_Case._make, session.execute(stmt))


def _count(case: _Case, targets: Targets, policies: Mapping[str, PriorityPolicy], accs: list[_Acc]) -> None:
    """Add one case to each accumulator; attainment under the policy of its priority level when it opened."""
    opened = as_utc(case.opened_at)
    level, _ = priority_level(case.severity, case.reach, None, opened, policies[case.brand])
    policy = targets.policy(case.brand, level)
    for acc in accs:
        acc.cases += 1
        acc.active += case.state in ACTIVE_STATES
        if case.first_response_at is not None:
            counted = sla.counted_seconds(opened, as_utc(case.first_response_at), policy) / 60
            acc.first.append((as_utc(case.first_response_at) - opened).total_seconds() / 60)
            acc.met += counted <= policy.first_response_minutes
        if case.resolved_at is not None:
            acc.resolved += 1
            acc.resolution.append((as_utc(case.resolved_at) - opened).total_seconds() / 60)


def agent_report(session: Session, brands: Collection[str] | None, settings: Settings,
                 since: datetime | None = None) -> tuple[list[PersonStats], list[PersonStats]]:
    """Figures per assignee (agents and anyone else cases were given to) and per team, for cases opened since."""
    teams = {(a.brand, a.name): a.team for a in agents_mod.list_agents(session, brands)}
    targets = load_targets(session, brands, settings)
    policies = _Policies(settings)
    people: dict[tuple[str, str], _Acc] = defaultdict(_Acc)
    by_team: dict[tuple[str, str], _Acc] = defaultdict(_Acc)
    for case in _cases(session, brands, since, assigned=True):
        accs = [people[(case.brand, str(case.assignee))]]
        team = teams.get((case.brand, str(case.assignee)))
        if team:
            accs.append(by_team[(case.brand, team)])
        _count(case, targets, policies, accs)
    return ([_stats(b, n, teams.get((b, n)), acc) for (b, n), acc in sorted(people.items())],
            [_stats(b, t, t, acc) for (b, t), acc in sorted(by_team.items())])


def desk_figures(session: Session, brands: Collection[str] | None, settings: Settings,
                 since: datetime | None = None) -> PersonStats:
    """The same figures over every case, assigned or not (brand `*` when several): the desk's SLA attainment."""
    acc = _Acc()
    targets = load_targets(session, brands, settings)
    policies = _Policies(settings)
    for case in _cases(session, brands, since, assigned=False):
        _count(case, targets, policies, [acc])
    brand = next(iter(brands)) if brands is not None and len(brands) == 1 else "*"
    return _stats(brand, "all cases", None, acc)
