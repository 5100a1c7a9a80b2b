"""`wakeful connect` reads credentials from settings and streams into the configured database."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from wakeful.cli import app
from wakeful.core.settings import get_settings


def test_connect_x_without_token_names_the_setting(monkeypatch: pytest.MonkeyPatch, tmp_path: object) -> None:
    monkeypatch.setenv("WAKEFUL_DATABASE_URL", f"sqlite:///{tmp_path}/w.db")
    monkeypatch.delenv("WAKEFUL_CONNECTORS__X__BEARER_TOKEN", raising=False)
    get_settings.cache_clear()
    try:
        result = CliRunner().invoke(app, ["connect", "x"])
    finally:
        get_settings.cache_clear()
    assert result.exit_code != 0
    assert "BEARER_TOKEN" in result.output


def test_connectors_api_shows_state_to_leads_only(desk: object, client: object, auth: object) -> None:
    from datetime import timedelta

    from fastapi.testclient import TestClient

    from wakeful.api.auth import Role
    from wakeful.api.deps import Desk
    from wakeful.store.connectors import ConnectorStateRow

    assert isinstance(desk, Desk) and isinstance(client, TestClient) and callable(auth)
    now = desk.clock.now()
    with desk.db.session() as s:
        s.add(ConnectorStateRow(name="x", platform="x", cursor="1008", last_event_at=now - timedelta(seconds=30),
                                updated_at=now, events=8, errors=1, last_error="ReadTimeout"))
    assert client.get("/api/v1/connectors", headers=auth("ana", "aurora", Role.AGENT)).status_code == 403
    r = client.get("/api/v1/connectors", headers=auth("lee", "aurora", Role.LEAD))
    assert r.status_code == 200
    [row] = r.json()
    assert row["cursor"] == "1008" and row["lag_s"] == 30.0 and row["errors"] == 1


def test_connect_reddit_streams_into_the_configured_database(monkeypatch: pytest.MonkeyPatch, tmp_path: object
                                                             ) -> None:
    from sqlalchemy import func, select

    from wakeful.store.db import Database, migrate
    from wakeful.store.models import PostRow

    from tests.connectors.loopback import http_server
    from tests.connectors.test_conn_reddit import FakeReddit

    url = f"sqlite:///{tmp_path}/w.db"
    migrate(url)
    fake = FakeReddit()
    fake.submissions, fake.comments = [1, 2, 3], [1, 2]
    with http_server(fake.route) as base:
        env = {"DATABASE_URL": url, "CONNECTORS__REDDIT__CLIENT_ID": "app-id",
               "CONNECTORS__REDDIT__CLIENT_SECRET": "app-secret", "CONNECTORS__REDDIT__USER_AGENT": "wakeful-test/1.0",
               "CONNECTORS__REDDIT__SUBREDDITS": '["flyaurora"]', "CONNECTORS__REDDIT__SEARCHES": '["Aurora Airways"]',
               "CONNECTORS__REDDIT__OAUTH_URL": base, "CONNECTORS__REDDIT__WWW_URL": base,
               "CONNECTORS__REDDIT__POLL_INTERVAL_S": "0.01"}
        for k, v in env.items():
            monkeypatch.setenv(f"WAKEFUL_{k}", v)
        get_settings.cache_clear()
        try:
            result = CliRunner().invoke(app, ["connect", "reddit", "--connections", "1"])
        finally:
            get_settings.cache_clear()
    assert result.exit_code == 0, result.output
    assert "reddit: delivered 7, malformed 0, errors 0" in result.output  # the search finds 2 of them again
    with Database(url).session() as s:
        assert s.scalar(select(func.count()).select_from(PostRow).where(PostRow.platform == "reddit")) == 5
    assert "app-secret" not in result.output


def test_connect_names_what_an_unconfigured_platform_needs(monkeypatch: pytest.MonkeyPatch, tmp_path: object) -> None:
    monkeypatch.setenv("WAKEFUL_DATABASE_URL", f"sqlite:///{tmp_path}/w.db")
    get_settings.cache_clear()
    try:
        bluesky = CliRunner().invoke(app, ["connect", "bluesky"])
        other = CliRunner().invoke(app, ["connect", "myspace"])
    finally:
        get_settings.cache_clear()
    assert bluesky.exit_code != 0 and "BLUESKY__ENABLED" in bluesky.output
    assert other.exit_code != 0 and "unknown platform" in other.output
