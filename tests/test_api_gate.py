"""Every route of the app, walked as a caller without credentials, a browser without the CSRF token, or an agent
would walk it: it must refuse a caller without credentials (unless it is named in PUBLIC) whatever the body, refuse
a cookie write without the CSRF token, and keep lead and admin actions from agents (brand isolation and secrets:
test_api_isolation)."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

import httpx
import pytest
from fastapi.testclient import TestClient

from wakeful.analyze import Analyzer
from wakeful.api.app import answers_as_api, build_desk, create_app
from wakeful.api.auth import Role, create_token, create_user
from wakeful.api.deps import COOKIE, CSRF_HEADER
from wakeful.core.clock import FixedClock
from wakeful.core.settings import Settings
from wakeful.store.db import migrate

from tests.api_routes import (
    AGENT_WRITES,
    API_WRITES,
    BODIES,
    EXPORTS,
    GUARDED,
    LEAD_READS,
    LEAD_WRITES,
    MOUNTS,
    PUBLIC,
    PUBLIC_MOUNTS,
    PW,
    ROUTES,
    STREAMS,
    fill,
    is_api,
)
from tests.desk_fixtures import BRANDS
from tests.factories import T0
from tests.signin import login

# --- the gate: credentials, CSRF, roles (one desk for the module: no row is needed to be turned away) -------------

@dataclass
class Gate:
    anon: TestClient
    cookie: TestClient
    """Signed in as brand aurora's lead, without sending the CSRF header."""
    agent: dict[str, str]
    lead: dict[str, str]


@pytest.fixture(scope="module")
def gate(tmp_path_factory: pytest.TempPathFactory, analyzer: Analyzer) -> Iterator[Gate]:
    url = f"sqlite:///{tmp_path_factory.mktemp('gate') / 'wakeful.db'}"
    migrate(url)
    desk = build_desk(Settings(database_url=url, brands=BRANDS), clock=FixedClock(T0), analyzer=analyzer)
    with desk.db.session() as s:
        create_user(s, "lee", PW, "aurora", Role.LEAD, T0)
        agent = {"Authorization": f"Bearer {create_token(s, 'ana', 'aurora', Role.AGENT, T0)}"}
        lead = {"Authorization": f"Bearer {create_token(s, 'lee', 'aurora', Role.LEAD, T0)}"}
    app = create_app(desk)
    cookie = TestClient(app, follow_redirects=False)
    assert login(cookie, {"username": "lee", "password": PW}).status_code == 303
    yield Gate(TestClient(app, follow_redirects=False), cookie, agent, lead)
    desk.db.dispose()


def test_the_routes_named_here_exist() -> None:
    paths = {path for _, path in ROUTES}
    assert set(ROUTES) >= PUBLIC and paths >= AGENT_WRITES | LEAD_READS | STREAMS
    assert MOUNTS == PUBLIC_MOUNTS
    assert "/api/v1/stats/daily" in EXPORTS
    assert {("POST", "/api/v1/ingest"), ("PUT", "/api/v1/teams"), ("POST", "/login")} <= BODIES


MALFORMED = (b'{"posts": [{"id": ', b"\xff\xfe{", b"[1, 2]")
"""Bodies FastAPI refuses before any dependency runs (JSON cut short, bytes no JSON decoder reads), and JSON of the
wrong shape: none may tell a caller without credentials anything about the route."""


@pytest.mark.parametrize(("method", "path"), GUARDED, ids=[f"{m} {p}" for m, p in GUARDED])
def test_every_route_refuses_a_caller_without_credentials(gate: Gate, method: str, path: str) -> None:
    """No credentials, a made-up token or a made-up session, with no body or (where the route reads one) a malformed
    one: a 401 from the API, the sign-in page for a page; never a validation error before who is asking is known."""
    url = fill(path)
    bodies = (None, *MALFORMED) if (method, path) in BODIES else (None,)
    for headers, body in itertools.product(
            ({}, {"Authorization": "Bearer wk_made-up"}, {"Cookie": f"{COOKIE}=made-up"}), bodies):
        if body is not None:
            headers = {**headers, "Content-Type": "application/json"}
        got = gate.anon.request(method, url, headers=headers, content=body)
        if is_api(path):
            assert got.status_code == 401, (headers, body, got.status_code, got.text)
        else:
            assert got.status_code == 303 and got.headers["location"].startswith("/login"), (headers, body, got.text)


@pytest.mark.parametrize(("method", "path"), API_WRITES, ids=[f"{m} {p}" for m, p in API_WRITES])
def test_every_write_with_the_session_cookie_needs_the_csrf_token(gate: Gate, method: str, path: str) -> None:
    body = MALFORMED[0] if (method, path) in BODIES else None  # the token is checked before the body is judged
    for headers in ({}, {CSRF_HEADER: "guess"}, {CSRF_HEADER: "gu\u00e9ss".encode("latin-1")}):  # é: not a 500
        got = gate.cookie.request(method, fill(path), headers={**headers, "Content-Type": "application/json"},
                                  content=body)
        assert got.status_code == 403 and CSRF_HEADER in got.json()["detail"], (headers, got.text)


@pytest.mark.parametrize(("method", "path"), LEAD_WRITES, ids=[f"{m} {p}" for m, p in LEAD_WRITES])
def test_an_agent_can_make_only_an_agents_writes(gate: Gate, method: str, path: str) -> None:
    got = gate.anon.request(method, fill(path), headers=gate.agent)
    assert got.status_code == 403 and "role or above" in got.json()["detail"], got.text


def test_lead_reads_are_refused_to_agents_and_admin_routes_to_leads(gate: Gate) -> None:
    for path in LEAD_READS:
        assert gate.anon.get(fill(path, {"key": "aurora"}), headers=gate.agent).status_code == 403, path
    for method, path in (("POST", "/api/v1/ingest"), ("GET", "/api/v1/rejected")):
        got = gate.anon.request(method, path, headers=gate.lead, json={"posts": []})
        assert got.status_code == 403 and "admin" in got.json()["detail"]




# --- paths nobody serves: no hint to a caller without credentials -----------------------------------------------

UNSERVED_API = {"/api/v1/no-such-thing": "/api/v1/cases", "/api/v1/cases/1/no-such-action": "/api/v1/cases",
                "/api/v2/cases": "/api/v1/cases", "/api": "/openapi.json", "/x.json": "/openapi.json"}
"""Made-up paths answered as the API, each with a served path whose answer it must match byte for byte (those
under /api/ also carry the API's Cache-Control: no-store)."""
UNSERVED_PAGES = ("/admin", "/.env", "/wp-login.php", "/cases/1/no-such-tab", "/no/such/page", "/openapi.yaml",
                  "/favicon.ico")
NO_CREDENTIALS = ({}, {"Authorization": "Bearer wk_made-up"}, {"Cookie": f"{COOKIE}=made-up"})
METHODS = ("GET", "HEAD", "POST", "PUT", "DELETE")


def _answer(got: httpx.Response) -> tuple[int, bytes, dict[str, str]]:
    """Everything a caller sees of an answer but where a redirect leads (which names the path asked for)."""
    return got.status_code, got.content, {k: v for k, v in got.headers.items() if k != "location"}


def test_served_paths_answer_as_the_rule_for_unserved_ones_says() -> None:
    """The rule that sorts paths nobody serves into API and pages sorts every guarded route as it answers."""
    assert [p for _, p in GUARDED if answers_as_api(p) != is_api(p)] == []


@pytest.mark.parametrize("method", METHODS)
def test_a_path_nobody_serves_answers_a_caller_without_credentials_as_a_served_one(gate: Gate, method: str) -> None:
    """An anonymous caller cannot tell what exists by guessing: the API's 401, or a page's redirect to sign in
    that comes back to the path asked for, as a served path of the same kind answers, whatever made-up
    credentials it sends."""
    for headers in NO_CREDENTIALS:
        for path, served in (*UNSERVED_API.items(), *((page, "/reports") for page in UNSERVED_PAGES)):
            got = gate.anon.request(method, path, headers=headers)
            assert _answer(got) == _answer(gate.anon.request(method, served, headers=headers)), (path, headers)
            if path in UNSERVED_API:
                assert got.status_code == 401, (path, headers, got.text)
            else:
                assert got.status_code == 303, (path, headers, got.text)
                assert got.headers["location"] == "/login?" + urlencode({"next": path})


def test_a_trailing_slash_is_dropped_whether_or_not_the_path_exists(gate: Gate) -> None:
    """Starlette redirects a slash added to a served path only, which would tell; here every such path redirects,
    and where it leads answers as above."""
    for method in METHODS:
        for existing, made_up in (("/api/v1/cases/", "/api/v1/no-such-thing/"), ("/reports/", "/no-such-page/")):
            answers = [gate.anon.request(method, path + "?x=1", headers={"Cookie": f"{COOKIE}=made-up"})
                       for path in (existing, made_up)]
            assert _answer(answers[0]) == _answer(answers[1]) and answers[0].status_code == 307, (method, existing)
            for path, got in zip((existing, made_up), answers, strict=True):
                assert got.headers["location"] == f"http://testserver{path.rstrip('/')}?x=1"


def test_signed_in_callers_hear_that_a_path_does_not_exist(gate: Gate) -> None:
    """With a token or a session (even writing without the CSRF token: nothing is written) a made-up path is 404,
    and a slash added to a served path still leads to it."""
    for path in (*UNSERVED_API, *UNSERVED_PAGES):
        for client, headers in ((gate.anon, gate.agent), (gate.cookie, {})):
            for method in ("GET", "POST"):
                got = client.request(method, path, headers=headers)
                assert got.status_code == 404 and got.json() == {"detail": "Not Found"}, (path, headers, method)
    for client, headers in ((gate.anon, gate.agent), (gate.cookie, {})):
        got = client.get("/api/v1/cases/", headers=headers, follow_redirects=True)
        assert got.status_code == 200 and got.url.path == "/api/v1/cases"
    assert gate.cookie.get("/reports/", follow_redirects=True).status_code == 200


def test_public_paths_and_static_files_keep_their_own_answers(gate: Gate) -> None:
    """The health check, sign-in and static files answer anyone as before: a missing file is a 404, and a slash
    added to a public path still leads to it."""
    assert gate.anon.get("/static/no-such-file.css").status_code == 404
    assert gate.anon.get("/static/app.css").status_code == 200
    for path in ("/healthz/", "/login/"):
        assert gate.anon.get(path, follow_redirects=True).status_code == 200, path


# --- the database down: paths nobody serves answer as served ones still -------------------------------------------

DEAD_DATABASES = {"sqlite": "sqlite:///{tmp}/missing/dir/wakeful.db",
                  "postgresql": "postgresql+psycopg://wakeful@127.0.0.1:1/wakeful"}
"""Databases nobody can open: a SQLite file in a folder that does not exist, a PostgreSQL port nobody listens on."""


@pytest.fixture(params=sorted(DEAD_DATABASES))
def down(request: pytest.FixtureRequest, tmp_path: Path, analyzer: Analyzer) -> Iterator[TestClient]:
    """A desk whose database is unreachable, as a caller without credentials sees it (a 500 comes back as such)."""
    desk = build_desk(Settings(database_url=DEAD_DATABASES[request.param].format(tmp=tmp_path), brands=BRANDS),
                      clock=FixedClock(T0), analyzer=analyzer)
    yield TestClient(create_app(desk), follow_redirects=False, raise_server_exceptions=False)
    desk.db.dispose()


@pytest.mark.parametrize("method", METHODS)
def test_with_the_database_down_a_path_nobody_serves_answers_as_a_served_one(down: TestClient, method: str) -> None:
    """Served paths answer 503 (Retry-After) where their sign-in check needs the database: a made-up path must too,
    not a 500 from its own check; a page path with only a token is redirected, as a page's check reads no token."""
    for headers in NO_CREDENTIALS:
        for path, served in (*UNSERVED_API.items(), *((page, "/reports") for page in UNSERVED_PAGES)):
            got = down.request(method, path, headers=headers)
            assert _answer(got) == _answer(down.request(method, served, headers=headers)), (path, headers)
            asks_database = bool(headers) if path in UNSERVED_API else "Cookie" in headers
            expected = 503 if asks_database else 401 if path in UNSERVED_API else 303
            assert got.status_code == expected, (path, headers, got.status_code, got.text)
            if expected == 503:
                assert got.headers["Retry-After"] == "30", (path, headers)
                assert method == "HEAD" or "database unavailable" in got.json()["detail"], (path, headers)


def test_with_the_database_down_a_method_a_path_does_not_serve_answers_as_one_it_does(down: TestClient) -> None:
    """The sign-in check run for a method the route does not serve (see `app.refused_caller`) needs the database
    as the route's own does: 503 as for the method it serves, not a 500 that tells the method apart."""
    served: dict[str, set[str]] = {}
    for method, path in GUARDED:
        served.setdefault(path, set()).add(method)
    for path, methods in sorted(served.items()):
        if path in STREAMS:
            continue
        known, other = min(methods - {"HEAD"}), min({"DELETE", "PATCH", "POST", "PUT"} - methods)
        for headers in NO_CREDENTIALS:
            got = down.request(other, fill(path), headers=headers)
            assert _answer(got) == _answer(down.request(known, fill(path), headers=headers)), (other, path, headers)
            assert got.status_code != 500 and (got.status_code == 503) == ("Cookie" in headers or (
                is_api(path) and bool(headers))), (other, path, headers, got.status_code)


def test_with_the_database_down_the_health_check_and_public_paths_keep_their_answers(down: TestClient) -> None:
    """Load balancers read the health check's own 503 (no Retry-After); sign-in and static files need no database."""
    got = down.get("/healthz")
    assert got.status_code == 503
    assert got.json() == {"status": "unavailable", "detail": "database unreachable: OperationalError"}
    assert "retry-after" not in got.headers and down.head("/healthz").status_code == 503
    assert down.get("/healthz/").headers["location"] == "http://testserver/healthz"
    assert down.get("/static/app.css").status_code == 200 and down.get("/static/nope.css").status_code == 404
    assert down.get("/login").status_code == 200
