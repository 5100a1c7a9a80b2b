"""Grouping posts into cases, and the order of the queue."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from wakeful.api.deps import Desk
from wakeful.core.clock import FixedClock
from wakeful.desk.cases import CasesBusy, CaseState, lock_cases, unheld
from wakeful.desk.service import add_reply, case_detail, list_cases, set_state
from wakeful.store.models import CaseRow

from tests.factories import T0, make_post

LOST = "@AuroraAirways you lost my bag on AU 2213, nobody answers. Still waiting for my suitcase!"
AGAIN = "@AuroraAirways day two and still no bag. This is ridiculous, my booking was a disaster."


def cases(desk: Desk) -> list[CaseRow]:
    with desk.db.session() as s:
        return list(s.scalars(select(CaseRow).order_by(CaseRow.id)))


def test_one_author_one_brand_within_the_window_is_one_case(desk: Desk) -> None:
    desk.clock.set(T0 + timedelta(minutes=120))  # type: ignore[attr-defined]  # no post from the desk's future
    desk.ingest.ingest([make_post("a1", LOST), make_post("a2", AGAIN, minutes=120)])
    [case] = cases(desk)
    assert case.brand == "aurora"
    with desk.db.session() as s:
        detail = case_detail(s, case.id, {"aurora"}, desk.clock.now(), desk.settings)
    assert [i.post_id for i in detail.timeline if i.kind == "post"] == ["a1", "a2"]


def test_after_the_window_a_new_case_opens_and_lists_the_earlier_one(desk: Desk) -> None:
    hours = desk.settings.case_window_hours + 1
    desk.clock.set(T0 + timedelta(hours=hours))  # type: ignore[attr-defined]  # no post from the desk's future
    desk.ingest.ingest([make_post("a1", LOST), make_post("a2", AGAIN, minutes=hours * 60)])
    first, second = cases(desk)
    with desk.db.session() as s:
        detail = case_detail(s, second.id, None, desk.clock.now(), desk.settings)
    assert [c.id for c in detail.earlier_cases] == [first.id]


def test_replies_in_the_conversation_join_the_case_without_moving_its_clock(desk: Desk) -> None:
    desk.ingest.ingest([make_post("root", LOST)])
    supporter = make_post("r1", "Shocking. Hope you get it back", author="bob", minutes=10,
                          reply_to="root", conversation="root")
    desk.ingest.ingest([supporter])
    [case] = cases(desk)
    with desk.db.session() as s:
        detail = case_detail(s, case.id, None, desk.clock.now(), desk.settings)
    assert {i.actor for i in detail.timeline} == {"@alice", "@bob"}
    assert detail.awaiting_since == make_post("root", LOST).created_at


def test_the_brand_answering_on_the_platform_stops_the_first_response_clock(desk: Desk) -> None:
    desk.ingest.ingest([make_post("root", LOST)])
    answer = make_post("b1", "@alice so sorry! Please DM us your booking reference.", author="AuroraHelp",
                       minutes=12, reply_to="root", conversation="root")
    desk.ingest.ingest([answer])
    [case] = cases(desk)
    assert case.state == "waiting_on_customer"
    assert case.awaiting_since is None
    assert case.first_response_at is not None


def test_posts_about_two_brands_make_a_case_for_each(desk: Desk) -> None:
    desk.ingest.ingest([make_post("x", "@AuroraAirways lost my bag and @NordRail cancelled my train. Awful!")])
    assert sorted(c.brand for c in cases(desk)) == ["aurora", "nordrail"]


def test_praise_is_stored_but_opens_no_case(desk: Desk) -> None:
    result = desk.ingest.ingest([make_post("x", "Lovely crew on my @AuroraAirways flight today, thank you!")])
    assert result.accepted == 1
    assert cases(desk) == []


def test_queue_orders_by_priority_then_waiting(desk: Desk, clock: FixedClock) -> None:
    desk.ingest.ingest([
        make_post("q", "@AuroraAirways can I bring skis as checked baggage?", author="quiet"),
        make_post("c", LOST, author="carol", minutes=1),
        make_post("s", "@AuroraAirways smoke in the cabin, crew ignored it. I will call my lawyer.",
                  author="dave", minutes=2),
    ])
    clock.set(T0 + timedelta(minutes=10))
    with desk.db.session() as s:
        queue = list_cases(s, {"aurora"}, clock.now(), desk.settings)
    assert [c.author.handle for c in queue] == ["dave", "carol", "quiet"]
    assert queue[0].priority.name == "urgent"
    clock.set(T0 + timedelta(hours=3))
    with desk.db.session() as s:
        waited = {c.author.handle: c for c in list_cases(s, {"aurora"}, clock.now(), desk.settings)}
    assert waited["quiet"].priority.level == queue[2].priority.level + 1
    assert waited["carol"].sla_left_minutes is not None and waited["carol"].sla_left_minutes < 0


def test_cases_waiting_on_their_customer_come_after_every_case_that_waits_for_the_desk(
        desk: Desk, clock: FixedClock) -> None:
    """An urgent case the desk has answered needs nobody until the customer writes again; a quiet question still
    waits for an answer, so it comes first."""
    desk.ingest.ingest([
        make_post("s", "@AuroraAirways smoke in the cabin, crew ignored it. I will call my lawyer.", author="dave"),
        make_post("q", "@AuroraAirways can I bring skis as checked baggage?", author="quiet", minutes=1),
    ])
    desk.ingest.ingest([make_post("b", "@dave we are so sorry, please DM us your flight number now.",
                                  author="AuroraHelp", minutes=3, reply_to="s", conversation="s")])
    clock.set(T0 + timedelta(minutes=10))
    with desk.db.session() as s:
        queue = list_cases(s, {"aurora"}, clock.now(), desk.settings)
    assert [(c.author.handle, c.priority.name, c.state) for c in queue] == [
        ("quiet", queue[0].priority.name, "new"), ("dave", "urgent", "waiting_on_customer")]
    assert queue[0].priority.level < queue[1].priority.level


def test_a_case_resolved_unanswered_and_reopened_waits_again_from_the_customers_post(
        desk: Desk, clock: FixedClock) -> None:
    """Resolving without a reply stops the wait; reopening must bring it back (queue place, SLA) from the
    customer's first unanswered post, and a move to the current state leaves no trace on the timeline."""
    desk.ingest.ingest([make_post("a1", LOST), make_post("a2", AGAIN, minutes=5)])
    [case] = cases(desk)
    clock.set(T0 + timedelta(minutes=30))
    with desk.db.session() as s:
        row = s.get(CaseRow, case.id)
        assert row is not None
        set_state(s, row, CaseState.RESOLVED, "lead", clock.now())
        set_state(s, row, CaseState.RESOLVED, "lead", clock.now())
        s.commit()
    with desk.db.session() as s:
        assert case_detail(s, case.id, None, clock.now(), desk.settings).awaiting_since is None
        row = s.get(CaseRow, case.id)
        assert row is not None
        set_state(s, row, CaseState.OPEN, "lead", clock.now())
        s.commit()
    with desk.db.session() as s:
        detail = case_detail(s, case.id, None, clock.now(), desk.settings)
    assert detail.awaiting_since == make_post("a1", LOST).created_at
    assert [(i.data or {}).get("state") for i in detail.timeline if i.kind == "state"] == ["resolved", "open"]


def test_a_case_reopened_after_the_desk_answered_waits_only_for_later_posts(desk: Desk, clock: FixedClock) -> None:
    desk.ingest.ingest([make_post("a1", LOST)])
    [case] = cases(desk)
    clock.set(T0 + timedelta(minutes=20))
    with desk.db.session() as s:
        row = s.get(CaseRow, case.id)
        assert row is not None
        add_reply(s, row, "So sorry, we are tracing your bag.", "ana", clock.now(), resolve=True)
        set_state(s, row, CaseState.OPEN, "lead", clock.now())
        s.commit()
    with desk.db.session() as s:
        assert case_detail(s, case.id, None, clock.now(), desk.settings).awaiting_since is None


def test_the_brands_answer_stored_before_the_customers_post_still_answers_the_case(desk: Desk) -> None:
    """Exports sorted by engagement time, or replies ingested before mentions, deliver the answer first: the case
    the customer's post opens must still count it as the first response."""
    answer = make_post("b1", "@alice so sorry! Please DM us your booking reference.", author="AuroraHelp",
                       minutes=12, reply_to="root", conversation="root")
    desk.ingest.ingest([answer])
    assert cases(desk) == []
    desk.ingest.ingest([make_post("root", LOST, conversation="root")])
    [case] = cases(desk)
    assert case.state == "waiting_on_customer" and case.awaiting_since is None
    assert case.first_response_at is not None and case.first_response_at.replace(tzinfo=None) == \
        answer.created_at.replace(tzinfo=None)
    with desk.db.session() as s:
        detail = case_detail(s, case.id, None, desk.clock.now(), desk.settings)
    assert [(i.kind, i.actor) for i in detail.timeline] == [  # as when the answer comes second
        ("post", "@alice"), ("post", "@AuroraHelp"), ("reply", "@AuroraHelp")]


def test_the_cases_a_lock_took_before_finding_another_busy_count_as_held(desk: Desk) -> None:
    """`lock_cases` without waiting locks the free cases even when it raises `CasesBusy` for one another transaction
    holds; they stay locked until this transaction ends, so they count as held, and its caller need not take them
    again to know it holds them."""
    if desk.db.engine.dialect.name != "postgresql":
        pytest.skip("SQLite allows one writer at a time: no other transaction holds a case")
    desk.ingest.ingest([make_post("a1", LOST), make_post("b1", AGAIN, author="bob", minutes=1)])
    busy, free = (c.id for c in cases(desk))
    both = select(CaseRow.id).where(CaseRow.id.in_([busy, free]))
    with desk.db.engine.connect() as other, desk.db.session() as s:
        other.execute(both.where(CaseRow.id == busy).with_for_update())
        with pytest.raises(CasesBusy) as raised:
            lock_cases(s, [busy, free], wait=False)
        assert raised.value.ids == {busy}
        assert unheld(s, [busy, free]) == {busy}
        with desk.db.engine.connect() as third:  # and this transaction does hold it: a third one finds both taken
            assert third.scalars(both.with_for_update(skip_locked=True)).all() == []
