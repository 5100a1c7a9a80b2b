"""Signing a test client in through the dashboard's sign-in form as a browser does: the form's CSRF token is read
from the page served to that client, whose cookie jar keeps the login cookie that goes with it."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import httpx
from fastapi.testclient import TestClient

from wakeful.api.auth import Role, create_user
from wakeful.api.deps import Desk
from wakeful.web.signin import LOGIN_FIELD

PW = "a long enough password"
"""The password of the users `add_lee_and_mallory` creates."""


def login_token(client: TestClient) -> str:
    """The token of the sign-in form served to this client (which sets its login cookie)."""
    page = client.get("/login")
    found = re.search(rf'name="{LOGIN_FIELD}" value="([^"]+)"', page.text)
    assert found, f"no {LOGIN_FIELD} in the sign-in form: {page.status_code} {page.text[:200]}"
    return found.group(1)


def login(client: TestClient, data: Mapping[str, str], **kwargs: Any) -> httpx.Response:
    """POST /login with `data` (username, password, next) and the form's token; `kwargs` go to the POST."""
    return client.post("/login", data={**data, LOGIN_FIELD: login_token(client)}, **kwargs)


def add_lee_and_mallory(desk: Desk) -> Desk:
    """The sign-in tests' two users of aurora: lee, a lead, and mallory, an agent who tries to plant her session."""
    with desk.db.session() as s:
        create_user(s, "lee", PW, "aurora", Role.LEAD, desk.clock.now())
        create_user(s, "mallory", PW, "aurora", Role.AGENT, desk.clock.now())
    return desk
