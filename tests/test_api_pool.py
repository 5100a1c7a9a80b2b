"""A desk whose every pooled database connection is busy answers 503 with Retry-After, as when the database is down:
a burst of webhook deliveries past the pool's timeout is a state to wait out, not a bad request (it was a 500)."""

from __future__ import annotations

from fastapi.testclient import TestClient

from wakeful.analyze import Analyzer
from wakeful.api.app import build_desk, create_app
from wakeful.api.auth import Role, create_token
from wakeful.core.clock import FixedClock
from wakeful.core.settings import Settings
from wakeful.store.db import Database, migrate

from tests.factories import T0, make_post, post_record


def test_no_free_connection_in_time_answers_503_and_keeps_nothing(settings: Settings, analyzer: Analyzer) -> None:
    migrate(settings.database_url)
    db = Database(settings.database_url, pool_size=1, max_overflow=0, pool_timeout=0.2)
    desk = build_desk(settings, db=db, clock=FixedClock(T0), analyzer=analyzer)
    with db.session() as s:
        token = create_token(s, "hook", "aurora", Role.AGENT, T0)
    headers = {"Authorization": f"Bearer {token}"}
    body = {"posts": [post_record(make_post("p1", "@AuroraAirways you lost my bag"))]}
    try:
        with TestClient(create_app(desk)) as client:
            held = db.engine.connect()  # the pool's only connection, busy elsewhere
            try:
                for r in (client.get("/api/v1/cases", headers=headers),
                          client.post("/api/v1/ingest", json=body, headers=headers),
                          client.get("/api/v1/no/such/path", headers=headers)):
                    assert r.status_code == 503, (r.request.url, r.text)
                    assert r.headers["Retry-After"] == "30" and "retry later" in r.json()["detail"]
            finally:
                held.close()
            assert client.get("/api/v1/cases", headers=headers).json() == []  # nothing of the refused delivery
    finally:
        db.dispose()
