"""Personal data stays out of what the desk shows beyond a case: the queue, the incident room seen by the whole team,
and the case itself until an agent reveals it; a brand's own loyalty programme (`loyalty_programmes`) included."""

from __future__ import annotations

from datetime import timedelta

import pytest
from fastapi.testclient import TestClient

from wakeful.analyze import Analyzer
from wakeful.api.app import create_app
from wakeful.api.auth import Role, create_token
from wakeful.api.deps import Desk
from wakeful.core.settings import Settings

from tests.desk_fixtures import BRANDS, Headers
from tests.factories import T0, make_post

# Aurora names its own programme in the configuration file; no detector knows 'Aurora Club' otherwise.
CLUBBED = [BRANDS[0].model_copy(update={"loyalty_programmes": ["Aurora Club"]}), *BRANDS[1:]]
BURST = ("@AuroraAirways our bags never arrived on AU 778 from Frankfurt, the whole plane has no luggage! "
         "booking ref QX4821, Aurora Club 55512345")


@pytest.fixture
def analyzer() -> Analyzer:
    """Each test's own, since a lead's save below changes the brands it reads posts for."""
    return Analyzer(CLUBBED)


@pytest.fixture
def settings(database_url: str) -> Settings:
    return Settings(database_url=database_url, brands=CLUBBED)


def test_the_incident_rooms_flights_are_not_read_from_booking_references(desk: Desk) -> None:
    """'QX4821' after 'booking ref' is redacted in the room's posts; listing it as flight 'QX 4821' under
    'Affected flights' would show it to the whole team all the same. So is the number after the brand's programme."""
    quiet = [make_post(f"b{i}", "@AuroraAirways flight AU 311 delayed again", author=f"c{i}", minutes=i * 15)
             for i in range(24)]
    for post in quiet:
        desk.clock.set(post.created_at)  # type: ignore[attr-defined]
        desk.ingest.ingest([post])
    burst_at = T0 + timedelta(hours=6)
    burst = [make_post(f"x{i}", BURST, author=f"p{i}", at=burst_at, minutes=i) for i in range(20)]
    for i in range(0, 20, 5):
        desk.clock.set(burst_at + timedelta(minutes=i + 4))  # type: ignore[attr-defined]
        desk.ingest.ingest(burst[i:i + 5])
    with desk.db.session() as s:
        token = create_token(s, "ana", "aurora", Role.AGENT, desk.clock.now())
    with TestClient(create_app(desk)) as client:
        headers = {"Authorization": f"Bearer {token}"}
        [inc] = client.get("/api/v1/incidents", headers=headers).json()
        room = client.get(f"/api/v1/incidents/{inc['id']}", headers=headers)
    assert room.status_code == 200
    flights = [flight for flight, _ in room.json()["flights"]]
    assert "AU 778" in flights and not any("4821" in f for f in flights)
    assert "QX4821" not in room.text and "4821" not in room.text
    assert "55512345" not in room.text and "Aurora Club [loyalty]" in room.text


def test_a_brands_programme_number_is_masked_in_the_queue_and_case_until_revealed(
        desk: Desk, client: TestClient, auth: Headers) -> None:
    text = "@AuroraAirways lost my bag on AU 778, my Aurora Club 55512345 should get the miles back"
    desk.ingest.ingest([make_post("c1", text, author="kim")])
    agent = auth("ana")
    [case] = client.get("/api/v1/cases", headers=agent).json()
    assert "55512345" not in case["snippet"] and "Aurora Club [loyalty]" in case["snippet"]
    [post] = client.get(f"/api/v1/cases/{case['id']}", headers=agent).json()["timeline"]
    assert post["pii"] == ["loyalty"] and post["redacted"] is True
    assert post["text"] == text.replace("55512345", "[loyalty]")
    shown = client.post(f"/api/v1/cases/{case['id']}/reveal", headers=agent).json()
    assert shown == [{"post_id": "c1", "text": text, "earlier": []}]


def test_a_programme_a_lead_adds_is_read_from_the_next_post(desk: Desk, client: TestClient, auth: Headers) -> None:
    lead = auth("lee", "aurora", Role.LEAD)
    text = "@AuroraAirways my Aurora Kids 77712345 card was never credited, bag lost on AU 778"
    desk.ingest.ingest([make_post("k1", text, author="kim")])
    [brand] = [b["config"] for b in client.get("/api/v1/settings/brands", headers=lead).json()
               if b["config"]["key"] == "aurora"]
    assert brand["loyalty_programmes"] == ["Aurora Club"]
    saved = client.put("/api/v1/settings/brands/aurora", headers=lead,
                       json={**brand, "loyalty_programmes": ["Aurora Club", "Aurora Kids"]})
    assert saved.status_code == 200, saved.text
    desk.ingest.ingest([make_post("k2", text.replace("AU 778", "AU 779"), author="kim", minutes=5)])
    [case] = client.get("/api/v1/cases", headers=lead).json()
    timeline = client.get(f"/api/v1/cases/{case['id']}", headers=lead).json()["timeline"]
    assert [p["pii"] for p in timeline if p["kind"] == "post"] == [[], ["loyalty"]]  # stored as read at the time
    assert all("77712345" not in p["text"] for p in timeline)  # shown with today's settings
    refused = client.put("/api/v1/settings/brands/aurora", headers=lead, json={**brand, "loyalty_programmes": ["AA"]})
    assert refused.status_code == 422 and "at least three letters" in refused.text
