"""One risk score per case, 0 … 100, from severity, paid promotion, forecast reach and its authenticity.

The agent must see why, so each factor carries its points and a sentence ("promoted; forecast 40k impressions in
6 h; 62% of likes from suspected fake accounts"). Weights follow the 2013 lesson the desk exists for: a serious
complaint someone paid to promote is a crisis in the making before its numbers show it, so severity 2 plus
promotion alone lands at 55, and a forecast of spread far beyond the author's own audience tips it over the
default alert line (60, `PriorityPolicy.risk_min_score`). Reach the author already has counts only through the
forecast, and what was bought counts for nothing: the caller leaves bought views, bought likes and fake accounts'
interactions out of the forecast it passes, so the forecast the agent is shown is the one scored, and nothing is
discounted twice; impressions that look bought earn no promotion points, and the authenticity factor says how much
was left out.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from wakeful.risk.promotion import ORGANIC_VIEW_RATE, Promotion

SEVERITY_POINTS = 10.0
PROMOTED_POINTS = 35.0
FORECAST_POINTS = 20.0
"""At 1M impressions in 6 h; 0 at 1k, linear in the decades between."""
SPREAD_POINTS = 15.0
"""At 1,000x the audience the author's followers give; 0 at 1x."""


@dataclass(frozen=True)
class Factor:
    name: str
    points: float
    text: str


@dataclass(frozen=True)
class RiskInputs:
    severity: int
    followers: int
    promotion: Promotion
    forecast_6h: float | None
    """Impressions expected 6 h from now (counted or estimated), genuine: without `promotion.bought_impressions`
    and forecast from the interactions that are left once bought likes and fake accounts' ones are taken out."""
    forecast_6h_low: float | None = None
    forecast_6h_high: float | None = None
    fake_share: float = 0.0
    """Share of the post's engagement from suspected fake accounts or bought likes (0 … 1); shown, not scored
    (the forecast already leaves them out)."""
    fake_text: str | None = None
    fake_interactions: int = 0
    """Bought likes and fake accounts' replies left out of the forecast's interactions."""
    fake_forecast_6h: float = 0.0
    """Impressions in 6 h that counting `fake_interactions` would have added to the forecast."""
    topics: list[str] = field(default_factory=list)
    reach_now: str | None = None
    """Where the post stands now (`ReachNow.describe`), for the agent; it earns no points by itself."""


@dataclass(frozen=True)
class RiskScore:
    score: float
    factors: list[Factor]

    @property
    def summary(self) -> str:
        return "; ".join(f.text for f in self.factors if f.text)


def _k(n: float) -> str:
    if n >= 1_000_000:
        return f"{n / 1_000_000:.1f}M"
    return f"{n / 1000:.0f}k" if n >= 10_000 else f"{n / 1000:.1f}k" if n >= 1000 else f"{n:.0f}"


def score(inputs: RiskInputs) -> RiskScore:
    sev = max(0, min(3, inputs.severity))
    what = f" ({', '.join(t.replace('_', ' ') for t in inputs.topics)})" if inputs.topics else ""
    factors = [Factor("severity", sev * SEVERITY_POINTS, f"severity {sev}{what}")]
    if inputs.promotion.promoted:
        why = inputs.promotion.evidence[0] if inputs.promotion.evidence else ""
        factors.append(Factor("promotion", PROMOTED_POINTS, f"promoted ({why})" if why else "promoted"))
    elif inputs.promotion.source == "bought":
        why = inputs.promotion.evidence[0] if inputs.promotion.evidence else ""
        said = f"impressions look bought ({why})" if why else "impressions look bought"
        factors.append(Factor("promotion", 0.0, f"{said}: not paid promotion, "
                                                f"{inputs.promotion.bought_impressions:,} impressions not counted"))
    if inputs.forecast_6h is not None:
        expected = inputs.forecast_6h
        points = FORECAST_POINTS * min(max(math.log10(max(expected, 1.0) / 1000) / 3, 0.0), 1.0)
        span = ""
        if inputs.forecast_6h_low is not None and inputs.forecast_6h_high is not None:
            span = f" (90%: {_k(inputs.forecast_6h_low)} to {_k(inputs.forecast_6h_high)})"
        factors.append(Factor("forecast", points, f"forecast {_k(expected)} impressions in 6 h{span}"))
        own = max(inputs.followers * ORGANIC_VIEW_RATE, 100.0)
        amp = expected / own
        spread = SPREAD_POINTS * min(max(math.log10(amp) / 3, 0.0), 1.0) if amp > 1 else 0.0
        if spread:
            factors.append(Factor("spread", spread, f"{amp:.0f}x what its author's {inputs.followers:,} followers "
                                                    "would see"))
    if inputs.reach_now:
        factors.append(Factor("reach", 0.0, f"now {inputs.reach_now}"))
    if inputs.fake_share > 0:
        text = inputs.fake_text or f"{round(100 * inputs.fake_share)}% of engagement from suspected fake accounts"
        factors.append(Factor("authenticity", 0.0, f"{text} ({_left_out(inputs)})"))
    total = min(100.0, sum(f.points for f in factors))
    return RiskScore(round(total, 1), factors)


def _left_out(inputs: RiskInputs) -> str:
    """What the fake engagement would have added, so the agent can tell the forecast shown from the platform's
    counts."""
    if not inputs.fake_interactions:
        return "not counted"
    added = f" and {_k(inputs.fake_forecast_6h)} impressions in 6 h" if inputs.fake_forecast_6h >= 0.5 else ""
    return f"not counted: {inputs.fake_interactions:,} interactions{added} left out of the forecast"
