"""Idempotent storage under at-least-once delivery, on SQLite and PostgreSQL."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import func, select

from wakeful.api.deps import Desk
from wakeful.core.clock import FixedClock, as_utc
from wakeful.core.models import Engagement
from wakeful.ingest.jsonl import RecordError, parse_post
from wakeful.ingest.replay import replay
from wakeful.store.models import AuthorRow, CaseRow, EngagementRow, PostRow, RejectedRecordRow

from tests.factories import T0, make_post, post_record

COMPLAINT = "@AuroraAirways you lost my bag on AU 2213 and nobody answers the phone. Still waiting!"


def count(desk: Desk, model: type) -> int:
    with desk.db.session() as s:
        return int(s.execute(select(func.count()).select_from(model)).scalar_one())


def test_same_post_delivered_twice_is_stored_once(desk: Desk) -> None:
    post = make_post("p1", COMPLAINT)
    first = desk.ingest.ingest([post])
    again = desk.ingest.ingest([post, post])
    assert (first.accepted, first.duplicates) == (1, 0)
    assert (again.accepted, again.duplicates, again.engagement_updates) == (0, 2, 0)
    assert count(desk, PostRow) == 1
    assert count(desk, EngagementRow) == 1
    assert count(desk, CaseRow) == 1


def test_engagement_updates_are_appended_as_a_series(desk: Desk, clock: FixedClock) -> None:
    desk.ingest.ingest([make_post("p1", COMPLAINT, impressions=100)])
    later = make_post("p1", COMPLAINT, impressions=5_000, observed_minutes=60)
    clock.set(T0 + timedelta(minutes=60))  # counters read an hour on, when the desk's clock says it is
    result = desk.ingest.ingest([later, later])
    assert result.engagement_updates == 1
    with desk.db.session() as s:
        series = s.execute(select(EngagementRow.impressions).order_by(EngagementRow.observed_at)).scalars().all()
        case = s.scalars(select(CaseRow)).one()
    assert series == [100, 5_000]
    assert case.reach == 5_000


def test_concurrent_deliveries_of_one_batch_store_each_post_once(desk: Desk, clock: FixedClock) -> None:
    batch = [make_post(f"c{i}", f"{COMPLAINT} #{i}", author=f"user{i % 5}", minutes=i) for i in range(30)]
    clock.set(T0 + timedelta(minutes=30))  # after the last post
    errors: list[BaseException] = []

    def deliver() -> None:
        try:
            desk.ingest.ingest(batch)
        except BaseException as err:
            errors.append(err)

    threads = [threading.Thread(target=deliver) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    # A delivery that lost a race may fail as a whole; at-least-once means the sender retries it.
    for _ in errors:
        desk.ingest.ingest(batch)
    assert count(desk, PostRow) == 30
    assert count(desk, EngagementRow) == 30


def test_post_is_analysed_once_and_kept_with_its_reading(desk: Desk) -> None:
    desk.ingest.ingest([make_post("p1", COMPLAINT)])
    with desk.db.session() as s:
        row = s.scalars(select(PostRow)).one()
    assert row.brands == ["aurora"]
    assert row.complaint is True
    assert row.lang == "en"
    assert row.author.handle == "alice"


def test_case_hooks_run_in_the_batch_transaction(desk: Desk) -> None:
    seen: list[set[int]] = []

    def hook(session: object, cases: set[int], now: object) -> None:
        seen.append(set(cases))
        raise RuntimeError("a hook failing mid-batch")

    desk.ingest.case_hooks.append(hook)
    with pytest.raises(RuntimeError, match="mid-batch"):
        desk.ingest.ingest([make_post("p1", COMPLAINT)])
    assert len(seen) == 1 and len(seen[0]) == 1
    assert count(desk, PostRow) == 0  # the whole batch rolled back: the sender will deliver it again
    desk.ingest.case_hooks.clear()
    assert desk.ingest.ingest([make_post("p1", COMPLAINT)]).accepted == 1


def test_times_with_an_offset_are_stored_as_the_same_instant(desk: Desk, clock: FixedClock) -> None:
    """A customer's post stamped 10:00-08:00 and the brand's reply stamped 18:05 UTC are five minutes apart (SQLite
    used to keep 10:00 and read it as UTC: an eight-hour wait the desk never caused)."""
    pacific = timezone(timedelta(hours=-8))
    asked = make_post("q1", COMPLAINT, author="pat", at=datetime(2026, 3, 2, 10, 0, tzinfo=pacific))
    answer = make_post("a1", "@pat sorry about your bag, please DM us your file reference", author="AuroraAirways",
                       at=datetime(2026, 3, 2, 18, 5, tzinfo=UTC), reply_to="q1", conversation="q1")
    clock.set(datetime(2026, 3, 2, 18, 5, tzinfo=UTC))
    desk.ingest.ingest([asked])
    desk.ingest.ingest([answer])
    with desk.db.session() as s:
        case = s.scalars(select(CaseRow)).one()
        opened, first = as_utc(case.opened_at), as_utc(case.first_response_at)  # type: ignore[arg-type]
        since_berlin = datetime(2026, 3, 2, 18, 30, tzinfo=timezone(timedelta(hours=1)))  # 17:30 UTC
        found = s.scalar(select(func.count()).select_from(CaseRow).where(CaseRow.opened_at >= since_berlin))
    assert opened == datetime(2026, 3, 2, 18, 0, tzinfo=UTC)
    assert first - opened == timedelta(minutes=5)
    assert found == 1  # compared as instants too, not as wall-clock text


def test_a_nul_character_in_a_post_is_dropped_not_fatal_to_the_batch(desk: Desk) -> None:
    """PostgreSQL text cannot hold NUL: one such post used to fail the whole batch's insert there."""
    posts = [make_post("n1", "@AuroraAirways my bag\x00 is lost", author="bob"), make_post("g1", COMPLAINT)]
    result = desk.ingest.ingest(posts)
    assert (result.accepted, result.rejected) == (2, [])
    with desk.db.session() as s:
        texts = {pid: text for pid, text in s.execute(select(PostRow.platform_id, PostRow.text))}
    assert texts == {"n1": "@AuroraAirways my bag is lost", "g1": COMPLAINT}


def test_an_identifier_with_a_nul_character_is_a_clear_error() -> None:
    record = post_record(make_post("n1", COMPLAINT))
    record["id"] = "n\x001"
    with pytest.raises(RecordError, match=r"field 'id': .*NUL"):
        parse_post(1, record)


def test_a_post_dated_after_the_desks_clock_is_refused_alone_and_kept(desk: Desk) -> None:
    """A post from 2030 would open a case waiting no time whose SLA never breaches; a sender's clock running a few
    minutes fast is no reason to lose a post."""
    now = desk.clock.now()  # T0 + 5 min
    tolerance = timedelta(minutes=desk.settings.future_tolerance_minutes)
    batch = [make_post("now", COMPLAINT), make_post("skewed", COMPLAINT, author="bob", at=now + tolerance),
             make_post("ahead", COMPLAINT, author="cy", at=now + tolerance + timedelta(minutes=1)),
             make_post("2030", COMPLAINT, author="dan", at=datetime(2030, 1, 1, tzinfo=UTC))]
    result = desk.ingest.ingest(batch, numbers=[10, 11, 12, 13], source="test")
    assert result.accepted == 2
    assert [(e.record, e.field) for e in result.rejected] == [(12, "created_at"), (13, "created_at")]
    assert "16 min after the desk's clock" in result.rejected[0].message
    assert "1,401 days after the desk's clock (2026-03-02T09:05:00+00:00)" in result.rejected[1].message
    with desk.db.session() as s:
        assert sorted(s.scalars(select(PostRow.platform_id))) == ["now", "skewed"]
        kept = s.scalars(select(RejectedRecordRow).order_by(RejectedRecordRow.record)).all()
    assert [(k.record, k.source, k.field) for k in kept] == [(12, "test", "created_at"), (13, "test", "created_at")]
    assert '"id": "2030"' in kept[1].payload  # the record, to fix and replay


def test_how_far_ahead_a_post_may_be_is_a_setting(desk: Desk) -> None:
    hour_ahead = make_post("p1", COMPLAINT, at=desk.clock.now() + timedelta(hours=1))
    assert [e.field for e in desk.ingest.ingest([hour_ahead]).rejected] == ["created_at"]
    desk.settings.future_tolerance_minutes = 90
    assert desk.ingest.ingest([hour_ahead]).accepted == 1


def test_counters_seen_before_the_stored_post_was_made_are_refused(desk: Desk) -> None:
    """A re-delivery claiming an earlier created_at cannot slip an observation in before the post's start."""
    desk.ingest.ingest([make_post("p1", COMPLAINT, impressions=100)])
    early = make_post("p1", COMPLAINT, impressions=90_000, at=T0 - timedelta(hours=2), observed_minutes=60)
    later = make_post("p1", COMPLAINT, impressions=500, observed_minutes=3)
    result = desk.ingest.ingest([early, later])
    assert [(e.record, e.field) for e in result.rejected] == [(1, "engagement.observed_at")]
    assert "before the stored post's created_at 2026-03-02T09:00:00+00:00" in result.rejected[0].message
    assert result.engagement_updates == 1
    with desk.db.session() as s:
        assert s.scalars(select(EngagementRow.impressions).order_by(EngagementRow.observed_at)).all() == [100, 500]
        assert s.scalars(select(CaseRow.reach)).one() == 500  # not 90,000 from an impossible observation


def test_a_replay_names_a_refused_post_by_its_line(desk: Desk, clock: FixedClock) -> None:
    posts = [make_post("p1", COMPLAINT), make_post("p2", COMPLAINT, author="bob", minutes=120)]
    result = replay(posts, desk.ingest, numbers=[4, 9], source="file:posts.jsonl")
    assert result.accepted == 1 and [(e.record, e.field) for e in result.rejected] == [(9, "created_at")]
    clock.set(T0 + timedelta(hours=2))  # the desk's clock has caught up: the same line goes in
    assert replay(posts, desk.ingest, numbers=[4, 9]).accepted == 1
    with desk.db.session() as s:
        assert s.scalars(select(RejectedRecordRow.source)).all() == ["file:posts.jsonl"]


def test_future_counters_or_account_are_refused_alone_naming_the_field(desk: Desk, clock: FixedClock) -> None:
    """Counters read in 2099 used to date the author's profile in 2099, so no later post ever updated it again."""
    now = clock.now()  # T0 + 5 min
    tolerance = timedelta(minutes=desk.settings.future_tolerance_minutes)
    ahead = now + tolerance + timedelta(minutes=1)
    read_later = make_post("e1", COMPLAINT, author="bob", observed_minutes=5 + 16)
    read_in_2099 = make_post("e2", COMPLAINT, author="bob").model_copy(
        update={"engagement": Engagement(observed_at=datetime(2099, 1, 1, tzinfo=UTC), likes=3)})
    new_account = make_post("a1", COMPLAINT, author="cy")
    new_account = new_account.model_copy(update={"author": new_account.author.model_copy(
        update={"created_at": ahead})})
    skewed = make_post("s1", COMPLAINT, author="dan", observed_minutes=5 + 15)  # within the senders' skew
    result = desk.ingest.ingest([read_later, read_in_2099, new_account, skewed], numbers=[1, 2, 3, 4])
    assert result.accepted == 1
    assert [(e.record, e.field) for e in result.rejected] == [
        (1, "engagement.observed_at"), (2, "engagement.observed_at"), (3, "author.created_at")]
    assert "16 min after the desk's clock" in result.rejected[0].message
    assert "counters may be observed at most 15 min ahead" in result.rejected[0].message
    assert "an account may be created at most 15 min ahead" in result.rejected[2].message
    with desk.db.session() as s:
        assert s.scalars(select(PostRow.platform_id)).all() == ["s1"]
        assert sorted(s.scalars(select(RejectedRecordRow.field))) == [
            "author.created_at", "engagement.observed_at", "engagement.observed_at"]

    clock.set(T0 + timedelta(hours=1))  # bob's profile, seen now, is stored and stays updatable
    desk.ingest.ingest([make_post("e3", COMPLAINT, author="bob", followers=10, minutes=50)])
    desk.ingest.ingest([make_post("e4", COMPLAINT, author="bob", followers=99, minutes=55)])
    with desk.db.session() as s:
        assert s.scalars(select(AuthorRow.followers).where(AuthorRow.handle == "bob")).one() == 99


def test_a_rejected_record_is_kept_once_however_often_it_comes(desk: Desk, clock: FixedClock) -> None:
    """Replaying a file, or a webhook retrying a batch, used to add all its rejected records again each time."""
    errors = [RecordError(2, None, "not valid JSON"), RecordError(3, "text", "Field required")]
    payloads = {2: "{not json", 3: {"id": "x"}}
    assert desk.ingest.reject("file:a.jsonl", errors, payloads) == 2
    assert desk.ingest.reject("file:a.jsonl", errors, payloads) == 0
    assert desk.ingest.reject("file:b.jsonl", errors[:1], payloads) == 1  # another file's line 2
    assert desk.ingest.reject("file:a.jsonl", [RecordError(7, None, "not valid JSON")], {7: "{not json"}) == 1
    future = make_post("f1", COMPLAINT, at=datetime(2030, 1, 1, tzinfo=UTC))
    for minutes in (0, 60):  # refused again later: the message names another clock time, but it is the same record
        clock.set(T0 + timedelta(minutes=minutes))
        assert [e.field for e in desk.ingest.ingest([future], source="api:bot").rejected] == ["created_at"]
    with desk.db.session() as s:
        kept = s.execute(select(RejectedRecordRow.source, RejectedRecordRow.record, RejectedRecordRow.at)).all()
    assert sorted((source, record) for source, record, _ in kept) == [
        ("api:bot", 1), ("file:a.jsonl", 2), ("file:a.jsonl", 3), ("file:a.jsonl", 7), ("file:b.jsonl", 2)]
    assert {as_utc(at) for source, _, at in kept if source == "api:bot"} == {T0}  # the first refusal is kept
