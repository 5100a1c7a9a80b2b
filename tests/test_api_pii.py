"""Personal data stays out of what the desk shows beyond a case: the incident room seen by the whole team."""

from __future__ import annotations

from datetime import timedelta

from fastapi.testclient import TestClient

from wakeful.api.app import create_app
from wakeful.api.auth import Role, create_token
from wakeful.api.deps import Desk

from tests.factories import T0, make_post

BURST = ("@AuroraAirways our bags never arrived on AU 778 from Frankfurt, the whole plane has no luggage! "
         "booking ref QX4821")


def test_the_incident_rooms_flights_are_not_read_from_booking_references(desk: Desk) -> None:
    """'QX4821' after 'booking ref' is redacted in the room's posts; listing it as flight 'QX 4821' under
    'Affected flights' would show it to the whole team all the same."""
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
