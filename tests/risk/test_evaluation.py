"""The risk section of `wakeful eval`: each figure beside its baseline, JSON-serialisable, in readable lines."""

from __future__ import annotations

import json

from wakeful.evaluation import risk


def test_forecast_and_authenticity_beat_their_baselines_on_held_out_seeds() -> None:
    forecast = risk.evaluate_forecast(seed=3, n=80)
    assert forecast["mdape_6h_model"] < forecast["mdape_6h_naive"] * 1.2
    assert 0.75 <= forecast["interval_90_coverage"] <= 1.0
    assert forecast["demo_promoted"]["mdape_6h_model"] < 0.5
    auth = risk.evaluate_authenticity(seed=3)
    assert auth["auc"] > auth["auc_age_baseline"] and auth["f1"] > auth["f1_age_baseline"]
    assert auth["demo_day"]["f1"] > 0.9
    report = {"seed": 3, "forecast": forecast, "authenticity": auth,
              "spikes": {"weeks": 1.0, "crises": 2, **{k: {"detected": 1, "median_delay_min": None,
                                                           "false_alarms_per_week": 0.0}
                                                       for k in ("desk", "seasonal", "share", "trailing")}}}
    text = "\n".join(risk.lines(json.loads(json.dumps(report))))
    assert "MdAPE" in text and "naive so-far x" in text and "age<30d" in text and "delay n/a" in text
