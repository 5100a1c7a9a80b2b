"""File replay (order, speed-up, bad records) and the command line on a real database."""

from __future__ import annotations

import gzip
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from wakeful.api.deps import Desk
from wakeful.cli import app
from wakeful.core.clock import FixedClock
from wakeful.ingest.replay import in_time_order, replay, shift_to_end
from wakeful.store.models import EngagementRow, PostRow, RejectedRecordRow

from tests.factories import T0, make_post, post_record

LOST = "@AuroraAirways you lost my bag on AU 2213, nobody answers. Still waiting for my suitcase!"


def test_replay_feeds_posts_in_observation_order_and_waits_at_the_speed_up(desk: Desk, clock: FixedClock) -> None:
    late = make_post("p2", LOST, author="bob", minutes=120)
    early = make_post("p1", LOST, minutes=0)
    update = make_post("p1", LOST, impressions=900, observed_minutes=60)
    assert [p.observed_at() for p in in_time_order([late, update, early])] == [
        early.observed_at(), update.observed_at(), late.observed_at()]
    slept: list[float] = []
    wall = [0.0]

    def fake_sleep(seconds: float) -> None:
        slept.append(seconds)
        wall[0] += seconds
        clock.advance(timedelta(seconds=seconds * 60))  # the desk's clock runs at the replay's pace, as in the demo

    result = replay([late, update, early], desk.ingest, speed=60, sleep=fake_sleep, monotonic=lambda: wall[0])
    assert slept == pytest.approx([60.0, 60.0])  # an hour of posts at 60x = a minute between each
    assert (result.accepted, result.engagement_updates) == (2, 1)


def test_shift_to_end_keeps_spacing_the_original_time_and_account_ages() -> None:
    new_account = make_post("b", LOST, minutes=30)
    new_account = new_account.model_copy(update={"author": new_account.author.model_copy(
        update={"created_at": T0 - timedelta(days=2)})})
    moved = shift_to_end([make_post("a", LOST), new_account], T0 + timedelta(days=10))
    assert moved[1].created_at - moved[0].created_at == timedelta(minutes=30)
    assert moved[1].observed_at() == T0 + timedelta(days=10)
    assert moved[0].raw["original_created_at"] == T0.isoformat()
    assert moved[1].author.created_at is not None  # a two-day-old account stays two days old on the day it posts
    assert moved[1].created_at - moved[1].author.created_at == timedelta(days=2, minutes=30)


@pytest.fixture
def env(desk: Desk, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Desk:
    monkeypatch.setenv("WAKEFUL_DATABASE_URL", desk.settings.database_url)
    (tmp_path / "none.toml").write_text("")  # no settings of its own
    monkeypatch.setenv("WAKEFUL_CONFIG", str(tmp_path / "none.toml"))
    from wakeful.core.settings import get_settings

    get_settings.cache_clear()
    return desk


def test_cli_ingest_keeps_good_records_and_reports_bad_ones(env: Desk, tmp_path: Path) -> None:
    path = tmp_path / "posts.jsonl"
    good = post_record(make_post("g1", LOST))
    again = post_record(make_post("g1", LOST, impressions=4000, observed_minutes=30))
    lines = [json.dumps(good), "{not json", json.dumps({**good, "id": "g2", "created_at": "yesterday"}),
             json.dumps(again)]
    path.write_text("\n".join(lines) + "\n")
    result = CliRunner().invoke(app, ["ingest", str(path)])
    assert result.exit_code == 0, result.output
    assert "stored 1 new posts" in result.output and "2 rejected" in result.output
    assert "record 3, field 'created_at'" in result.output
    with env.db.session() as s:
        assert s.scalars(select(PostRow.platform_id)).all() == ["g1"]
        assert len(s.scalars(select(EngagementRow)).all()) == 2
        assert sorted(r.record for r in s.scalars(select(RejectedRecordRow))) == [2, 3]

    backwards = CliRunner().invoke(app, ["ingest", str(path), "--speed", "-5"])  # was taken as "at once"
    assert backwards.exit_code != 0 and "--speed" in backwards.output


def test_cli_ingest_refuses_a_post_from_the_future_or_a_huge_count_by_its_line(env: Desk, tmp_path: Path) -> None:
    """`wakeful ingest` runs on the real clock: a post dated two days from now is refused, named by its line."""
    future = post_record(make_post("f1", LOST, author="bob", at=datetime.now(UTC) + timedelta(days=2)))
    huge = post_record(make_post("h1", LOST, author="cy"))
    huge["author"]["followers"] = 2**63
    path = tmp_path / "posts.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in (post_record(make_post("g1", LOST)), future, huge)))
    result = CliRunner().invoke(app, ["ingest", str(path)])
    assert result.exit_code == 0, result.output
    assert "stored 1 new posts" in result.output and "2 rejected" in result.output
    said = " ".join(result.output.split())
    assert "record 2, field 'created_at'" in said and "after the desk's clock" in said
    assert said.index("record 2,") < said.index("record 3, field 'author.followers'")  # in file order
    with env.db.session() as s:
        assert s.scalars(select(PostRow.platform_id)).all() == ["g1"]
        kept = s.execute(select(RejectedRecordRow.record, RejectedRecordRow.source)).all()
    assert sorted(kept) == [(2, f"file:{path}"), (3, f"file:{path}")]


def test_cli_token_cases_and_report(env: Desk) -> None:
    runner = CliRunner()
    env.ingest.ingest([make_post("g1", LOST)])
    token = runner.invoke(app, ["token", "create", "ana", "--brand", "aurora", "--role", "agent"])
    assert token.exit_code == 0 and token.output.strip().startswith("wk_")
    bad = runner.invoke(app, ["token", "create", "x", "--brand", "nope"])
    assert bad.exit_code != 0 and "unknown brand" in bad.output
    cases = runner.invoke(app, ["cases"], env={"COLUMNS": "200"})
    assert "@alice" in cases.output
    report = runner.invoke(app, ["report"])
    assert "posts: 1" in report.output and "new 1" in report.output
    for command in ("demo", "serve", "ingest", "cases", "report"):
        assert runner.invoke(app, [command, "--help"]).exit_code == 0


def test_cli_user_add(env: Desk, monkeypatch: pytest.MonkeyPatch) -> None:
    from wakeful.api.auth import sign_in

    runner = CliRunner()
    new_password = {"WAKEFUL_NEW_PASSWORD": "long password 1"}
    ok = runner.invoke(app, ["user", "add", "ana", "--brand", "aurora"], env=new_password)
    assert ok.exit_code == 0, ok.output
    short = runner.invoke(app, ["user", "add", "bo", "--brand", "aurora", "--password", "short"])
    assert short.exit_code != 0 and "at least" in short.output
    with env.db.session() as s:
        assert sign_in(s, "ana", "long password 1", env.clock.now()) is not None


def test_cli_ingest_keeps_a_record_with_a_bad_byte_in_a_key_among_its_rejections(env: Desk, tmp_path: Path) -> None:
    """The byte used to reach the store as a lone surrogate: a traceback, exit 1, and no rejection kept at all."""
    bad = post_record(make_post("z2", LOST, author="bob"))
    bad["raw"] = {"café": 1}
    path = tmp_path / "lat.jsonl"
    path.write_bytes(json.dumps(post_record(make_post("g1", LOST))).encode() + b"\n"
                     + json.dumps(bad, ensure_ascii=False).encode("latin-1") + b"\ngarbage\n")
    result = CliRunner().invoke(app, ["ingest", str(path)])
    assert result.exit_code == 0, result.output
    said = " ".join(result.output.split())
    assert "stored 1 new posts" in said and "2 rejected" in said
    assert "record 2, field 'raw.caf\\xe9': not UTF-8 text (byte 0xe9)" in said
    with env.db.session() as s:
        assert s.scalars(select(PostRow.platform_id)).all() == ["g1"]
        kept = s.execute(select(RejectedRecordRow.record, RejectedRecordRow.field)
                         .order_by(RejectedRecordRow.record)).all()
    assert kept == [(2, "raw.caf\\xe9"), (3, None)]


def test_cli_ingest_again_keeps_each_rejection_once_and_fails_when_nothing_is_taken(env: Desk, tmp_path: Path) -> None:
    mixed, bad = tmp_path / "mixed.jsonl", tmp_path / "bad.jsonl"
    mixed.write_text(f"{json.dumps(post_record(make_post('g1', LOST)))}\n{{not json\n[1]\n{{not json\n")
    bad.write_text('garbage\n{"id": "x"}\n')
    runner = CliRunner()
    for _ in range(3):  # a replayed file, e.g. after fixing something else
        assert runner.invoke(app, ["ingest", str(mixed)]).exit_code == 0  # known posts are taken: not a failure
        refused = runner.invoke(app, ["ingest", str(bad)])
        assert refused.exit_code == 1 and "stored 0 new posts" in refused.output and "2 rejected" in refused.output
    with env.db.session() as s:
        kept = s.execute(select(RejectedRecordRow.source, RejectedRecordRow.record)).all()
    assert sorted(kept) == [(f"file:{bad}", 1), (f"file:{bad}", 2), (f"file:{mixed}", 2), (f"file:{mixed}", 3),
                            (f"file:{mixed}", 4)]  # lines 2 and 4 alike, but two lines to fix


def test_cli_ingest_says_a_compressed_file_is_compressed_and_keeps_nothing(env: Desk, tmp_path: Path) -> None:
    path = tmp_path / "posts.jsonl"
    path.write_bytes(gzip.compress(json.dumps(post_record(make_post("g1", LOST))).encode() + b"\n"))
    result = CliRunner().invoke(app, ["ingest", str(path)], env={"COLUMNS": "200"})  # the error on one line
    assert result.exit_code == 2
    assert "cannot read 'posts.jsonl': it is gzip-compressed: decompress it first (gunzip)" in result.output
    with env.db.session() as s:
        assert s.scalars(select(RejectedRecordRow)).all() == [] and s.scalars(select(PostRow)).all() == []


@pytest.mark.parametrize(("field", "value"), [("created_at", "0001-01-01T00:00:00+14:00"),
                                              ("author.created_at", "0001-01-01T00:00:00+05:00")])
def test_cli_ingest_refuses_a_time_before_year_one_in_utc_alone(env: Desk, tmp_path: Path, field: str,
                                                                value: str) -> None:
    """In UTC these are in year 0, which Python cannot hold: they once failed the whole batch with OverflowError."""
    edge = post_record(make_post("e1", LOST, author="bob"))
    if field == "created_at":
        edge["created_at"] = edge["engagement"]["observed_at"] = value
    else:
        edge["author"]["created_at"] = value
    path = tmp_path / "posts.jsonl"
    path.write_text(f"{json.dumps(post_record(make_post('g1', LOST)))}\n{json.dumps(edge)}\n")
    result = CliRunner().invoke(app, ["ingest", str(path)])
    assert result.exit_code == 0, result.output
    said = " ".join(result.output.split())
    assert f"record 2, field '{field}'" in said and "is not between 1970-01-01 and 9999-01-01" in said
    with env.db.session() as s:
        assert s.scalars(select(PostRow.platform_id)).all() == ["g1"]
