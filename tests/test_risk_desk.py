"""Risk at the desk: recomputed on every engagement update, shown in the case API, alerted once, and fake
engagement worth nothing to priority (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from wakeful.api.deps import Desk
from wakeful.core.models import Engagement, Platform, Post
from wakeful.desk import scheduled, service
from wakeful.store.models import CaseEventRow
from wakeful.store.risk import CaseRiskRow

from tests.desk_fixtures import Headers
from tests.factories import T0, make_post

LOST_BAG = "@AuroraAirways you lost my father's bag on AU 1432 and nobody answers. Disgraceful, I want it back now"


def observe(desk: Desk, post: Post, minutes: float, likes: int, reposts: int, impressions: int) -> None:
    """Deliver a newer observation of `post`, `minutes` after it was posted, at that time on the desk clock."""
    at = post.created_at + timedelta(minutes=minutes)
    desk.clock.set(at)  # type: ignore[attr-defined]
    desk.ingest.ingest([post.model_copy(update={"engagement": Engagement(
        observed_at=at, likes=likes, reposts=reposts, impressions=impressions)})])


def _case_id(desk: Desk) -> int:
    with desk.db.session() as s:
        [case] = service.list_cases(s, None, desk.clock.now(), desk.settings)
    return case.id


def test_a_promoted_complaint_spreading_is_raised_alerted_once_and_shown(
        desk: Desk, client: TestClient, auth: Headers) -> None:
    post = make_post("p1", LOST_BAG, author="mira", followers=300, impressions=0, promoted=True)
    desk.clock.set(T0)  # type: ignore[attr-defined]
    desk.ingest.ingest([post])
    case_id = _case_id(desk)
    scores = []
    for minutes, likes, reposts, impressions in ((10, 4, 1, 300), (20, 12, 3, 900), (30, 30, 9, 2400)):
        observe(desk, post, minutes, likes, reposts, impressions)
        with desk.db.session() as s:
            row = s.get(CaseRiskRow, case_id)
            assert row is not None
            scores.append((row.score, row.forecast_6h))
    assert scores == sorted(scores) and scores[-1][1] is not None and scores[-1][1] > 2400
    body = client.get(f"/api/v1/cases/{case_id}", headers=auth()).json()
    assert body["risk"]["promoted"] and "promoted" in body["risk"]["summary"]
    assert "impressions in 6 h" in body["risk"]["summary"]
    assert {f["name"] for f in body["risk"]["factors"]} >= {"severity", "promotion", "forecast", "reach"}
    assert "now 300 followers, 39 interactions, 2,400 impressions" in body["risk"]["summary"]
    assert body["priority"]["level"] == min(3, body["severity"] + 1)
    assert any(r.startswith("risk ") for r in body["priority"]["reasons"])
    assert [i["kind"] for i in body["timeline"]].count("risk") == 1
    with desk.db.session() as s:
        events = s.scalars(select(CaseEventRow).where(CaseEventRow.kind == "risk")).all()
    assert len(events) == 1


def test_bought_likes_are_shown_and_do_not_raise_priority(desk: Desk) -> None:
    post = make_post("p2", LOST_BAG, author="ola", followers=150, impressions=0)
    desk.clock.set(T0)  # type: ignore[attr-defined]
    desk.ingest.ingest([post])
    case_id = _case_id(desk)
    observe(desk, post, 10, 3, 0, 120)
    with desk.db.session() as s:
        before = service.list_cases(s, None, desk.clock.now(), desk.settings)[0].priority
    observe(desk, post, 11, 1_400, 1, 180)  # a thousand likes in a minute, seen by sixty more people
    with desk.db.session() as s:
        row = s.get(CaseRiskRow, case_id)
        assert row is not None and row.fake_share > 0.9 and "likes bought" in row.summary
        # the 180 people who saw it are real, bought likes or not: fake engagement is not a fake audience
        assert row.genuine_reach == 180
        after = service.list_cases(s, None, desk.clock.now(), desk.settings)[0].priority
        assert row.alerted_at is None
    assert (after.level, after.reasons[1:]) == (before.level, before.reasons[1:])


def test_bought_views_are_not_promotion_and_count_for_nothing(
        desk: Desk, client: TestClient, auth: Headers) -> None:
    post = make_post("p5", LOST_BAG, author="noor", followers=300, impressions=0)
    desk.clock.set(T0)  # type: ignore[attr-defined]
    desk.ingest.ingest([post])
    case_id = _case_id(desk)
    observe(desk, post, 10, 2, 0, 120)
    observe(desk, post, 20, 3, 0, 60_000)  # sixty thousand views in ten minutes, and one more like
    body = client.get(f"/api/v1/cases/{case_id}", headers=auth()).json()
    risk = body["risk"]
    assert not risk["promoted"] and "promoted (" not in risk["summary"]
    [factor] = [f for f in risk["factors"] if f["name"] == "promotion"]
    assert factor["points"] == 0 and factor["text"].startswith("impressions look bought (60,000 impressions")
    assert "not paid promotion, 59,895 impressions not counted" in factor["text"]
    assert risk["forecast_6h"] < 1_000  # what 300 followers and three likes bring, not the bots' sixty thousand
    with desk.db.session() as s:
        row = s.get(CaseRiskRow, case_id)
        assert row is not None and row.genuine_reach == 300 and row.alerted_at is None
        assert row.score < desk.settings.priority.risk_min_score
    assert not any(r.startswith("risk ") for r in body["priority"]["reasons"])


def test_bought_views_sold_with_bought_likes_are_judged_bought_not_promotion(
        desk: Desk, client: TestClient, auth: Headers) -> None:
    """The farm's likes would lift the interaction rate over the bought-views bar (1,001 in 60k is 1.7%); judged
    on the five genuine ones, the views are bought and earn none of paid promotion's points."""
    post = make_post("p8", LOST_BAG, author="noor", followers=300, impressions=0)
    desk.clock.set(T0)  # type: ignore[attr-defined]
    desk.ingest.ingest([post])
    case_id = _case_id(desk)
    observe(desk, post, 10, 2, 0, 120)
    observe(desk, post, 11, 1_000, 0, 130)  # a thousand likes seen by ten more people
    observe(desk, post, 20, 1_001, 0, 60_000)  # then sixty thousand views
    body = client.get(f"/api/v1/cases/{case_id}", headers=auth()).json()
    risk = body["risk"]
    assert not risk["promoted"] and "promoted (" not in risk["summary"]
    [factor] = [f for f in risk["factors"] if f["name"] == "promotion"]
    assert factor["points"] == 0 and factor["text"].startswith("impressions look bought (60,000 impressions")
    assert "only 5 likes, reposts, replies and quotes besides 996 bought" in factor["text"]
    with desk.db.session() as s:
        row = s.get(CaseRiskRow, case_id)
        assert row is not None and row.genuine_reach == 300 and row.alerted_at is None
        assert row.score < desk.settings.priority.risk_min_score
    assert not any(r.startswith("risk ") for r in body["priority"]["reasons"])


def test_likes_bought_before_the_desk_first_saw_the_post_are_judged(
        desk: Desk, client: TestClient, auth: Headers) -> None:
    """First seen half an hour in, already holding 1,400 likes from 180 viewers: judged against the post's start.
    Her twin's 45 likes are what 180 viewers allow, and stay genuine."""
    at = T0 + timedelta(minutes=30)
    desk.clock.set(at)  # type: ignore[attr-defined]
    desk.ingest.ingest([make_post(f"p-{h}", LOST_BAG, author=h, followers=150).model_copy(update={
        "engagement": Engagement(observed_at=at, likes=likes, reposts=1, impressions=180)})
        for h, likes in (("ola", 1_400), ("eva", 45))])
    risks = _risks(desk, client, auth)
    ola, eva = risks["ola"], risks["eva"]
    assert ola["fake_share"] > 0.9 and "97% of likes bought" in ola["summary"]
    assert "not counted: 1,355 interactions" in _factor(ola, "authenticity")
    assert eva["fake_share"] == 0 and "bought" not in eva["summary"]
    assert (ola["forecast_6h"], ola["score"]) == (eva["forecast_6h"], eva["score"])


def test_genuine_reach_is_the_audience_seen_however_much_engagement_is_fake(
        desk: Desk, client: TestClient, auth: Headers) -> None:
    """Bought likes and bots' replies are fake engagement, not a fake audience: the 180 people counted are real.
    Where the audience is estimated from interactions (Mastodon counts no impressions), bots' replies add none."""
    post = make_post("p9", LOST_BAG, author="ola", followers=150, impressions=0)
    roots = {h: make_post(f"m-{h}", LOST_BAG, author=h, followers=100, platform=Platform.MASTODON)
             for h in ("ana", "ben")}
    desk.clock.set(T0)  # type: ignore[attr-defined]
    desk.ingest.ingest([post, *roots.values()])
    observe(desk, post, 10, 3, 0, 120)
    observe(desk, post, 11, 1_400, 1, 180)
    desk.clock.set(T0 + timedelta(minutes=6))  # type: ignore[attr-defined]
    desk.ingest.ingest([make_post(f"mr{i}", "So true!! @AuroraAirways worst airline #flyaurora", author=f"bot{i}",
                                  followers=0, minutes=5 + i / 60, reply_to="m-ana", conversation="m-ana",
                                  platform=Platform.MASTODON) for i in range(30)])
    at = T0 + timedelta(minutes=12)
    desk.clock.set(at)  # type: ignore[attr-defined]
    desk.ingest.ingest([roots[h].model_copy(update={"engagement": Engagement(
        observed_at=at, likes=5, replies=2 + fake)}) for h, fake in (("ana", 30), ("ben", 0))])
    with desk.db.session() as s:
        cases = {c.author.handle: c for c in service.list_cases(s, None, desk.clock.now(), desk.settings)}
        rows = {h: s.get(CaseRiskRow, c.id) for h, c in cases.items()}
    ola, ana, ben = rows["ola"], rows["ana"], rows["ben"]
    assert ola is not None and ola.fake_share > 0.9 and ola.forecast_6h is not None
    assert ola.genuine_reach == cases["ola"].reach == 180 <= ola.forecast_6h  # not below what was counted
    assert ana is not None and ben is not None and ana.fake_share > 0.5 and ben.fake_share == 0
    assert cases["ana"].reach > ana.genuine_reach == ben.genuine_reach == 10 + 7 * 50  # 10% of 100, 7 genuine


def _risks(desk: Desk, client: TestClient, auth: Headers) -> dict[str, dict[str, Any]]:
    """Each case's risk as GET /api/v1/cases/{id} shows it, by its author's handle."""
    with desk.db.session() as s:
        cases = service.list_cases(s, None, desk.clock.now(), desk.settings)
    return {c.author.handle: client.get(f"/api/v1/cases/{c.id}", headers=auth()).json()["risk"] for c in cases}


def _factor(risk: dict[str, Any], name: str) -> str:
    [text] = [f["text"] for f in risk["factors"] if f["name"] == name]
    return str(text)


@pytest.mark.parametrize(("burst", "twin", "bought"), [
    # a thousand likes in a minute seen by sixty more people; her twin got the 15 likes sixty viewers allow
    ([(10, 3, 0, 120), (11, 1_400, 1, 180)], [(10, 3, 0, 120), (11, 18, 1, 180)], 1_382),
    # the same burst while X had not counted the impressions yet: judged when the count comes
    ([(10, 3, 0, 120), (11, 1_400, 1, 0), (15, 1_400, 1, 200)], [(10, 3, 0, 120), (11, 23, 1, 0), (15, 23, 1, 200)],
     1_377),
], ids=["counted", "pending"])
def test_bought_likes_leave_the_forecast_and_score_as_they_would_be_without_them(
        desk: Desk, client: TestClient, auth: Headers, burst: list[tuple[int, int, int, int]],
        twin: list[tuple[int, int, int, int]], bought: int) -> None:
    posts = {"ola": make_post("p6", LOST_BAG, author="ola", followers=150, impressions=0),
             "eva": make_post("p7", LOST_BAG, author="eva", followers=150, impressions=0)}
    desk.clock.set(T0)  # type: ignore[attr-defined]
    desk.ingest.ingest(list(posts.values()))
    for step, honest in zip(burst, twin, strict=True):
        observe(desk, posts["ola"], *step)
        observe(desk, posts["eva"], *honest)
    risks = _risks(desk, client, auth)
    ola, eva = risks["ola"], risks["eva"]
    assert ola["forecast_6h"] <= eva["forecast_6h_high"] and ola["forecast_24h"] <= 1.1 * eva["forecast_24h"]
    assert ola["forecast_6h"] == pytest.approx(eva["forecast_6h"], rel=0.05)
    assert ola["score"] == pytest.approx(eva["score"], abs=0.5)  # bought likes neither raise nor lower the risk
    assert _factor(ola, "forecast") == _factor(eva, "forecast")  # the forecast shown is the one scored
    assert f"not counted: {bought:,} interactions" in _factor(ola, "authenticity")
    assert "left out of the forecast" in _factor(ola, "authenticity")
    assert "now 150 followers, 1,401 interactions" in ola["summary"]  # what the platform says is still shown


def test_fake_accounts_replies_are_left_out_of_a_forecast_estimated_from_interactions(
        desk: Desk, client: TestClient, auth: Headers) -> None:
    """Mastodon counts no impressions, so the forecast is estimated from interactions: thirty bots' replies in
    its reply count would add thousands of impressions that nobody real will see."""
    roots = {h: make_post(f"m-{h}", LOST_BAG, author=h, followers=900, platform=Platform.MASTODON)
             for h in ("ana", "ben")}
    desk.clock.set(T0)  # type: ignore[attr-defined]
    desk.ingest.ingest(list(roots.values()))
    bots = [make_post(f"mr{i}", "So true!! @AuroraAirways worst airline #flyaurora", author=f"bot{i}",
                      followers=0, minutes=5 + i / 60, reply_to="m-ana", conversation="m-ana",
                      platform=Platform.MASTODON) for i in range(30)]
    desk.clock.set(T0 + timedelta(minutes=6))  # type: ignore[attr-defined]
    desk.ingest.ingest(bots)
    at = T0 + timedelta(minutes=7)
    desk.clock.set(at)  # type: ignore[attr-defined]
    desk.ingest.ingest([roots[h].model_copy(update={"engagement": Engagement(
        observed_at=at, likes=5, replies=2 + fake)}) for h, fake in (("ana", 30), ("ben", 0))])
    risks = _risks(desk, client, auth)
    ana, ben = risks["ana"], risks["ben"]
    assert ana["fake_share"] > 0.5 and ana["forecast_6h"] <= ben["forecast_6h_high"]
    assert (ana["forecast_6h"], ana["forecast_24h"]) == (ben["forecast_6h"], ben["forecast_24h"])
    assert ana["score"] == ben["score"]
    said = _factor(ana, "authenticity")
    assert said.startswith("30 of 30 replies from suspected fake accounts (not counted: 30 interactions and ")
    assert said.endswith("k impressions in 6 h left out of the forecast)")


def test_fake_supporters_in_the_thread_are_discounted(desk: Desk) -> None:
    root = make_post("p3", LOST_BAG, author="ana", followers=900, impressions=0)
    desk.clock.set(T0)  # type: ignore[attr-defined]
    desk.ingest.ingest([root])
    replies = [make_post(f"r{i}", "So true!! @AuroraAirways worst airline #flyaurora", author=f"bot{i}",
                         followers=0, minutes=5 + i / 60, reply_to="p3", conversation="p3") for i in range(30)]
    desk.clock.set(T0 + timedelta(minutes=6))  # type: ignore[attr-defined]
    desk.ingest.ingest(replies)
    with desk.db.session() as s:
        row = s.get(CaseRiskRow, _case_id(desk))
    assert row is not None and row.fake_share > 0.5
    assert "replies from suspected fake accounts" in row.summary


def test_a_case_raised_for_risk_escalates_on_the_raised_levels_target(
        desk: Desk, client: TestClient, auth: Headers) -> None:
    post = make_post("p4", LOST_BAG, author="mira", followers=300, impressions=0, promoted=True)
    desk.clock.set(T0)  # type: ignore[attr-defined]
    desk.ingest.ingest([post])
    for minutes, likes, reposts, impressions in ((5, 4, 1, 300), (10, 12, 3, 900), (20, 30, 9, 2400)):
        observe(desk, post, minutes, likes, reposts, impressions)
    case_id = _case_id(desk)
    shown = client.get(f"/api/v1/cases/{case_id}", headers=auth()).json()
    assert any(r.startswith("risk ") for r in shown["priority"]["reasons"])
    assert not any(r.startswith("waiting") for r in shown["priority"]["reasons"])  # only risk raised it
    with desk.db.session() as s:
        case = service.load_case(s, case_id, None)
        policy = scheduled.policy_for(s, case, desk.clock.now(), desk.settings)
    assert policy.first_response_minutes == shown["sla_target_minutes"]  # the queue and the escalation agree


def test_a_famous_accounts_plain_question_is_not_a_crisis(desk: Desk) -> None:
    """Five million followers asking a neutral one-liner: the answer is owed, the crisis alarm is not."""
    desk.clock.set(T0)  # type: ignore[attr-defined]
    desk.ingest.ingest([make_post("f1", "@AuroraAirways skis ok?", author="star", followers=5_000_000),
                        make_post("f2", "@AuroraAirways ok", author="star2", followers=5_000_000)])
    with desk.db.session() as s:
        cases = service.list_cases(s, None, desk.clock.now(), desk.settings)
        rows = s.scalars(select(CaseRiskRow)).all()
    assert [c.author.handle for c in cases] == ["star"]  # the question is owed an answer; "ok" is not
    assert cases[0].priority.level == cases[0].severity  # fame alone raises no level
    [risk] = rows
    assert risk.alerted_at is None and risk.score < desk.settings.priority.risk_min_score


def test_a_fresh_post_forecasts_its_followers_views_whether_or_not_the_platform_counts_impressions(
        desk: Desk) -> None:
    """X counts 0 impressions on a post minutes old; Bluesky counts none. Before anyone interacts, both forecast
    the share of the author's followers who see a post, so a large account's fresh complaint is not forecast to
    reach nobody on X alone (it was: 0 impressions in 6 h, no forecast points, until a first like)."""
    def unseen(post: Post, impressions: int | None) -> Post:
        return post.model_copy(update={"engagement": Engagement(observed_at=T0, impressions=impressions)})

    desk.clock.set(T0)  # type: ignore[attr-defined]
    desk.ingest.ingest([unseen(make_post("x1", LOST_BAG, author="big", followers=500_000), 0),
                        unseen(make_post("b1", LOST_BAG, author="big.bsky.social", followers=500_000,
                                         platform=Platform.BLUESKY), None)])
    with desk.db.session() as s:
        rows = {r.case_id: r for r in s.scalars(select(CaseRiskRow))}
        cases = {c.platform: c.id for c in service.list_cases(s, None, desk.clock.now(), desk.settings)}
    x, bluesky = rows[cases["x"]], rows[cases["bluesky"]]
    assert x.forecast_6h == bluesky.forecast_6h == 50_000
    assert x.score == bluesky.score
    assert next(f for f in x.factors if f["name"] == "forecast")["points"] > 0
    assert "0 impressions" in next(f for f in x.factors if f["name"] == "reach")["text"]  # now, as counted
