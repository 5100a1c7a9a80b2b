"""The dashboard's session cookie: its name and attributes, set and cleared in one place.

Over HTTPS (`secure_cookies`) the cookie is `__Host-wakeful_session`: browsers accept a `__Host-` cookie only when it
is Secure, has Path=/ and no Domain, so neither an answer over plain http nor a sibling subdomain can plant one (a
planted session would have the victim work in the attacker's account) or overwrite ours. Over plain http (the demo)
browsers drop such cookies, so there it stays `wakeful_session`, Secure only when the request itself came over
HTTPS. Either way it is HttpOnly and SameSite=Strict.

The desk's code reads the session under one name, `deps.COOKIE`; `SessionCookieIn` hands it the cookie under the
name in use and nothing else.
"""

from __future__ import annotations

from fastapi import Request, Response
from starlette.types import ASGIApp, Receive, Scope, Send

from wakeful.api.auth import SESSION_DAYS
from wakeful.api.deps import COOKIE, Desk
from wakeful.core.settings import Settings

HOST_COOKIE = "__Host-" + COOKIE
"""The session cookie's name under `secure_cookies`."""


def session_cookie_name(settings: Settings) -> str:
    return HOST_COOKIE if settings.secure_cookies else COOKIE


def cookies_secure(request: Request, settings: Settings) -> bool:
    """Secure when the desk says it is served over HTTPS (behind a TLS proxy the request itself may read http),
    or when this request came over HTTPS."""
    return settings.secure_cookies or request.url.scheme == "https"


def set_session_cookie(response: Response, request: Request, settings: Settings, value: str) -> None:
    response.set_cookie(session_cookie_name(settings), value, max_age=SESSION_DAYS * 86400, path="/",
                        secure=cookies_secure(request, settings), httponly=True, samesite="strict")


def clear_session_cookie(response: Response, request: Request, settings: Settings) -> None:
    """Attributes as when it was set: a browser replaces a cookie only for the same name, path and prefix rules."""
    response.delete_cookie(session_cookie_name(settings), path="/", secure=cookies_secure(request, settings),
                           httponly=True, samesite="strict")


_PLAIN, _HOST = COOKIE.encode(), HOST_COOKIE.encode()


def _as_read(header: bytes) -> bytes:
    """A Cookie header with `__Host-wakeful_session` renamed to `wakeful_session`, and any `wakeful_session` the
    browser sent beside it dropped: that one was not set by this desk over HTTPS (a plain-http answer or a sibling
    subdomain may have planted it), so it must not sign anyone in."""
    kept = []
    for piece in header.split(b";"):
        name, eq, value = piece.strip().partition(b"=")
        if name.strip() == _PLAIN:
            continue
        if name.strip() == _HOST:
            kept.append(_PLAIN + eq + value)
        elif piece.strip():
            kept.append(piece.strip())
    return b"; ".join(kept)


class SessionCookieIn:
    """Under `secure_cookies`, presents the `__Host-` session cookie to the app under the name its readers use (the
    API's sign-in check, the pages', sign-out), so every one of them accepts exactly the cookie in use."""

    def __init__(self, app: ASGIApp, desk: Desk) -> None:
        self.app = app
        self.desk = desk

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] in ("http", "websocket") and self.desk.settings.secure_cookies:
            scope = dict(scope)
            scope["headers"] = [(key, _as_read(value) if key == b"cookie" else value)
                                for key, value in scope["headers"]]
        await self.app(scope, receive, send)
