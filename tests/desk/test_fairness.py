"""The fairness report: bands, languages and the gap, on stored cases and on a simulated day of the demo."""

from __future__ import annotations

import math
import random
from datetime import timedelta
from pathlib import Path

import pytest
import typer
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from wakeful.api.app import build_desk, create_app
from wakeful.api.auth import Role, create_token, create_user
from wakeful.api.deps import Desk
from wakeful.cli_reports import register
from wakeful.core.clock import FixedClock
from wakeful.core.models import Post
from wakeful.core.settings import PriorityPolicy, Settings
from wakeful.desk.fairness import band_of, fairness_report, gap_chance
from wakeful.desk.simulation import Team, run_team
from wakeful.ingest import scenario
from wakeful.ingest.service import IngestService
from wakeful.store.db import migrate

from tests.factories import make_post
from tests.signin import login

LOST = "@AuroraAirways you lost my bag on flight AU {n}, still no answer. Where is my suitcase?"
# (handle, followers, minutes until the brand answers, or None for never)
CUSTOMERS = [("q1", 50, 10.0), ("q2", 300, 20.0), ("q3", 900, 30.0), ("q4", 2_000, None),
             ("m1", 5_000, 40.0), ("m2", 8_000, 60.0), ("l1", 20_000, 5.0), ("h1", 250_000, 2.0)]


def _answered_day(desk: Desk, customers: list[tuple[str, int, float | None]] = CUSTOMERS) -> None:
    posts: list[Post] = []
    for n, (handle, followers, answer_after) in enumerate(customers):
        posts.append(make_post(f"c{n}", LOST.format(n=n), author=handle, followers=followers, minutes=n))
        if answer_after is not None:
            posts.append(make_post(f"r{n}", f"@{handle} Sorry about your bag, please DM us your file reference.",
                                   author="AuroraHelp", followers=90_000, minutes=n + answer_after,
                                   reply_to=f"c{n}", conversation=f"c{n}"))
    desk.clock.set(max(p.created_at for p in posts))  # type: ignore[attr-defined]  # no post from its future
    desk.ingest.ingest(sorted(posts, key=lambda p: p.created_at))


def test_band_of_uses_the_issue_bands() -> None:
    assert [band_of(f) for f in (0, 999, 1_000, 9_999, 10_000, 99_999, 100_000, 10**9)] == [
        "<1k", "<1k", "1k-10k", "1k-10k", "10k-100k", "10k-100k", ">100k", ">100k"]


def test_report_groups_waits_by_band_and_language_and_names_the_gap(desk: Desk) -> None:
    _answered_day(desk)
    with desk.db.session() as s:
        report = fairness_report(s, {"aurora"}, min_answered=1)
    bands = {g.group: g for g in report.by_band}
    assert [g.group for g in report.by_band] == ["<1k", "1k-10k", "10k-100k", ">100k"]
    assert (bands["<1k"].cases, bands["<1k"].answered) == (3, 3)
    assert bands["<1k"].first_response_median_min == pytest.approx(20.0)
    assert bands["1k-10k"].cases == 3 and bands["1k-10k"].answered == 2
    assert bands["1k-10k"].first_response_median_min == pytest.approx(50.0)
    assert bands[">100k"].first_response_median_min == pytest.approx(2.0)
    assert report.band_gap == pytest.approx(50.0 / 2.0)  # the famous customer is answered 25x sooner
    assert [g.group for g in report.by_lang] == ["en"] and report.by_lang[0].cases == len(CUSTOMERS)
    with desk.db.session() as s:
        assert fairness_report(s, {"nordrail"}).by_band[0].cases == 0


def test_fairness_endpoint_needs_a_token_and_shows_only_the_callers_brand(desk: Desk) -> None:
    _answered_day(desk)
    with desk.db.session() as s:
        aurora = create_token(s, "ana", "aurora", Role.AGENT, desk.clock.now())
        nord = create_token(s, "nils", "nordrail", Role.AGENT, desk.clock.now())
    with TestClient(create_app(desk)) as client:
        assert client.get("/api/v1/reports/fairness").status_code == 401
        body = client.get("/api/v1/reports/fairness", headers={"Authorization": f"Bearer {aurora}"}).json()
        other = client.get("/api/v1/reports/fairness", headers={"Authorization": f"Bearer {nord}"}).json()
    assert sum(b["cases"] for b in body["by_band"]) == len(CUSTOMERS)
    assert body["by_band"][0]["resolution_rate"] == 0.0
    assert sum(b["cases"] for b in other["by_band"]) == 0


# The morning peak of the demo day (08:00-11:00 UTC): long enough for a queue to form, short enough for a test.
PEAK = (timedelta(hours=8), timedelta(hours=11))


def _simulated_gap(tmp_path: Path, policy: PriorityPolicy) -> tuple[float | None, float | None]:
    """The peak's reach gap and, when it is over the limit, how often chance alone gives one as large."""
    posts = [p for p in scenario.generate_scenario(seed=7, start=scenario.DEFAULT_START)
             if PEAK[0] <= p.observed_at() - scenario.DEFAULT_START < PEAK[1]]
    settings = Settings(database_url=f"sqlite:///{tmp_path}/sim-{policy.reach_mode}.db", priority=policy)
    migrate(settings.database_url)
    desk = build_desk(settings)
    clock = FixedClock(min(p.observed_at() for p in posts))
    ingestor = IngestService(desk.db, desk.ingest.analyzer, settings, clock)
    run_team(posts, ingestor, desk.db, settings, clock, Team(agents=6), drain=True)
    with desk.db.session() as s:
        report = fairness_report(s, None, min_answered=1)
    desk.db.dispose()
    return report.band_gap, report.band_gap_chance


def test_simulated_peak_at_the_default_policy_is_not_a_two_tier_desk(tmp_path: Path) -> None:
    """Within 1.5x, or over it only as far as chance goes: the morning peak has a customer or two above 10k
    followers, so one quick answer moves a band's median (measured 1.28x on 2026-12-04 evening; 1.70x from a
    single 10k-100k customer with the models of that morning, which random deals matched 75% of the time)."""
    assert Settings().priority == PriorityPolicy()
    gap, chance = _simulated_gap(tmp_path, PriorityPolicy())
    assert gap is not None, "the simulated peak answered too few cases per band to compare"
    assert gap <= 1.5 or (chance is not None and chance >= 0.05), (gap, chance)


def test_reach_raising_whole_levels_makes_a_two_tier_desk_at_peak(tmp_path: Path) -> None:
    """Why the default is a head start: on the same posts, a whole level jumps the queue (measured 25.7x at peak
    against 1.28x; about 5x over the full day). The permutation test is no judge here: three hours hold one or
    two customers above 10k followers, and random deals gave a gap that large 4% to 7.5% of the time as the
    analysis models changed, so the test compares the two policies instead."""
    levels, chance = _simulated_gap(tmp_path, PriorityPolicy(reach_mode="levels"))
    head_start, _ = _simulated_gap(tmp_path, PriorityPolicy())
    assert levels is not None and head_start is not None
    assert levels > 2.0 and levels > 5 * head_start, (levels, head_start, chance)


def test_fairness_command_prints_bands_and_flags_a_two_tier_gap(desk: Desk, monkeypatch: pytest.MonkeyPatch) -> None:
    _answered_day(desk)
    for module in ("wakeful.cli_reports", "wakeful.cli_common"):
        monkeypatch.setattr(f"{module}.get_settings", lambda: desk.settings)
    app = typer.Typer()
    register(app)
    result = CliRunner().invoke(app, ["fairness", "--brand", "aurora", "--min-answered", "1"], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    assert ">100k" in result.output and "10k-100k" in result.output
    assert "gap between reach bands (slowest median / fastest): 25.00x" in result.output
    assert "two-tier" in result.output


def test_a_gap_from_five_cases_is_told_apart_from_a_gap_over_hundreds() -> None:
    """The same 1.6x gap: five famous customers answered a little sooner is within chance; hundreds of customers
    in each band answered 1.6x apart is not."""
    rng = random.Random(5)
    everyone = [rng.lognormvariate(math.log(6.0), 0.6) for _ in range(1_500)]
    famous = [3.0, 3.5, 3.8, 4.0, 9.0]  # median 3.8 against about 6: a 1.6x gap
    few = gap_chance([everyone, famous])
    assert few is not None and few > 0.05  # the verdict calls 5% and over chance
    slow = [w * 1.6 for w in everyone[:300]]
    many = gap_chance([everyone[300:], slow])
    assert many is not None and many < 0.01
    assert gap_chance([everyone, famous[:4]]) is None  # four answered cases are not a group to compare
    assert gap_chance([everyone, famous]) == few  # seeded: a report reads the same each time


def test_the_report_says_whether_a_two_tier_gap_could_be_chance(desk: Desk) -> None:
    """Five famous customers answered 2x sooner than five others: over the limit, and also what chance gives."""
    customers = [(f"s{n}", 200, w) for n, w in enumerate((8.0, 14.0, 20.0, 26.0, 40.0))] + \
                [(f"f{n}", 300_000, w) for n, w in enumerate((4.0, 6.0, 10.0, 30.0, 44.0))]
    _answered_day(desk, customers)
    with desk.db.session() as s:
        report = fairness_report(s, {"aurora"})
    assert report.band_gap == pytest.approx(2.0)
    assert report.band_gap_chance is not None and report.band_gap_chance > 0.05
    with desk.db.session() as s:
        create_user(s, "lee", "fairness-page-pw", "aurora", Role.LEAD, desk.clock.now())
    with TestClient(create_app(desk)) as client:
        login(client, {"username": "lee", "password": "fairness-page-pw"})
        page = client.get("/reports").text
    verdict = page[page.index('id="fairness-verdict"'):]
    verdict = " ".join(verdict[:verdict.index("</p>")].split())
    assert "Two-tier" in verdict and "this may be chance" in verdict, verdict
