"""Authenticity: the demo's click farm and a simulated one are caught; real crowds and newcomers are not."""

from __future__ import annotations

from datetime import timedelta

from wakeful.core.models import Author
from wakeful.evaluation import risk_sim
from wakeful.ingest import scenario
from wakeful.risk.authenticity import Action, account_score, bought_likes, judge_burst, unexplained_likes

POSTS = list({p.key: p for p in scenario.generate_scenario(seed=3)}.values())


def _actions(role: str) -> list[Action]:
    return [Action(p.author, p.created_at, p.text) for p in POSTS if p.raw["scenario"]["role"] == role]


def test_the_demo_click_farm_is_flagged_with_evidence_and_the_real_crisis_is_not() -> None:
    farm = judge_burst(_actions("fake_burst"))
    assert farm.flagged and farm.fake_share > 0.9
    assert any("days old" in e for e in farm.evidence) and any("near-identical" in e for e in farm.evidence)
    crowd = judge_burst(_actions("crisis"))
    assert crowd.size >= 30 and not crowd.flagged and crowd.fake_share < 0.1


def test_one_trait_alone_does_not_make_an_account_fake() -> None:
    at = risk_sim.START
    newcomer = Author(id="1", handle="new", followers=40, following=60, created_at=at - timedelta(days=2),
                      description="Just joined to complain about my flight")
    farm = Author(id="2", handle="f", followers=1, following=3000, created_at=at - timedelta(days=2),
                  default_profile=True)
    assert account_score(newcomer, at) < 0.5 < account_score(farm, at)


def test_simulated_farm_bursts_score_above_genuine_traffic() -> None:
    data = risk_sim.traffic_with_bursts(seed=5, days=1, bursts=4)
    fake = [account_score(d.action.author, d.action.at) for d in data if d.fake]
    real = [account_score(d.action.author, d.action.at) for d in data if not d.fake]
    assert sum(fake) / len(fake) > 2 * sum(real) / len(real)


def test_likes_beyond_what_impressions_allow_are_unexplained() -> None:
    t = risk_sim.START
    series = [(t, 10, 600), (t + timedelta(minutes=1), 1_050, 760), (t + timedelta(minutes=10), 1_060, 880)]
    [jump] = unexplained_likes(series)
    assert jump.likes == 1_040 and jump.unexplained == 1_040 - 40
    organic = [(t, 10, 600), (t + timedelta(minutes=10), 60, 4_000), (t + timedelta(minutes=20), 70, None)]
    assert unexplained_likes(organic) == []


def test_a_burst_seen_while_impressions_were_pending_is_judged_at_the_next_count() -> None:
    t = risk_sim.START
    at = [t + timedelta(minutes=m) for m in (0, 10, 11, 15)]
    series = [(at[0], 1, None), (at[1], 3, 120), (at[2], 1_400, None), (at[3], 1_400, 200)]
    [jump] = unexplained_likes(series)
    assert (jump.at, jump.likes, jump.unexplained) == (at[3], 1_397, 1_397 - 20)
    assert bought_likes(series) == [0, 0, 1_377, 1_377]  # bought from the observation that first held them


def test_bought_likes_leave_genuine_ones_alone_when_the_platform_purges_them() -> None:
    t = risk_sim.START
    series = [(t, 3, 120), (t + timedelta(minutes=1), 1_400, 180), (t + timedelta(hours=1), 30, 400),
              (t + timedelta(hours=2), 40, 500)]
    assert bought_likes(series) == [0, 1_382, 12, 12]  # the drop took bought likes; new likes are genuine
    assert bought_likes([(t, 10, 600), (t + timedelta(minutes=10), 60, 4_000)]) == [0, 0]


def test_a_first_observation_already_holding_bought_likes_is_judged() -> None:
    """The desk may first see a post after its likes were bought: its first count is judged against the post's
    start, when nothing was liked or seen, whether or not the impressions were counted yet."""
    t = risk_sim.START
    [jump] = unexplained_likes([(t, 1_400, 180)])
    assert (jump.likes, jump.impressions, jump.unexplained) == (1_400, 180, 1_400 - 45)
    assert bought_likes([(t, 1_400, 180), (t + timedelta(minutes=10), 1_410, 400)]) == [1_355, 1_355]
    pending = [(t, 1_400, None), (t + timedelta(minutes=5), 1_400, 200)]
    assert bought_likes(pending) == [1_350, 1_350]  # bought from the first observation, proved at the count


def test_a_real_popular_first_observation_is_not_judged() -> None:
    """However viral, a real post has had the viewers its likes need; without a count nothing is judged."""
    t = risk_sim.START
    for first in ((t, 48_000, 2_100_000), (t, 6_000, 50_000), (t, 20, 30)):  # viral, loved, small
        assert unexplained_likes([first]) == [] and bought_likes([first]) == [0]
    assert bought_likes([(t, 900, None)]) == [0]  # impressions not counted yet: nothing says who could like
