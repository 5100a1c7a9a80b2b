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
    # The caller forecasts from genuine interactions; the score takes that forecast as it is, not discounting again.
    bought = score(RiskInputs(severity=2, followers=300, promotion=promotion.Promotion(False, "none"),
                              forecast_6h=15_200, fake_share=0.62, fake_text="62% of likes bought",
                              fake_interactions=620, fake_forecast_6h=24_800))
    honest = score(RiskInputs(severity=2, followers=300, promotion=promotion.Promotion(False, "none"),
                              forecast_6h=15_200))
    assert bought.score == honest.score and "forecast 15k impressions in 6 h" in bought.summary
    assert ("62% of likes bought (not counted: 620 interactions and 25k impressions in 6 h left out of the "
            "forecast)") in bought.summary
    thread = score(RiskInputs(severity=2, followers=300, promotion=promotion.Promotion(False, "none"),
                              forecast_6h=15_200, fake_share=0.5, fake_text="3 of 6 replies from fake accounts"))
    assert thread.score == honest.score and thread.summary.endswith("fake accounts (not counted)")
    celebrity = score(RiskInputs(severity=2, followers=1_000_000, promotion=promotion.Promotion(False, "none"),
                                 forecast_6h=300_000))
    assert celebrity.score < 60  # reach the author already has is not a crisis by itself


def _seen(impressions: int, likes: int = 0, reposts: int = 0, replies: int = 0) -> Engagement:
    return Engagement(observed_at=START, likes=likes, reposts=reposts, replies=replies, impressions=impressions)


def test_impressions_far_beyond_organic_with_almost_no_interactions_look_bought_not_promoted() -> None:
    bots = promotion.detect(300, _seen(50_000, likes=3, replies=1))
    assert (bots.promoted, bots.source) == (False, "bought")
    assert bots.bought_impressions == 50_000 - 105  # all but what 300 followers could see organically
    assert "only 4 likes, reposts, replies and quotes (0.008% of impressions" in bots.evidence[0]
    assert promotion.detect(300, _seen(50_000, likes=9)).source == "bought"  # just under 0.02%
    at_line = promotion.detect(300, _seen(50_000, likes=10))
    assert (at_line.promoted, at_line.source, at_line.bought_impressions) == (True, "signals", 0)


def test_a_real_ad_and_a_viral_post_are_not_bought_views() -> None:
    ad = promotion.detect(300, _seen(30_000, likes=40, reposts=2, replies=3))  # 0.15%: an ad's real viewers
    assert (ad.promoted, ad.source) == (True, "signals") and "non-followers" in ad.evidence[0]
    viral = promotion.detect(300, _seen(60_000, likes=900, reposts=450))  # reposts carried it
    assert (viral.promoted, viral.source) == (False, "none")


def test_a_platform_flag_wins_however_few_interact() -> None:
    quiet = _seen(50_000, likes=2)
    x = promotion.detect(300, quiet, raw={"data": {"promoted_metrics": {"impression_count": 50_000}}})
    assert (x.promoted, x.source, x.bought_impressions) == (True, "flag", 0)
    assert promotion.detect(300, quiet, flagged=True).promoted


def test_a_small_post_is_not_judged_bought() -> None:
    for impressions in (1_500, 6_000):  # no interactions at all, but too few impressions to say
        assert promotion.detect(300, _seen(impressions)).source != "bought"
    assert promotion.detect(300, _seen(promotion.BOUGHT_MIN_IMPRESSIONS)).source == "bought"


def test_bought_views_earn_no_promotion_points_and_say_so() -> None:
    bots = promotion.detect(300, _seen(50_000, likes=3))
    bought = score(RiskInputs(severity=2, followers=300, promotion=bots, forecast_6h=150))
    plain = score(RiskInputs(severity=2, followers=300, promotion=promotion.Promotion(False, "none"),
                             forecast_6h=150))
    assert bought.score == plain.score
    [factor] = [f for f in bought.factors if f.name == "promotion"]
    assert factor.points == 0 and factor.text.startswith("impressions look bought (50,000 impressions from 300")
    assert "not paid promotion, 49,895 impressions not counted" in factor.text
    assert "promoted" not in bought.summary


def test_bought_likes_sold_with_bought_views_do_not_pass_them_off_as_promotion() -> None:
    """A farm's likes are no viewers interacting: only genuine interactions say whether impressions far beyond
    organic were an ad's or a view-bot's."""
    bundle = _seen(60_000, likes=1_001)  # 1.7% of impressions, but 996 of the likes were bought
    assert promotion.detect(300, bundle).source == "signals"  # what the raw counts alone would say
    bots = promotion.detect(300, bundle, fake_interactions=996)
    assert (bots.promoted, bots.source, bots.bought_impressions) == (False, "bought", 60_000 - 105)
    assert "only 5 likes, reposts, replies and quotes besides 996 bought or from fake accounts" in bots.evidence[0]
    scored = score(RiskInputs(severity=2, followers=300, promotion=bots, forecast_6h=150))
    assert [f.points for f in scored.factors if f.name == "promotion"] == [0.0]
    ad = promotion.detect(300, _seen(30_000, likes=1_045, reposts=2), fake_interactions=1_000)
    assert (ad.promoted, ad.source) == (True, "signals")  # 47 genuine interactions in 30k: an ad's viewers
