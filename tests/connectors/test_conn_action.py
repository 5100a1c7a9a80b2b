"""A refusal only an operator can mend is kept in its own columns (`needs_action`, `action_message`), against
loopback servers speaking X API v2's wire format: a passing error after it (a 503 while the operator fixes the
token) does not hide it from the API, the Settings page, `wakeful connectors` or `wakeful connect`; it clears once
the connector gets in; and a cut never loses what to fix.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from typer.testing import CliRunner

from wakeful.api.auth import Role, create_user
from wakeful.api.deps import Desk
from wakeful.cli import app
from wakeful.core.settings import BrandConfig
from wakeful.ingest.connectors.base import MAX_BACKOFF_S
from wakeful.ingest.connectors.x import XConnector
from wakeful.store.connectors import ACTION_CHARS, LAST_ERROR_CHARS, ConnectorStateRow, clip, clip_action
from wakeful.store.db import Database, migrate

from tests.connectors.cli_run import connect_x_once
from tests.connectors.loopback import Request, http_server
from tests.connectors.test_conn_rejected import UNAUTHORIZED, X_FIX, stored
from tests.connectors.test_conn_x_resume import FakeX, tweet, users
from tests.connectors.test_conn_x_rules import RulesX
from tests.desk_fixtures import BRANDS
from tests.desk_fixtures import Headers as AuthHeaders
from tests.signin import login

UNAVAILABLE = {"title": "Service Unavailable", "detail": "Service Unavailable", "type": "about:blank", "status": 503}
REJECTED = (f"credentials rejected by X: {X_FIX}. X said HTTP 401 on GET /2/tweets/search/stream/rules: "
            "Unauthorized")
PASSING = "PlatformError: HTTP 503 on GET /2/tweets/search/stream/rules: Service Unavailable"


def test_a_passing_error_after_rejected_credentials_leaves_what_to_fix_shown(
        desk: Desk, client: TestClient, auth: AuthHeaders, cli_runner: CliRunner) -> None:
    answers: list[tuple[int, Any, dict[str, str]]] = [(401, UNAUTHORIZED, {})]  # then 503s: X is down while the
    # operator fixes the token

    def route(req: Request) -> tuple[int, Any, dict[str, str]]:
        return answers.pop(0) if answers else (503, UNAVAILABLE, {})

    sleeps: list[float] = []
    with http_server(route) as base:
        conn = XConnector("x", desk.ingest, "x-secret", BRANDS[:1], api_base_url=base)
        conn.run(max_connections=2, sleep=sleeps.append)
        conn.http.close()
    assert sleeps[0] == MAX_BACKOFF_S and len(sleeps) == 2  # the 503 gets the short back-off

    row = stored(desk, "x")
    assert (row.needs_action, row.action_message, row.last_error, row.errors) == ("credentials", REJECTED, PASSING, 2)
    lead = auth("lee", "aurora", Role.LEAD)
    [shown] = client.get("/api/v1/connectors", headers=lead).json()
    assert shown["needs_action"] is True and shown["action"] == "credentials"
    assert shown["action_message"] == REJECTED and shown["last_error"] == PASSING

    with desk.db.session() as s:
        create_user(s, "lee", "a-long-lead-password", "aurora", Role.LEAD, desk.clock.now())
    login(client, {"username": "lee", "password": "a-long-lead-password"})
    page = client.get("/settings").text
    assert 'data-action="credentials">Needs' in page and X_FIX in page and f"Since then: {PASSING}" in page

    listed = cli_runner.invoke(app, ["connectors"])
    assert listed.exit_code == 1, listed.output  # a monitoring check pages on it
    assert "x (x, brands all): NEEDS ACTION (credentials); last post none yet, posts 0, errors 2" in listed.output
    assert f"  fix: {REJECTED}\n  last error: {PASSING}\n" in listed.output

    fixed = FakeX(published=[])
    fixed.stream = [json.dumps({"data": tweet(1), "includes": {"users": users(1)}})]
    with http_server(fixed.route) as base:
        again = XConnector("x", desk.ingest, "x-fixed", BRANDS[:1], api_base_url=base)
        again.run(max_connections=1, sleep=lambda s: None)
        again.http.close()
    row = stored(desk, "x")
    assert (row.needs_action, row.action_message, row.last_error) == (None, None, PASSING)  # history, not an action
    [shown] = client.get("/api/v1/connectors", headers=lead).json()
    assert (shown["needs_action"], shown["action"], shown["action_message"]) == (False, None, None)
    assert "Needs" not in client.get("/settings").text.split('id="connectors-title"')[1].split("</section>")[0]
    listed = cli_runner.invoke(app, ["connectors"])
    assert listed.exit_code == 0 and "x (x, brands all): ok; last post 2026-" in listed.output


def test_an_action_line_longer_than_the_cut_keeps_what_to_fix_whole(desk: Desk) -> None:
    keys = [f"brand{n:02d}-" + "x" * 50 for n in range(12)]  # brand keys may be 64 characters long
    brands = [BrandConfig(key=k, name=f"Brand {n}", handles=[f"Brand{n}"], keywords=["status:late"])
              for n, k in enumerate(keys)]
    fake = RulesX()
    with http_server(fake.route, fake.seen) as base:
        conn = XConnector("x", desk.ingest, "x-secret", brands, api_base_url=base)
        conn.run(max_connections=1, sleep=lambda s: None)
        conn.http.close()
    fix = f"rule rejected by X: fix the handles, names or keywords of brand {', '.join(keys)} and restart."
    assert len(fix) > LAST_ERROR_CHARS  # the old cut at 500 lost the last brands and "and restart"
    row = stored(desk, "x")
    assert row.needs_action == "rule" and row.action_message is not None and row.last_error == row.action_message
    assert row.action_message.startswith(f"{fix} X refused brand {keys[0]}'s stream rule `")
    assert len(row.action_message) <= ACTION_CHARS and row.action_message.endswith("…")  # X's words for the rest
    whole = conn.health.needs_action or ""
    assert len(whole) > ACTION_CHARS and whole.startswith(row.action_message[:-1])


def test_the_cut_marks_itself_and_spares_the_first_sentence_of_an_action() -> None:
    assert clip("ReadTimeout", LAST_ERROR_CHARS) == "ReadTimeout"
    cut = clip("PlatformError: " + "y" * 600, LAST_ERROR_CHARS)
    assert len(cut) == LAST_ERROR_CHARS and cut.endswith("y…")
    fix = "rule rejected by Reddit: fix connectors.reddit.subreddits (drop " + ", ".join(
        f"r/sub{n:04d}" for n in range(300)) + ") and restart."
    assert len(fix) > ACTION_CHARS
    assert clip_action(f"{fix} Reddit refused r/sub0000: private.") == f"{fix}…"
    short = "credentials rejected by X: fix connectors.x.bearer_token and restart. X said " + "z" * 3000
    assert clip_action(short) == short[:ACTION_CHARS - 1] + "…"
    assert clip_action("rule rejected") == "rule rejected"


def test_connect_exits_1_while_a_stored_action_stands_behind_a_passing_error(monkeypatch: pytest.MonkeyPatch,
                                                                              tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/w.db"
    migrate(url)
    db = Database(url)
    with db.session() as s:  # an earlier run found the token rejected
        s.add(ConnectorStateRow(name="x", platform="x", updated_at=datetime.now(UTC),
                                events=0, errors=1, last_error=REJECTED, needs_action="credentials",
                                action_message=REJECTED))
    fake = FakeX(published=[])
    fake.fail[("/2/tweets/search/stream/rules", None)] = (503, UNAVAILABLE, {})  # this run: X is down
    result = connect_x_once(monkeypatch, url, fake.route, "x-new-secret")
    assert result.exit_code == 1, result.output
    assert f"x: {REJECTED} (found by an earlier run; not connected since)" in result.stderr
    with db.session() as s:
        row = s.scalars(select(ConnectorStateRow).where(ConnectorStateRow.name == "x")).one()
        assert row.needs_action == "credentials" and row.last_error == PASSING
    db.dispose()
