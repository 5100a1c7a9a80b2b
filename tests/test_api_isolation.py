"""Every route of the app, walked as an attacker holding brand A's agent or lead credentials would walk it: another
brand's ids answer exactly as missing ones, and no answer shows anything of another brand nor any secret (the
credentials, CSRF and role gate: test_api_gate)."""

from __future__ import annotations

import asyncio
import re
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, cast

import pytest
from fastapi import Request
from fastapi.security import HTTPAuthorizationCredentials
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from wakeful.api import cases as cases_api
from wakeful.api.auth import Role, create_user, revoke_token
from wakeful.api.cases import _queue_mark
from wakeful.api.deps import CSRF_HEADER, Desk, principal_of
from wakeful.core.connector_settings import ConnectorsConfig, XConnectorConfig
from wakeful.core.notify_settings import NotifyChannels, NotifySettings
from wakeful.desk.channels import shown_url
from wakeful.store.agents import AgentRow
from wakeful.store.connectors import ConnectorStateRow, OutboundReplyRow
from wakeful.store.incidents import IncidentRow
from wakeful.store.models import ApiTokenRow, CaseEventRow, CaseRow, PostRow
from wakeful.store.users import UserRow, WebSessionRow

from tests.api_routes import (
    EXPORTS,
    PW,
    READS,
    ROUTES,
    SAFE,
    fill,
    is_api,
)
from tests.desk_fixtures import Headers
from tests.factories import make_post, post_record
from tests.signin import login

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
            if headers and not is_api(path):
                continue  # a token is no way into a page
            answers = []
            for values in (world.b, world.missing):
                url = fill(path, {**world.a, **values})
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
    urls = [fill(path, world.a) for path in READS]
    return urls + [fill(path, world.a) + "?format=csv" for path in sorted(EXPORTS)]


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
            if headers and not is_api(url):
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
            if headers and not is_api(url):
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
