"""The risk stage on the dashboard: the queue says why a case is loud, the case page shows the factors, the
forecast band and the evidence of fake engagement."""

from __future__ import annotations

import json
import re
from datetime import datetime, timedelta

from fastapi.testclient import TestClient

from wakeful.api.auth import Role, create_user
from wakeful.api.deps import Desk

from tests.factories import T0, make_post
from tests.signin import login
from tests.test_risk_desk import LOST_BAG, observe
from tests.test_risk_desk import _case_id as case_id

PASSWORD = "a-long-agent-password"


def _signed_in(desk: Desk, client: TestClient) -> TestClient:
    with desk.db.session() as s:
        create_user(s, "ana", PASSWORD, "aurora", Role.AGENT, desk.clock.now())
    assert login(client, {"username": "ana", "password": PASSWORD}).status_code == 200
    return client


def _json(html: str, element_id: str) -> object:
    m = re.search(rf'<script type="application/json" id="{element_id}">(.*?)</script>', html, re.S)
    assert m, f"no #{element_id} in the page"
    return json.loads(m.group(1))


def _spreading(desk: Desk) -> None:
    """Mira's promoted lost-bag complaint, seen three times as it spreads to 2,400 impressions in 30 minutes."""
    post = make_post("p1", LOST_BAG, author="mira", followers=300, impressions=0, promoted=True)
    desk.clock.set(T0)  # type: ignore[attr-defined]
    desk.ingest.ingest([post])
    for minutes, likes, reposts, impressions in ((10, 4, 1, 300), (20, 12, 3, 900), (30, 30, 9, 2400)):
        observe(desk, post, minutes, likes, reposts, impressions)


def test_a_promoted_spreading_complaint_shows_its_risk_and_forecast_band(desk: Desk, client: TestClient) -> None:
    _spreading(desk)
    web = _signed_in(desk, client)

    queue = web.get("/").text
    assert re.search(r'class="risk-words"[^>]*>risk \d+: [^<]*promoted', queue)
    page = web.get(f"/cases/{case_id(desk)}").text
    assert 'id="risk-title"' in page and "impressions in 6 h" in page
    assert re.search(r"<strong>promotion</strong> \(\+\d+\)", page)
    band = _json(page, "forecast-data")
    assert isinstance(band, dict)
    assert band["y0"] == 2400  # drawn on from the latest observation
    assert band["low6"] <= band["mid6"] <= band["high6"] and band["mid6"] > 2400
    assert datetime.fromisoformat(band["t6"]) - datetime.fromisoformat(band["t0"]) == timedelta(hours=6)
    assert "authenticity-evidence" not in page


def test_the_risk_alert_reads_as_one_on_the_timeline(desk: Desk, client: TestClient) -> None:
    """The alert `risk.alert_if_due` writes is an event of its own kind, not an agent's note."""
    _spreading(desk)
    page = _signed_in(desk, client).get(f"/cases/{case_id(desk)}").text
    [event] = re.findall(r'<li class="event kind-risk">(.*?)</li>', page, re.S)
    assert "<strong>Risk alert</strong>: the case reached the brand's risk line" in event
    assert re.search(r'<p class="event-text">Risk \d+: [^<]*promoted', event)
    assert "added a note" not in event and "added a note" not in page


def test_bought_likes_are_shown_as_such_on_the_case_page(desk: Desk, client: TestClient) -> None:
    post = make_post("p2", LOST_BAG, author="ola", followers=150, impressions=0)
    desk.clock.set(T0)  # type: ignore[attr-defined]
    desk.ingest.ingest([post])
    observe(desk, post, 10, 3, 0, 120)
    observe(desk, post, 11, 1_400, 1, 180)  # a thousand likes in a minute, seen by sixty more people
    page = _signed_in(desk, client).get(f"/cases/{case_id(desk)}").text
    evidence = re.search(r'id="authenticity-evidence">(.*?)</p>', page, re.S)
    assert evidence and re.search(r"\d+% of the engagement comes from\s+suspected fake accounts", evidence.group(1))
    assert "not counted toward this case's priority" in evidence.group(1)
