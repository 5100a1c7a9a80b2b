"""Erasure and retention from the outside: the API (every-brand admins only), the case page, and `wakeful privacy`."""

from __future__ import annotations

from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from typer.testing import CliRunner

from wakeful.api.auth import ALL_BRANDS, Role, create_user
from wakeful.api.deps import Desk
from wakeful.cli import app
from wakeful.core.clock import FixedClock
from wakeful.core.settings import get_settings
from wakeful.store.models import PostRow
from wakeful.store.privacy import ErasureRow

from tests import privacy_scenario as sc
from tests.desk_fixtures import Headers
from tests.factories import T0
from tests.signin import login

ERASE = {"platform": "x", "handle": sc.HANDLE, "reference": "DSR-7"}


def _count(desk: Desk) -> int:
    with desk.db.session() as session:
        return session.scalar(select(func.count()).select_from(ErasureRow)) or 0


def test_only_an_admin_of_every_brand_may_erase_or_read_the_record(desk: Desk, client: TestClient,
                                                                  auth: Headers) -> None:
    for who in (auth("lead", "aurora", Role.LEAD), auth("boss", "aurora", Role.ADMIN)):
        assert client.post("/api/v1/privacy/erasures", json=ERASE, headers=who).status_code == 403
        assert client.get("/api/v1/privacy/erasures", headers=who).status_code == 403
        assert client.post("/api/v1/privacy/purge", headers=who).status_code == 403
    assert client.post("/api/v1/privacy/erasures", json=ERASE).status_code == 401
    assert _count(desk) == 0


def test_an_erasure_through_the_api_is_recorded_and_can_be_looked_up(desk: Desk, client: TestClient, auth: Headers,
                                                                    clock: FixedClock) -> None:
    sc.build(desk, clock)
    dpo = auth("dpo", ALL_BRANDS, Role.ADMIN)
    dry = client.post("/api/v1/privacy/erasures", json={**ERASE, "dry_run": True}, headers=dpo)
    assert dry.status_code == 200 and dry.json()["id"] is None and dry.json()["dry_run"] is True
    assert _count(desk) == 0
    done = client.post("/api/v1/privacy/erasures", json=ERASE, headers=dpo)
    assert done.status_code == 201, done.text
    body = done.json()
    assert body["counts"] == dry.json()["counts"] and body["counts"]["posts"] == 2
    assert (body["requested_by"], body["reference"], body["kind"]) == ("api:dpo", "DSR-7", "request")
    assert sc.HANDLE not in done.text
    listed = client.get("/api/v1/privacy/erasures", headers=dpo).json()
    assert [e["id"] for e in listed] == [body["id"]]
    found = client.get("/api/v1/privacy/erasures", params={"platform": "x", "handle": "@JONAS_K84"}, headers=dpo)
    assert [e["id"] for e in found.json()] == [body["id"]]
    by_id = client.get("/api/v1/privacy/erasures", params={"platform": "x", "account_id": sc.ACCOUNT}, headers=dpo)
    assert [e["id"] for e in by_id.json()] == [body["id"]]
    other = client.get("/api/v1/privacy/erasures", params={"platform": "mastodon", "handle": sc.HANDLE}, headers=dpo)
    assert other.json() == []
    with desk.db.session() as session:
        assert sc.traces(session) == []


@pytest.mark.parametrize(("body", "says"), [
    ({"platform": "x"}, "handle or their platform account id"),
    ({"platform": "x", "handle": "a", "account_id": "1"}, "handle or their platform account id"),
    ({"platform": "x", "handle": "AuroraHelp"}, "brands' own accounts"),
    ({"platform": "x", "handle": sc.HANDLE, "reference": f"from {sc.HANDLE}"}, "must not name the person"),
    ({"platform": "myspace", "handle": sc.HANDLE}, "platform"),
])
def test_requests_the_api_refuses_say_why(desk: Desk, client: TestClient, auth: Headers, body: dict[str, str],
                                          says: str) -> None:
    r = client.post("/api/v1/privacy/erasures", json=body, headers=auth("dpo", ALL_BRANDS, Role.ADMIN))
    assert r.status_code == 422 and says in r.text
    assert _count(desk) == 0


def test_the_purge_endpoint_follows_retention_days(desk: Desk, client: TestClient, auth: Headers,
                                                   clock: FixedClock) -> None:
    sc.build(desk, clock)
    dpo = auth("dpo", ALL_BRANDS, Role.ADMIN)
    assert client.post("/api/v1/privacy/purge", headers=dpo).json()["counts"] == {}  # unset: kept forever
    desk.settings = desk.settings.model_copy(update={"retention_days": 30})
    clock.set(T0 + timedelta(days=31))
    due = client.post("/api/v1/privacy/purge", params={"dry_run": True}, headers=dpo).json()
    assert due["counts"] == {"posts": 3, "post_edits": 1, "rejected_records": 1, "case_events": 4,
                             "outbound_replies": 2, "notifications": 1}
    assert _count(desk) == 0
    done = client.post("/api/v1/privacy/purge", headers=dpo).json()
    assert done["counts"] == due["counts"] and [e["kind"] for e in done["erasures"]] == ["retention"]


def test_the_case_page_says_the_text_was_erased_at_the_customers_request(desk: Desk, client: TestClient,
                                                                        auth: Headers, clock: FixedClock) -> None:
    s = sc.build(desk, clock)
    with desk.db.session() as session:
        create_user(session, "ana", "correct horse battery", "aurora", Role.AGENT, clock.now())
    assert login(client, {"username": "ana", "password": "correct horse battery"},
                 follow_redirects=False).status_code == 303
    page = client.get(f"/cases/{s.jonas_cases[0]}")
    assert page.status_code == 200 and "Koffer" in page.text and sc.HANDLE in page.text
    assert 'data-action="reveal"' in page.text  # his post was edited (and holds personal data)
    client.post("/api/v1/privacy/erasures", json=ERASE, headers=auth("dpo", ALL_BRANDS, Role.ADMIN))
    page = client.get(f"/cases/{s.jonas_cases[0]}")
    assert page.status_code == 200
    assert '<p class="event-text erased">erased at the customer\'s request</p>' in page.text
    assert "Koffer" not in page.text and sc.HANDLE not in page.text and sc.NAME not in page.text
    assert "@erased-" in page.text
    # his edited post's earlier versions are gone: no button offering to show them
    assert 'data-action="reveal"' not in page.text and "Show earlier versions" not in page.text
    queue = client.get("/api/v1/cases", params={"state": ["resolved", "open", "new"]}, headers=auth())
    assert queue.status_code == 200 and len(queue.json()) == 3
    assert sc.HANDLE not in queue.text and "Koffer" not in queue.text and "erased at the customer" in queue.text


def _cli(runner: CliRunner, *args: str) -> str:
    result = runner.invoke(app, ["privacy", *args])
    assert result.exit_code == 0, result.output
    return result.output


def test_wakeful_privacy_forget_erasures_and_purge(desk: Desk, cli_runner: CliRunner, clock: FixedClock,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    sc.build(desk, clock)
    out = _cli(cli_runner, "forget", "--platform", "x", "--id", sc.ACCOUNT, "--dry-run")
    assert "dry run, nothing changed" in out and "posts 2" in out
    assert _count(desk) == 0
    out = _cli(cli_runner, "forget", "--platform", "x", "--handle", sc.HANDLE, "--reference", "DSR-9")
    assert "erasure 1 recorded" in out and "authors 1" in out  # the dry run took no number
    with desk.db.session() as session:
        assert sc.traces(session) == []
    listed = _cli(cli_runner, "erasures")
    assert "DSR-9" in listed and "request" in listed and sc.HANDLE not in listed
    assert "DSR-9" in _cli(cli_runner, "erasures", "--platform", "x", "--handle", sc.HANDLE)
    assert "no erasures for that person" in _cli(cli_runner, "erasures", "--platform", "x", "--handle", "lena_b")
    again = _cli(cli_runner, "forget", "--platform", "x", "--handle", sc.HANDLE)
    assert "no account of that person is on record" in again
    assert "retention_days is not set" in _cli(cli_runner, "purge", "--dry-run")
    due = _cli(cli_runner, "purge", "--dry-run", "--days", "30")  # the posts are from March 2026, today is later
    assert "posts 2" in due
    with desk.db.session() as session:
        assert session.scalar(select(func.count()).select_from(PostRow).where(PostRow.erased == "retention")) == 0
    monkeypatch.setenv("WAKEFUL_RETENTION_DAYS", "30")
    get_settings.cache_clear()
    assert "(retention): case_events 1, notifications 1, outbound_replies 1, posts 2" in _cli(cli_runner, "purge")
    assert "nothing past the retention period" in _cli(cli_runner, "purge")


def test_wakeful_privacy_forget_refuses_without_one_identifier(cli_runner: CliRunner) -> None:
    result = cli_runner.invoke(app, ["privacy", "forget", "--platform", "x"])
    assert result.exit_code == 2 and "give --handle or --id" in result.output
