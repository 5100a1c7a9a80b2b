"""The seasonal detector: weekly rhythms and weekends are normal; a crisis at any hour is not."""

from __future__ import annotations

from datetime import timedelta

from wakeful.evaluation import risk_sim
from wakeful.evaluation.risk import evaluate_spikes
from wakeful.risk import seasonal
from wakeful.risk.spikes import VOLUME_KEY, Observation


def _counts(obs: list[Observation]) -> seasonal.SlotCounts:
    return seasonal.SlotCounts().add(obs)


def test_silent_without_enough_history_and_on_ordinary_days() -> None:
    obs, _ = risk_sim.weeks(seed=1, n_weeks=3, history_weeks=3)
    counts = _counts(obs)
    assert seasonal.detect(counts, risk_sim.START + timedelta(days=2, hours=9)) == []  # two days of history
    alarms = [seasonal.detect(counts, risk_sim.START + timedelta(days=d, hours=h)) for d in range(14, 21)
              for h in range(6, 23)]
    assert sum(map(len, alarms)) == 0  # a week of mornings, evenings and a weekend


def test_an_outage_across_all_topics_is_found_by_volume() -> None:
    obs, _ = risk_sim.weeks(seed=2, n_weeks=2, history_weeks=2)
    at = risk_sim.START + timedelta(days=12, hours=14)
    outage = [Observation(at + timedelta(seconds=20 * i), True, True, [risk_sim.TOPICS[i % 9]]) for i in range(60)]
    found = seasonal.detect(_counts(obs + outage), at + timedelta(minutes=25))
    assert VOLUME_KEY in [s.key for s in found]
    assert found[0].describe().endswith(f"(score {found[0].score:.1f})")


def test_the_evaluation_reports_each_detector_beside_the_baselines() -> None:
    report = evaluate_spikes(seed=0)
    assert set(report) >= {"seasonal", "share", "trailing"}
    seasonal_found, trailing = report["seasonal"], report["trailing"]
    assert seasonal_found["detected"] >= 0.75 * report["crises"]
    assert seasonal_found["false_alarms_per_week"] <= trailing["false_alarms_per_week"] + 0.5
