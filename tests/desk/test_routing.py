"""Routing new cases by language, shift, capacity and skill; re-routing around absences; paging on-call; and the
scheduled escalation at 75% of an SLA target, then on-call at the target."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from wakeful.api.deps import Desk
from wakeful.core.clock import FixedClock
from wakeful.desk import agents, routing, scheduled, service
from wakeful.desk.agent_report import agent_report
from wakeful.desk.agents import parse_shifts
from wakeful.desk.routing import Candidate, RecordingNotifier, choose
from wakeful.store.models import CaseEventRow, CaseRow

from tests.factories import T0, make_post

LOST_EN = "@AuroraAirways you lost my bag on AU 2213, nobody answers. Still waiting for my suitcase!"
LOST_DE = "@AuroraAirways Mein Koffer ist seit drei Tagen verschwunden und niemand antwortet mir. Unglaublich!"


def staff(desk: Desk) -> None:
    """ana: English, baggage, on shift until 10:00 UTC; ben: German and English, Berlin 09:00-18:00."""
    now = desk.clock.now()
    with desk.db.session() as s:
        agents.add_agent(s, "aurora", "ana", now, languages=["en"], skills=["baggage"], max_cases=2,
                         shifts=parse_shifts("mon-fri 08:00-10:00"))
        agents.add_agent(s, "aurora", "ben", now, languages=["de", "en"], max_cases=3, timezone="Europe/Berlin",
                         team="day", shifts=parse_shifts("mon-fri 09:00-18:00"))
        agents.add_agent(s, "aurora", "cem", now, languages=["en", "de"], shifts=parse_shifts("sat-sun 09:00-17:00"))
        agents.upsert_team(s, "aurora", "day", lead="lena")
        agents.add_oncall(s, "aurora", "olga", T0 - timedelta(days=1), T0 + timedelta(days=7))


def ingest(desk: Desk, *posts: tuple[str, str, str]) -> list[int]:
    """The batch's case ids, in the order of `posts` (each a second after the one before: a batch stores by time)."""
    result = desk.ingest.ingest([make_post(pid, text, author=author, minutes=i / 60)
                                 for i, (pid, text, author) in enumerate(posts)])
    return sorted(result.cases)


def case(desk: Desk, case_id: int) -> CaseRow:
    with desk.db.session() as s:
        row = s.get(CaseRow, case_id)
        assert row is not None
        return row


def events(desk: Desk, case_id: int, kind: str) -> list[str]:
    with desk.db.session() as s:
        return [e.text or "" for e in s.scalars(select(CaseEventRow).where(
            CaseEventRow.case_id == case_id, CaseEventRow.kind == kind).order_by(CaseEventRow.id))]


def test_choose_prefers_skill_then_lighter_load_and_says_why_nobody_fits() -> None:
    a = Candidate("a", ["en"], [], 4, 0, True)
    b = Candidate("b", ["en"], ["refund"], 4, 3, True)
    c = Candidate("c", ["en"], [], 4, 1, True)
    assert choose([a, b, c], "en", ["refund"]).agent == "b"
    assert choose([a, c], "en", []).agent == "a"
    assert choose([Candidate("d", ["en"], [], 2, 2, True)], "en", []).reason.endswith("at capacity")
    assert choose([a], "fr", []).reason == "nobody on shift speaks fr"
    assert choose([Candidate("e", ["en"], [], 2, 0, True, away=True)], "en", []).agent is None


def test_shifts_read_in_the_agents_own_zone() -> None:
    from wakeful.store.agents import ShiftRow
    [night] = [ShiftRow(weekday=s.weekday, start_minute=22 * 60, end_minute=6 * 60)
               for s in parse_shifts("mon 22:00-06:00")]
    assert agents.on_shift([night], "UTC", T0.replace(hour=23))  # Monday 23:00
    assert agents.on_shift([night], "UTC", T0.replace(hour=5) + timedelta(days=1))  # Tuesday 05:00
    assert not agents.on_shift([night], "UTC", T0.replace(hour=7) + timedelta(days=1))
    assert agents.on_shift([night], "Asia/Tokyo", T0.replace(hour=13))  # 22:00 in Tokyo
    assert len(parse_shifts("fri-mon 09:00-17:00")) == 4


def test_new_cases_go_to_an_agent_on_shift_who_speaks_the_language_with_the_best_skill(desk: Desk) -> None:
    en, de = ingest(desk, ("e1", LOST_EN, "alice"), ("d1", LOST_DE, "bernd"))  # before staffing: not yet routed
    staff(desk)
    assert (case(desk, en).lang, case(desk, de).lang) == ("en", "de")
    with desk.db.session() as s:
        chosen = routing.route_new_cases(s, [en, de], desk.clock.now())
    assert chosen == {en: "ana", de: "ben"}  # ana has the baggage skill; only ben speaks German on shift
    assert case(desk, en).state == "open"
    [why] = events(desk, de, "routed")
    assert why.startswith("new case: ben (on shift, speaks de")
    with desk.db.session() as s:  # the timeline says why before it says to whom
        kinds = list(s.scalars(select(CaseEventRow.kind).where(CaseEventRow.case_id == de).order_by(CaseEventRow.id)))
    assert kinds == ["routed", "assigned"]


def test_load_is_balanced_and_on_call_is_paged_when_nobody_has_room(desk: Desk) -> None:
    ids = ingest(desk, *[(f"p{i}", LOST_EN, f"user{i}") for i in range(6)])
    staff(desk)
    notifier = RecordingNotifier()
    with desk.db.session() as s:
        chosen = routing.route_new_cases(s, ids, desk.clock.now(), notifier)
    assert sorted(str(v) for v in chosen.values()) == ["ana", "ana", "ben", "ben", "ben", "olga"]
    [(event, payload)] = notifier.sent
    assert (event, payload["agent"]) == ("oncall.page", "olga")
    assert "at capacity; paged on-call olga" in events(desk, ids[-1], "routed")[0]
    [late] = ingest(desk, ("p9", LOST_EN, "zoe"))  # the server's ingest hook may have routed it already
    with desk.db.session() as s:
        routing.route_new_cases(s, [late], desk.clock.now(), notifier)
    assert case(desk, late).assignee == "olga"  # still nobody has room


def test_cases_move_when_an_agent_goes_off_shift_or_away(desk: Desk, clock: FixedClock) -> None:
    staff(desk)
    [en] = ingest(desk, ("e1", LOST_EN, "alice"))
    with desk.db.session() as s:
        routing.route_new_cases(s, [en], clock.now())
    assert case(desk, en).assignee == "ana"
    clock.set(T0.replace(hour=10, minute=1))
    with desk.db.session() as s:
        assert scheduled.tick(s, clock.now(), desk.settings)["rerouted"] == 1
    assert case(desk, en).assignee == "ben"
    assert events(desk, en, "routed")[-1].startswith("re-routed, ana went off shift: ben")
    with desk.db.session() as s:
        ben = agents.get_agent(s, "aurora", "ben")
        assert ben is not None
        ben.away = True
        routing.reroute_agent(s, ben, clock.now(), RecordingNotifier(), "ben is away")
    assert case(desk, en).assignee == "olga"  # nobody else on shift: on-call takes it and keeps it
    with desk.db.session() as s:
        assert scheduled.tick(s, clock.now(), desk.settings)["rerouted"] == 0


def test_escalation_tells_the_lead_at_75_percent_then_pages_on_call_once(desk: Desk, clock: FixedClock) -> None:
    staff(desk)
    with desk.db.session() as s:
        for level in range(4):
            scheduled.set_policy(s, "aurora", scheduled.PolicyIn(priority=level, first_response_minutes=60))
    [en] = ingest(desk, ("e1", LOST_EN, "alice"))
    opened = case(desk, en).opened_at
    with desk.db.session() as s:
        routing.route_new_cases(s, [en], clock.now())
        agents.get_agent(s, "aurora", "ana").team = "day"  # type: ignore[union-attr]
    notifier = RecordingNotifier()

    def tick_at(minutes: float) -> list[str]:
        clock.set(opened.replace(tzinfo=T0.tzinfo) + timedelta(minutes=minutes))
        with desk.db.session() as s:
            scheduled.tick(s, clock.now(), desk.settings, notifier, brands=["aurora"])
        return [e for e, _ in notifier.sent]

    assert tick_at(44) == []
    assert tick_at(45) == ["sla.warning"]
    assert notifier.sent[0][1]["leads"] == ["lena"] and notifier.sent[0][1]["left_minutes"] == 15
    assert tick_at(50) == ["sla.warning"]
    assert tick_at(60) == ["sla.warning", "oncall.page"]
    assert tick_at(61) == ["sla.warning", "oncall.page"]
    assert [t.split(":")[0] for t in events(desk, en, "escalated")] == ["first_response at 75% of 60 min",
                                                                        "first_response at 100% of 60 min"]


def test_an_unassigned_case_goes_to_the_first_agent_who_comes_on_shift(desk: Desk, clock: FixedClock) -> None:
    [en] = ingest(desk, ("e1", LOST_EN, "alice"))
    with desk.db.session() as s:
        agents.add_agent(s, "aurora", "ana", clock.now(), shifts=parse_shifts("mon 10:00-11:00"))
    notifier = RecordingNotifier()
    with desk.db.session() as s:
        assert routing.route_new_cases(s, [en], clock.now(), notifier) == {en: None}
    assert notifier.sent[0][1]["agent"] is None
    assert events(desk, en, "routed") == ["new case: nobody on shift; paged on-call (nobody on the rota)"]
    with desk.db.session() as s:
        assert scheduled.tick(s, clock.now(), desk.settings, notifier)["rerouted"] == 0
    clock.set(T0.replace(hour=10, minute=1))
    with desk.db.session() as s:
        assert scheduled.tick(s, clock.now(), desk.settings, notifier)["rerouted"] == 1
    assert case(desk, en).assignee == "ana" and events(desk, en, "routed")[-1].startswith("retried: ana")


def test_per_agent_and_team_figures(desk: Desk, clock: FixedClock) -> None:
    staff(desk)
    en, de = ingest(desk, ("e1", LOST_EN, "alice"), ("d1", LOST_DE, "bernd"))
    with desk.db.session() as s:
        routing.route_new_cases(s, [en, de], clock.now())
        clock.set(T0 + timedelta(minutes=20))
        service.add_reply(s, service.load_case(s, en, None), "Sorry, we are on it", "ana", clock.now())
        clock.set(T0 + timedelta(minutes=300))  # beyond every default target
        service.add_reply(s, service.load_case(s, de, None), "Entschuldigung", "ben", clock.now(), resolve=True)
    with desk.db.session() as s:
        people, teams = agent_report(s, ["aurora"], desk.settings)
    by_name = {p.name: p for p in people}
    assert (by_name["ana"].first_response_median_min, by_name["ana"].sla_met_share) == (20, 1.0)
    assert (by_name["ben"].resolved, by_name["ben"].sla_met_share, by_name["ben"].active) == (1, 0.0, 0)
    assert [(t.name, t.cases) for t in teams] == [("day", 1)]


def test_brands_without_agents_are_not_routed_and_the_server_job_ticks(desk: Desk, clock: FixedClock) -> None:
    from wakeful.api.app import run_jobs

    [en] = ingest(desk, ("e1", LOST_EN, "alice"))
    notifier = RecordingNotifier()
    with desk.db.session() as s:
        assert routing.route_new_cases(s, [en], clock.now(), notifier) == {}
    assert notifier.sent == [] and events(desk, en, "routed") == []
    desk.jobs[:] = [scheduled.job(notifier)]
    clock.set(T0 + timedelta(hours=5))  # past every default first-response target
    run_jobs(desk)
    assert [e for e, _ in notifier.sent] == ["sla.warning", "oncall.page"]
    assert len(events(desk, en, "escalated")) == 2


def test_an_on_call_page_goes_back_to_an_agent_with_room_and_moves_on_when_the_slot_ends(
        desk: Desk, clock: FixedClock) -> None:
    """olga is on call but no agent: a page parks a case with her only while nobody fits. A case a lead gave
    someone by hand stays put."""
    with desk.db.session() as s:
        agents.add_agent(s, "aurora", "ana", clock.now(), languages=["en"], max_cases=1,
                         shifts=parse_shifts("mon 09:00-10:00"))
        agents.add_oncall(s, "aurora", "olga", T0 - timedelta(hours=1), T0 + timedelta(minutes=30))
        agents.add_oncall(s, "aurora", "omar", T0 + timedelta(minutes=30), T0 + timedelta(hours=5))
    first, paged, by_hand = ingest(desk, ("e1", LOST_EN, "alice"), ("e2", LOST_EN, "bob"), ("e3", LOST_EN, "cy"))
    with desk.db.session() as s:
        routing.route_new_cases(s, [first, paged], clock.now())
        service.assign(s, s.get(CaseRow, by_hand), "olga", "lee", clock.now())  # type: ignore[arg-type]
    assert (case(desk, first).assignee, case(desk, paged).assignee) == ("ana", "olga")  # ana is full

    with desk.db.session() as s:
        assert scheduled.tick(s, clock.now(), desk.settings)["rerouted"] == 0  # nobody has room yet
        service.set_state(s, s.get(CaseRow, first), service.CaseState.RESOLVED, "ana", clock.now())  # type: ignore[arg-type]
        assert scheduled.tick(s, clock.now(), desk.settings)["rerouted"] == 1
    assert case(desk, paged).assignee == "ana"
    assert events(desk, paged, "routed")[-1].startswith("re-routed from on-call olga, an agent has room: ana")

    with desk.db.session() as s:  # ana is full again, and a new case is paged to olga
        [late] = ingest(desk, ("e4", LOST_EN, "dee"))
        routing.route_new_cases(s, [late], clock.now())
    assert case(desk, late).assignee == "olga"
    clock.set(T0 + timedelta(minutes=31))  # olga's slot is over, omar's has begun
    notifier = RecordingNotifier()
    with desk.db.session() as s:
        scheduled.tick(s, clock.now(), desk.settings, notifier)
    assert case(desk, late).assignee == "omar"
    assert ("oncall.page", "omar") in [(e, p["agent"]) for e, p in notifier.sent]
    assert events(desk, late, "routed")[-1].startswith("re-routed, olga's on-call ended")
    assert case(desk, by_hand).assignee == "olga"  # assigned by lee, not paged: left where it was put
