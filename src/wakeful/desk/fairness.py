"""Response times by customer reach and language, so a two-tier service shows up in a report.

The priority policy lets reach raise urgency only within a cap the brand sets; this report is how the brand (and
its customers) can check the outcome: first-response median and p90 and the resolution rate per follower band and
per language, and the gap between the slowest and the fastest band's median.
"""

from __future__ import annotations

import itertools
import math
import statistics
from bisect import bisect_right
from collections import defaultdict
from collections.abc import Collection, Iterable, Sequence
from datetime import datetime

import numpy as np
from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.orm import Session

from wakeful.core.clock import as_utc
from wakeful.desk.cases import one_per_matter
from wakeful.store.models import AuthorRow, CaseRow

# Lower bounds of the reach bands (followers), with their labels.
BANDS: tuple[tuple[int, str], ...] = ((0, "<1k"), (1_000, "1k-10k"), (10_000, "10k-100k"), (100_000, ">100k"))
# A group with fewer answered cases than this is shown but left out of the gap: one case is no median.
MIN_ANSWERED_FOR_GAP = 5
TWO_TIER_RATIO = 1.5
"""A gap above this is reported as a two-tier service."""
PERMUTATIONS = 200


_LOWER = [lower for lower, _ in BANDS]


def band_of(followers: int) -> str:
    """The reach band label for a follower count (the first band's below its lower bound)."""
    return BANDS[max(0, bisect_right(_LOWER, followers) - 1)][1]


class GroupStats(BaseModel):
    group: str
    cases: int
    answered: int
    resolved: int
    first_response_median_min: float | None
    first_response_p90_min: float | None
    resolution_rate: float | None


class FairnessReport(BaseModel):
    by_band: list[GroupStats]
    by_lang: list[GroupStats]
    band_gap: float | None
    lang_gap: float | None
    band_gap_chance: float | None = None
    """For a gap over `TWO_TIER_RATIO`: how often a gap at least this large appears when the same waits are dealt
    to the bands at random (`gap_chance`); a large gap that chance explains as often says only that a band has few
    cases. None when the gap is within the limit."""
    lang_gap_chance: float | None = None


def percentile(values: Sequence[float], q: float) -> float | None:
    """Nearest-rank percentile (the value below which a share `q` of cases fall); None when empty."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, math.ceil(q * len(ordered)) - 1))]


def minutes_between(start: datetime, end: datetime) -> float:
    """Minutes from start to end, two times of one stored row: both zone-less in UTC (SQLite's) or both aware,
    so they subtract as they are, without converting each to UTC."""
    if (start.tzinfo is None) != (end.tzinfo is None):
        start, end = as_utc(start), as_utc(end)
    return (end - start).total_seconds() / 60


def gap(groups: Iterable[GroupStats], min_answered: int = MIN_ANSWERED_FOR_GAP) -> float | None:
    """Slowest median over fastest median among groups with enough answered cases; None if fewer than two.

    A fastest median of zero minutes is read as half a minute, so the ratio stays finite and still large.
    """
    medians = [g.first_response_median_min for g in groups
               if g.answered >= min_answered and g.first_response_median_min is not None]
    if len(medians) < 2:
        return None
    return max(medians) / max(min(medians), 0.5)


def gap_chance(waits_by_group: Sequence[Sequence[float]], min_answered: int = MIN_ANSWERED_FOR_GAP,
               shuffles: int = PERMUTATIONS, seed: int = 0) -> float | None:
    """Share of random relabellings whose gap is at least the observed one (a permutation test, p-value).

    The waits of the groups `gap` compares are pooled and dealt back at random in the same group sizes, `shuffles`
    times (seeded, so a report reads the same each time): if reach made no difference, a gap like the observed one
    would be this common. Medians of five cases swing widely, so a 1.5x gap there is often chance; the same gap
    over hundreds of cases is not. None when `gap` is None.
    """
    groups = [np.asarray(w, dtype=float) for w in waits_by_group if len(w) >= min_answered]
    if len(groups) < 2:
        return None

    def ratio(medians: np.ndarray) -> np.ndarray:
        out: np.ndarray = np.max(medians, axis=-1) / np.maximum(np.min(medians, axis=-1), 0.5)
        return out

    observed = ratio(np.array([np.median(g) for g in groups]))
    pooled = np.concatenate(groups)
    bounds = np.cumsum([0, *(len(g) for g in groups)])
    rng = np.random.default_rng(seed)
    dealt = rng.permuted(np.broadcast_to(pooled, (shuffles, len(pooled))), axis=1)
    medians = np.stack([np.median(dealt[:, a:b], axis=1) for a, b in itertools.pairwise(bounds)], axis=1)
    return float((np.sum(ratio(medians) >= observed - 1e-9) + 1) / (shuffles + 1))


def _stats(group: str, rows: list[tuple[float | None, bool]]) -> GroupStats:
    waits = _waits(rows)
    return GroupStats(
        group=group,
        cases=len(rows),
        answered=len(waits),
        resolved=sum(r for _, r in rows),
        first_response_median_min=statistics.median(waits) if waits else None,
        first_response_p90_min=percentile(waits, 0.9),
        resolution_rate=sum(r for _, r in rows) / len(rows) if rows else None,
    )


def fairness_report(
    session: Session,
    brands: Collection[str] | None,
    since: datetime | None = None,
    until: datetime | None = None,
    *,
    min_answered: int = MIN_ANSWERED_FOR_GAP,
) -> FairnessReport:
    """Cases opened in [since, until) of the brands (all when None), grouped by the author's reach band and by
    the case's language. Followers are the author's latest known count."""
    stmt = select(AuthorRow.followers, CaseRow.lang, CaseRow.opened_at, CaseRow.first_response_at,
                  CaseRow.resolved_at).join(AuthorRow, AuthorRow.id == CaseRow.author_id).where(one_per_matter())
    if brands is not None:
        stmt = stmt.where(CaseRow.brand.in_(list(brands)))
    if since is not None:
        stmt = stmt.where(CaseRow.opened_at >= since)
    if until is not None:
        stmt = stmt.where(CaseRow.opened_at < until)
    return fairness_of(session.connection().execute(stmt).all(), min_answered)


def fairness_of(cases: Iterable[tuple[int | None, str | None, datetime, datetime | None, datetime | None]],
                min_answered: int = MIN_ANSWERED_FOR_GAP) -> FairnessReport:
    """`fairness_report` over cases already read, as (followers, language, opened, first response, resolved).
    Languages with as many cases are listed by name, so the order does not hang on the order rows are read in."""
    by_band: dict[str, list[tuple[float | None, bool]]] = defaultdict(list)
    by_lang: dict[str, list[tuple[float | None, bool]]] = defaultdict(list)
    for followers, lang, opened, first, resolved in cases:
        wait = minutes_between(opened, first) if first is not None else None
        row = (wait, resolved is not None)
        by_band[band_of(followers or 0)].append(row)
        by_lang[lang or "unknown"].append(row)
    bands = [_stats(name, by_band.get(name, [])) for _, name in BANDS]
    langs = [_stats(name, rows) for name, rows in sorted(by_lang.items(), key=lambda kv: (-len(kv[1]), kv[0]))]
    band_gap, lang_gap = gap(bands, min_answered), gap(langs, min_answered)
    # the test only matters for a gap over the limit (and costs a tenth of a second at 10,000 cases)
    band_chance = lang_chance = None
    if band_gap is not None and band_gap > TWO_TIER_RATIO:
        band_chance = gap_chance([_waits(by_band.get(name, [])) for _, name in BANDS], min_answered)
    if lang_gap is not None and lang_gap > TWO_TIER_RATIO:
        lang_chance = gap_chance([_waits(rows) for rows in by_lang.values()], min_answered)
    return FairnessReport(by_band=bands, by_lang=langs, band_gap=band_gap, lang_gap=lang_gap,
                          band_gap_chance=band_chance, lang_gap_chance=lang_chance)


def _waits(rows: list[tuple[float | None, bool]]) -> list[float]:
    return [w for w, _ in rows if w is not None]
