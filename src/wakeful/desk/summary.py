"""A case as the queue shows it: the row, its latest customer words (masked), its priority, SLA and risk.

Shared by the queue listing (`desk.queue`) and the actions on a case (`desk.service`), which answer with the case as
it now stands.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from wakeful.analyze.pii import redact
from wakeful.core.clock import as_utc
from wakeful.core.settings import Settings
from wakeful.desk.cases import CaseState, customer_post
from wakeful.desk.priority import compute_priority
from wakeful.desk.schemas import AuthorView, CaseSummary, PriorityView, RiskFactorView, RiskView
from wakeful.desk.sla_targets import Targets, load_targets
from wakeful.store.models import CasePostRow, CaseRow, PostRow
from wakeful.store.risk import CaseRiskRow


def latest_customer_texts(session: Session, case_ids: Collection[int]) -> dict[int, str]:
    """Each case's newest post by its customer, in one query for a page of cases."""
    stmt = (
        select(CasePostRow.case_id, PostRow.text, PostRow.created_at)
        .join(PostRow, PostRow.id == CasePostRow.post_id)
        .join(CaseRow, CaseRow.id == CasePostRow.case_id)
        .where(CasePostRow.case_id.in_(list(case_ids)), customer_post(CaseRow.id, CaseRow.author_id))
    )
    latest: dict[int, tuple[datetime, str]] = {}
    for case_id, text, created_at in session.execute(stmt):
        at = as_utc(created_at)
        if case_id not in latest or at > latest[case_id][0]:
            latest[case_id] = (at, text)
    return {case_id: text for case_id, (_, text) in latest.items()}


def _risk_view(row: CaseRiskRow | None) -> RiskView | None:
    if row is None:
        return None
    return RiskView(
        score=row.score, summary=row.summary, promoted=row.promoted,
        factors=[RiskFactorView.model_validate(f) for f in row.factors],
        forecast_6h=row.forecast_6h, forecast_6h_low=row.forecast_6h_low, forecast_6h_high=row.forecast_6h_high,
        forecast_24h=row.forecast_24h, fake_share=row.fake_share, computed_at=as_utc(row.computed_at),
        alerted_at=as_utc(row.alerted_at) if row.alerted_at else None,
    )


def priority_reach(reach: int, genuine_reach: int | None) -> int:
    """Reach as priority counts it: without what suspected fake accounts added, once the case is assessed."""
    return reach if genuine_reach is None else min(reach, genuine_reach)


def quiet_until(case: CaseRow, hours: float) -> datetime | None:
    """When the desk resolves the case if nothing happens on it (`desk.quiet`): `hours` after the later of its last
    post and its last change, for a case waiting on its customer; None for any other case, or with 0 hours."""
    if case.state != CaseState.WAITING.value or not hours:
        return None
    return max(as_utc(case.updated_at), as_utc(case.last_post_at)) + timedelta(hours=hours)


def summarize(session: Session, case: CaseRow, now: datetime, settings: Settings,
              latest_text: str | None = None, targets: Targets | None = None,
              risks: Mapping[int, CaseRiskRow] | None = None) -> CaseSummary:
    """One case as the queue shows it; a page passes `risks` loaded in one query instead of one per case."""
    awaiting = as_utc(case.awaiting_since) if case.awaiting_since else None
    targets = targets or load_targets(session, [case.brand], settings)
    risk = risks.get(case.id) if risks is not None else session.get(CaseRiskRow, case.id)
    reach = priority_reach(case.reach, risk.genuine_reach if risk else None)
    prio = compute_priority(case.severity, reach, awaiting, now, settings.priority_for(case.brand),
                            risk.score if risk else None, risk.summary if risk else "")
    answered = case.first_response_at is not None
    level = prio.sla_level  # the wait raises the queue place, not the target it is measured against
    target = targets.target_minutes(case.brand, level, answered)
    waiting_min = prio.waiting.total_seconds() / 60 if prio.waiting is not None else None
    a = case.author
    return CaseSummary(
        id=case.id,
        brand=case.brand,
        platform=case.platform,
        state=CaseState(case.state),
        priority=PriorityView(level=prio.level, name=prio.name, reasons=prio.reasons),
        severity=case.severity,
        lang=case.lang,
        topics=case.topics,
        reach=case.reach,
        promoted=case.promoted,
        assignee=case.assignee,
        author=AuthorView(platform=a.platform, handle=a.handle, display_name=a.display_name,
                          followers=a.followers, verified=a.verified),
        opened_at=as_utc(case.opened_at),
        last_post_at=as_utc(case.last_post_at),
        awaiting_since=awaiting,
        waiting_minutes=waiting_min,
        sla_target_minutes=target,
        sla_left_minutes=targets.left_minutes(case.brand, level, awaiting, answered, now) if awaiting else None,
        first_response_at=as_utc(case.first_response_at) if case.first_response_at else None,
        snippet=redact(latest_text if latest_text is not None
                       else latest_customer_texts(session, [case.id]).get(case.id, ""),
                       settings.loyalty_programmes(case.brand))[:280],
        risk=_risk_view(risk),
        merged_into=case.merged_into_id,
        quiet_resolve_at=quiet_until(case, settings.quiet_hours_for(case.brand)),
    )
