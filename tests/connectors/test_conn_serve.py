"""`wakeful serve` runs the connectors settings configure; leads see their own brands' connectors and replies."""

from __future__ import annotations

import json
import threading
import time
from typing import Any

from fastapi.testclient import TestClient

from wakeful.analyze import Analyzer
from wakeful.api.app import build_desk, create_app
from wakeful.api.auth import Role
from wakeful.api.deps import Desk
from wakeful.core.clock import FixedClock
from wakeful.core.connector_settings import ConnectorsConfig, MastodonConnectorConfig
from wakeful.core.models import Platform
from wakeful.core.settings import Settings
from wakeful.desk import service
from wakeful.store.connectors import OutboundReplyRow
from wakeful.store.models import CaseRow

from tests.connectors.loopback import Request, http_server, stored_ids
from tests.connectors.test_conn_mastodon import sse, status
from tests.desk_fixtures import Headers
from tests.signin import login


def test_serve_runs_configured_connectors_and_stops_them(settings: Settings, clock: FixedClock,
                                                         analyzer: Analyzer, auth: Headers) -> None:
    def route(req: Request) -> tuple[int, Any, dict[str, str]]:
        if req.path == "/api/v1/streaming/hashtag":
            return 200, "".join(sse("update", json.dumps(status(n))) for n in (1, 2)).encode(), {}
        return 200, [], {}  # the back-fill finds nothing newer

    with http_server(route) as base:
        cfg = ConnectorsConfig(mastodon=MastodonConnectorConfig(api_base_url=base, hashtag="flyaurora",
                                                                brands=["aurora"]))
        desk = build_desk(settings.model_copy(update={"connectors": cfg}), clock=clock, analyzer=analyzer)
        with TestClient(create_app(desk)) as client:
            deadline = time.monotonic() + 20
            while len(stored_ids(desk, "mastodon")) < 2 and time.monotonic() < deadline:
                time.sleep(0.1)
            assert stored_ids(desk, "mastodon") == ["101", "102"]
            assert any(t.name == "connector-mastodon" for t in threading.enumerate())
            [row] = client.get("/api/v1/connectors", headers=auth("lee", "aurora", Role.LEAD)).json()
            assert row["name"] == "mastodon" and row["brands"] == ["aurora"] and row["cursor"] == "102"
            assert client.get("/api/v1/connectors", headers=auth("nils", "nordrail", Role.LEAD)).json() == []
        assert not any(t.name == "connector-mastodon" and t.is_alive() for t in threading.enumerate())
        desk.db.dispose()


def test_leads_list_and_retry_their_brands_failed_replies(desk: Desk, client: TestClient, auth: Headers) -> None:
    from tests.factories import make_post

    desk.ingest.ingest([make_post("t1", "@AuroraAirways my bag is lost, nobody answers")])
    with desk.db.session() as s:
        case = s.query(CaseRow).one()
        service.add_reply(s, case, "We are on it", "ana", desk.clock.now())
    with desk.db.session() as s:
        reply = s.query(OutboundReplyRow).one()
        assert (reply.platform, reply.in_reply_to, reply.state) == ("x", "t1", "pending")
        reply.state, reply.last_error = "failed", "failed after 8 attempt(s): HTTP 503"
        reply_id = reply.id

    lead = auth("lee", "aurora", Role.LEAD)
    [listed] = client.get("/api/v1/connectors/replies?state=failed", headers=lead).json()
    assert listed["id"] == reply_id and listed["last_error"].endswith("HTTP 503")
    assert client.get("/api/v1/connectors/replies", headers=auth("nils", "nordrail", Role.LEAD)).json() == []
    assert client.post(f"/api/v1/connectors/replies/{reply_id}/retry",
                       headers=auth("nils", "nordrail", Role.LEAD)).status_code == 404
    assert client.post(f"/api/v1/connectors/replies/{reply_id}/retry", headers=auth()).status_code == 403
    r = client.post(f"/api/v1/connectors/replies/{reply_id}/retry", headers=lead)
    assert r.status_code == 200 and r.json()["state"] == "pending" and r.json()["attempts"] == 0
    assert client.post(f"/api/v1/connectors/replies/{reply_id}/retry", headers=lead).status_code == 409
    detail = client.get(f"/api/v1/cases/{listed['case_id']}", headers=lead).json()
    [event] = [i for i in detail["timeline"] if i["kind"] == "reply"]
    assert event["data"]["delivery"] == "pending" and event["data"]["retried_by"] == "lee"


def test_case_page_shows_how_a_reply_was_delivered(desk: Desk, client: TestClient) -> None:
    from wakeful.api.auth import create_user
    from wakeful.ingest.connectors.replies import ReplyDispatcher

    from tests.factories import make_post

    desk.ingest.ingest([make_post("d1", "@AuroraAirways my bag is lost", platform=Platform.DEMO)])
    with desk.db.session() as s:
        create_user(s, "ana", "correct horse battery", "aurora", Role.AGENT, desk.clock.now())
        case = s.query(CaseRow).one()
        service.add_reply(s, case, "We are on it", "ana", desk.clock.now())
        case_id = case.id
    ReplyDispatcher(desk.db, desk.clock, {}).dispatch()
    assert login(client, {"username": "ana", "password": "correct horse battery"},
                       follow_redirects=False).status_code == 303
    html = client.get(f"/cases/{case_id}").text
    assert "· not sent: no connector for demo" in html
