"""Suggested replies: the customer's language, case details without personal data, a private channel when the
matter needs one, and real care replies retrieved for similar messages."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from wakeful.api.app import create_app
from wakeful.api.auth import Role, create_token
from wakeful.api.deps import Desk
from wakeful.desk.replies import CaseContext, ReplyIndex, clean_reply, context_for_case, suggest
from wakeful.ingest.datasets import default_data_dir, load_twcs
from wakeful.store.models import CaseRow

from tests.factories import make_post

TWCS = default_data_dir() / "twcs-sample" / "twcs.csv"
PHONE_TEXT = "@AuroraAirways mein Koffer ist verloren! Ruft mich an: +49 170 1234567, Buchung XK4P2Q"


def test_template_is_in_the_customers_language_and_moves_personal_details_to_a_dm() -> None:
    ctx = CaseContext("lena_k", "Aurora Airways", "de", ["lost_luggage"], PHONE_TEXT)
    [first] = suggest(ctx)
    assert first.text.startswith("Hallo @lena_k") and "Gepäck" in first.text and "Direktnachricht" in first.text
    assert first.private_channel and first.source == "template:lost_luggage"
    assert "1234567" not in first.text and "XK4P2Q" not in first.text


def test_a_question_without_private_matters_gets_no_dm_offer_and_unknown_languages_get_english() -> None:
    [s] = suggest(CaseContext("sam", "Aurora Airways", "it", ["seating"], "@AuroraAirways can I pick a seat?"))
    assert s.text.startswith("Hi @sam") and "seat" in s.text and not s.private_channel and "direct" not in s.text


def test_past_replies_lose_other_customers_handles_links_and_personal_data() -> None:
    reply = "@115712 Sorry! Call us at +1 (415) 555-0132 or mail help@brand.com https://t.co/x ^JS"
    cleaned = clean_reply(reply)
    assert "115712" not in cleaned and "555" not in cleaned and "help@brand.com" not in cleaned
    assert "t.co" not in cleaned and cleaned.startswith("Sorry!") and "^JS" not in cleaned
    assert clean_reply("@9 Hi Kevin, do you have a WorldTracer reference? ^Teresa") == \
        "Hi, do you have a WorldTracer reference?"


def test_retrieval_finds_the_most_similar_customer_message() -> None:
    index = ReplyIndex([("my package never arrived, tracking says delivered", "@1 Sorry, DM us the order.", "A"),
                        ("the app crashes when I open it", "@2 Try reinstalling the app.", "B")])
    [(score, text, handle)] = index.similar("tracking says delivered but no package", k=1)
    assert handle == "A" and text == "Sorry, DM us the order." and score > 0.3
    assert index.similar("completely unrelated words", k=1) == []


@pytest.mark.skipif(not TWCS.is_file(), reason=f"no TWCS sample at {TWCS}")
def test_twcs_replies_are_suggested_for_a_similar_case() -> None:
    posts = load_twcs()
    index = ReplyIndex.from_threads(posts, {p.author.handle for p in posts if not p.author.id.isdigit()})
    assert len(index.pairs) > 1000
    ctx = CaseContext("mira", "Aurora Airways", "en", ["refund"],
                      "@AuroraAirways my flight was cancelled and I still have not received my refund")
    similar = [s for s in suggest(ctx, index) if s.source.startswith("similar:")]
    assert similar and all(s.text.startswith("@mira ") for s in similar)
    assert not any(re.search(r"@\d+", s.text) for s in similar)
    assert all("DM" in s.text or "direct message" in s.text.casefold() for s in similar)


def test_context_comes_from_the_stored_case(desk: Desk) -> None:
    desk.ingest.ingest([make_post("p1", "@AuroraAirways you lost my bag on AU 12, where is my suitcase?",
                                  author="hasan")])
    with desk.db.session() as s:
        case = s.scalars(select(CaseRow)).one()
        ctx = context_for_case(s, case, desk.settings)
    assert (ctx.handle, ctx.brand_name, ctx.lang) == ("hasan", "Aurora Airways", "en")
    assert "lost_luggage" in ctx.topics and "suitcase" in ctx.text
    assert suggest(ctx)[0].private_channel


def test_suggestions_endpoint_is_scoped_to_the_callers_brand(desk: Desk) -> None:
    desk.ingest.ingest([make_post("p1", "@AuroraAirways my flight is delayed 3 hours, any news?", author="jo")])
    with desk.db.session() as s:
        case_id = s.scalars(select(CaseRow.id)).one()
        aurora = create_token(s, "ana", "aurora", Role.AGENT, desk.clock.now())
        nord = create_token(s, "nils", "nordrail", Role.AGENT, desk.clock.now())
    url = f"/api/v1/cases/{case_id}/suggestions?similar=false"
    with TestClient(create_app(desk)) as client:
        assert client.get(url).status_code == 401
        assert client.get(url, headers={"Authorization": f"Bearer {nord}"}).status_code == 404
        body = client.get(url, headers={"Authorization": f"Bearer {aurora}"}).json()
    assert body[0]["text"].startswith("Hi @jo") and "delay" in body[0]["text"]
