"""Signing in and out of the dashboard.

The sign-in form is protected against login CSRF (another site posting its own credentials to /login, so that
the victim's browser works in the attacker's account and leaves its notes and replies there): serving the form
sets a random nonce in an HttpOnly, SameSite=Strict cookie sent only to /login, and the form carries the nonce's
server signature. A POST whose token does not match its cookie is refused with 403 before any password is read.
Under `secure_cookies` that cookie is `__Host-wakeful_login`, sent to every path (see `login_cookie_name`).
Scripts use API tokens (`wakeful token create`), which never go through this form.
"""

from __future__ import annotations

import hmac
from typing import Annotated
from urllib.parse import urlsplit

from fastapi import APIRouter, Form, Request, status
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from wakeful.api.auth import (
    login_form_token,
    login_key,
    login_nonce,
    login_token_ok,
    session_principal,
    sign_in,
    sign_out,
)
from wakeful.api.deps import COOKIE, CSRF_HEADER, Desk, DeskDep
from wakeful.api.session_cookie import clear_session_cookie, cookies_secure, set_session_cookie
from wakeful.core.settings import Settings
from wakeful.web.views import render

LOGIN_COOKIE = "wakeful_login"
"""The sign-in form's nonce (a double-submit cookie: the form carries its signature); sent only to /login."""
HOST_LOGIN_COOKIE = "__Host-" + LOGIN_COOKIE
"""The nonce's cookie under `secure_cookies`."""
LOGIN_FIELD = "csrf_token"
"""The sign-in form's hidden field holding the nonce's signature."""
LOGIN_FORM_S = 86400
"""How long a browser keeps its login nonce; a form older than that is refused once and served again."""
MAX_NONCE = 128
"""A longer login cookie is not one of ours: it is replaced rather than signed."""
LOGIN_CSRF_ERROR = ("This sign-in form has expired or was not sent from this desk's sign-in page, so nobody was "
                    "signed in. Please sign in again.")

router = APIRouter(include_in_schema=False)


def safe_next(target: str | None) -> str:
    """Where to go after signing in: only a path on this site, never another host."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return "/"
    return target


def login_cookie_name(settings: Settings) -> str:
    """`__Host-wakeful_login` over HTTPS (`secure_cookies`), else `wakeful_login` (browsers drop the prefixed
    name over plain http, so the demo keeps the plain one).

    Browsers accept a `__Host-` cookie only when Secure, set by an HTTPS answer, without a Domain and with Path=/,
    so neither a plain-http answer (or a network attacker forging one) nor a sibling subdomain can plant a nonce
    whose signature it knows; `__Secure-`, used before, still let a sibling subdomain served over HTTPS set one
    with its Domain, and that subdomain is same-site, so SameSite=Strict does not stop its form either. The price
    of Path=/ is that the nonce travels with every request instead of to /login alone: a random value that signs
    nothing but the sign-in form. Only this name is read under the setting: a plain `wakeful_login` beside it is
    not ours and is ignored."""
    return HOST_LOGIN_COOKIE if settings.secure_cookies else LOGIN_COOKIE


def login_cookie_path(settings: Settings) -> str:
    """Path=/ for the `__Host-` cookie, which must have it; /login for the plain one, which nothing else reads."""
    return "/" if settings.secure_cookies else "/login"


def _key(desk: Desk) -> bytes:
    secret = desk.settings.secret_key
    return login_key(secret.get_secret_value() if secret else None)


def _login_page(request: Request, desk: Desk, next: str | None, *, error: str | None = None, username: str = "",
                status_code: int = status.HTTP_200_OK) -> HTMLResponse:
    """The form, signed for this browser's login nonce. The nonce is kept while the browser has one, so two
    sign-in tabs do not invalidate each other; a browser without one gets a fresh one."""
    name = login_cookie_name(desk.settings)
    nonce = request.cookies.get(name, "")
    fresh = not nonce or len(nonce) > MAX_NONCE
    if fresh:
        nonce = login_nonce()
    token = login_form_token(nonce, _key(desk))
    response = render(request, "login.html", {"next": safe_next(next), "error": error, "username": username,
                                              "csrf_field": LOGIN_FIELD, "csrf_token": token},
                      status_code=status_code)
    if fresh:
        response.set_cookie(name, nonce, httponly=True, samesite="strict", path=login_cookie_path(desk.settings),
                            secure=cookies_secure(request, desk.settings), max_age=LOGIN_FORM_S)
    return response


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request, desk: DeskDep, next: str | None = None) -> HTMLResponse:
    return _login_page(request, desk, next)


@router.post("/login", response_class=HTMLResponse)
def login(request: Request, desk: DeskDep, username: Annotated[str, Form()] = "",
          password: Annotated[str, Form()] = "", next: Annotated[str, Form()] = "/",
          csrf_token: Annotated[str, Form(alias=LOGIN_FIELD)] = "") -> Response:
    """Check the form's token, then the credentials; on success start a session (its cookie: `api.session_cookie`)
    and go on. A wrong or missing token answers 403 with a fresh form, and no password is checked."""
    if not login_token_ok(request.cookies.get(login_cookie_name(desk.settings), ""), csrf_token, _key(desk)):
        return _login_page(request, desk, next, error=LOGIN_CSRF_ERROR, username=username,
                           status_code=status.HTTP_403_FORBIDDEN)
    with desk.db.session() as session:
        started = sign_in(session, username.strip(), password, desk.clock.now())
    if started is None:
        return _login_page(request, desk, next, error="Unknown user or wrong password.", username=username,
                           status_code=status.HTTP_401_UNAUTHORIZED)
    response = RedirectResponse(safe_next(next), status_code=status.HTTP_303_SEE_OTHER)
    set_session_cookie(response, request, desk.settings, started.cookie)
    return response


@router.post("/logout")
def logout(request: Request, desk: DeskDep, csrf_token: Annotated[str, Form(alias=LOGIN_FIELD)] = "") -> Response:
    """End the session on the server too, so a copied cookie stops working. The page's form sends the session's
    CSRF token (scripts may send the X-CSRF-Token header instead): without it another site could sign a browser
    out, so a request carrying a live session but not its token is refused. A request carrying no session cookie
    (a cross-site one: the cookie is SameSite=Strict) has nothing to end and leaves the browser's cookie alone."""
    cookie = request.cookies.get(COOKIE, "")
    if not cookie:
        return RedirectResponse("/login", status_code=status.HTTP_303_SEE_OTHER)
    with desk.db.session() as session:
        who = session_principal(session, cookie, desk.clock.now())
        sent = csrf_token or request.headers.get(CSRF_HEADER, "")
        if who is not None and not hmac.compare_digest(sent.encode(), (who.csrf or "").encode()):
            return Response("Sign out from the desk's own page: this request did not carry its token.",
                            status_code=status.HTTP_403_FORBIDDEN, media_type="text/plain")
        sign_out(session, cookie, desk.clock.now())
    response = RedirectResponse("/login", status_code=status.HTTP_303_SEE_OTHER)
    clear_session_cookie(response, request, desk.settings)
    return response
