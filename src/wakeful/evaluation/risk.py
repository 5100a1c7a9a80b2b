"""The risk stage measured, each figure beside a baseline from the same run (`wakeful eval`'s risk section).

- Forecast: cascades simulated from known SEISMIC parameters (held-out seed); from the first 30 minutes,
  interactions at 6 h after posting, median absolute percentage error of the model against the naive baseline
  "so far x the median growth seen on training cascades" (another seed), plus the model's 90% interval coverage.
  Also the demo's promoted lost-bag curve, which is paid delivery plus saturating spread, not a Hawkes process.
- Authenticity: simulated days of genuine posts (newcomers and real crowds among them) with click-farm bursts
  built from the published patterns; ROC-AUC and F1 of the scorer against "account younger than 30 days" and
  the profile score alone (no burst context).
- Spikes: six simulated weeks (four of history), crises on one topic or across all; detection delay and false
  alarms per week for the seasonal detector, the share detector, both as the desk runs them, and a trailing
  (non-seasonal) volume baseline.
"""

from __future__ import annotations

import bisect
import random
import statistics
from collections.abc import Sequence
from datetime import timedelta
from typing import Any

from wakeful.evaluation import risk_sim as sim
from wakeful.ingest.scenario import generate_scenario, impressions_curve
from wakeful.risk import authenticity, forecast, seasonal, spikes

OBSERVE_EVERY = timedelta(minutes=5)
EARLY = timedelta(minutes=30)
TARGET = timedelta(hours=6)
MIN_EARLY_EVENTS = 5


# --- forecast -------------------------------------------------------------------------------------------------
def _cascades(seed: int, n: int) -> list[sim.Cascade]:
    rng = random.Random(seed)
    out: list[sim.Cascade] = []
    while len(out) < n:
        c = sim.cascade(rng)
        if c.count(EARLY.total_seconds()) >= MIN_EARLY_EVENTS:
            out.append(c)
    return out


def _model_forecast(c: sim.Cascade, audiences: bool = False) -> tuple[float, float, float]:
    seconds = [(k * OBSERVE_EVERY).total_seconds() for k in range(1, int(EARLY / OBSERVE_EVERY) + 1)]
    points = [forecast.Point(sim.START + timedelta(seconds=s), c.count(s), audience=c.audience(s) if audiences
                             else None) for s in seconds]
    fc = forecast.forecast(sim.START, c.followers, points, sim.START + EARLY, horizons=[TARGET - EARLY])
    h = fc.horizons[0]
    return h.interactions, h.low, h.high


def _mdape(pred: Sequence[float], truth: Sequence[float]) -> float:
    return statistics.median(abs(p - t) / t for p, t in zip(pred, truth, strict=True))


def evaluate_forecast(seed: int, n: int = 200) -> dict[str, Any]:
    train, test = _cascades(seed + 1000, n), _cascades(seed, n)
    growth = statistics.median(c.count(TARGET.total_seconds()) / c.count(EARLY.total_seconds()) for c in train)
    truth = [float(c.count(TARGET.total_seconds())) for c in test]
    early = [c.count(EARLY.total_seconds()) for c in test]
    model = [_model_forecast(c) for c in test]
    informed = [_model_forecast(c, audiences=True)[0] for c in test]
    covered = sum(lo <= t <= hi for (_, lo, hi), t in zip(model, truth, strict=True)) / len(test)
    return {
        "cascades": len(test), "mdape_6h_model": _mdape([m[0] for m in model], truth),
        "mdape_6h_naive": _mdape([e * growth for e in early], truth), "naive_growth": growth,
        "mdape_6h_model_with_audiences": _mdape(informed, truth),
        "interval_90_coverage": covered, "demo_promoted": _demo_curves(seed),
    }


def _demo_curves(seed: int, n: int = 20) -> dict[str, float]:
    """The demo's promoted post (impressions, every 10 min): model from 30 min vs naive fitted on other seeds."""
    def series(s: int) -> list[int]:
        return impressions_curve(random.Random(s))
    train = [series(seed + 5000 + i) for i in range(n)]
    growth = statistics.median(c[360] / max(c[30], 1) for c in train)
    model, naive, truth = [], [], []
    for i in range(n):
        curve = series(seed + i)
        rate = 0.0168  # interactions per impression in the scenario (likes, reposts, replies, quotes)
        points = [forecast.Point(sim.START + timedelta(minutes=m), int(curve[m] * rate), curve[m])
                  for m in range(10, 31, 10)]
        h = forecast.forecast(sim.START, 300, points, sim.START + EARLY, horizons=[TARGET - EARLY],
                              promoted=True).horizons[0]
        model.append(h.impressions or 0.0)
        naive.append(curve[30] * growth)
        truth.append(float(curve[360]))
    return {"curves": n, "mdape_6h_model": _mdape(model, truth), "mdape_6h_naive": _mdape(naive, truth)}


# --- authenticity ---------------------------------------------------------------------------------------------
def _auc(scores: Sequence[float], labels: Sequence[bool]) -> float:
    """ROC-AUC by ranks (ties averaged)."""
    order = sorted(range(len(scores)), key=lambda i: scores[i])
    ranks = [0.0] * len(scores)
    i = 0
    while i < len(order):
        j = i
        while j + 1 < len(order) and scores[order[j + 1]] == scores[order[i]]:
            j += 1
        for k in range(i, j + 1):
            ranks[order[k]] = (i + j) / 2 + 1
        i = j + 1
    pos = sum(labels)
    neg = len(labels) - pos
    return (sum(r for r, y in zip(ranks, labels, strict=True) if y) - pos * (pos + 1) / 2) / (pos * neg)


def _f1(pred: Sequence[bool], labels: Sequence[bool]) -> float:
    tp = sum(p and y for p, y in zip(pred, labels, strict=True))
    fp = sum(p and not y for p, y in zip(pred, labels, strict=True))
    fn = sum(y and not p for p, y in zip(pred, labels, strict=True))
    return 2 * tp / (2 * tp + fp + fn) if tp else 0.0


def _grouped_scores(data: Sequence[sim.Labelled], window: timedelta = timedelta(minutes=10)) -> list[float]:
    """Scores as the desk computes them: actions grouped by the 10-minute window they arrive in."""
    scores: list[float] = []
    start = 0
    while start < len(data):
        end = start
        edge = data[start].action.at + window
        while end < len(data) and data[end].action.at < edge:
            end += 1
        scores.extend(authenticity.action_scores([d.action for d in data[start:end]]))
        start = end
    return scores


def evaluate_authenticity(seed: int) -> dict[str, Any]:
    data = sim.traffic_with_bursts(seed + 2000)
    labels = [d.fake for d in data]
    full = _grouped_scores(data)
    profile = [authenticity.account_score(d.action.author, d.action.at) for d in data]
    age = [-(d.action.at - d.action.author.created_at).total_seconds() if d.action.author.created_at else 0.0
           for d in data]
    young = [a > -30 * 86_400 for a in age]
    return {
        "demo_day": _demo_day_authenticity(seed),
        "actions": len(data), "fake": sum(labels),
        "auc": _auc(full, labels), "f1": _f1([s >= authenticity.SUSPECT for s in full], labels),
        "auc_profile_only": _auc(profile, labels),
        "f1_profile_only": _f1([s >= authenticity.SUSPECT for s in profile], labels),
        "auc_age_baseline": _auc(age, labels), "f1_age_baseline": _f1(young, labels),
    }


def _demo_day_authenticity(seed: int) -> dict[str, float]:
    """The demo day's posts (its click farm is the fake class; spam posts are left out, their label is moot)."""
    posts = [p for p in {p.key: p for p in generate_scenario(seed=seed + 11)}.values()
             if p.raw["scenario"]["kind"] != "spam"]
    data = sorted((sim.Labelled(authenticity.Action(p.author, p.created_at, p.text),
                                p.raw["scenario"]["role"] == "fake_burst") for p in posts),
                  key=lambda d: d.action.at)
    labels = [d.fake for d in data]
    scores = _grouped_scores(data)
    return {"actions": len(data), "fake": sum(labels), "auc": _auc(scores, labels),
            "f1": _f1([x >= authenticity.SUSPECT for x in scores], labels)}


# --- spikes ---------------------------------------------------------------------------------------------------
def evaluate_spikes(seed: int) -> dict[str, Any]:
    obs, crises = sim.weeks(seed + 3000)
    history_end = sim.START + timedelta(weeks=sim.HISTORY_WEEKS)
    end = sim.START + timedelta(weeks=sim.WEEKS)
    times = [o.at for o in obs]
    counts = seasonal.SlotCounts()
    added = bisect.bisect_left(times, history_end)
    counts.add(obs[:added])
    share_config = spikes.SpikeConfig()
    alarms: dict[str, list[tuple[Any, str]]] = {"seasonal": [], "share": [], "trailing": []}
    factors: dict[int, float] = {}
    day = None
    t = history_end
    while t < end:
        upto = bisect.bisect_left(times, t)
        counts.add(obs[added:upto])
        added = upto
        if t.date() != day:
            day = t.date()
            factors = seasonal._weekday_factors(counts, seasonal.slot_of(t), 28)
        alarms["seasonal"] += [(t, s.key) for s in seasonal.detect(counts, t, weekday_factors=factors)]
        lo = bisect.bisect_left(times, t - share_config.window * (share_config.history_windows + 1))
        recent = obs[lo:upto]
        alarms["share"] += [(t, s.key) for s in spikes.detect(recent, t, share_config)]
        alarms["trailing"] += [(t, k) for k in _trailing_volume(counts, t)]
        t += timedelta(minutes=5)
    alarms["desk"] = alarms["seasonal"] + alarms["share"]  # the desk runs both
    weeks = (end - history_end) / timedelta(weeks=1)
    return {"weeks": weeks, "crises": len(crises),
            **{name: _score_alarms(found, crises, weeks) for name, found in alarms.items()}}


def _trailing_volume(counts: seasonal.SlotCounts, now: Any) -> list[str]:
    """The non-seasonal baseline: complaints in the last 30 min against the mean of the 12 windows before."""
    end, n = seasonal.slot_of(now) + 1, 6
    current = counts.window(end, n)[spikes.VOLUME_KEY]
    before = [counts.window(end - n * k, n)[spikes.VOLUME_KEY] for k in range(1, 13)]
    mean = statistics.mean(before)
    z = (current - mean) / (statistics.pstdev(before) + mean ** 0.5 + 1)
    return [spikes.VOLUME_KEY] if z >= 4.0 and current >= 8 and current >= 2 * mean else []


def _score_alarms(found: list[tuple[Any, str]], crises: list[sim.Crisis], weeks: float) -> dict[str, Any]:
    """Alarms merged into episodes (same key within 2 h); an episode starting during a crisis (or up to an
    hour after) detects it, any other is a false alarm."""
    episodes: list[Any] = []
    last: dict[str, Any] = {}
    for at, key in sorted(found):
        if key not in last or at - last[key] > timedelta(hours=2):
            episodes.append(at)
        last[key] = at
    delays, false = [], 0
    detected: set[int] = set()
    for at in episodes:
        hit = next((i for i, c in enumerate(crises) if c.start <= at <= c.end + timedelta(hours=1)), None)
        if hit is None:
            false += 1
        elif hit not in detected:
            detected.add(hit)
            delays.append((at - crises[hit].start).total_seconds() / 60)
    return {"detected": len(detected), "median_delay_min": statistics.median(delays) if delays else None,
            "false_alarms_per_week": false / weeks}


# --- report ---------------------------------------------------------------------------------------------------
def evaluate(seed: int = 0) -> dict[str, Any]:
    """Every risk figure beside its baseline; JSON-serialisable."""
    return {"seed": seed, "forecast": evaluate_forecast(seed), "authenticity": evaluate_authenticity(seed),
            "spikes": evaluate_spikes(seed)}


def lines(report: dict[str, Any]) -> list[str]:
    f, a, s = report["forecast"], report["authenticity"], report["spikes"]
    d = f["demo_promoted"]
    out = [
        f"Risk (simulated, seed {report['seed']})",
        f"  forecast, 6 h from first 30 min, {f['cascades']} SEISMIC cascades: MdAPE {f['mdape_6h_model']:.1%} "
        f"(naive so-far x {f['naive_growth']:.1f}: {f['mdape_6h_naive']:.1%}; knowing engagers' followers: "
        f"{f['mdape_6h_model_with_audiences']:.1%}); 90% interval covers {f['interval_90_coverage']:.0%}",
        f"  forecast on the demo's promoted curve ({d['curves']}): MdAPE {d['mdape_6h_model']:.1%} "
        f"(naive: {d['mdape_6h_naive']:.1%})",
        f"  authenticity, {a['actions']} actions ({a['fake']} fake): ROC-AUC {a['auc']:.3f}, F1 {a['f1']:.3f} "
        f"(profile only {a['auc_profile_only']:.3f}/{a['f1_profile_only']:.3f}; age<30d "
        f"{a['auc_age_baseline']:.3f}/{a['f1_age_baseline']:.3f})",
        f"  authenticity on a demo day ({a['demo_day']['fake']} farm posts of {a['demo_day']['actions']}): "
        f"ROC-AUC {a['demo_day']['auc']:.3f}, F1 {a['demo_day']['f1']:.3f}",
    ]
    for name in ("desk", "seasonal", "share", "trailing"):
        r = s[name]
        delay = f"{r['median_delay_min']:.0f} min" if r["median_delay_min"] is not None else "n/a"
        out.append(f"  spikes ({name}), {s['weeks']:.0f} weeks: detected {r['detected']}/{s['crises']}, median "
                   f"delay {delay}, false alarms {r['false_alarms_per_week']:.1f}/week")
    return out
