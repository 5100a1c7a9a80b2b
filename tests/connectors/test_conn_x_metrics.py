"""X metrics polling: open cases' tweets are re-read from GET /2/tweets and each reading joins the engagement series.

The loopback server answers with public_metrics that grow between readings, omits a deleted tweet (X reports it
under `errors`), and rate-limits once. Resolved cases are not polled.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import select

from wakeful.api.deps import Desk
from wakeful.core.clock import FixedClock
from wakeful.desk import service
from wakeful.desk.cases import CaseState
from wakeful.ingest.connectors.x import XMetricsPoller, tweet_to_post
from wakeful.store.models import CasePostRow, CaseRow, EngagementRow, PostRow

from tests.connectors.loopback import Request, http_server
from tests.connectors.test_conn_x import tweet


def test_open_cases_metrics_join_the_engagement_series(desk: Desk, clock: FixedClock) -> None:
    users = {str(n): {"id": str(n), "username": f"cust{n}", "public_metrics": {"followers_count": 50}}
             for n in (1, 2, 3)}
    desk.ingest.ingest([tweet_to_post(tweet(n), users, observed_at=clock.now()) for n in (1, 2, 3)])
    with desk.db.session() as s:
        case3 = s.scalars(select(CaseRow).join(CasePostRow).join(PostRow).where(PostRow.platform_id == "1003")).one()
        service.set_state(s, case3, CaseState.RESOLVED, "ana", clock.now())
    readings = {"n": 0, "rate_limited": False}
    asked: list[Request] = []

    def route(req: Request) -> tuple[int, Any, dict[str, str]]:
        if not readings["rate_limited"]:
            readings["rate_limited"] = True
            return 429, {"title": "Too Many Requests"}, {"x-rate-limit-reset": "0"}
        assert "public_metrics" in req.query["tweet.fields"]
        readings["n"] += 1
        k = int(readings["n"])
        data = [tweet(1) | {"public_metrics": {"like_count": 10 * k, "retweet_count": 5 * k, "reply_count": k,
                                               "quote_count": 0, "impression_count": 20_000 * k}}]
        return 200, {"data": data, "includes": {"users": [users["1"]]},
                     "errors": [{"resource_id": "1002", "title": "Not Found Error", "type":
                                 "https://api.twitter.com/2/problems/resource-not-found"}]}, {}

    sleeps: list[float] = []
    with http_server(route, asked) as base:
        clock.advance(timedelta(minutes=5))
        poller = XMetricsPoller("x-metrics", desk.ingest, "app-bearer", base, interval_s=300, sleep=sleeps.append)
        poller.run(max_connections=2, sleep=sleeps.append)  # the 429, then a reading
        clock.advance(timedelta(minutes=5))
        poller.run(max_connections=1, sleep=sleeps.append)

    assert sleeps == [0.0, 300, 300]
    assert {r.query["ids"] for r in asked} == {"1001,1002"}  # the resolved case's tweet is not polled
    with desk.db.session() as s:
        p1 = s.scalars(select(PostRow).where(PostRow.platform_id == "1001")).one()
        series = list(s.scalars(select(EngagementRow).where(EngagementRow.post_id == p1.id)
                                .order_by(EngagementRow.observed_at)))
        case1 = s.scalars(select(CaseRow).join(CasePostRow).where(CasePostRow.post_id == p1.id)).one()
    assert [(e.likes, e.impressions) for e in series] == [(1, None), (10, 20_000), (20, 40_000)]
    assert case1.reach >= 40_000
