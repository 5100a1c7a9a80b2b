"""A name looked up ignoring case is one indexed query on `users.name_key`, on both databases: before, each API
request read every disabled user's name, and a sign-in under another case or a team lead read every user."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest
from alembic import command
from sqlalchemy import create_engine, text

from wakeful.api.app import build_desk
from wakeful.api.auth import Role, authenticate, create_token, create_user, disable_user, find_user
from wakeful.api.deps import Desk
from wakeful.desk.agents import known_person
from wakeful.store.agents import AgentRow
from wakeful.store.db import Database, alembic_config, migrate
from wakeful.store.users import UserRow

from tests.factories import T0
from tests.query_plans import query_plan, selects

PW = "a long enough password"


def _each_by_index(desk: Desk, lookup: Callable[[Any], object]) -> None:
    with selects(desk.db.engine, "users") as seen, desk.db.session() as s:
        lookup(s)
    assert seen, "the lookup read no user"
    for statement, params in seen:
        plan = query_plan(desk.db.engine, statement, params)
        assert "Seq Scan" not in plan and "SCAN users" not in plan, (statement, plan)  # searched by an index


def test_a_token_a_sign_in_and_a_team_lead_find_the_user_through_the_index(desk: Desk) -> None:
    with desk.db.session() as s:
        for n in range(30):
            create_user(s, f"agent-{n}", PW, "aurora", Role.AGENT, T0)
        create_user(s, "Özlem", PW, "aurora", Role.AGENT, T0)
        disable_user(s, "agent-3", T0)
        token = create_token(s, "ÖZLEM", "aurora", Role.AGENT, T0)
    _each_by_index(desk, lambda s: authenticate(s, token))
    _each_by_index(desk, lambda s: find_user(s, "özlem"))
    _each_by_index(desk, lambda s: known_person(s, "aurora", "ÖZLEM"))
    with desk.db.session() as s:
        assert authenticate(s, token) is not None
        found = find_user(s, " özlem")
        assert found is not None and found.username == "Özlem"
        assert known_person(s, "aurora", "ÖZLEM") == "Özlem"


def test_a_token_made_after_its_user_was_disabled_does_not_sign_in_in_any_case(desk: Desk) -> None:
    with desk.db.session() as s:
        create_user(s, "Straße", PW, "aurora", Role.AGENT, T0)
        disable_user(s, "strasse", T0)
        late = create_token(s, "STRASSE ", "aurora", Role.AGENT, T0)
        other = create_token(s, "Strass", "aurora", Role.AGENT, T0)
    with desk.db.session() as s:
        assert authenticate(s, late) is None
        assert authenticate(s, other) is not None


def test_a_renamed_user_keeps_her_key_in_step(desk: Desk) -> None:
    with desk.db.session() as s:
        create_user(s, "ana", PW, "aurora", Role.AGENT, T0)
    with desk.db.session() as s:
        user = find_user(s, "ANA")
        assert user is not None
        user.username = "Ümit"
    with desk.db.session() as s:
        assert find_user(s, "ana") is None
        assert find_user(s, "ÜMIT") is not None


def test_the_migration_keys_the_users_a_desk_already_has(database_url: str) -> None:
    command.upgrade(alembic_config(database_url), "0005_users")
    engine = create_engine(database_url)
    at = datetime(2026, 3, 2, tzinfo=UTC)
    try:
        with engine.begin() as conn:
            for n, name in enumerate(["Özlem", "ana", "ANA", "Straße"], start=1):
                conn.execute(text("INSERT INTO users (id, username, password_hash, brand, role, created_at) "
                                  "VALUES (:id, :name, 'x', 'aurora', 'agent', :at)"),
                             {"id": n, "name": name, "at": at})
    finally:
        engine.dispose()
    migrate(database_url)
    db = Database(database_url)
    try:
        with db.session() as s:
            keys = {u.username: u.name_key for u in s.query(UserRow)}
            assert keys == {"Özlem": "özlem", "ana": "ana", "ANA": "ana", "Straße": "strasse"}
            assert [u.username for u in (find_user(s, "ÖZLEM"), find_user(s, "Ana"), find_user(s, "STRASSE"))
                    if u is not None] == ["Özlem", "ana", "Straße"]  # the oldest wins where both are kept
    finally:
        db.dispose()


def test_the_desk_warns_at_start_about_a_user_or_agent_named_as_its_own_actions(
        desk: Desk, caplog: pytest.LogCaptureFixture) -> None:
    """Names such as 'desk' are refused since 40a8e33; a desk that holds one from before is told at start."""
    with caplog.at_level(logging.WARNING, logger="wakeful.api.app"):
        build_desk(desk.settings, db=desk.db)
    assert "named as the desk's own actions" not in caplog.text
    with desk.db.session() as s:
        create_user(s, "ana", PW, "aurora", Role.AGENT, T0)
        s.add(UserRow(username="Desk", password_hash="x", brand="aurora", role="agent", created_at=T0))
        s.add(AgentRow(brand="aurora", name="SLA ", created_at=T0))
        s.add(AgentRow(brand="aurora", name="slate", created_at=T0))
    with caplog.at_level(logging.WARNING, logger="wakeful.api.app"):
        build_desk(desk.settings, db=desk.db)
    warned = [r.getMessage() for r in caplog.records if "named as the desk's own actions" in r.getMessage()]
    assert len(warned) == 2
    assert warned[0].startswith("user 'Desk' ") and "(wakeful user disable 'Desk')" in warned[0]
    assert warned[1].startswith("agent 'SLA ' of 'aurora' ")
    assert "wakeful agents away 'SLA ' --brand aurora" in warned[1]
