"""The demo scenario: reproducible, realistic in volume and mix, and holding the incidents it promises."""

from __future__ import annotations

import itertools
import random
import statistics
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from wakeful.core.models import Platform, Post
from wakeful.ingest.jsonl import iter_records, parse_post, write_posts
from wakeful.ingest.scenario import (
    DEFAULT_START,
    FAKE_BURST_POST_IDS,
    INCIDENT_AUTHOR_HANDLE,
    INCIDENT_FOLLOWUP_ID,
    INCIDENT_POST_ID,
    LIKE_SPIKE_POST_ID,
    SPAM_TARGET_POST_ID,
    generate_scenario,
    impressions_curve,
)


@pytest.fixture(scope="module")
def day() -> list[Post]:
    return generate_scenario()


@pytest.fixture(scope="module")
def firsts(day: list[Post]) -> list[Post]:
    """Each post once, as first observed."""
    seen: dict[tuple[str, str], Post] = {}
    for p in day:
        seen.setdefault(p.key, p)
    return list(seen.values())


def label(post: Post, key: str) -> object:
    return post.raw["scenario"][key]


def observations(day: list[Post], post_id: str) -> list[Post]:
    return [p for p in day if p.id == post_id]


def test_same_seed_gives_identical_json_and_another_seed_does_not(day: list[Post]) -> None:
    again = generate_scenario(seed=7, start=DEFAULT_START)
    assert [p.model_dump_json() for p in again] == [p.model_dump_json() for p in day]
    other = generate_scenario(seed=8)
    assert [p.model_dump_json() for p in other] != [p.model_dump_json() for p in day]


def test_records_are_sorted_by_observation_time_within_the_day(day: list[Post]) -> None:
    times = [p.observed_at() for p in day]
    assert times == sorted(times)
    assert times[0] >= DEFAULT_START and times[-1] < DEFAULT_START + timedelta(hours=24)


def test_volume_language_kind_and_platform_mix(firsts: list[Post]) -> None:
    assert 2_500 <= len(firsts) <= 3_600
    langs = Counter(label(p, "lang") for p in firsts)
    share = {k: v / len(firsts) for k, v in langs.items()}
    assert 0.55 <= share["en"] <= 0.65 and 0.20 <= share["de"] <= 0.30 and 0.10 <= share["fr"] <= 0.20
    kinds = Counter(label(p, "kind") for p in firsts)
    assert set(kinds) == {"complaint", "question", "praise", "neutral", "unrelated", "spam", "fake_engagement"}
    assert kinds["complaint"] > kinds["question"] > kinds["spam"] > 0
    topics = {label(p, "topic") for p in firsts if label(p, "kind") == "complaint"}
    assert {"lost_luggage", "damaged_luggage", "delay", "cancellation", "refund", "rude_staff", "booking_site",
            "seat", "baggage_fee"} <= topics
    assert {p.platform for p in firsts} == {Platform.X, Platform.MASTODON, Platform.BLUESKY}
    assert all(label(p, "brand") is None for p in firsts if label(p, "kind") == "unrelated")
    assert sum(1 for p in firsts if label(p, "pii")) >= 50


def test_texts_vary_and_look_like_customers_wrote_them(firsts: list[Post]) -> None:
    regular = [p.text for p in firsts if label(p, "role") == "regular" and label(p, "kind") != "spam"]
    assert len(set(regular)) / len(regular) > 0.95
    assert sum("@AuroraAirways" in t or "@AuroraHelp" in t for t in regular) > len(regular) / 3
    assert any("AU " in t for t in regular) and any("#" in t for t in regular)


def test_volume_is_quiet_at_night_and_peaks_morning_and_evening(firsts: list[Post]) -> None:
    by_hour = Counter(p.created_at.hour for p in firsts if label(p, "role") == "regular")
    night = sum(by_hour[h] for h in range(1, 5))
    assert night * 6 < sum(by_hour[h] for h in range(8, 12))
    assert night * 6 < sum(by_hour[h] for h in range(18, 22))


def test_followers_are_heavy_tailed(firsts: list[Post]) -> None:
    authors = {p.author.id: p.author for p in firsts}
    followers = [a.followers for a in authors.values()]
    assert statistics.median(followers) < 1_000
    assert 2 <= sum(f > 100_000 for f in followers) <= 30
    assert sum(a.verified for a in authors.values()) >= 3


def test_every_post_starts_with_an_engagement_at_creation(firsts: list[Post]) -> None:
    for p in firsts:
        assert p.engagement is not None and p.engagement.observed_at == p.created_at
        assert (p.engagement.impressions is not None) == (p.platform is Platform.X)
        assert p.url and p.url.startswith("https://")


def test_repeat_customers_post_again_in_their_own_thread(day: list[Post], firsts: list[Post]) -> None:
    by_id = {p.id: p for p in firsts}
    repeats = [p for p in firsts if label(p, "role") == "repeat"]
    assert len(repeats) >= 60
    for p in repeats:
        parent = by_id[p.reply_to_id or ""]
        assert parent.author == p.author and parent.created_at < p.created_at
        assert p.conversation_id in by_id and by_id[p.conversation_id].reply_to_id is None


def test_incident_impressions_grow_monotonically_past_25k_by_6h_and_50k_by_12h(day: list[Post]) -> None:
    obs = observations(day, INCIDENT_POST_ID)
    first = obs[0]
    assert first.promoted and first.author.handle == INCIDENT_AUTHOR_HANDLE and 250 <= first.author.followers <= 350
    assert all(o.text == first.text and o.author == first.author for o in obs)
    t0 = first.created_at
    assert 8.5 <= (t0 - DEFAULT_START).total_seconds() / 3600 <= 9.5
    impressions = [o.engagement.impressions or 0 for o in obs if o.engagement]
    assert impressions == sorted(impressions)
    gaps = [(b.observed_at() - a.observed_at()).total_seconds() / 60 for a, b in itertools.pairwise(obs)]
    assert all(8 <= g <= 12 for g in gaps)

    def by(hours: float) -> int:
        return max(o.engagement.impressions or 0 for o in obs if o.engagement and o.observed_at() <= t0 +
                   timedelta(hours=hours))

    assert by(1) < 5_000 and by(6) >= 25_000 and by(12) >= 50_000
    likes = [o.engagement.likes for o in obs if o.engagement]
    assert likes == sorted(likes) and likes[-1] > 100


@pytest.mark.parametrize("seed", range(20))
def test_impressions_curve_hits_the_2013_figures_for_any_seed(seed: int) -> None:
    curve = impressions_curve(random.Random(seed))
    assert all(b >= a for a, b in itertools.pairwise(curve))
    assert curve[350] >= 25_000 and curve[710] >= 50_000 and curve[-1] < 80_000


def test_incident_draws_supportive_replies_and_a_follow_up(firsts: list[Post]) -> None:
    thread = [p for p in firsts if p.conversation_id == INCIDENT_POST_ID and p.id != INCIDENT_POST_ID]
    others = [p for p in thread if p.author.handle != INCIDENT_AUTHOR_HANDLE]
    assert 32 <= len(others) <= 50 and all(p.reply_to_id for p in thread)
    assert len({p.author.id for p in others}) == len(others)
    assert {label(p, "lang") for p in others} == {"en", "de", "fr"}
    assert sum("@auroraairways" in p.text.lower() for p in others) >= 8
    assert any(p.author.verified for p in others)  # the press picks it up
    follow_up = next(p for p in firsts if p.id == INCIDENT_FOLLOWUP_ID)
    assert follow_up.author.handle == INCIDENT_AUTHOR_HANDLE and "still no reply" in follow_up.text
    assert follow_up.reply_to_id == INCIDENT_POST_ID


def test_fake_burst_comes_from_young_followerless_default_profiles(firsts: list[Post]) -> None:
    burst = [p for p in firsts if p.id in set(FAKE_BURST_POST_IDS)]
    assert len(burst) == len(FAKE_BURST_POST_IDS) == 150
    span = max(p.created_at for p in burst) - min(p.created_at for p in burst)
    assert span <= timedelta(minutes=2) and abs(burst[0].created_at.hour - 15) <= 1
    for p in burst:
        a = p.author
        assert a.created_at is not None and timedelta(0) <= p.created_at - a.created_at <= timedelta(days=5)
        assert a.followers <= 3 and a.following >= 100 and a.default_profile and a.description is None
    assert len({p.text for p in burst}) <= 30
    boosts = [p for p in burst if p.reply_to_id == SPAM_TARGET_POST_ID]
    assert 20 <= len(boosts) <= 100
    ordinary = [p for p in firsts if label(p, "role") == "regular" and label(p, "kind") != "spam"]
    young = [p for p in ordinary if p.author.created_at and p.created_at - p.author.created_at < timedelta(days=5)]
    assert not young


def test_like_spike_jumps_by_about_a_thousand_within_a_minute(day: list[Post]) -> None:
    obs = [o for o in observations(day, LIKE_SPIKE_POST_ID) if o.engagement]
    jumps = [
        (b.engagement.likes - a.engagement.likes, b.observed_at() - a.observed_at())
        for a, b in itertools.pairwise(obs) if a.engagement and b.engagement
    ]
    assert any(900 <= d <= 1_200 and dt <= timedelta(minutes=1) for d, dt in jumps)


def test_a_shorter_window_keeps_only_what_falls_inside_it() -> None:
    start = datetime(2026, 5, 1, 0, 0, tzinfo=UTC)
    night = generate_scenario(seed=3, start=start, hours=6)
    assert night and all(start <= p.observed_at() < start + timedelta(hours=6) for p in night)
    assert not any(p.id == INCIDENT_POST_ID for p in night)
    assert len({p.key for p in night}) < 300
    with pytest.raises(ValueError, match="timezone"):
        generate_scenario(start=datetime(2026, 5, 1))


def test_jsonl_round_trip_keeps_every_record(day: list[Post], tmp_path: Path) -> None:
    path = tmp_path / "day.jsonl"
    assert write_posts(day, path) == len(day)
    back = [parse_post(n, r) for n, r in iter_records(path) if isinstance(r, dict)]
    assert back == day
