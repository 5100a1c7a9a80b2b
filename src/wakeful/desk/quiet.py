"""Cases whose customer has gone quiet are resolved by the desk.

A case waits on its customer once the desk has answered. Many customers never write again (the answer was enough,
or they gave up), so without a rule the "waiting on the customer" count only grows: the demo's day ends with 641 of
652 open cases answered hours ago, and the reports' open backlog climbs all day. After `resolve_quiet_after_hours`
(the brand's own, else the desk's) with nothing on the case (no post, reply, note or state change: `updated_at`),
the scheduled tick resolves it, with a state event that says why. Nobody is lost: the customer's next post in the
thread reopens the case (`cases._join`), and a resolved case's SLA clocks have stopped already, since waiting on
the customer pauses them.

`resolved_at` is the moment the desk resolves it, not the answer's, so a day's figures already reported do not
change afterwards (the first-response times, which the SLA and the fairness report read, are untouched). The
reports tell these resolutions apart (`resolved_quietly`): the daily and team figures count them separately, and the
team figures' resolution median, which would otherwise be the wait, leaves them out.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime, timedelta
from functools import cache

from sqlalchemy import Exists, exists, select
from sqlalchemy.orm import Session

from wakeful.core.settings import Settings
from wakeful.desk.cases import CasesBusy, CaseState, lock_cases
from wakeful.desk.service import set_state
from wakeful.desk.summary import quiet_until
from wakeful.store.models import CaseEventRow, CaseRow

ACTOR = "desk"
"""Who the resolutions are recorded as: one of `core.names.SYSTEM_ACTORS`, which no user or agent may be named."""


def resolve_quiet(session: Session, now: datetime, settings: Settings, brands: Collection[str] | None = None) -> int:
    """Resolve the cases that have waited on their customer, untouched, for their brand's hours
    (`Settings.quiet_hours_for`: the brand's own `resolve_quiet_after_hours`, else the desk's; 0 never); returns
    how many. Each case is locked and read again first, so one the customer or an agent touched meanwhile stays
    open; one another transaction holds is left to the next tick."""
    hours_of = cache(settings.quiet_hours_for)  # per brand, read once a tick
    every = [hours_of(b.key) for b in settings.brands] + [settings.resolve_quiet_after_hours]
    if not any(every):
        return 0
    latest_cutoff = now - timedelta(hours=min(h for h in every if h))
    stmt = select(CaseRow.id, CaseRow.brand).where(CaseRow.state == CaseState.WAITING.value,
                                                   CaseRow.updated_at < latest_cutoff,
                                                   CaseRow.last_post_at < latest_cutoff)
    if brands is not None:
        stmt = stmt.where(CaseRow.brand.in_(list(brands)))
    ids = {case_id for case_id, brand in session.execute(stmt) if hours_of(brand)}
    if not ids:
        return 0
    try:
        cases = lock_cases(session, ids)
    except CasesBusy as busy:  # the free ones are held already: taking them again waits for nobody
        cases = lock_cases(session, ids - busy.ids)
    resolved = 0
    for case in cases:
        h = hours_of(case.brand)
        due = quiet_until(case, h)
        if due is not None and due < now:
            set_state(session, case, CaseState.RESOLVED, ACTOR, now,
                      reason=f"waited {h:g} h on the customer with nothing happening on it; their next post in the "
                             "thread reopens it")
            resolved += 1
    return resolved


def resolved_quietly() -> Exists:
    """Whether a case's present resolution is this rule's (the state event that resolved it is the desk's), as a
    column for the reports, which tell these apart from the cases a person resolved. False for a case not resolved:
    no event is at a NULL `resolved_at`."""
    return exists().where(CaseEventRow.case_id == CaseRow.id, CaseEventRow.kind == "state",
                          CaseEventRow.actor == ACTOR, CaseEventRow.at == CaseRow.resolved_at)
