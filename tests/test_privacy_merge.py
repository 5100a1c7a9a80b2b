"""Erasure and retention meet merged cases: Mira on X (case x) and on Mastodon (case m, merged into x). Erasing one
account erases its words wherever the merge put them, keeps the other account's, and unmerge still works after it;
retention judges a merged case, its posts and the desk's words about it, by its target (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select, update

from wakeful.api.auth import Role
from wakeful.api.deps import Desk
from wakeful.core.clock import FixedClock
from wakeful.core.models import Platform
from wakeful.desk import privacy, retention, service
from wakeful.desk.cases import CaseState
from wakeful.desk.merge import MERGED
from wakeful.desk.privacy_scrub import ERASED_TEXT, RETENTION_TEXT
from wakeful.store.models import CaseEventRow, CasePostRow, CaseRow, PostRow

from tests import privacy_scenario as sc
from tests.desk_fixtures import Headers
from tests.factories import T0, make_post
from tests.test_case_merge import LOST, SMOKE, _two_accounts

ANSWERED = "So sorry, we are tracing it."  # on x, before the merge: about the X account only
SAME = "same person as @mira on X"  # on m, before the merge: about the Mastodon account only
AFTER_REPLY = "@mira_m the crew has been told about the smoke"
AFTER_NOTE = "She flies again on Friday, seat 14C"


def _erase(desk: Desk, platform: str, handle: str) -> privacy.ErasureView:
    return privacy.request_erasure(desk.db, platform, handle=handle, account_id=None, requested_by="dpo",
                                   now=desk.clock.now(), reference="DSR-9")


def _timeline(client: TestClient, h: dict[str, str], case_id: int) -> list[tuple[str, str | None]]:
    got = client.get(f"/api/v1/cases/{case_id}", headers=h)
    assert got.status_code == 200, got.text
    return [(i["kind"], i["text"]) for i in got.json()["timeline"] if i["kind"] in ("post", "reply", "note")]


def _merged_with_words_after(desk: Desk, clock: FixedClock, client: TestClient, h: dict[str, str]) -> tuple[int, int]:
    """m merged into x at T0+50, then a reply and a note on the merged matter at T0+55."""
    x, m = _two_accounts(desk, clock, client, h)
    assert client.post(f"/api/v1/cases/{m}/merge", json={"into": x}, headers=h).status_code == 200
    clock.set(T0 + timedelta(minutes=55))
    assert client.post(f"/api/v1/cases/{x}/replies", json={"text": AFTER_REPLY}, headers=h).status_code == 201
    assert client.post(f"/api/v1/cases/{x}/notes", json={"text": AFTER_NOTE}, headers=h).status_code == 201
    clock.set(T0 + timedelta(minutes=60))
    return x, m


def _leaves(value: Any) -> list[Any]:
    if isinstance(value, dict):
        return [leaf for v in value.values() for leaf in _leaves(v)]
    if isinstance(value, list):
        return [leaf for v in value for leaf in _leaves(v)]
    return [value]


def _harmless(value: Any) -> bool:
    """A row id, a time, a case state or an agent's name: what an undo record may hold."""
    if value is None or isinstance(value, int) or value in {*CaseState, "ana"}:
        return True
    try:
        datetime.fromisoformat(value)
    except (TypeError, ValueError):
        return False
    return True


def test_erasing_the_merged_in_account_erases_its_words_on_the_matter_and_unmerge_still_works(
        desk: Desk, clock: FixedClock, client: TestClient, auth: Headers) -> None:
    h = auth()
    x, m = _merged_with_words_after(desk, clock, client, h)

    done = _erase(desk, "mastodon", "mira_m")

    assert done.counts["posts"] == 1 and done.counts["case_events"] == 3  # her note, the reply and note since
    assert done.counts["outbound_replies"] == 1  # the desk's reply to her, queued on the merged matter
    assert _timeline(client, h, x) == [("post", LOST), ("reply", ANSWERED), ("post", ERASED_TEXT),
                                       ("note", ERASED_TEXT), ("reply", ERASED_TEXT), ("note", ERASED_TEXT)]
    with desk.db.session() as session:
        assert sc.traces(session, ("mira_m", "smoke in the cabin", "Friday", "same person")) == []
        [record] = session.scalars(select(CaseEventRow.data).where(CaseEventRow.kind == MERGED)).all()
        # the undo record: row ids, times, states, the agent assigned; nothing of the customer's to erase
        assert [v for v in _leaves(record) if not _harmless(v)] == []

    got = client.post(f"/api/v1/cases/{m}/unmerge", headers=auth("lee", role=Role.LEAD))
    assert got.status_code == 200, got.text
    assert _timeline(client, h, m) == [("post", ERASED_TEXT), ("note", ERASED_TEXT)]
    assert _timeline(client, h, x) == [("post", LOST), ("reply", ANSWERED), ("reply", ERASED_TEXT),
                                       ("note", ERASED_TEXT)]
    source = client.get(f"/api/v1/cases/{m}", headers=h).json()
    assert source["merged_into"] is None and source["author"]["handle"].startswith("erased-")


def test_erasing_the_target_account_keeps_what_was_written_about_the_merged_in_account_before(
        desk: Desk, clock: FixedClock, client: TestClient, auth: Headers) -> None:
    h = auth()
    x, m = _merged_with_words_after(desk, clock, client, h)

    done = _erase(desk, "x", "mira")

    assert done.counts["case_events"] == 3  # the answer on x, the reply and note since the merge
    timeline = _timeline(client, h, x)
    assert timeline[:3] == [("post", ERASED_TEXT), ("reply", ERASED_TEXT), ("post", SMOKE)]
    assert timeline[3][0] == "note" and timeline[3][1] is not None
    assert timeline[3][1].startswith("same person as @erased-")  # her Mastodon account's note; only @mira goes
    assert timeline[4:] == [("reply", ERASED_TEXT), ("note", ERASED_TEXT)]
    got = client.post(f"/api/v1/cases/{m}/unmerge", headers=auth("lee", role=Role.LEAD))
    assert got.status_code == 200, got.text
    assert [k for k, _ in _timeline(client, h, m)] == ["post", "note"]


def test_a_merge_undone_before_the_erasure_still_counts_while_it_lasted(
        desk: Desk, clock: FixedClock, client: TestClient, auth: Headers) -> None:
    h = auth()
    x, m = _merged_with_words_after(desk, clock, client, h)
    assert client.post(f"/api/v1/cases/{m}/unmerge", headers=auth("lee", role=Role.LEAD)).status_code == 200
    clock.set(T0 + timedelta(minutes=65))
    later = "Mira, your bag is in Munich"
    assert client.post(f"/api/v1/cases/{x}/replies", json={"text": later}, headers=h).status_code == 201

    _erase(desk, "mastodon", "mira_m")

    assert _timeline(client, h, x) == [("post", LOST), ("reply", ANSWERED), ("reply", ERASED_TEXT),
                                       ("note", ERASED_TEXT), ("reply", later)]
    assert _timeline(client, h, m) == [("post", ERASED_TEXT), ("note", ERASED_TEXT)]


def test_retention_judges_a_merged_case_by_its_target(
        desk: Desk, clock: FixedClock, client: TestClient, auth: Headers) -> None:
    """A post still linked to the merged case (it joined as the merge was made) lives as long as the target's
    posts: the merged case's own resolution, from before the merge, does not count."""
    h = auth()
    x, m = _two_accounts(desk, clock, client, h)
    with desk.db.session() as session:
        service.set_state(session, session.get_one(CaseRow, m), CaseState.RESOLVED, "ana", T0 + timedelta(minutes=45))
    assert client.post(f"/api/v1/cases/{m}/merge", json={"into": x}, headers=h).status_code == 200
    clock.set(T0 + timedelta(minutes=70))
    desk.ingest.ingest([make_post("m2", "@AuroraAirways still nothing about the smoke", author="mira_m",
                                  platform=Platform.MASTODON, minutes=60)])
    with desk.db.session() as session:
        late = session.scalars(select(PostRow.id).where(PostRow.platform_id == "m2")).one()
        session.execute(update(CasePostRow).where(CasePostRow.post_id == late).values(case_id=m))
        assert session.get_one(CaseRow, m).resolved_at is not None

    assert retention.purge(desk.db, T0 + timedelta(days=40), 30) is None  # x is open: nothing of it goes
    with desk.db.session() as session:
        assert session.get_one(PostRow, late).erased is None
        assert sc.traces(session, (ANSWERED, SAME)) == [f"case_events.text: {ANSWERED}", f"case_events.text: {SAME}",
                                                        f"outbound_replies.text: {ANSWERED}"]
        service.set_state(session, session.get_one(CaseRow, x), CaseState.RESOLVED, "ana", T0 + timedelta(days=1))
    with desk.db.session() as session:
        assert retention.count_due(session, T0 + timedelta(days=40), 30)["posts"] == 3
    purged = retention.purge(desk.db, T0 + timedelta(days=40), 30)
    assert purged is not None and purged.counts["posts"] == 3  # x1, m1 and m2, the late one with them
    with desk.db.session() as session:
        assert session.get_one(PostRow, late).text == RETENTION_TEXT
        # the reply on x and the note written on m before the merge went with it: both the matter's, now past
        assert sc.traces(session, (ANSWERED, SAME)) == []
