"""Who is asking is settled before what is wrong with the request (see `wakeful.api.app.refused_caller`).

FastAPI reads and validates a body before it runs a route's dependencies, sign-in among them; the app answers such
an early error with the sign-in check's answer when that refuses the caller. tests/test_api_isolation.py walks every
route without credentials; this file checks that signed-in callers still hear what is wrong, that roles come before
validation too, and that routes which check their caller another way (a webhook's HMAC signature, a token in the
URL) and the public ones keep their own answers.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from typing import Annotated

import pytest
from fastapi import Header, HTTPException, Request
from fastapi.testclient import TestClient
from pydantic import BaseModel

from wakeful.api.app import create_app
from wakeful.api.auth import Role
from wakeful.api.deps import Desk

from tests.desk_fixtures import Headers

CUT_SHORT = b'{"posts": [{"id": '
UNREADABLE = b"\xff\xfe{"
JSON = {"Content-Type": "application/json"}
HOOK_KEY = b"shared-webhook-key"
HOOK_TOKEN = "url-token-3f9"


class Ping(BaseModel):
    text: str


def _signed_hooks(desk: Desk) -> TestClient:
    """The app with two webhook receivers of the kind platforms call, each checking its caller its own way."""
    app = create_app(desk)

    @app.post("/hooks/signed")
    async def signed(ping: Ping, request: Request, x_signature: Annotated[str, Header()] = "") -> dict[str, str]:
        expected = hmac.new(HOOK_KEY, await request.body(), hashlib.sha256).hexdigest()
        if not hmac.compare_digest(x_signature, expected):
            raise HTTPException(403, "bad signature")
        return {"got": ping.text}

    @app.post("/api/v1/hooks/{token}")
    def by_url_token(token: str, ping: Ping) -> dict[str, str]:
        if not hmac.compare_digest(token.encode(), HOOK_TOKEN.encode()):
            raise HTTPException(404, "no such hook")
        return {"got": ping.text}

    return TestClient(app)


def test_signed_in_callers_still_hear_what_is_wrong_with_their_body(client: TestClient, auth: Headers) -> None:
    root = {**auth("root", "*", Role.ADMIN), **JSON}
    got = client.post("/api/v1/ingest", content=CUT_SHORT, headers=root)
    assert got.status_code == 422 and got.json()["detail"][0]["type"] == "json_invalid", got.text
    got = client.post("/api/v1/ingest", content=UNREADABLE, headers=root)
    assert got.status_code == 400 and "parsing the body" in got.json()["detail"]
    got = client.post("/api/v1/ingest", json={"posts": "none"}, headers=root)
    assert got.status_code == 422 and got.json()["detail"][0]["loc"] == ["body", "posts"]
    assert client.post("/api/v1/ingest", json={"posts": []}, headers=root).status_code == 200
    got = client.get("/api/v1/cases/not-a-number", headers=root)
    assert got.status_code == 422 and "case_id" in got.text  # a path checked after sign-in, as before


def test_a_signed_in_caller_without_the_role_is_refused_before_the_body_is_judged(
        client: TestClient, auth: Headers) -> None:
    """An agent learns no more of a lead's or an admin's route from a malformed body than from a well-formed one."""
    for path, headers, said in (("/api/v1/teams", auth("ana"), "lead role"),
                                ("/api/v1/ingest", auth("lee", role=Role.LEAD), "admin role"),
                                ("/api/v1/ingest", auth("ada", role=Role.ADMIN), "every brand")):
        method = "PUT" if path.endswith("teams") else "POST"
        for body in (CUT_SHORT, UNREADABLE, b'{"name": 7}'):
            got = client.request(method, path, content=body, headers={**headers, **JSON})
            assert got.status_code == 403 and said in got.json()["detail"], (path, body, got.text)


def test_a_method_a_path_does_not_serve_is_no_hint_either(client: TestClient, auth: Headers) -> None:
    assert client.delete("/api/v1/ingest").status_code == 401
    assert client.delete("/api/v1/ingest", headers=auth("root", "*", Role.ADMIN)).status_code == 405
    assert client.post("/healthz").status_code == 405  # public: its own answer


def test_routes_that_check_their_caller_another_way_keep_their_answers(desk: Desk) -> None:
    """A webhook checking an HMAC signature, one with a token in its URL: no bearer token or session is asked of
    them, and a malformed body gets their own answer (a 422, as FastAPI gives it) whoever sends it."""
    hooks = _signed_hooks(desk)
    body = json.dumps({"text": "hi"}).encode()
    signature = hmac.new(HOOK_KEY, body, hashlib.sha256).hexdigest()

    assert hooks.post("/hooks/signed", content=body, headers={**JSON, "X-Signature": signature}).json() == {
        "got": "hi"}
    assert hooks.post("/hooks/signed", content=body, headers={**JSON, "X-Signature": "0" * 64}).status_code == 403
    for path in ("/hooks/signed", f"/api/v1/hooks/{HOOK_TOKEN}", "/api/v1/hooks/wrong"):
        got = hooks.post(path, content=CUT_SHORT, headers=JSON)
        assert got.status_code == 422 and got.json()["detail"][0]["type"] == "json_invalid", (path, got.text)
    assert hooks.post(f"/api/v1/hooks/{HOOK_TOKEN}", json={"text": "hi"}).json() == {"got": "hi"}
    assert hooks.post("/api/v1/hooks/wrong", json={"text": "hi"}).status_code == 404


@pytest.mark.parametrize("body", [CUT_SHORT, b"username=lee&password=x"])
def test_the_public_sign_in_form_keeps_its_own_answer(client: TestClient, body: bytes) -> None:
    """Nothing to sign in with yet: a post without the form's token is the form's own 403, not a 401."""
    got = client.post("/login", content=body, headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert got.status_code == 403 and 'name="username"' in got.text
