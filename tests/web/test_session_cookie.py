"""The session cookie's name and attributes, over plain http (the demo) and over HTTPS (`secure_cookies`).

Over HTTPS the cookie is `__Host-wakeful_session`: Secure, Path=/, no Domain, so neither a plain-http answer nor a
sibling subdomain can plant a session (the victim would then work in the attacker's account) or overwrite ours; a
plain `wakeful_session` sent beside it is not ours and signs nobody in. Over plain http browsers drop such cookies,
so there it stays `wakeful_session` and the demo keeps signing in. The sign-in form's nonce cookie likewise becomes
`__Host-wakeful_login` (Secure, Path=/, no Domain), and a plain `wakeful_login` beside it is not read.
"""

from __future__ import annotations

import re
from http.cookies import Morsel, SimpleCookie

import httpx
import pytest
from fastapi.testclient import TestClient

from wakeful.analyze import Analyzer
from wakeful.api.app import build_desk, create_app
from wakeful.api.auth import sign_in
from wakeful.api.deps import COOKIE, CSRF_HEADER, Desk
from wakeful.api.session_cookie import HOST_COOKIE
from wakeful.web.signin import HOST_LOGIN_COOKIE, LOGIN_COOKIE, LOGIN_FIELD

from tests.signin import PW, add_lee_and_mallory, login, login_token

LEE = {"username": "lee", "password": PW}


def _desk(desk: Desk, analyzer: Analyzer, secure_cookies: bool) -> Desk:
    settings = desk.settings.model_copy(update={"secure_cookies": secure_cookies})
    return build_desk(settings, db=desk.db, clock=desk.clock, analyzer=analyzer)


@pytest.fixture
def users(desk: Desk) -> Desk:
    return add_lee_and_mallory(desk)


def _set_cookies(response: httpx.Response) -> dict[str, Morsel[str]]:
    jar: SimpleCookie = SimpleCookie()
    for header in response.headers.get_list("set-cookie"):
        jar.load(header)
    return dict(jar)


def _csrf(browser: TestClient) -> str:
    found = re.search(r'<meta name="csrf-token" content="([^"]+)">', browser.get("/").text)
    assert found, "no CSRF token in the page"
    return found.group(1)


@pytest.mark.parametrize(("secure_cookies", "base_url", "name", "secure"), [
    (False, "http://127.0.0.1:8000", COOKIE, ""),  # the demo
    (False, "https://desk.example", COOKIE, True),  # served over HTTPS without the setting: Secure, as before
    (True, "https://desk.example", HOST_COOKIE, True),
])
def test_sign_in_sets_the_cookie_the_setting_asks_for_and_reads_it_back(
        users: Desk, analyzer: Analyzer, secure_cookies: bool, base_url: str, name: str, secure: object) -> None:
    browser = TestClient(create_app(_desk(users, analyzer, secure_cookies)), base_url=base_url,
                         follow_redirects=False)
    got = login(browser, LEE)
    assert got.status_code == 303, got.text
    cookies = _set_cookies(got)
    assert set(cookies) == {name}, cookies  # one session cookie, under the name in use
    cookie = cookies[name]
    assert (cookie["secure"], cookie["httponly"], cookie["path"], cookie["domain"], cookie["samesite"]) == (
        secure, True, "/", "", "strict")
    assert cookie["max-age"] == str(7 * 86400)
    assert browser.get("/").status_code == 200  # the pages read it
    assert browser.get("/api/v1/cases").status_code == 200  # and the API


def test_behind_a_tls_proxy_the_cookies_are_secure_though_the_request_reads_http(
        users: Desk, analyzer: Analyzer) -> None:
    """A proxy ending TLS forwards plain http: the setting, not the request's scheme, makes both cookies Secure."""
    app = create_app(_desk(users, analyzer, True))
    form = TestClient(app, base_url="http://desk.internal").get("/login")
    nonce = _set_cookies(form)[HOST_LOGIN_COOKIE]
    assert (nonce["secure"], nonce["path"], nonce["samesite"]) == (True, "/", "strict")
    token = re.findall(rf'name="{LOGIN_FIELD}" value="([^"]+)"', form.text)[0]
    proxied = TestClient(app, base_url="http://desk.internal", follow_redirects=False)
    # the browser sends Secure cookies to the proxy over https; the app gets them over http, as sent here by hand
    got = proxied.post("/login", data={**LEE, LOGIN_FIELD: token},
                       headers={"Cookie": f"{HOST_LOGIN_COOKIE}={nonce.value}"})
    session = _set_cookies(got)[HOST_COOKIE]
    assert got.status_code == 303 and (session["secure"], session["path"]) == (True, "/")
    assert proxied.get("/", headers={"Cookie": f"{HOST_COOKIE}={session.value}"}).status_code == 200


def test_over_https_a_plain_session_cookie_signs_nobody_in(users: Desk, analyzer: Analyzer) -> None:
    """A `wakeful_session` holding a live session (the attacker's own, planted over http or from a subdomain) is
    not the desk's cookie over HTTPS: alone it is no sign-in, and beside the real one it does not replace it."""
    with users.db.session() as s:
        planted = sign_in(s, "mallory", PW, users.clock.now())
        real = sign_in(s, "lee", PW, users.clock.now())
    assert planted is not None and real is not None
    app = create_app(_desk(users, analyzer, True))
    for cookies in ({COOKIE: planted.cookie}, {COOKIE: planted.cookie, HOST_COOKIE: "made-up"}):
        browser = TestClient(app, base_url="https://desk.example", follow_redirects=False, cookies=cookies)
        assert browser.get("/").status_code == 303, cookies
        assert browser.get("/api/v1/cases").status_code == 401, cookies
    both = TestClient(app, base_url="https://desk.example", cookies={COOKIE: planted.cookie, HOST_COOKIE: real.cookie})
    assert f'content="{real.csrf}"' in both.get("/").text  # lee's session, not mallory's
    plain = TestClient(create_app(_desk(users, analyzer, False)), follow_redirects=False,
                       cookies={COOKIE: planted.cookie})
    assert plain.get("/").status_code == 200  # over http the plain name is the one in use


def test_over_https_csrf_still_guards_writes_and_sign_out_clears_the_host_cookie(
        users: Desk, analyzer: Analyzer) -> None:
    browser = TestClient(create_app(_desk(users, analyzer, True)), base_url="https://desk.example",
                         follow_redirects=False)
    forged = browser.post("/login", data={**LEE, LOGIN_FIELD: "0" * 64})
    assert forged.status_code == 403 and HOST_COOKIE not in forged.headers.get("set-cookie", "")
    assert login(browser, LEE).status_code == 303
    token = _csrf(browser)
    team = {"name": "night shift"}
    assert browser.put("/api/v1/teams", json=team).status_code == 403  # no X-CSRF-Token
    assert browser.put("/api/v1/teams", json=team, headers={CSRF_HEADER: token}).status_code == 200
    assert browser.post("/logout", data={LOGIN_FIELD: "guess"}).status_code == 403
    out = browser.post("/logout", data={LOGIN_FIELD: token})
    assert out.status_code == 303 and out.headers["location"] == "/login"
    cleared = _set_cookies(out)[HOST_COOKIE]
    assert (cleared.value, cleared["max-age"], cleared["path"], cleared["secure"]) == ("", "0", "/", True)
    assert HOST_COOKIE not in browser.cookies and browser.get("/").status_code == 303


@pytest.mark.parametrize(("secure_cookies", "base_url", "name", "secure", "path", "session"), [
    (False, "http://127.0.0.1:8000", LOGIN_COOKIE, "", "/login", COOKIE),  # the demo
    (False, "https://desk.example", LOGIN_COOKIE, True, "/login", COOKIE),
    (True, "https://desk.example", HOST_LOGIN_COOKIE, True, "/", HOST_COOKIE),
])
def test_the_sign_in_forms_cookie_is_named_as_the_setting_asks_and_signs_in(
        users: Desk, analyzer: Analyzer, secure_cookies: bool, base_url: str, name: str, secure: object, path: str,
        session: str) -> None:
    """Over HTTPS the nonce's cookie is `__Host-`: browsers accept it only Secure, from an HTTPS answer, with Path=/
    and no Domain, so a sibling subdomain cannot plant one either; the plain one keeps Path=/login."""
    browser = TestClient(create_app(_desk(users, analyzer, secure_cookies)), base_url=base_url,
                         follow_redirects=False)
    form = browser.get("/login")
    assert form.headers["set-cookie"].startswith(f"{name}="), form.headers["set-cookie"]
    cookies = _set_cookies(form)
    assert set(cookies) == {name}, cookies
    nonce = cookies[name]
    assert (nonce["secure"], nonce["httponly"], nonce["path"], nonce["domain"], nonce["samesite"]) == (
        secure, True, path, "", "strict")
    assert nonce["max-age"] == "86400"
    got = login(browser, LEE)  # the browser sends the nonce back from its jar, as a browser over HTTPS does
    assert got.status_code == 303 and set(_set_cookies(got)) == {session}, got.text
    assert browser.get("/").status_code == 200


def test_over_https_a_plain_login_cookie_is_not_read(users: Desk, analyzer: Analyzer) -> None:
    """A `wakeful_login` planted over plain http holding a nonce whose form token the attacker holds signs nobody in
    over HTTPS, alone or beside the browser's own `__Host-` one; the browser's own form still does."""
    app = create_app(_desk(users, analyzer, True))
    attacker = TestClient(app, base_url="https://desk.example")
    stolen = login_token(attacker)
    planted = {LOGIN_COOKIE: attacker.cookies[HOST_LOGIN_COOKIE]}
    alone = TestClient(app, base_url="https://desk.example", follow_redirects=False, cookies=planted)
    assert alone.post("/login", data={**LEE, LOGIN_FIELD: stolen}).status_code == 403
    victim = TestClient(app, base_url="https://desk.example", follow_redirects=False, cookies=planted)
    page = victim.get("/login")  # the plain cookie is no nonce: a fresh `__Host-` one is set beside it
    assert set(_set_cookies(page)) == {HOST_LOGIN_COOKIE} and LOGIN_COOKIE in victim.cookies
    assert victim.post("/login", data={**LEE, LOGIN_FIELD: stolen}).status_code == 403
    assert login(victim, LEE).status_code == 303
