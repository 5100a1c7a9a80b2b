"""A customer search over the desk: active cases through the queue's filters, resolved ones beside them."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from wakeful.api.deps import Desk
from wakeful.desk.cases import CaseState
from wakeful.desk.service import QueueFilters, list_cases, resolved_matches, set_state
from wakeful.store.models import AuthorRow, CaseRow

from tests.factories import T0, make_post

LOST = "@AuroraAirways you lost my bag on AU 2213, nobody answers. Still waiting for my suitcase!"
NORD = "@NordRail mein Zug nach Hamburg ist ausgefallen und niemand hilft mir, das ist eine Frechheit!"


def test_resolved_cases_of_a_customer_newest_first_within_the_callers_brands(desk: Desk) -> None:
    desk.ingest.ingest([make_post("a1", LOST, author="Mira_Castell"), make_post("a2", LOST, author="mira_2"),
                        make_post("a3", LOST, author="bo"), make_post("n1", NORD, author="mira_castell")])
    with desk.db.session() as s:
        case_of = {handle: case for case, handle in s.execute(
            select(CaseRow, AuthorRow.handle).join(AuthorRow, AuthorRow.id == CaseRow.author_id)
            .where(CaseRow.brand == "aurora"))}
        for minutes, handle in ((10, "Mira_Castell"), (20, "mira_2"), (30, "bo")):
            set_state(s, case_of[handle], CaseState.RESOLVED, "ana", T0 + timedelta(minutes=minutes))
    search = QueueFilters(customer="@MIRA")
    with desk.db.session() as s:
        found, total = resolved_matches(s, {"aurora"}, search)
        latest, same_total = resolved_matches(s, {"aurora"}, search, limit=1)
        everywhere, _ = resolved_matches(s, None, search)
        active = list_cases(s, None, T0, desk.settings, search)
    assert [(m.handle, m.resolved_at) for m in found] == [("mira_2", T0 + timedelta(minutes=20)),
                                                          ("Mira_Castell", T0 + timedelta(minutes=10))]
    assert total == same_total == 2 and [m.handle for m in latest] == ["mira_2"]
    assert len(everywhere) == 2  # nord's mira is still active: not among the resolved
    assert [(c.brand, c.author.handle) for c in active] == [("nordrail", "mira_castell")]
