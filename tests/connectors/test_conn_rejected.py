"""Credentials a platform rejects (401 after any token renewal, or 403) against loopback servers speaking each
platform's wire format: one ERROR naming the setting to fix, the connector's stored status saying so (API and
dashboard), the longest back-off instead of the short schedule, `wakeful connect --connections N` exiting 1 with
the message, and the stored problem cleared once a restarted connector gets in.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from websockets.http11 import Request as WsRequest

from wakeful.api.auth import Role, create_user
from wakeful.api.deps import Desk
from wakeful.ingest.connectors.base import MAX_BACKOFF_S
from wakeful.ingest.connectors.bluesky import BlueskyConnector
from wakeful.ingest.connectors.reddit import RedditAuth, RedditConnector, RedditReplySender
from wakeful.ingest.connectors.replies import Outgoing, SendError
from wakeful.ingest.connectors.x import XConnector
from wakeful.store.connectors import ConnectorStateRow

from tests.connectors.cli_run import connect_x_once
from tests.connectors.conftest import StartJetstream
from tests.connectors.loopback import Request, http_server, refusal
from tests.connectors.test_conn_x_resume import FakeX, tweet, users
from tests.desk_fixtures import BRANDS
from tests.desk_fixtures import Headers as AuthHeaders
from tests.signin import login

UNAUTHORIZED = {"title": "Unauthorized", "type": "about:blank", "status": 401, "detail": "Unauthorized"}
NOT_ENROLLED = {  # X's 403 for an app whose access level does not include the endpoint
    "client_id": "27123456", "title": "Client Forbidden", "required_enrollment": "Appropriate Level of API Access",
    "reason": "client-not-enrolled", "registration_url": "https://developer.twitter.com/en/docs/projects/overview",
    "detail": "When authenticating requests to the Twitter API v2 endpoints, you must use keys and tokens from a "
              "Twitter developer App that is attached to a Project. You can create a project via the developer portal.",
    "type": "https://api.twitter.com/2/problems/client-forbidden"}
X_FIX = "fix connectors.x.bearer_token (WAKEFUL_CONNECTORS__X__BEARER_TOKEN) and restart"


def stored(desk: Desk, name: str) -> ConnectorStateRow:
    with desk.db.session() as s:
        row = s.get(ConnectorStateRow, name)
        assert row is not None
        s.expunge(row)
        return row


def test_a_rejected_x_token_is_one_error_on_the_status_and_waits_the_longest(
        desk: Desk, client: TestClient, auth: AuthHeaders, caplog: pytest.LogCaptureFixture) -> None:
    seen: list[Request] = []
    sleeps: list[float] = []
    with (http_server(lambda req: (401, UNAUTHORIZED, {}), seen) as base,
          caplog.at_level(logging.INFO, logger="wakeful.ingest.connectors.base")):
        conn = XConnector("x", desk.ingest, "x-secret", BRANDS[:1], api_base_url=base)
        conn.run(max_connections=3, sleep=sleeps.append)
        conn.http.close()

    assert sleeps == [MAX_BACKOFF_S, MAX_BACKOFF_S]  # not the 1 s, 2 s … schedule a network error gets
    assert len(seen) == 3  # one call per connection: nothing retried in between
    logged = [(r.levelno, r.getMessage()) for r in caplog.records]
    assert [level for level, _ in logged] == [logging.ERROR, logging.INFO, logging.INFO]
    assert logged[0][1] == (f"x: credentials rejected by X: {X_FIX}. X said HTTP 401 on GET "
                            f"/2/tweets/search/stream/rules: Unauthorized; trying again in {MAX_BACKOFF_S:.0f} s")
    assert all("x-secret" not in m for _, m in logged)
    assert conn.health.needs_action is not None and conn.health.needs_action.startswith("credentials rejected by X")

    row = stored(desk, "x")
    assert row.errors == 3 and row.last_error == conn.health.needs_action
    [shown] = client.get("/api/v1/connectors", headers=auth("lee", "aurora", Role.LEAD)).json()
    assert shown["needs_action"] is True and X_FIX in shown["last_error"]
    with desk.db.session() as s:
        create_user(s, "lee", "a-long-lead-password", "aurora", Role.LEAD, desk.clock.now())
    login(client, {"username": "lee", "password": "a-long-lead-password"})
    page = client.get("/settings")  # the dashboard's connector table
    assert page.status_code == 200 and "credentials rejected by X" in page.text
    assert "WAKEFUL_CONNECTORS__X__BEARER_TOKEN" in page.text


def test_an_x_403_for_the_apps_access_level_names_xs_reason(desk: Desk) -> None:
    fake = FakeX(published=[])
    fake.fail[("/2/tweets/search/stream", None)] = (403, NOT_ENROLLED, {})
    sleeps: list[float] = []
    with http_server(fake.route, fake.seen) as base:
        conn = XConnector("x", desk.ingest, "x-secret", BRANDS[:1], api_base_url=base)
        conn.run(max_connections=2, sleep=sleeps.append)  # the second connection gets in
        conn.http.close()
    assert sleeps == [MAX_BACKOFF_S]
    error = stored(desk, "x").last_error
    # X's 403 lands in the store, then the good connection clears it (the status shows what is wrong now)
    assert error is None and conn.health.needs_action is None and conn.health.errors == 1
    assert conn.health.last_error is not None
    assert conn.health.last_error.startswith(f"credentials rejected by X: {X_FIX}. X said HTTP 403 on GET "
                                             "/2/tweets/search/stream: Client Forbidden; When authenticating")
    assert "client-not-enrolled" in conn.health.last_error


def test_a_restart_with_fixed_credentials_clears_the_stored_problem(desk: Desk, client: TestClient,
                                                                   auth: AuthHeaders) -> None:
    fake = FakeX(published=[])
    fake.fail[("/2/tweets/search/stream/rules", None)] = (401, UNAUTHORIZED, {})
    fake.stream = [json.dumps({"data": tweet(1), "includes": {"users": users(1)}})]
    with http_server(fake.route, fake.seen) as base:
        first = XConnector("x", desk.ingest, "x-secret", BRANDS[:1], api_base_url=base)
        first.run(max_connections=1, sleep=lambda s: None)
        first.http.close()
        headers = auth("lee", "aurora", Role.LEAD)
        assert client.get("/api/v1/connectors", headers=headers).json()[0]["needs_action"] is True

        second = XConnector("x", desk.ingest, "x-fixed", BRANDS[:1], api_base_url=base)
        second.run(max_connections=1, sleep=lambda s: None)
        second.http.close()
    [shown] = client.get("/api/v1/connectors", headers=headers).json()
    assert shown["needs_action"] is False and shown["last_error"] is None and shown["errors"] == 1
    assert shown["events"] == 1


class RedditFake:
    """Reddit's token endpoint and a subreddit listing; `app_ok`/`account_ok` say which credentials it accepts."""

    def __init__(self, app_ok: bool = True, account_ok: bool = True, listing_ok: bool = True,
                 private: bool = False) -> None:
        self.app_ok, self.account_ok, self.listing_ok, self.private = app_ok, account_ok, listing_ok, private
        self.tokens = 0

    def route(self, req: Request) -> tuple[int, Any, dict[str, str]]:
        if req.path == "/api/v1/access_token":
            if not self.app_ok:
                return 401, {"message": "Unauthorized", "error": 401}, {"www-authenticate": 'Basic realm="reddit"'}
            if req.form().get("grant_type") == "password" and not self.account_ok:
                return 200, {"error": "invalid_grant"}, {}
            self.tokens += 1
            return 200, {"access_token": f"tok{self.tokens}", "token_type": "bearer", "expires_in": 86400,
                         "scope": "*"}, {}
        if not self.listing_ok:
            return 401, {"message": "Unauthorized", "error": 401}, {}
        if self.private:
            return 403, {"reason": "private", "message": "Forbidden", "error": 403}, {}
        return 200, {"kind": "Listing", "data": {"after": None, "before": None, "children": []}}, {}


def reddit(desk: Desk, base: str, password: str | None = None) -> RedditConnector:
    auth = RedditAuth(base, "app-id", "app-secret", "wakeful-test/1.0", "brand" if password else None, password)
    return RedditConnector("reddit", desk.ingest, auth, ["flyaurora"], [], oauth_url=base, poll_interval_s=0.0,
                           sleep=lambda s: None)


def test_reddit_renews_its_token_once_then_reports_the_credentials(desk: Desk) -> None:
    fake = RedditFake(listing_ok=False)
    sleeps: list[float] = []
    with http_server(fake.route) as base:
        reddit(desk, base).run(max_connections=2, sleep=sleeps.append)
    assert fake.tokens == 4  # per connection: the first token, and one renewal after the 401
    assert sleeps == [MAX_BACKOFF_S]
    assert stored(desk, "reddit").last_error == (
        "credentials rejected by Reddit: fix connectors.reddit.client_id and client_secret "
        "(WAKEFUL_CONNECTORS__REDDIT__CLIENT_ID, WAKEFUL_CONNECTORS__REDDIT__CLIENT_SECRET) and restart. "
        "Reddit said HTTP 401 on GET /r/flyaurora/new: 401; Unauthorized")


def test_a_wrong_reddit_app_secret_or_account_password_names_its_setting(desk: Desk) -> None:
    with http_server(RedditFake(app_ok=False).route) as base:
        conn = reddit(desk, base)
        conn.run(max_connections=1)
    assert (conn.health.needs_action or "").startswith(
        "credentials rejected by Reddit: fix connectors.reddit.client_id and client_secret "
        "(WAKEFUL_CONNECTORS__REDDIT__CLIENT_ID, WAKEFUL_CONNECTORS__REDDIT__CLIENT_SECRET) and restart. "
        "Reddit said HTTP 401 on POST /api/v1/access_token")

    with http_server(RedditFake(account_ok=False).route) as base:
        conn = reddit(desk, base, password="hunter2-old")
        conn.run(max_connections=1)
        sender = RedditReplySender(RedditAuth(base, "app-id", "app-secret", "wakeful-test/1.0", "brand",
                                              "hunter2-old"), base)
        with pytest.raises(SendError) as raised:
            sender.send(Outgoing(id=1, platform="reddit", text="Sorry!", in_reply_to="t1_kc01"))
    password = ("connectors.reddit.username and password (WAKEFUL_CONNECTORS__REDDIT__USERNAME, "
                "WAKEFUL_CONNECTORS__REDDIT__PASSWORD)")
    assert conn.health.needs_action == (f"credentials rejected by Reddit: fix {password} and restart. Reddit said "
                                        "HTTP 200 on POST /api/v1/access_token: invalid_grant")
    assert raised.value.permanent and password in str(raised.value)  # a lead queues it again once fixed
    assert "hunter2" not in (conn.health.needs_action or "") + str(raised.value)


def test_a_private_subreddit_names_the_subreddits_setting_first(desk: Desk) -> None:
    with http_server(RedditFake(private=True).route) as base:
        conn = reddit(desk, base)
        conn.run(max_connections=1)
    assert conn.health.needs_action == (  # its only listing: test_conn_reddit_closed has one among others
        "rule rejected by Reddit: fix connectors.reddit.subreddits (WAKEFUL_CONNECTORS__REDDIT__SUBREDDITS) "
        "(drop r/flyaurora, or give the account access) and restart; meanwhile nothing else is polled, and a "
        "refused subreddit is asked again hourly. Reddit refused r/flyaurora: private (HTTP 403 on GET "
        "/r/flyaurora/new).")


def test_a_jetstream_401_names_the_url_setting(desk: Desk, jetstream: StartJetstream) -> None:
    handshakes: list[WsRequest] = []  # something at the Jetstream address refuses the handshake, as a proxy would
    url = jetstream(refusal(401, "Unauthorized", {"www-authenticate": 'Bearer realm="proxy"'},
                            b"authentication required"), handshakes)
    sleeps: list[float] = []
    with http_server(lambda req: (404, {"error": "MethodNotImplemented"}, {})) as appview:
        conn = BlueskyConnector("bsky", desk.ingest, BRANDS, url, appview)
        conn.run(max_connections=2, sleep=sleeps.append)
    assert sleeps == [MAX_BACKOFF_S] and len(handshakes) == 2
    assert (conn.health.needs_action or "").startswith(
        "credentials rejected by Bluesky: fix connectors.bluesky.jetstream_url "
        "(WAKEFUL_CONNECTORS__BLUESKY__JETSTREAM_URL; Jetstream itself asks for no credentials, so a proxy or "
        "another service answered) and restart.")
    assert "HTTP 401 on the Jetstream handshake: Unauthorized authentication required" in (
        conn.health.needs_action or "")


def test_connect_with_a_connection_limit_exits_1_naming_the_setting(monkeypatch: pytest.MonkeyPatch,
                                                                    tmp_path: Path) -> None:
    from wakeful.store.db import migrate

    fake = FakeX(published=[])
    fake.fail[("/2/tweets/search/stream/rules", None)] = (401, UNAUTHORIZED, {})
    url = f"sqlite:///{tmp_path}/w.db"
    migrate(url)
    result = connect_x_once(monkeypatch, url, fake.route, "x-secret")
    assert result.exit_code == 1, result.output
    assert f"x: credentials rejected by X: {X_FIX}." in result.stderr
    assert "x-secret" not in result.output
