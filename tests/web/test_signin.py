"""Login CSRF: only a sign-in form this desk served to this browser can sign it in.

Another site could otherwise post its own credentials to /login from a victim's browser, which would then work in
the attacker's account (the victim's notes and replies landing where the attacker reads them). Scripts are not
affected: they use API tokens, which never go through the form.
"""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr
from sqlalchemy import func, select

from wakeful.analyze import Analyzer
from wakeful.api.app import build_desk, create_app
from wakeful.api.auth import Role, create_token
from wakeful.api.deps import COOKIE, Desk
from wakeful.store.users import WebSessionRow
from wakeful.web.signin import LOGIN_COOKIE, LOGIN_CSRF_ERROR, LOGIN_FIELD

from tests.signin import PW, add_lee_and_mallory, login, login_token

LEE = {"username": "lee", "password": PW}
MALLORY = {"username": "mallory", "password": PW}


@pytest.fixture
def app_users(desk: Desk) -> Desk:
    return add_lee_and_mallory(desk)


def _browser(desk: Desk, https: bool = False) -> TestClient:
    return TestClient(create_app(desk), follow_redirects=False,
                      base_url="https://testserver" if https else "http://testserver")


def _sessions(desk: Desk) -> int:
    with desk.db.session() as s:
        return int(s.scalar(select(func.count()).select_from(WebSessionRow)) or 0)


def test_the_form_signs_in_with_the_token_its_page_carries(app_users: Desk) -> None:
    browser = _browser(app_users)
    page = browser.get("/login?next=/reports")
    cookie = page.headers["set-cookie"]
    assert cookie.startswith(f"{LOGIN_COOKIE}=") and "HttpOnly" in cookie and "SameSite=strict" in cookie
    assert "Path=/login" in cookie and "Secure" not in cookie
    token = re.findall(rf'<input type="hidden" name="{LOGIN_FIELD}" value="([^"]+)">', page.text)
    assert len(token) == 1 and token[0] not in cookie  # the form carries the nonce's signature, not the nonce
    got = browser.post("/login", data={**LEE, "next": "/reports", LOGIN_FIELD: token[0]})
    assert got.status_code == 303 and got.headers["location"] == "/reports"
    assert got.headers["set-cookie"].startswith(f"{COOKIE}=")
    assert browser.get("/").status_code == 200
    assert "Secure" in _browser(app_users, https=True).get("/login").headers["set-cookie"]


def test_a_form_without_this_browsers_token_is_refused_with_403_and_no_session(app_users: Desk) -> None:
    """Without a token, with a made-up one, with another browser's (the attacker's own, fetched from /login), or
    with a token but no login cookie (a cross-site post before the victim ever opened the page): 403, the form
    again with a clear message, no session cookie and no session stored; no password is checked."""
    attacker = _browser(app_users)
    stolen = login_token(attacker)
    victim = _browser(app_users)
    login_token(victim)  # the victim has a sign-in page open: their own login cookie
    fresh = _browser(app_users)  # no login cookie at all
    for browser, token in ((victim, None), (victim, ""), (victim, "0" * 64), (victim, stolen),
                           (victim, "t\u00f6ken"), (fresh, stolen)):
        data = {**MALLORY, "next": "/cases/1"} | ({} if token is None else {LOGIN_FIELD: token})
        got = browser.post("/login", data=data)
        assert got.status_code == 403, (token, got.status_code, got.text[:200])
        assert LOGIN_CSRF_ERROR.replace("'", "&#39;") in got.text and 'value="mallory"' in got.text
        assert COOKIE not in got.headers.get("set-cookie", "") and COOKIE not in browser.cookies
        assert _sessions(app_users) == 0
    got = victim.post("/login", data={"username": "lee", "password": "not the password"})
    assert got.status_code == 403  # the token is checked first: no password oracle without a form


def test_the_refusal_serves_a_form_that_then_signs_in(app_users: Desk) -> None:
    """A browser whose form expired (a cookie cleared, the server restarted) is not stuck: the 403 page's own form
    carries a fresh token for the login cookie it sets."""
    browser = _browser(app_users)
    refused = browser.post("/login", data={**LEE, "next": "/incidents"})
    assert refused.status_code == 403 and refused.headers["set-cookie"].startswith(f"{LOGIN_COOKIE}=")
    token = re.findall(rf'name="{LOGIN_FIELD}" value="([^"]+)"', refused.text)[0]
    assert 'name="next" value="/incidents"' in refused.text
    got = browser.post("/login", data={**LEE, "next": "/incidents", LOGIN_FIELD: token})
    assert got.status_code == 303 and got.headers["location"] == "/incidents" and _sessions(app_users) == 1


def test_two_sign_in_tabs_and_a_wrong_password_keep_the_form_valid(app_users: Desk) -> None:
    browser = _browser(app_users)
    first = login_token(browser)
    second = browser.get("/login")
    assert "set-cookie" not in second.headers  # the browser's nonce is kept: the first tab's form still works
    wrong = browser.post("/login", data={"username": "lee", "password": "not the password", LOGIN_FIELD: first})
    assert wrong.status_code == 401 and "Unknown user or wrong password" in wrong.text
    assert f'value="{first}"' in wrong.text and "set-cookie" not in wrong.headers
    assert browser.post("/login", data={**LEE, LOGIN_FIELD: first}).status_code == 303


def test_a_cookie_too_long_to_be_ours_is_replaced(app_users: Desk) -> None:
    browser = _browser(app_users)
    browser.cookies.set(LOGIN_COOKIE, "x" * 4000, path="/login")
    page = browser.get("/login")
    assert page.headers["set-cookie"].startswith(f"{LOGIN_COOKIE}=") and "x" * 200 not in page.headers["set-cookie"]
    assert login(browser, LEE).status_code == 303


def test_scripts_need_no_form_their_api_token_is_enough(app_users: Desk) -> None:
    """Tokens are issued by `wakeful token create`, not over HTTP; a script never opens /login and is unaffected."""
    with app_users.db.session() as s:
        bearer = {"Authorization": f"Bearer {create_token(s, 'bot', 'aurora', Role.LEAD, app_users.clock.now())}"}
    script = _browser(app_users)
    assert script.get("/api/v1/cases", headers=bearer).status_code == 200
    got = script.put("/api/v1/teams", headers=bearer, json={"name": "night shift"})
    assert got.status_code == 200, got.text
    assert LOGIN_COOKIE not in script.cookies and _sessions(app_users) == 0


def test_a_form_served_by_one_server_signs_in_at_another_with_the_same_secret(app_users: Desk,
                                                                             analyzer: Analyzer) -> None:
    """Behind one address, a form one server process served is posted to whichever process the balancer picks: with
    the same `secret_key` it signs in there; with another key (two desks misconfigured) it is refused."""
    def server(secret: str) -> TestClient:
        settings = app_users.settings.model_copy(update={"secret_key": SecretStr(secret)})
        return TestClient(create_app(build_desk(settings, db=app_users.db, clock=app_users.clock,
                                                analyzer=analyzer)), follow_redirects=False)

    first, second, stray = server("shared-secret-1"), server("shared-secret-1"), server("another-secret")
    token = login_token(first)
    second.cookies.set(LOGIN_COOKIE, first.cookies[LOGIN_COOKIE], path="/login")
    stray.cookies.set(LOGIN_COOKIE, first.cookies[LOGIN_COOKIE], path="/login")
    assert stray.post("/login", data={**LEE, LOGIN_FIELD: token}).status_code == 403
    assert second.post("/login", data={**LEE, LOGIN_FIELD: token}).status_code == 303
