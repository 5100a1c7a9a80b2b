"""Promotion from platform flags or delivery signals, and the risk score's factors in words."""

from __future__ import annotations

from wakeful.core.models import Engagement
from wakeful.evaluation.risk_sim import START
from wakeful.risk import promotion
from wakeful.risk.score import RiskInputs, score

E = Engagement(observed_at=START, likes=40, reposts=2, impressions=30_000)


def test_platform_flags_win_and_say_where_they_come_from() -> None:
    x = promotion.detect(300, None, raw={"promoted_metrics": {"impression_count": 900}})
    reddit = promotion.detect(300, None, raw={"promoted": True})
    assert (x.promoted, x.source) == (True, "flag") and "promoted_metrics" in x.evidence[0]
    assert reddit.promoted and "Reddit" in reddit.evidence[0]
    assert promotion.detect(300, None, flagged=True).promoted


def test_delivery_far_beyond_followers_and_reposts_is_a_signal_ordinary_reach_is_not() -> None:
    paid = promotion.detect(300, E)
    assert (paid.promoted, paid.source) == (True, "signals") and "non-followers" in paid.evidence[0]
    assert not promotion.detect(200_000, E).promoted  # a large account reaching its own audience
    viral = E.model_copy(update={"reposts": 400})
    assert not promotion.detect(300, viral).promoted  # spread through reposts, as organic posts do
    assert not promotion.detect(300, E, reposters_audience=90_000).promoted


def test_the_score_explains_each_factor_and_ignores_bought_engagement() -> None:
    paid = promotion.Promotion(True, "flag", ["X reports promoted_metrics for it (it ran as an ad)"])
    base = RiskInputs(severity=2, followers=300, promotion=paid, forecast_6h=40_000, forecast_6h_low=20_000,
                      forecast_6h_high=60_000, topics=["lost_luggage"])
    risky = score(base)
    assert risky.score >= 75
    assert risky.summary.startswith("severity 2 (lost luggage); promoted (X reports")
    assert "forecast 40k impressions in 6 h (90%: 20k to 60k)" in risky.summary
    bought = score(RiskInputs(severity=2, followers=300, promotion=promotion.Promotion(False, "none"),
                              forecast_6h=40_000, fake_share=0.62, fake_text="62% of likes bought"))
    honest = score(RiskInputs(severity=2, followers=300, promotion=promotion.Promotion(False, "none"),
                              forecast_6h=40_000 * 0.38))
    assert bought.score == honest.score and "62% of likes bought (not counted)" in bought.summary
    celebrity = score(RiskInputs(severity=2, followers=1_000_000, promotion=promotion.Promotion(False, "none"),
                                 forecast_6h=300_000))
    assert celebrity.score < 60  # reach the author already has is not a crisis by itself
