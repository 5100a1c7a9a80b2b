"""The urgency signals, deadline and legal flags the analysis reads are stored with the post (migration
0010_analysis2), on SQLite and PostgreSQL, so the desk can show an agent why a case is urgent or held."""

from __future__ import annotations

from sqlalchemy import select

from wakeful.api.deps import Desk
from wakeful.store.models import PostRow

from tests.factories import make_post


def test_signals_deadline_and_legal_flags_are_stored(desk: Desk) -> None:
    desk.ingest.ingest([
        make_post("u1", "@AuroraAirways my flight leaves in 2 hours and your agent Mark stole my charger. "
                        "Third time I'm asking!"),
        make_post("u2", "@AuroraAirways thanks, lovely crew today", author="happy"),
    ])
    with desk.db.session() as s:
        rows = {r.platform_id: r for r in s.scalars(select(PostRow))}
    urgent, calm = rows["u1"], rows["u2"]
    assert {"deadline", "repeat_contact"} <= set(urgent.signals)
    assert urgent.deadline_minutes == 120
    assert urgent.legal[:2] == ["staff_accusation", "crime:theft"]
    assert (calm.signals, calm.deadline_minutes, calm.legal) == ([], None, [])
