"""Every route of the app, walked as an attacker holding brand A's agent or lead credentials would walk it.

The routes are read from the app itself, so a route added later is walked too: it must refuse a caller without
credentials (unless it is named in PUBLIC), refuse a cookie write without the CSRF token, keep lead actions from
agents, answer another brand's ids exactly as missing ones, and show nothing of another brand nor any secret.
"""

from __future__ import annotations

import asyncio
import itertools
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, cast

import pytest
from fastapi import Request
from fastapi.routing import APIRoute, iter_route_contexts
from fastapi.security import HTTPAuthorizationCredentials
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from wakeful.analyze import Analyzer
from wakeful.api import cases as cases_api
from wakeful.api.app import build_desk, create_app
from wakeful.api.auth import Role, create_token, create_user, revoke_token
from wakeful.api.cases import _queue_mark
from wakeful.api.deps import COOKIE, CSRF_HEADER, Desk, principal_of
from wakeful.core.clock import FixedClock
from wakeful.core.connector_settings import ConnectorsConfig, XConnectorConfig
from wakeful.core.notify_settings import NotifyChannels, NotifySettings
from wakeful.core.settings import Settings
from wakeful.desk.channels import shown_url
from wakeful.store.agents import AgentRow
from wakeful.store.connectors import ConnectorStateRow, OutboundReplyRow
from wakeful.store.db import migrate
from wakeful.store.incidents import IncidentRow
from wakeful.store.models import ApiTokenRow, CaseEventRow, CaseRow, PostRow
from wakeful.store.users import UserRow, WebSessionRow

from tests.desk_fixtures import BRANDS, Headers
from tests.factories import T0, make_post, post_record
from tests.signin import login

PW = "a long enough password"
PUBLIC = {("GET", "/healthz"), ("HEAD", "/healthz"), ("GET", "/login"), ("POST", "/login"), ("POST", "/logout")}
"""What answers without credentials: the health check, and signing in and out."""
PUBLIC_MOUNTS = {"/static"}
"""The dashboard's CSS and scripts."""
AGENT_WRITES = {"/api/v1/cases/{case_id}/assign", "/api/v1/cases/{case_id}/state", "/api/v1/cases/{case_id}/replies",
                "/api/v1/cases/{case_id}/reveal", "/api/v1/cases/{case_id}/notes",
                "/api/v1/cases/{case_id}/merge", "/api/v1/cases/{case_id}/unmerge", "/api/v1/cases/{case_id}/split",
                "/api/v1/agents/{agent_id}/availability"}
"""The only writes an agent may make; every other write is for leads or admins."""
LEAD_READS = {"/api/v1/reports/agents", "/api/v1/agents/report", "/api/v1/connectors", "/api/v1/connectors/replies",
              "/api/v1/settings/brands", "/api/v1/settings/brands/{key}/history",
              "/api/v1/settings/brands/{key}/notify", "/api/v1/rejected"}
SAFE = {"GET", "HEAD", "OPTIONS"}
STREAMS = {"/api/v1/cases/changes"}
"""Never ends, so it is not read here: see test_the_change_stream_fires_only_for_the_callers_brand."""


def _route_table() -> tuple[list[tuple[str, str]], set[str], set[str], set[tuple[str, str]]]:
    """Every (method, path) the app serves, the paths that also export CSV (`format=csv`), the paths of what it
    mounts, and the (method, path) that read a body. The table does not depend on the desk, so none is built to
    read it at collection time."""
    routes, exports, mounts, bodies = [], set(), set(), set()
    for route in iter_route_contexts(create_app(cast(Desk, None)).routes):
        served = route.original_route
        if isinstance(served, APIRoute):
            routes += [(method, route.path) for method in sorted(route.methods or [])]
            if any(p.name == "format" for p in served.dependant.query_params):
                exports.add(route.path)
            if served.body_field is not None:
                bodies |= {(method, route.path) for method in route.methods or []}
        else:
            mounts.add(route.path)
    return routes, exports, mounts, bodies


ROUTES, EXPORTS, MOUNTS, BODIES = _route_table()
GUARDED = [r for r in ROUTES if r not in PUBLIC]
API_WRITES = [(m, p) for m, p in GUARDED if m not in SAFE and p.startswith("/api/")]
LEAD_WRITES = [(m, p) for m, p in API_WRITES if p not in AGENT_WRITES]
READS = [path for method, path in ROUTES if method == "GET" and path not in STREAMS]


def _api(path: str) -> bool:
    return path.startswith("/api/") or path == "/openapi.json"


def _fill(path: str, values: dict[str, Any] | None = None) -> str:
    """The path with its parameters filled in: from `values`, else 1."""
    return re.sub(r"{(\w+)}", lambda m: str((values or {}).get(m.group(1), 1)), path)


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
    url = _fill(path)
    bodies = (None, *MALFORMED) if (method, path) in BODIES else (None,)
    for headers, body in itertools.product(
            ({}, {"Authorization": "Bearer wk_made-up"}, {"Cookie": f"{COOKIE}=made-up"}), bodies):
        if body is not None:
            headers = {**headers, "Content-Type": "application/json"}
        got = gate.anon.request(method, url, headers=headers, content=body)
        if _api(path):
            assert got.status_code == 401, (headers, body, got.status_code, got.text)
        else:
            assert got.status_code == 303 and got.headers["location"].startswith("/login"), (headers, body, got.text)


@pytest.mark.parametrize(("method", "path"), API_WRITES, ids=[f"{m} {p}" for m, p in API_WRITES])
def test_every_write_with_the_session_cookie_needs_the_csrf_token(gate: Gate, method: str, path: str) -> None:
    body = MALFORMED[0] if (method, path) in BODIES else None  # the token is checked before the body is judged
    for headers in ({}, {CSRF_HEADER: "guess"}, {CSRF_HEADER: "gu\u00e9ss".encode("latin-1")}):  # é: not a 500
        got = gate.cookie.request(method, _fill(path), headers={**headers, "Content-Type": "application/json"},
                                  content=body)
        assert got.status_code == 403 and CSRF_HEADER in got.json()["detail"], (headers, got.text)


@pytest.mark.parametrize(("method", "path"), LEAD_WRITES, ids=[f"{m} {p}" for m, p in LEAD_WRITES])
def test_an_agent_can_make_only_an_agents_writes(gate: Gate, method: str, path: str) -> None:
    got = gate.anon.request(method, _fill(path), headers=gate.agent)
    assert got.status_code == 403 and "role or above" in got.json()["detail"], got.text


def test_lead_reads_are_refused_to_agents_and_admin_routes_to_leads(gate: Gate) -> None:
    for path in LEAD_READS:
        assert gate.anon.get(_fill(path, {"key": "aurora"}), headers=gate.agent).status_code == 403, path
    for method, path in (("POST", "/api/v1/ingest"), ("GET", "/api/v1/rejected")):
        got = gate.anon.request(method, path, headers=gate.lead, json={"posts": []})
        assert got.status_code == 403 and "admin" in got.json()["detail"]


# --- another brand's data (a desk per test, on each database) ------------------------------------------------------

B_TEXT = "@NordRail Zebrafink: Zug ausgefallen, schreibt mir an zebra.kunde@example.de"
B_MARKERS = ("nordrail", "nord rail", "zebra")
"""What only brand nordrail's data says: its key and name, and the word its customer, agent and lead use."""


@dataclass
class World:
    a: dict[str, Any]
    """Aurora's ids, by path parameter."""
    b: dict[str, Any]
    """Nordrail's ids."""
    missing: dict[str, Any]


@pytest.fixture
def world(desk: Desk, client: TestClient, auth: Headers) -> World:
    """Both brands with a case, an incident, an agent, a team, a rota, an SLA policy, an approved line, a reply on
    its way to the platform (failed, so it could be retried) and a connector."""
    now = desk.clock.now()
    desk.ingest.ingest([make_post("a1", "@AuroraAirways lost my bag on AU 12, nobody answers", author="alice"),
                        make_post("b1", B_TEXT, author="zebra_kunde")])
    with desk.db.session() as s:
        case = {brand: case_id for case_id, brand in s.execute(select(CaseRow.id, CaseRow.brand))}
        incident = {}
        for brand in ("aurora", "nordrail"):
            row = IncidentRow(brand=brand, key="delay", opened_at=now, last_seen_at=now, peak_score=9.0,
                              peak_observed=20, summary=f"{brand} zebra delays" if brand == "nordrail" else "delays")
            s.add(row)
            s.flush()
            incident[brand] = row.id
        s.add(ConnectorStateRow(name="zebra-listener", platform="x", updated_at=now, brands=["nordrail"],
                                last_error="zebra: 429"))
        create_user(s, "lee", PW, "aurora", Role.LEAD, now)
        create_user(s, "ana", PW, "aurora", Role.AGENT, now)
    agent_id = {}
    for brand, lead, name in (("aurora", "lee", "ana"), ("nordrail", "zebra_lead", "zebra_agent")):
        h = auth(lead, brand, Role.LEAD)
        got = client.post("/api/v1/agents", json={"name": name, "languages": ["en", "de"]}, headers=h)
        agent_id[brand] = got.json()["id"]
        writes = [("PUT", "/api/v1/teams", {"name": f"{name} team", "lead": name}),
                  ("POST", "/api/v1/oncall", {"agent": name, "starts_at": now.isoformat(),
                                              "ends_at": (now + timedelta(hours=8)).isoformat()}),
                  ("PUT", "/api/v1/sla-policies", {"priority": 1, "first_response_minutes": 77}),
                  ("PUT", "/api/v1/reply-templates/general/en", {"text": f"Sorry, {name} here."}),
                  ("POST", f"/api/v1/cases/{case[brand]}/replies", {"text": f"Sorry, {name} here."}),
                  ("POST", f"/api/v1/cases/{case[brand]}/notes", {"text": f"{name} looked"})]
        for method, path, body in writes:
            got = client.request(method, path, json=body, headers=h)
            assert got.status_code in (200, 201), got.text
    with desk.db.session() as s:
        for reply in s.scalars(select(OutboundReplyRow)):
            reply.state = "failed"
        reply_id = {r.brand: r.id for r in s.scalars(select(OutboundReplyRow))}

    def ids(brand: str) -> dict[str, Any]:
        return {"case_id": case[brand], "incident_id": incident[brand], "agent_id": agent_id[brand],
                "reply_id": reply_id[brand], "key": brand, "topic": "general", "lang": "en"}

    missing = {"case_id": 999_999, "incident_id": 999_999, "agent_id": 999_999, "reply_id": 999_999,
               "key": "nobrand"}
    return World(ids("aurora"), ids("nordrail"), missing)


def _body(method: str, path: str, values: dict[str, Any]) -> Any:
    """A body each write accepts, so that only whose the row is can decide the answer."""
    if method == "PUT" and path.endswith("/settings/brands/{key}"):
        return {"key": values["key"], "name": "Any Brand", "handles": ["AnyBrandCare"]}
    bodies: dict[str, Any] = {"assign": {"assignee": None}, "state": {"state": "resolved"},
                              "replies": {"text": "We are on it"}, "notes": {"text": "noted"},
                              "statement": {"text": "We are on it."}, "answer": {}, "availability": {"away": True},
                              "{agent_id}": {"max_cases": 3}, "merge": {"into": values["case_id"]},
                              "split": {"post_ids": ["a1"]}}
    return bodies.get(path.rsplit("/", 1)[1]) if method not in SAFE and method != "DELETE" else None


def _shape(text: str, values: dict[str, Any]) -> str:
    for key in ("case_id", "incident_id", "agent_id", "reply_id", "key"):
        text = re.sub(rf"\b{re.escape(str(values[key]))}\b", "ID", text)
    return text


def _b_state(desk: Desk, world: World) -> tuple[Any, ...]:
    """What a write to nordrail's rows would change: its case, incident, agent and outbound reply."""
    with desk.db.session() as s:
        case = s.get(CaseRow, world.b["case_id"])
        incident = s.get(IncidentRow, world.b["incident_id"])
        agent = s.get(AgentRow, world.b["agent_id"])
        reply = s.get(OutboundReplyRow, world.b["reply_id"])
        assert case is not None and incident is not None and agent is not None and reply is not None
        events = s.scalar(select(func.count()).where(CaseEventRow.case_id == case.id))
        return case.state, case.assignee, events, incident.statement, agent.away, agent.max_cases, reply.state


def test_another_brands_ids_answer_exactly_as_missing_ones(
        desk: Desk, client: TestClient, auth: Headers, world: World) -> None:
    """Every route that takes an id (or a brand key), called by aurora's agent and lead with nordrail's and with one
    that does not exist: the same status and body, so neither reads nor acts, nor learns that the row exists."""
    before = _b_state(desk, world)
    routes = [(m, p) for m, p in ROUTES if set(re.findall(r"{(\w+)}", p)) & set(world.missing)]
    assert any("{case_id}" in p for _, p in routes) and any("{incident_id}" in p for _, p in routes)
    pages = TestClient(client.app)
    login(pages, {"username": "lee", "password": PW})
    pages.headers[CSRF_HEADER] = re.findall(r'name="csrf-token" content="([^"]+)"', pages.get("/").text)[0]
    callers = [("agent", client, auth("ana")), ("lead", client, auth("lee", role=Role.LEAD)),
               ("lead's session", pages, {})]
    for who, caller, headers in callers:
        for method, path in routes:
            if headers and not _api(path):
                continue  # a token is no way into a page
            answers = []
            for values in (world.b, world.missing):
                url = _fill(path, {**world.a, **values})
                got = caller.request(method, url, json=_body(method, path, values), headers=headers)
                answers.append((got.status_code, _shape(got.text, values)))
            assert answers[0] == answers[1], (who, method, path, answers)
            assert answers[0][0] in (403, 404), (who, method, path, answers[0])
    assert _b_state(desk, world) == before


def test_naming_another_brand_in_a_write_answers_as_naming_none(client: TestClient, auth: Headers) -> None:
    """The writes that take a brand (for an admin of every brand) refuse aurora's lead nordrail as they refuse a
    brand that does not exist."""
    lead = auth("lee", "aurora", Role.LEAD)
    for method, path, body in (
            ("POST", "/api/v1/agents", {"name": "mole"}), ("PUT", "/api/v1/teams", {"name": "moles"}),
            ("POST", "/api/v1/oncall", {"agent": "mole", "starts_at": "2026-03-02T09:00:00Z",
                                        "ends_at": "2026-03-02T17:00:00Z"}),
            ("PUT", "/api/v1/sla-policies", {"priority": 1, "first_response_minutes": 5}),
            ("PUT", "/api/v1/reply-templates/general/en", {"text": "Sorry about that."}),
            ("DELETE", "/api/v1/reply-templates/general/en", None)):
        answers = []
        for brand in ("nordrail", "nobrand"):
            got = client.request(method, path + (f"?brand={brand}" if body is None else ""), headers=lead,
                                 json=None if body is None else {**body, "brand": brand})
            answers.append((got.status_code, got.text.replace(brand, "B")))
        assert answers[0] == answers[1] and answers[0][0] == 403, (path, answers)


def _reads(world: World) -> list[str]:
    """Every GET route filled with aurora's ids, and its CSV export where it has one."""
    urls = [_fill(path, world.a) for path in READS]
    return urls + [_fill(path, world.a) + "?format=csv" for path in sorted(EXPORTS)]


def _markers(text: str) -> list[str]:
    return [m for m in B_MARKERS if m in text.lower()]


def test_no_read_shows_another_brands_data(desk: Desk, client: TestClient, auth: Headers, world: World) -> None:
    """Every GET route, API and page, filled with aurora's ids: nothing of nordrail in any answer, whoever asks."""
    pages = TestClient(client.app)
    login(pages, {"username": "lee", "password": PW})
    agent_pages = TestClient(client.app)
    login(agent_pages, {"username": "ana", "password": PW})
    callers = [(client, auth("ana")), (client, auth("lee", role=Role.LEAD)), (pages, {}), (agent_pages, {})]
    leaks = []
    for url in _reads(world):
        for caller, headers in callers:
            if headers and not _api(url):
                continue
            got = caller.get(url, headers=headers)
            assert got.status_code in (200, 403), (url, got.status_code, got.text)
            if _markers(got.text):
                leaks.append((url, headers and "token", _markers(got.text)))
    assert leaks == []
    stored = [url for url in _reads(world) if url.startswith("/api/")
              and client.get(url, headers=auth("lee", role=Role.LEAD)).headers.get("cache-control") != "no-store"]
    assert stored == []  # customers' posts and names must not stay in a proxy's or the browser's cache
    every = client.get("/api/v1/cases", headers=auth("root", "*", Role.ADMIN)).text
    assert _markers(every)  # the markers are there to be found


def test_the_change_stream_fires_only_for_the_callers_brand(desk: Desk, world: World) -> None:
    """The stream sends `changed` when its mark moves: nordrail's queue changing leaves aurora's mark alone."""
    aurora, nordrail = _queue_mark(desk, {"aurora"}), _queue_mark(desk, {"nordrail"})
    desk.ingest.ingest([make_post("b2", B_TEXT, author="zebra_zwei")])  # a second nordrail case
    assert _queue_mark(desk, {"nordrail"}) != nordrail
    assert _queue_mark(desk, {"aurora"}) == aurora


def test_only_an_admin_of_every_brand_ingests_or_reads_refused_records(
        desk: Desk, client: TestClient, auth: Headers, world: World) -> None:
    """A brand's own admin could otherwise rewrite another brand's posts (an edit is the same post sent again) and
    learn its case ids, or read its customers' refused records, personal data unmasked."""
    bad = post_record(make_post("b9", B_TEXT, author="zebra_drei"))
    bad["author"]["followers"] = "lots"
    edit = post_record(make_post("b1", "@NordRail all fine", author="zebra_kunde", edited_at=desk.clock.now()))
    for headers in (auth("ada", "aurora", Role.ADMIN), auth("ada", "nordrail", Role.ADMIN)):
        got = client.post("/api/v1/ingest", json={"posts": [edit, bad]}, headers=headers)
        assert got.status_code == 403 and "'*'" in got.json()["detail"], got.text
        assert client.get("/api/v1/rejected", headers=headers).status_code == 403
    with desk.db.session() as s:
        assert s.scalars(select(PostRow.text).where(PostRow.platform_id == "b1")).one() == B_TEXT
    root = auth("root", "*", Role.ADMIN)
    assert client.post("/api/v1/ingest", json={"posts": [bad]}, headers=root).json()["rejected"]
    assert "zebra" in client.get("/api/v1/rejected", headers=root).text


SECRETS = ("hookpass-7f3", "qtok-9d1", "sign-key-4e2", "slack-secret-5a8", "smtp-pass-6b0", "x-bearer-1c2",
           "x-client-3d4")


def test_no_answer_shows_a_secret(desk: Desk, client: TestClient, auth: Headers, world: World) -> None:
    """Notification and connector credentials from the settings, and the hashes of tokens, passwords and sessions:
    in no answer to a lead or an admin of every brand (the webhook's address shows without its password or query)."""
    channels = NotifyChannels(webhook_url="https://hooks:hookpass-7f3@hooks.example.com/in?token=qtok-9d1",
                              webhook_secret="sign-key-4e2", slack_url="https://hooks.slack.com/T0/slack-secret-5a8",
                              smtp_host="smtp.example.com", smtp_to=["care@example.com"], smtp_username="mailer",
                              smtp_password="smtp-pass-6b0")
    x = XConnectorConfig(bearer_token="x-bearer-1c2", client_id="app", client_secret="x-client-3d4")
    desk.settings = desk.settings.model_copy(update={"notify": NotifySettings(brands={"aurora": channels}),
                                                     "connectors": ConnectorsConfig(x=x)})
    pages = TestClient(client.app)
    login(pages, {"username": "lee", "password": PW})
    with desk.db.session() as s:
        hashes = [*s.scalars(select(ApiTokenRow.token_hash)), *s.scalars(select(UserRow.password_hash)),
                  *s.scalars(select(WebSessionRow.session_hash))]
    callers = [(client, auth("lee", role=Role.LEAD)), (client, auth("root", "*", Role.ADMIN)), (pages, {})]
    shown = []
    for url in _reads(world):
        for caller, headers in callers:
            if headers and not _api(url):
                continue
            text = caller.get(url, headers=headers).text
            shown += [(url, s) for s in (*SECRETS, *hashes, "scrypt$") if s in text]
    assert shown == []
    targets = client.get("/api/v1/settings/brands/aurora/notify", headers=auth("lee", role=Role.LEAD)).json()
    assert targets["channels"][0]["target"] == "https://hooks.example.com/in?… (signed)"


def test_a_webhook_address_shows_without_its_password_or_query() -> None:
    assert shown_url("http://127.0.0.1:8080/hook") == "http://127.0.0.1:8080/hook"
    assert shown_url("https://u:p@[::1]:9/x?k=1#f") == "https://[::1]:9/x?…"


def test_the_change_stream_ends_when_the_callers_token_is_revoked(
        desk: Desk, auth: Headers, monkeypatch: pytest.MonkeyPatch) -> None:
    """A revoked token (or ended session) stops hearing about the queue at the next keep-alive, not when the
    browser tab closes."""
    monkeypatch.setattr(cases_api, "CHANGE_POLL_S", 0.01)
    monkeypatch.setattr(cases_api, "KEEPALIVE_S", 0.02)
    token = auth("ana")["Authorization"].removeprefix("Bearer ")
    creds = HTTPAuthorizationCredentials(scheme="Bearer", credentials=token)

    class Open:
        async def is_disconnected(self) -> bool:
            return False

    request = cast(Request, Open())

    async def run() -> list[str]:
        stream = cases_api.changes(request, desk, {"aurora"},
                                   lambda: principal_of(request, desk, creds) is not None)
        heard = [await anext(stream), await anext(stream)]  # retry hint, then a keep-alive while signed in
        with desk.db.session() as s:
            assert revoke_token(s, "ana", desk.clock.now()) == 1
        heard += [event async for event in stream]  # ends by itself; a stream that kept going would hang here
        return heard

    heard = asyncio.run(asyncio.wait_for(run(), timeout=10))
    assert heard == ["retry: 2000\n\n", ": keep-alive\n\n"]
