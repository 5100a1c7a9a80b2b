"""`wakeful user …`: people are added with names that cannot be confused (blank, ' ana', 'ANA' beside 'ana') and real
passwords; a departing employee is locked out from the terminal, sessions and tokens included, not with SQL."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from typer.testing import CliRunner, Result

from wakeful.api.auth import Role, create_token, sign_in
from wakeful.api.deps import COOKIE, Desk
from wakeful.cli import app
from wakeful.desk import agents
from wakeful.store.users import UserRow

from tests.signin import login

PW = "a long enough password"


@pytest.fixture
def runner(cli_runner: CliRunner) -> CliRunner:
    return cli_runner


def user(runner: CliRunner, *args: str, password: str | None = None) -> Result:
    env = {"WAKEFUL_NEW_PASSWORD": password} if password is not None else {}
    return runner.invoke(app, ["user", *args], env=env)


def said(result: Result) -> str:
    return " ".join(result.output.split())


@pytest.mark.parametrize(("name", "password", "error"), [
    ("", PW, "a username must not be blank"),
    (" ana", PW, "user 'ana' exists already"),
    ("ANA", PW, "user 'ANA' exists already as 'ana' (names ignore case)"),
    ("bo", " " * 10, "a password needs at least 10 characters"),
])
def test_confusable_names_and_blank_passwords_are_refused(
        runner: CliRunner, desk: Desk, name: str, password: str, error: str) -> None:
    assert user(runner, "add", "ana", "--brand", "aurora", password=PW).exit_code == 0
    result = user(runner, "add", name, "--brand", "aurora", password=password)
    assert result.exit_code == 2 and error in said(result) and "Traceback" not in result.output
    with desk.db.session() as s:
        assert s.scalars(select(UserRow.username)).all() == ["ana"]


def test_a_name_with_spaces_around_it_is_stored_without_them(runner: CliRunner, desk: Desk) -> None:
    result = user(runner, "add", " sam ", "--brand", "aurora", "--role", "lead", password=PW)
    assert result.exit_code == 0 and "user sam can sign in (lead, brand aurora)" in said(result)
    with desk.db.session() as s:
        assert s.scalars(select(UserRow.username)).all() == ["sam"]


def test_disable_locks_a_leaver_out_of_sign_in_sessions_and_tokens_and_enable_lets_them_back(
        runner: CliRunner, desk: Desk, client: TestClient) -> None:
    assert user(runner, "add", "ana", "--brand", "aurora", password=PW).exit_code == 0
    with desk.db.session() as s:
        web = sign_in(s, "ana", PW, desk.clock.now())
        token = create_token(s, "ana", "aurora", Role.AGENT, desk.clock.now())
        agents.add_agent(s, "aurora", "ana", desk.clock.now())
    assert web is not None
    bearer = {"Authorization": f"Bearer {token}"}
    client.cookies.set(COOKIE, web.cookie)
    assert client.get("/api/v1/cases").status_code == 200
    client.cookies.clear()
    assert client.get("/api/v1/cases", headers=bearer).status_code == 200

    result = user(runner, "disable", "ANA")
    assert result.exit_code == 0, result.output
    assert "user ana is now disabled; 1 session(s) ended, 1 token(s) revoked" in said(result)
    assert "wakeful agents away ana --brand aurora" in said(result)  # their cases are still theirs
    assert client.get("/api/v1/cases", headers=bearer).status_code == 401
    client.cookies.set(COOKIE, web.cookie)
    assert client.get("/api/v1/cases").status_code == 401
    client.cookies.clear()
    assert login(client, {"username": "ana", "password": PW}, follow_redirects=False).status_code == 401

    assert "can sign in again" in said(user(runner, "enable", "ana"))
    assert login(client, {"username": "ana", "password": PW}, follow_redirects=False).status_code == 303
    assert client.get("/api/v1/cases", headers=bearer).status_code == 401  # a revoked token stays revoked


def test_passwd_changes_the_password_and_signs_the_user_out(
        runner: CliRunner, desk: Desk, client: TestClient) -> None:
    assert user(runner, "add", "ana", "--brand", "aurora", password=PW).exit_code == 0
    with desk.db.session() as s:
        web = sign_in(s, "ana", PW, desk.clock.now())
    assert web is not None
    short = user(runner, "passwd", "ana", password="          ")
    assert short.exit_code == 2 and "at least 10 characters" in said(short)
    result = user(runner, "passwd", "ana", password="a brand new password")
    assert result.exit_code == 0 and "1 session(s) signed out" in said(result)
    client.cookies.set(COOKIE, web.cookie)
    assert client.get("/api/v1/cases").status_code == 401
    client.cookies.clear()
    assert login(client, {"username": "ana", "password": PW}, follow_redirects=False).status_code == 401
    assert login(client, {"username": "ana", "password": "a brand new password"},
                       follow_redirects=False).status_code == 303


def test_passwd_asks_twice_when_no_password_is_given(runner: CliRunner) -> None:
    assert user(runner, "add", "ana", "--brand", "aurora", password=PW).exit_code == 0
    result = runner.invoke(app, ["user", "passwd", "ana"], input="another password!\nanother password!\n")
    assert result.exit_code == 0 and "password of ana changed" in said(result)
    assert "another password!" not in result.output  # hidden as typed


@pytest.mark.parametrize("command", ["disable", "enable", "passwd"])
def test_an_unknown_user_is_named(runner: CliRunner, command: str) -> None:
    result = user(runner, command, "ghost", password=PW)
    assert result.exit_code == 2 and "no user 'ghost'" in said(result)
