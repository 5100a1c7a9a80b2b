"""A post its author edits stays one post and one case: the new text is analysed again, the old one kept aside."""

from __future__ import annotations

from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from wakeful.api.auth import Role
from wakeful.api.deps import Desk
from wakeful.core.clock import FixedClock, as_utc
from wakeful.core.models import Platform, Post
from wakeful.store.models import CasePostRow, CaseRow, PostEditRow, PostRow

from tests.desk_fixtures import Headers
from tests.factories import T0, make_post, post_record

PRAISE = "Thanks @AuroraAirways, smooth flight today"
COMPLAINT = "@AuroraAirways you lost my bag on AU 2213 and nobody answers the phone. Still waiting!"
WITH_PHONE = COMPLAINT + " Call me on +44 7700 900123"


def counts(desk: Desk) -> tuple[int, int, int, int]:
    with desk.db.session() as s:
        return tuple(int(s.scalar(select(func.count()).select_from(m)) or 0)  # type: ignore[return-value]
                     for m in (PostRow, CaseRow, CasePostRow, PostEditRow))


def stored(desk: Desk, post_id: str = "p1") -> PostRow:
    with desk.db.session() as s:
        row = s.scalars(select(PostRow).where(PostRow.platform_id == post_id)).one()
        s.expunge(row)
        return row


def history(desk: Desk) -> list[tuple[str, object]]:
    with desk.db.session() as s:
        return [(e.text, as_utc(e.version_at)) for e in s.scalars(select(PostEditRow).order_by(PostEditRow.version_at))]


def edited(text: str, minutes: float = 2) -> Post:
    return make_post("p1", text, edited_at=T0 + timedelta(minutes=minutes), observed_minutes=minutes)


def test_an_edit_updates_the_post_and_its_case_once(desk: Desk) -> None:
    first = desk.ingest.ingest([make_post("p1", "@AuroraAirways my bag is missing, flight AU 2213")])
    result = desk.ingest.ingest([edited(COMPLAINT)])
    assert (first.accepted, result.accepted, result.edits, result.duplicates) == (1, 0, 1, 0)
    assert result.cases == first.cases  # the case hooks (routing, risk) see the case again
    assert counts(desk) == (1, 1, 1, 1)
    row = stored(desk)
    assert row.text == COMPLAINT and as_utc(row.edited_at) == T0 + timedelta(minutes=2)  # type: ignore[arg-type]
    assert history(desk) == [("@AuroraAirways my bag is missing, flight AU 2213", T0)]


def test_an_edit_is_analysed_again_and_can_open_a_case(desk: Desk) -> None:
    desk.ingest.ingest([make_post("p1", PRAISE)])
    assert counts(desk)[1] == 0 and stored(desk).complaint is False
    result = desk.ingest.ingest([edited(WITH_PHONE)])
    row = stored(desk)
    assert row.complaint is True and row.sentiment == "negative"
    assert row.pii  # the phone number added by the edit is found, so the desk shows the text redacted
    assert len(result.cases) == 1 and counts(desk) == (1, 1, 1, 1)


def test_the_same_edit_twice_and_the_original_again_change_nothing(desk: Desk, clock: FixedClock) -> None:
    original = make_post("p1", COMPLAINT)
    desk.ingest.ingest([original, edited(WITH_PHONE)])
    clock.set(T0 + timedelta(minutes=10))
    again = desk.ingest.ingest([edited(WITH_PHONE), original])
    assert (again.accepted, again.edits, again.duplicates) == (0, 0, 2)
    assert stored(desk).text == WITH_PHONE  # the older version delivered late does not win
    assert counts(desk) == (1, 1, 1, 1)


def test_an_edit_before_its_original_ends_as_if_they_came_in_order(desk: Desk) -> None:
    """X delivers an edit as a new tweet dated when it was edited; its original may come later (a back-fill)."""
    early = make_post("p1", WITH_PHONE, minutes=2, edited_at=T0 + timedelta(minutes=2))
    assert desk.ingest.ingest([early]).accepted == 1
    late = desk.ingest.ingest([make_post("p1", COMPLAINT)])
    assert (late.accepted, late.edits, late.duplicates) == (0, 0, 1)
    row = stored(desk)
    assert (row.text, as_utc(row.created_at)) == (WITH_PHONE, T0)  # created when the original was
    assert history(desk) == [(COMPLAINT, T0)]
    assert counts(desk) == (1, 1, 1, 1)


def test_an_edit_that_only_touches_other_fields_keeps_no_history(desk: Desk) -> None:
    desk.ingest.ingest([make_post("p1", COMPLAINT)])
    assert desk.ingest.ingest([edited(COMPLAINT)]).edits == 1
    assert history(desk) == [] and stored(desk).edited_at is not None


def test_a_delete_is_recorded_once_and_an_unknown_one_ignored(desk: Desk, clock: FixedClock) -> None:
    desk.ingest.ingest([make_post("p1", COMPLAINT)])
    at = T0 + timedelta(minutes=3)
    assert desk.ingest.delete(Platform.X, {"p1": at, "never-seen": at}) == 1
    assert desk.ingest.delete(Platform.X, {"p1": at + timedelta(minutes=1)}) == 0
    assert desk.ingest.delete(Platform.MASTODON, {"p1": at}) == 0  # another platform's id
    row = stored(desk)
    assert as_utc(row.deleted_at) == at and row.text == COMPLAINT  # type: ignore[arg-type]
    assert counts(desk)[:3] == (1, 1, 1)  # the case and what the desk answered stay


def test_the_case_timeline_says_a_post_was_edited_or_deleted(desk: Desk, client: TestClient, auth: Headers) -> None:
    before = "@AuroraAirways my bag is missing, flight AU 2213"
    desk.ingest.ingest([make_post("p1", before), make_post("p2", COMPLAINT, minutes=1)])
    desk.ingest.ingest([edited(WITH_PHONE, minutes=3)])
    desk.ingest.delete(Platform.X, {"p2": T0 + timedelta(minutes=4)})
    with desk.db.session() as s:
        case_id = s.scalars(select(CaseRow.id)).one()
    response = client.get(f"/api/v1/cases/{case_id}", headers=auth())
    posts = {i["post_id"]: i for i in response.json()["timeline"] if i["kind"] == "post"}
    assert posts["p1"]["edited_at"] is not None and posts["p1"]["deleted_at"] is None
    assert posts["p1"]["redacted"] is True and "7700" not in posts["p1"]["text"]
    assert posts["p2"]["edited_at"] is None and posts["p2"]["deleted_at"] is not None
    assert before not in response.text  # the earlier text is kept for audit, not served with the case


def test_the_ingest_endpoint_counts_an_edit_as_an_edit(desk: Desk, client: TestClient, auth: Headers) -> None:
    admin = auth("bot", "*", Role.ADMIN)
    for post, expected in ((make_post("p1", PRAISE), (1, 0)), (edited(COMPLAINT), (0, 1)), (edited(COMPLAINT), (0, 0))):
        r = client.post("/api/v1/ingest", json={"posts": [post_record(post)]}, headers=admin)
        assert r.status_code == 200, r.text
        assert (r.json()["accepted"], r.json()["edits"]) == expected, r.json()
    assert stored(desk).text == COMPLAINT


def test_what_an_edited_post_said_before_is_shown_only_on_an_audited_reveal(
        desk: Desk, client: TestClient, auth: Headers) -> None:
    before = "@AuroraAirways my bag is missing, flight AU 2213"
    desk.ingest.ingest([make_post("p1", before)])
    desk.ingest.ingest([edited(COMPLAINT)])
    with desk.db.session() as s:
        case_id = s.scalars(select(CaseRow.id)).one()
    shown = client.post(f"/api/v1/cases/{case_id}/reveal", headers=auth()).json()
    assert shown == [{"post_id": "p1", "text": COMPLAINT,
                      "earlier": [{"at": T0.isoformat().replace("+00:00", "Z"), "text": before}]}]
    timeline = client.get(f"/api/v1/cases/{case_id}", headers=auth()).json()["timeline"]
    assert [(i["kind"], i["data"].get("posts")) for i in timeline if i["kind"] == "reveal"] == [("reveal", ["p1"])]
