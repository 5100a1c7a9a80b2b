"""First-response times per brand: the table that shows which brand's customers wait for office hours."""

from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from collections.abc import Collection, Iterable
from datetime import datetime

from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.orm import Session

from wakeful.core.clock import as_utc
from wakeful.core.models import Post
from wakeful.core.settings import BrandConfig
from wakeful.desk.cases import one_per_matter
from wakeful.desk.fairness import percentile
from wakeful.store.models import CaseRow


class BrandResponse(BaseModel):
    brand: str
    cases: int
    answered: int
    first_response_median_min: float | None
    first_response_p90_min: float | None
    over_6h_share: float | None


def _row(brand: str, cases: int, waits: list[float]) -> BrandResponse:
    return BrandResponse(
        brand=brand,
        cases=cases,
        answered=len(waits),
        first_response_median_min=statistics.median(waits) if waits else None,
        first_response_p90_min=percentile(waits, 0.9),
        over_6h_share=sum(w > 360 for w in waits) / len(waits) if waits else None,
    )


def first_response_by_brand(
    session: Session,
    brands: Collection[str] | None,
    since: datetime | None = None,
    until: datetime | None = None,
    *,
    overall: bool = False,
) -> list[BrandResponse]:
    """One row per brand with cases opened in [since, until), slowest median first; with `overall`, a last row
    `*` over all of them. Waits are from the case's first customer post to the brand's first reply."""
    stmt = select(CaseRow.brand, CaseRow.opened_at, CaseRow.first_response_at).where(one_per_matter())
    if brands is not None:
        stmt = stmt.where(CaseRow.brand.in_(list(brands)))
    if since is not None:
        stmt = stmt.where(CaseRow.opened_at >= since)
    if until is not None:
        stmt = stmt.where(CaseRow.opened_at < until)
    waits: dict[str, list[float]] = defaultdict(list)
    cases: dict[str, int] = defaultdict(int)
    for brand, opened, first in session.execute(stmt):
        cases[brand] += 1
        if first is not None:
            waits[brand].append((as_utc(first) - as_utc(opened)).total_seconds() / 60)
    rows = [_row(b, cases[b], waits[b]) for b in cases]
    rows.sort(key=lambda r: -(r.first_response_median_min or 0.0))
    if overall and rows:
        rows.append(_row("*", sum(cases.values()), [w for ws in waits.values() for w in ws]))
    return rows


def care_handles(posts: Iterable[Post]) -> list[str]:
    """Brands' care accounts in a replay where customers are anonymised numeric ids (the TWCS sample): every
    author whose id is not a number, most active first."""
    counts = Counter(p.author.handle for p in posts if not p.author.id.isdigit())
    return [h for h, _ in counts.most_common()]


def brands_for_handles(handles: Iterable[str]) -> list[BrandConfig]:
    """One brand per care account, keyed by the lower-cased handle, so the case grouping counts the account's
    posts in a thread as the brand's reply and a customer's @mention as addressed to it."""
    return [BrandConfig(key=h.lower()[:64], name=h, handles=[h]) for h in handles]
