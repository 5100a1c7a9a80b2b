"""A case's risk alert and an incident's opening happen once however many server processes ingest the same crisis
at the same moment, on SQLite and PostgreSQL: each batch reads that nothing was done yet, and only one may act."""

from __future__ import annotations

import threading
from datetime import timedelta

from sqlalchemy import select

from wakeful.api.deps import Desk
from wakeful.desk import incidents, risk
from wakeful.desk.routing import RecordingNotifier
from wakeful.store.incidents import IncidentRow
from wakeful.store.models import CaseEventRow, CaseRow
from wakeful.store.risk import CaseRiskRow

from tests.factories import T0, make_post

LOST_BAG = "@AuroraAirways you lost my father's bag on AU 1432 and nobody answers. Disgraceful, I want it back now"
QUIET = ["@AuroraAirways flight AU 311 delayed again, missed my meeting",
         "@AuroraAirways still waiting for my refund after 6 weeks",
         "@AuroraAirways rude staff at the check-in desk in Oslo today"]
BURST = "@AuroraAirways our bags never arrived on AU 778 from Frankfurt, the whole plane has no luggage!"
BURST_AT = T0 + timedelta(hours=6)


def test_two_batches_reassessing_a_case_at_the_same_moment_alert_once(desk: Desk) -> None:
    desk.ingest.ingest([make_post("p1", LOST_BAG, author="mira")])
    with desk.db.session() as s:
        [case_id] = s.scalars(select(CaseRow.id))
        row = s.get_one(CaseRiskRow, case_id)
        assert row.alerted_at is None
        row.score = 99.0  # as a batch's reassessment has just found it: over the brand's risk line
    now = desk.clock.now()
    notifier = RecordingNotifier()
    with desk.db.session() as second:  # the other process's batch has read the case and its risk: no alert yet
        late = (second.get_one(CaseRow, case_id), second.get_one(CaseRiskRow, case_id))
        assert late[1].alerted_at is None
        with desk.db.session() as first:
            case = first.get_one(CaseRow, case_id)
            alerted = [risk.alert_if_due(first, case, first.get_one(CaseRiskRow, case_id), desk.settings, now,
                                         notifier)]
        alerted.append(risk.alert_if_due(second, *late, desk.settings, now, notifier))
        assert alerted == [True, False]
        assert late[1].alerted_at is not None  # the first batch's mark, read again
    assert [event for event, _ in notifier.sent] == ["case.risk"]
    with desk.db.session() as s:
        assert len(s.scalars(select(CaseEventRow).where(CaseEventRow.kind == "risk")).all()) == 1


def _spike(desk: Desk) -> None:
    """Six quiet hours of mixed complaints, then 20 lost-bag complaints in 20 minutes, stored without scanning."""
    desk.ingest.case_hooks = []
    quiet = [make_post(f"q{i}", QUIET[i % 3], author=f"c{i}", minutes=i * 15) for i in range(24)]
    burst = [make_post(f"x{i}", BURST, author=f"p{i}", at=BURST_AT, minutes=i) for i in range(20)]
    desk.clock.set(BURST_AT + timedelta(minutes=20))  # type: ignore[attr-defined]
    desk.ingest.ingest(quiet + burst)


def test_two_batches_finding_the_same_spike_open_one_incident(desk: Desk) -> None:
    """The second batch finds no open incident while the first has not committed; without the lock and the look
    again under it, it would open a second one (on SQLite after waiting for the first to commit). On PostgreSQL it
    leaves the opening to the batch holding the lock; on SQLite, where it waited for the write lock, it extends the
    incident the first opened."""
    _spike(desk)
    now = desk.clock.now()
    other: list[list[int]] = []

    def second_batch() -> None:
        with desk.db.session() as s:
            other.append(incidents.scan(s, ["aurora"], now))

    with desk.db.session() as first:
        [opened] = incidents.scan(first, ["aurora"], now)
        thread = threading.Thread(target=second_batch, daemon=True)
        thread.start()
        thread.join(timeout=1.5)  # long enough for it to look for an open incident before this one commits
    thread.join(timeout=30)
    assert not thread.is_alive()
    assert other == ([[]] if desk.db.engine.dialect.name == "postgresql" else [[opened]])
    with desk.db.session() as s:
        assert [(r.id, r.key) for r in s.scalars(select(IncidentRow))] == [(opened, "lost_luggage")]
        assert incidents.scan(s, ["aurora"], now + timedelta(minutes=1)) == [opened]  # the next batch extends it
