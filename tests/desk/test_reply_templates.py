"""The brand's approved reply lines, filled with case details, a line for questions, and retrieval only in the
language the customer is answered in."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from wakeful.api.auth import Role
from wakeful.api.deps import Desk
from wakeful.desk.replies import CaseContext, TemplateError, check_template, suggest
from wakeful.desk.reply_index import ReplyIndex
from wakeful.store.models import CaseRow
from wakeful.store.reply_templates import ReplyTemplateRow

from tests.desk_fixtures import Headers
from tests.factories import make_post

INDEX = ReplyIndex([("my bag never arrived at the airport", "@1 So sorry! Please DM us your file reference.", "A")])
DE_BAG = "@AuroraAirways mein Koffer ist nach Flug AU 2213 nicht angekommen, wo ist mein Gepäck?"


def test_english_past_replies_are_offered_to_english_customers_only() -> None:
    en = CaseContext("sam", "Aurora Airways", "en", ["lost_luggage"], "my bag never arrived at the airport")
    de = CaseContext("lena", "Aurora Airways", "de", ["lost_luggage"], "my bag never arrived at the airport")
    assert any(s.source == "similar:A" for s in suggest(en, INDEX))
    assert [s.source for s in suggest(de, INDEX)] == ["template:lost_luggage"]


def test_a_question_gets_a_helpful_line_not_an_apology_and_a_flight_given_is_noted() -> None:
    [q] = suggest(CaseContext("ola", "Aurora Airways", "fr", [], "Bonjour, combien de bagages ?", complaint=False))
    assert q.text == "Bonjour @ola, merci d'avoir contacté Aurora Airways. Merci pour votre question, nous vous " \
                     "aidons volontiers." and q.source == "template:question"
    [d] = suggest(CaseContext("jo", "Aurora Airways", "en", ["delay"], "AU 88 late again", flight="AU 88"))
    assert d.text.endswith("We have noted flight AU 88.")


def test_the_brands_approved_line_comes_first_and_needs_the_details_it_names() -> None:
    approved = {("lost_luggage", "de"): ("Ihr Koffer von {flight} wird gesucht, {brand} meldet sich.", "lee")}
    with_flight = CaseContext("lena", "Aurora Airways", "de", ["lost_luggage"], DE_BAG, flight="AU 2213",
                              approved=approved)
    [s] = suggest(with_flight)
    assert s.source == "approved:lost_luggage" and s.approved_by == "lee"
    assert "Ihr Koffer von AU 2213 wird gesucht, Aurora Airways meldet sich." in s.text and "Direktnachricht" in s.text
    [fallback] = suggest(CaseContext("lena", "Aurora Airways", "de", ["lost_luggage"], "Koffer weg",
                                     approved=approved))
    assert fallback.source == "template:lost_luggage" and "{flight}" not in fallback.text
    assert fallback.note is not None and "lee approved names a flight" in fallback.note
    assert s.note is None


@pytest.mark.parametrize(("topic", "lang", "text", "why"), [
    ("lost_luggage", "de", "Rufen Sie +49 170 1234567 an", "personal data"),
    ("delay", "en", "Thanks @maria, we are on it", "@handle"),
    ("delay", "en", "Flight {flight} for {name}", "placeholder"),
    ("weather", "en", "Sorry about the weather", "unknown topic"),
    ("delay", "it", "Ci scusiamo", "language"),
    ("lost_luggage", "en", "Sorry about flight {flight", "unbalanced brace"),
    ("lost_luggage", "en", "Sorry about flight {flight}}", "unbalanced brace"),
    ("delay", "en", "Sorry about {} today", "positional placeholder"),
    ("delay", "en", "Sorry about {0} today", "positional placeholder"),
    ("delay", "en", "Sorry about {flight.real}", "unknown placeholder"),
    ("delay", "en", "Sorry from {brand:>999999999}", "no format or conversion"),
    ("delay", "en", "Sorry about {flight!r}", "no format or conversion"),
    ("delay", "en", "Sorry\x00 about that", "NUL"),
])
def test_templates_that_could_leak_or_break_are_refused(topic: str, lang: str, text: str, why: str) -> None:
    with pytest.raises(TemplateError, match=why):
        check_template(topic, lang, text)


def test_leads_approve_lines_that_the_case_suggestions_then_use(desk: Desk, client: TestClient,
                                                                 auth: Headers) -> None:
    desk.ingest.ingest([make_post("p1", DE_BAG, author="lena")])
    with desk.db.session() as s:
        case = s.scalars(select(CaseRow)).one()
        case_id, topic = case.id, (case.topics or ["general"])[0]  # whatever the analysis found it is about
    lead, agent = auth("lee", role=Role.LEAD), auth("ana")
    url = f"/api/v1/reply-templates/{topic}/de"
    line = {"text": "Wir suchen Ihren Koffer von Flug {flight} mit Nachdruck."}
    assert client.put(url, json=line, headers=agent).status_code == 403
    assert client.put(url, json={"text": "Schreiben Sie an lena@example.de"}, headers=lead).status_code == 422
    saved = client.put(url, json=line, headers=lead)
    assert saved.status_code == 200 and saved.json()["approved_by"] == "lee"
    assert [t["topic"] for t in client.get("/api/v1/reply-templates", headers=agent).json()] == [topic]
    assert client.get("/api/v1/reply-templates", headers=auth("nils", "nordrail")).json() == []
    drafts = {d["source"]: d for d in client.get(f"/api/v1/cases/{case_id}/suggestions", headers=agent).json()}
    assert "Flug AU 2213 mit Nachdruck" in drafts[f"approved:{topic}"]["text"]
    assert f"template:{topic}" not in drafts
    assert client.delete(url, headers=lead).status_code == 204
    assert client.delete(url, headers=lead).status_code == 404
    again = {d["source"]: d for d in client.get(f"/api/v1/cases/{case_id}/suggestions", headers=agent).json()}
    assert "Wir haben den Flug AU 2213 notiert." in again[f"template:{topic}"]["text"]
    assert not any(source.startswith("similar:") for source in again)  # the retrieved replies are English


def test_a_line_that_cannot_be_filled_is_refused_when_saved_and_skipped_if_already_stored(
        desk: Desk, client: TestClient, auth: Headers) -> None:
    desk.ingest.ingest([make_post("p1", "@AuroraAirways lost my bag on AU 2213, where is my suitcase?")])
    with desk.db.session() as s:
        case = s.scalars(select(CaseRow)).one()
        case_id, topic = case.id, (case.topics or ["general"])[0]
    lead, agent = auth("lee", role=Role.LEAD), auth("ana")
    url = f"/api/v1/reply-templates/{topic}/en"
    for text in ("Sorry about flight {flight", "Sorry about flight {flight}}"):
        r = client.put(url, json={"text": text}, headers=lead)
        assert r.status_code == 422 and "unbalanced brace" in r.json()["detail"], r.text
    r = client.put(url, json={"text": "Sorry about flight {flight}\u0000"}, headers=lead)
    assert r.status_code == 422 and "NUL" in r.json()["detail"]
    assert client.get("/api/v1/reply-templates", headers=agent).json() == []
    with desk.db.session() as s:  # saved before the check existed
        s.add(ReplyTemplateRow(brand="aurora", topic=topic, lang="en", text="Sorry about {flight", approved_by="lee",
                               approved_at=desk.clock.now()))
    r = client.get(f"/api/v1/cases/{case_id}/suggestions", headers=agent)
    assert r.status_code == 200, r.text
    sources = [d["source"] for d in r.json()]
    assert f"template:{topic}" in sources and f"approved:{topic}" not in sources
