"""Rejected records are there to be looked at: listed with why, replayed once they read, dismissed when nobody will
fix them, and only admins see them over the API (they belong to no one brand)."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from typer.testing import CliRunner

from wakeful.api.auth import Role
from wakeful.api.deps import Desk
from wakeful.cli import app
from wakeful.core.clock import FixedClock
from wakeful.ingest import rejected
from wakeful.ingest.jsonl import RecordError
from wakeful.store.models import PostRow, RejectedRecordRow

from tests.desk_fixtures import Headers
from tests.factories import make_post, post_record

LOST = "@AuroraAirways you lost my bag on AU 2213, nobody answers. Still waiting for my suitcase!"


def posts_stored(desk: Desk) -> int:
    with desk.db.session() as s:
        return int(s.scalar(select(func.count()).select_from(PostRow)) or 0)


def test_a_post_dated_ahead_of_the_clock_is_replayed_once_the_clock_catches_up(desk: Desk, clock: FixedClock) -> None:
    early = make_post("p1", LOST, at=clock.now() + timedelta(hours=3))
    assert len(desk.ingest.ingest([early], source="api:bot").rejected) == 1 and posts_stored(desk) == 0

    too_soon = rejected.retry(desk.ingest, "ops")
    assert too_soon.replayed == [] and "after the desk's clock" in next(iter(too_soon.refused.values()))

    clock.advance(timedelta(hours=4))
    done = rejected.retry(desk.ingest, "ops")
    assert len(done.replayed) == 1 and done.refused == {} and posts_stored(desk) == 1
    with desk.db.session() as s:
        row = s.scalars(select(RejectedRecordRow)).one()
        assert (row.resolution, row.resolved_by) == ("replayed", "ops")
        assert rejected.listing(s) == [] and rejected.open_by_source(s) == {}
    assert rejected.retry(desk.ingest, "ops").replayed == []  # nothing open is left to replay


def test_what_still_cannot_be_read_stays_open_with_its_reason(desk: Desk) -> None:
    desk.ingest.reject("file:a.jsonl", [RecordError(2, None, "not valid JSON", raw="{oops")], {2: "{oops"})
    desk.ingest.reject("connector:x", [RecordError(0, "event", "no data")], {0: {"data": None}})
    bad_field = {**post_record(make_post("p9", LOST)), "created_at": "yesterday"}
    desk.ingest.reject("file:a.jsonl", [RecordError(3, "created_at", "bad date")], {3: bad_field})
    result = rejected.retry(desk.ingest, "ops")
    reasons = sorted(result.refused.values())
    assert result.replayed == [] and len(reasons) == 3
    assert any("a platform event" in r for r in reasons) and any("not a post object" in r for r in reasons)
    assert any(r.startswith("field 'created_at'") for r in reasons)
    with desk.db.session() as s:
        assert rejected.open_by_source(s) == {"connector:x": 1, "file:a.jsonl": 2}
    assert rejected.dismiss(desk.ingest, "ops", source="file:a.jsonl") == 2
    with desk.db.session() as s:
        assert [r.source for r in rejected.listing(s)] == ["connector:x"]
        assert {r.resolution for r in rejected.listing(s, resolved=True)} == {None, "dismissed"}


def test_the_command_lists_shows_retries_and_dismisses(desk: Desk, cli_runner: CliRunner, tmp_path: Path) -> None:
    feed = tmp_path / "feed.jsonl"
    good = post_record(make_post("p1", LOST))
    feed.write_text(json.dumps(good) + "\n{not json\n" + json.dumps({**good, "id": "p2", "text": 7}) + "\n")
    assert cli_runner.invoke(app, ["ingest", str(feed)]).exit_code == 0

    listed = cli_runner.invoke(app, ["rejected", "list"])
    assert listed.exit_code == 0, listed.output
    with desk.db.session() as s:
        ids = sorted(r.id for r in rejected.listing(s))
    assert len(ids) == 2 and all(f"│ {i} " in listed.output for i in ids)  # a row each, however long the path
    assert "open: file:" in listed.output and "feed.jsonl 2" in listed.output
    first = ids[0]
    shown = cli_runner.invoke(app, ["rejected", "show", str(first)])
    assert shown.exit_code == 0 and "{not json" in shown.output and "error:" in shown.output

    nothing_named = cli_runner.invoke(app, ["rejected", "retry"])
    assert nothing_named.exit_code == 2 and "--all" in nothing_named.output
    again = cli_runner.invoke(app, ["rejected", "retry", "--all"])
    assert again.exit_code == 1 and "replayed 0, still refused 2" in again.output

    gone = cli_runner.invoke(app, ["rejected", "dismiss", str(first)])
    assert gone.exit_code == 0 and "dismissed 1" in gone.output
    history = cli_runner.invoke(app, ["rejected", "list", "--resolved"])
    assert "dismissed by cli:" in history.output and "open" in history.output
    missing = cli_runner.invoke(app, ["rejected", "show", "999"])
    assert missing.exit_code == 2 and "no rejected record 999" in missing.output


def test_only_admins_read_rejected_records_over_the_api(desk: Desk, client: TestClient, auth: Headers) -> None:
    desk.ingest.reject("api:bot", [RecordError(0, "text", "too long")], {0: {"id": "x", "text": "…"}})
    for role in (Role.AGENT, Role.LEAD):
        assert client.get("/api/v1/rejected", headers=auth("ana", "aurora", role)).status_code == 403
    assert client.get("/api/v1/rejected").status_code == 401
    r = client.get("/api/v1/rejected", headers=auth("root", "*", Role.ADMIN))
    assert r.status_code == 200
    [record] = r.json()
    assert (record["source"], record["field"], record["payload"]["id"], record["resolution"]) == (
        "api:bot", "text", "x", None)
    assert client.get("/api/v1/rejected?limit=0", headers=auth("root", "*", Role.ADMIN)).status_code == 422
