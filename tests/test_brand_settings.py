"""Leads edit their brand's settings on the running desk: saved as versions, applied at once, scoped by brand."""

from __future__ import annotations

import json
import re
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from wakeful.analyze import Analyzer
from wakeful.api.app import build_desk, create_app
from wakeful.api.auth import Role, create_token, create_user
from wakeful.api.deps import Desk
from wakeful.api.settings import reload_job
from wakeful.core.clock import FixedClock
from wakeful.core.notify_settings import NotifyChannels, NotifySettings
from wakeful.core.settings import Settings
from wakeful.desk.channels import SIGNATURE_HEADER, verify
from wakeful.store.connectors import ConnectorStateRow
from wakeful.store.db import migrate
from wakeful.store.risk import CaseRiskRow

from tests.desk.loopback import Receiver, receiver  # noqa: F401 - the loopback HTTP receiver fixture
from tests.desk_fixtures import BRANDS, Headers
from tests.factories import T0, make_post
from tests.signin import login
from tests.test_risk_desk import LOST_BAG, observe


@pytest.fixture
def analyzer() -> Analyzer:
    """A desk's own analyzer: these tests change what it listens for, so it must not be the shared one."""
    return Analyzer(BRANDS)


def _aurora(client: TestClient, headers: dict[str, str]) -> dict[str, object]:
    got = client.get("/api/v1/settings/brands", headers=headers)
    assert got.status_code == 200, got.text
    by_key = {b["config"]["key"]: b for b in got.json()}
    return dict(by_key["aurora"]["config"])


def test_a_new_keyword_is_listened_for_as_soon_as_the_lead_saves_it(
        desk: Desk, client: TestClient, auth: Headers) -> None:
    lead = auth("lee", "aurora", Role.LEAD)
    text = "#auroradelay you lost my bag and nobody answers the phone, still waiting"
    assert not desk.ingest.ingest([make_post("k1", text, author="kim")]).cases

    config = _aurora(client, lead)
    config["keywords"] = [*config["keywords"], "#auroradelay"]  # type: ignore[misc]
    config["topics"] = {"miles_programme": ["Aurora Miles"]}
    saved = client.put("/api/v1/settings/brands/aurora", json=config, headers=lead)
    assert saved.status_code == 200, saved.text
    assert saved.json()["version"] == 1 and saved.json()["changed_by"] == "lee"

    assert desk.ingest.ingest([make_post("k2", text, author="kim", minutes=1)]).cases
    desk.ingest.ingest([make_post("k3", "@AuroraAirways and my Aurora Miles are gone too", author="kim", minutes=2)])
    [case] = client.get("/api/v1/cases", headers=lead).json()
    assert "miles_programme" in case["topics"]
    history = client.get("/api/v1/settings/brands/aurora/history", headers=lead).json()
    assert [h["version"] for h in history] == [1]
    assert "#auroradelay" in history[0]["config"]["keywords"]


def test_the_brand_fairness_policy_changes_the_queue_at_once(desk: Desk, client: TestClient, auth: Headers) -> None:
    lead = auth("lee", "aurora", Role.LEAD)
    desk.ingest.ingest([make_post("f1", "@AuroraAirways my bag is lost again", author="star", followers=250_000)])

    def level() -> int:
        rows = client.get("/api/v1/cases", headers=lead).json()
        return int(rows[0]["priority"]["level"])

    before = level()
    config = _aurora(client, lead)
    config["priority"] = {"reach_mode": "levels", "reach_max_levels": 1}
    assert client.put("/api/v1/settings/brands/aurora", json=config, headers=lead).status_code == 200
    assert level() == before + 1  # the brand chose to let reach raise a whole level (shown two-tier in reports)
    assert desk.settings.priority_for("nordrail") == desk.settings.priority  # other brands keep the desk's


def test_a_brand_that_turns_risk_off_gets_no_risk_alert_from_the_running_desk(
        desk: Desk, client: TestClient, auth: Headers) -> None:
    lead = auth("lee", "aurora", Role.LEAD)
    config = _aurora(client, lead)
    config["priority"] = {"risk_max_levels": 0}
    assert client.put("/api/v1/settings/brands/aurora", json=config, headers=lead).status_code == 200
    post = make_post("r1", LOST_BAG, author="mira", followers=300, impressions=0, promoted=True)
    desk.clock.set(T0)  # type: ignore[attr-defined]
    desk.ingest.ingest([post])
    for minutes, likes, reposts, impressions in ((10, 4, 1, 300), (20, 12, 3, 900), (30, 30, 9, 2400)):
        observe(desk, post, minutes, likes, reposts, impressions)
    with desk.db.session() as s:
        [row] = s.scalars(select(CaseRiskRow)).all()
    assert row.score >= desk.settings.priority.risk_min_score  # loud enough to alert under the desk's policy
    assert row.alerted_at is None  # but the brand chose no risk escalation, and the ingest hook knows it


def test_only_the_brand_lead_or_an_admin_may_change_it_and_bad_settings_are_refused(
        client: TestClient, auth: Headers) -> None:
    lead = auth("lee", "aurora", Role.LEAD)
    config = _aurora(client, lead)
    assert client.put("/api/v1/settings/brands/aurora", json=config,
                      headers=auth("ana", "aurora", Role.AGENT)).status_code == 403
    assert client.put("/api/v1/settings/brands/aurora", json=config,
                      headers=auth("nils", "nordrail", Role.LEAD)).status_code == 403
    assert client.get("/api/v1/settings/brands/aurora/history",
                      headers=auth("nils", "nordrail", Role.LEAD)).status_code == 404
    nordrail_sees = client.get("/api/v1/settings/brands", headers=auth("nils", "nordrail", Role.LEAD)).json()
    assert [b["config"]["key"] for b in nordrail_sees] == ["nordrail"]

    mismatch = client.put("/api/v1/settings/brands/nordrail", json=config, headers=auth("root", "*", Role.ADMIN))
    assert mismatch.status_code == 422 and "path" in mismatch.text
    deaf = {**config, "handles": [], "names": [], "keywords": []}
    refused = client.put("/api/v1/settings/brands/aurora", json=deaf, headers=lead)
    assert refused.status_code == 422 and "at least one handle" in refused.text
    bad_policy = {**config, "priority": {"reach_max_levels": 9}}
    assert client.put("/api/v1/settings/brands/aurora", json=bad_policy, headers=lead).status_code == 422
    assert client.get("/api/v1/settings/brands/aurora/history", headers=lead).json() == []


def test_an_admin_adds_a_brand_and_another_server_process_picks_the_saves_up(
        desk: Desk, client: TestClient, auth: Headers, settings: Settings, clock: FixedClock) -> None:
    other = build_desk(settings, clock=clock, analyzer=Analyzer(BRANDS))  # a second process on the same database
    try:
        brand = {"key": "skyline", "name": "Skyline Hotels", "handles": ["SkylineHotels"], "languages": ["en"]}
        put = client.put("/api/v1/settings/brands/skyline", json=brand, headers=auth("root", "*", Role.ADMIN))
        assert put.status_code == 200, put.text
        assert desk.settings.brand("skyline") is not None and other.settings.brand("skyline") is None
        reload_job(other, clock.now())
        assert other.settings.brand("skyline") is not None
        post = make_post("s1", "@SkylineHotels you lost my booking and nobody answers, still waiting", author="ola")
        assert other.ingest.ingest([post]).cases
    finally:
        other.db.dispose()

    fresh = build_desk(settings, clock=clock, analyzer=Analyzer(BRANDS))
    try:
        assert fresh.settings.brand("skyline") is not None  # saved edits survive a restart
        assert fresh.base_settings is not None and fresh.base_settings.brand("skyline") is None
    finally:
        fresh.db.dispose()


def test_the_settings_page_is_for_leads_and_shows_what_is_in_force(desk: Desk, client: TestClient) -> None:
    with desk.db.session() as s:
        create_user(s, "lee", "a-long-lead-password", "aurora", Role.LEAD, desk.clock.now())
        create_user(s, "ana", "a-long-agent-password", "aurora", Role.AGENT, desk.clock.now())
    login(client, {"username": "ana", "password": "a-long-agent-password"})
    assert client.get("/settings").status_code == 403
    assert 'href="/settings"' not in client.get("/").text
    client.post("/logout")

    login(client, {"username": "lee", "password": "a-long-lead-password"})
    page = client.get("/settings")
    assert page.status_code == 200 and 'href="/settings"' in page.text
    assert 'value="AuroraAirways, AuroraHelp"' in page.text  # the file's handles, since nobody has changed them
    assert "Nord Rail" not in page.text  # another brand's settings stay out of sight
    assert "From the configuration file" in page.text
    assert "No notification channel: escalations and pages for Aurora Airways reach nobody." in page.text


def test_a_lead_sees_where_notifications_go_and_sends_a_test_message(
        settings: Settings, clock: FixedClock, receiver: Receiver) -> None:  # noqa: F811 - the fixture above
    migrate(settings.database_url)
    dead = "http://127.0.0.1:9/nobody-listens"
    notify = NotifySettings(webhook_url=dead, webhook_secret="desk-secret",
                            brands={"aurora": NotifyChannels(webhook_url=receiver.url, webhook_secret="brand-secret")})
    wired = build_desk(settings.model_copy(update={"notify": notify}), clock=clock, analyzer=Analyzer(BRANDS))
    try:
        with wired.db.session() as s:
            aurora = {"Authorization": f"Bearer {create_token(s, 'lee', 'aurora', Role.LEAD, clock.now())}"}
            nordrail = {"Authorization": f"Bearer {create_token(s, 'nils', 'nordrail', Role.LEAD, clock.now())}"}
        with TestClient(create_app(wired)) as client:
            targets = client.get("/api/v1/settings/brands/aurora/notify", headers=aurora).json()
            assert targets["own"] is True and targets["channels"] == [
                {"channel": "webhook", "target": f"{receiver.url} (signed)"}]
            assert "secret" not in json.dumps(targets)

            sent = client.post("/api/v1/settings/brands/aurora/notify/test", headers=aurora)
            assert sent.json() == [{"channel": "webhook", "status": "delivered", "error": None}]
            [(headers, body)] = receiver.requests
            assert json.loads(body)["event"] == "settings.test" and "lee" in body.decode()
            assert verify("brand-secret", body, headers[SIGNATURE_HEADER])  # signed with the brand's own key

            desk_wide = client.post("/api/v1/settings/brands/nordrail/notify/test", headers=nordrail).json()
            assert [(d["channel"], d["status"]) for d in desk_wide] == [("webhook", "dead")]  # said, not hidden
            assert client.post("/api/v1/settings/brands/aurora/notify/test", headers=nordrail).status_code == 404
    finally:
        wired.db.dispose()


def test_the_settings_page_shows_each_connector_listening_for_the_brand(desk: Desk, client: TestClient) -> None:
    now = desk.clock.now()
    with desk.db.session() as s:
        create_user(s, "lee", "a-long-lead-password", "aurora", Role.LEAD, now)
        s.add(ConnectorStateRow(name="mastodon-aurora", platform="mastodon", brands=["aurora"], cursor="1101",
                                last_event_at=now - timedelta(minutes=42), updated_at=now, events=318, errors=2,
                                last_error="429 Too Many Requests"))
        s.add(ConnectorStateRow(name="reddit-nordrail", platform="reddit", brands=["nordrail"], cursor="t3_x",
                                last_event_at=now, updated_at=now, events=5, errors=0, last_error=None))
    login(client, {"username": "lee", "password": "a-long-lead-password"})
    page = client.get("/settings").text
    row = re.search(r'<th scope="row" data-label="Connector">mastodon-aurora</th>(.*?)</tr>', page, re.S)
    assert row, "the brand's connector is listed"
    assert "42 min" in row.group(1) and "sla-breached" in row.group(1)  # a stream silent for 42 minutes stands out
    assert "318" in row.group(1) and "429 Too Many Requests" in row.group(1)
    assert "reddit-nordrail" not in page  # another brand's connector stays out of sight
