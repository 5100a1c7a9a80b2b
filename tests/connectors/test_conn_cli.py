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
