"""The dashboard pages: sign-in with the token cookie, the queue, a case, scoping by brand, and sign-out."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select

from wakeful.analyze import Analyzer
from wakeful.api.app import build_desk, create_app
from wakeful.api.auth import Role, create_user
from wakeful.api.deps import COOKIE
from wakeful.core.clock import FixedClock
from wakeful.core.models import Author, Engagement, Platform, Post
from wakeful.core.settings import BrandConfig, PriorityPolicy, Settings
from wakeful.store.db import migrate
from wakeful.store.models import CaseRow

from tests.signin import login

NOW = datetime(2025, 3, 4, 12, 0, tzinfo=UTC)

BRANDS = [
    BrandConfig(key="aurora", name="Aurora Airways", handles=["AuroraHelp"], languages=["en", "de"]),
    BrandConfig(key="borealis", name="Borealis Rail", handles=["BorealisRail"]),
]


def _post(pid: str, handle: str, text: str, minutes_ago: int, *, followers: int = 100,
          conversation: str | None = None, engagement: Engagement | None = None) -> Post:
    return Post(
        platform=Platform.DEMO, id=pid, text=text, created_at=NOW - timedelta(minutes=minutes_ago),
        author=Author(id=f"u-{handle}", handle=handle, followers=followers),
        conversation_id=conversation, engagement=engagement, url=f"https://demo.example/{pid}",
    )


FIRST_SEEN = Engagement(observed_at=NOW - timedelta(minutes=15), likes=1, impressions=100)
SEEN_AGAIN = Engagement(observed_at=NOW - timedelta(minutes=5), likes=9, reposts=2, impressions=900)

POSTS = [
    _post("c1", "calm_carla", "@AuroraHelp my bag is still missing after 3 days", 20, followers=120,
          engagement=FIRST_SEEN),
    _post("c2", "calm_carla", "@AuroraHelp Still nothing. Flight AU123, please help", 18, followers=120,
          conversation="c1"),
    _post("a1", "angry_ali", "Aurora Airways cancelled my flight and nobody answers!", 20, followers=50_000),
    _post("q1", "quiet_quinn", "@AuroraHelp Kann ich mein <b>Gepäck</b> online verfolgen?", 5, followers=10),
    _post("b1", "bo_user", "Borealis Rail train late again", 10),
]


PASSWORD = "correct horse battery"


@dataclass
class DeskApp:
    app: FastAPI
    case_of: dict[str, int]


@pytest.fixture
def desk(tmp_path: Path) -> Iterator[DeskApp]:
    url = f"sqlite:///{tmp_path / 'desk.db'}"
    migrate(url)
    levels = PriorityPolicy(reach_mode="levels")  # so ali's 50k followers buy a whole level
    built = build_desk(Settings(database_url=url, brands=BRANDS, priority=levels), clock=FixedClock(NOW),
                       analyzer=Analyzer(BRANDS))  # the shipped analyzer reads the posts, as in production
    built.ingest.ingest(POSTS)
    built.ingest.ingest([POSTS[0].model_copy(update={"engagement": SEEN_AGAIN})])
    with built.db.session() as session:
        create_user(session, "alice", PASSWORD, "aurora", Role.AGENT, NOW)
        rows = session.execute(select(CaseRow.id, CaseRow.conversation_id)).all()
    yield DeskApp(app=create_app(built), case_of={conv: cid for cid, conv in rows if conv})
    built.db.dispose()


@pytest.fixture
def client(desk: DeskApp) -> TestClient:
    return TestClient(desk.app)


ALICE = {"username": "alice", "password": PASSWORD}


def _signed_in(desk: DeskApp) -> TestClient:
    """A browser signed in as alice, sending the page's CSRF token with writes as the page scripts do."""
    client = TestClient(desk.app)
    r = login(client, ALICE, follow_redirects=False)
    assert r.status_code == 303
    m = re.search(r'<meta name="csrf-token" content="([^"]+)">', client.get("/").text)
    assert m, "no CSRF token in the page"
    client.headers["X-CSRF-Token"] = m.group(1)
    return client


def _json_block(html: str, element_id: str) -> object:
    m = re.search(rf'<script type="application/json" id="{element_id}">(.*?)</script>', html, re.S)
    assert m, f"no #{element_id} JSON in the page"
    return json.loads(m.group(1))


def test_pages_redirect_to_login_without_a_valid_cookie(client: TestClient) -> None:
    for path in ("/", "/cases/1"):
        r = client.get(path, follow_redirects=False)
        assert r.status_code == 303
        assert r.headers["location"].startswith("/login")
    assert client.get("/cases/1", follow_redirects=False).headers["location"] == "/login?next=%2Fcases%2F1"
    client.cookies.set(COOKIE, "not-a-session")
    assert client.get("/", follow_redirects=False).status_code == 303


def test_login_page_and_static_files_need_no_cookie(client: TestClient) -> None:
    r = client.get("/login")
    assert r.status_code == 200
    assert '<label for="username">Username</label>' in r.text and 'type="password"' in r.text
    assert "script-src 'self'" in r.headers["content-security-policy"]
    for path in ("/static/app.css", "/static/api.js", "/static/queue.js", "/static/case.js", "/static/charts.js",
                 "/static/vendor/chart.umd.min.js"):
        assert client.get(path).status_code == 200, path


def test_api_docs_are_served_by_the_desk_behind_sign_in(desk: DeskApp, client: TestClient) -> None:
    assert client.get("/docs", follow_redirects=False).headers["location"] == "/login?next=%2Fdocs"
    assert client.get("/openapi.json").status_code == 401
    assert client.get("/redoc", follow_redirects=False).headers["location"] == "/login?next=%2Fredoc"  # as /docs
    browser = _signed_in(desk)
    assert browser.get("/redoc").status_code == 404
    page = browser.get("/docs")
    assert page.status_code == 200 and "script-src 'self'" in page.headers["content-security-policy"]
    assert "cdn" not in page.text.lower()
    for src in re.findall(r'<(?:script src|link rel="stylesheet" href)="([^"]+)"', page.text):
        assert src.startswith("/static/") and browser.get(src).status_code == 200, src
    schema = browser.get("/openapi.json").json()
    assert schema["openapi"].startswith("3.") and "/api/v1/cases" in schema["paths"]
    assert "/openapi.json" not in schema["paths"] and "/docs" not in schema["paths"]


def test_wrong_password_or_unknown_user_rerenders_the_form_with_401(client: TestClient) -> None:
    for data in ({"username": "alice", "password": "wrong password"}, {"username": "bob", "password": PASSWORD}):
        r = login(client, data, follow_redirects=False)
        assert r.status_code == 401
        assert "Unknown user or wrong password" in r.text
        assert 'name="password"' in r.text
        assert "set-cookie" not in r.headers


def test_sign_in_sets_a_strict_httponly_session_cookie(desk: DeskApp, client: TestClient) -> None:
    r = login(client, ALICE, follow_redirects=False)
    assert r.status_code == 303
    assert r.headers["location"] == "/"
    cookie = r.headers["set-cookie"]
    assert cookie.startswith(f"{COOKIE}=") and PASSWORD.split()[0] not in cookie
    assert "HttpOnly" in cookie
    assert "SameSite=strict" in cookie
    assert "Secure" not in cookie
    https = TestClient(desk.app, base_url="https://testserver")
    assert "Secure" in login(https, ALICE, follow_redirects=False).headers["set-cookie"]


def test_login_goes_back_to_the_page_asked_for_but_never_off_site(desk: DeskApp, client: TestClient) -> None:
    r = login(client, {**ALICE, "next": "/cases/1"}, follow_redirects=False)
    assert r.headers["location"] == "/cases/1"
    for target in ("//evil.example/x", "https://evil.example/", "/\\evil.example"):
        r = login(client, {**ALICE, "next": target}, follow_redirects=False)
        assert r.headers["location"] == "/", target


def test_queue_lists_the_brands_cases_in_priority_order(desk: DeskApp) -> None:
    r = _signed_in(desk).get("/")
    assert r.status_code == 200
    html = r.text
    order = [html.index(f"@{h}") for h in ("angry_ali", "calm_carla", "quiet_quinn")]
    assert order == sorted(order)
    assert "@bo_user" not in html  # another brand's case
    assert f'href="/cases/{desk.case_of["a1"]}"' in html
    assert '<span class="badge prio-urgent">urgent</span>' in html
    assert "50,000 followers" in html
    assert "breached by 5 min" in html  # ali: urgent, 15 min target, waiting 20 min
    assert "Gepäck" in html and "&lt;b&gt;Gepäck&lt;/b&gt;" in html  # post text is escaped
    assert re.search(r'id="count-open">3<', html)
    assert re.search(r'id="count-breached">1<', html)
    assert re.search(r'id="count-unassigned">3<', html)


def test_queue_counts_the_cases_waiting_for_an_answer_apart_from_those_waiting_on_their_customer(
        desk: DeskApp) -> None:
    """Most open cases of a staffed desk wait on their customer after a reply; the lead reads first how many wait
    for the desk (the demo's evening: 647 open, 11 of them waiting for an answer)."""
    browser = _signed_in(desk)
    r = browser.post(f"/api/v1/cases/{desk.case_of['a1']}/replies", json={"text": "We are on it, sorry."})
    assert r.status_code == 201, r.text
    html = browser.get("/").text
    assert re.search(r'id="count-waiting">2<', html)
    assert re.search(r'id="count-open">3<', html)
    assert re.search(r'id="count-on-customer">1 waiting on the customer<', html)
    assert browser.get("/api/v1/stats/queue").json() == {"active": 3, "breached": 0, "unassigned": 3, "waiting": 2}


def test_queue_embeds_the_hourly_volume_for_the_chart(desk: DeskApp) -> None:
    html = _signed_in(desk).get("/").text
    volume = _json_block(html, "volume-data")
    assert isinstance(volume, list)
    assert sum(p["posts"] for p in volume) == 4  # aurora's posts only
    readings = Analyzer(BRANDS).analyze_many(POSTS)
    negative = sum(a.sentiment.value == "negative" for a in readings if "aurora" in a.brands)
    assert negative >= 2  # c1 and a1 at least
    assert sum(p["negative"] for p in volume) == negative  # as the stored analysis read them
    assert {"hour", "posts", "negative", "negative_share"} <= set(volume[0])
    assert "/static/vendor/chart.umd.min.js" in html


def test_queue_filters(desk: DeskApp) -> None:
    client = _signed_in(desk)
    de = client.get("/", params={"lang": "de"}).text
    assert "@quiet_quinn" in de and "@calm_carla" not in de
    assert 'data-src="/api/v1/cases?lang=de&amp;offset=0&amp;limit=50"' in de  # the live refresh: this page
    assert 'data-filtered="true"' in de and 'data-filtered="false"' in client.get("/").text  # its empty words
    # Writes go through the JSON API, authenticated by the same cookie.
    r = client.post(f"/api/v1/cases/{desk.case_of['a1']}/assign", json={"assignee": "alice"})
    assert r.status_code == 200
    mine = client.get("/", params={"mine": "true"}).text
    assert "@angry_ali" in mine and "@calm_carla" not in mine
    unassigned = client.get("/", params={"unassigned": "true"}).text
    assert "@angry_ali" not in unassigned and "@calm_carla" in unassigned
    ali = client.get("/", params={"customer": "@Angry"}).text
    assert "@angry_ali" in ali and "@calm_carla" not in ali and "@quiet_quinn" not in ali
    assert 'value="@Angry"' in ali and '<a href="/">Clear</a>' in ali  # the box keeps what was typed
    assert 'data-src="/api/v1/cases?customer=%40Angry&amp;offset=0&amp;limit=50"' in ali  # and the live refresh too
    nobody = client.get("/", params={"customer": "bo_user"}).text  # Borealis's customer: not this brand's
    assert "@bo_user" not in nobody and "No active cases match these filters." in nobody
    assert re.search(r'id="resolved-matches".*None\.', nobody, re.S)
    assert 'id="resolved-matches"' not in de  # no customer search, no such list


def test_a_page_asked_for_with_a_bad_query_says_why_in_a_page_not_json(desk: DeskApp) -> None:
    client = _signed_in(desk)
    for query, why in (({"page": "0"}, "page: Input should be greater than or equal to 1"),
                       ({"customer": "x" * 129}, "customer: String should have at most 128 characters")):
        r = client.get("/", params=query)
        assert r.status_code == 422 and r.headers["content-type"].startswith("text/html"), r.text[:200]
        assert "Cannot show this" in r.text and why in r.text and 'href="/">Back to the queue' in r.text
        assert "Signed in as" in r.text  # the page's own frame, with the navigation
    api = client.get("/api/v1/cases", params={"limit": "0"})  # the API, same cookie: still JSON for programs
    assert api.status_code == 422 and api.json()["detail"][0]["loc"] == ["query", "limit"]
    with TestClient(desk.app) as stranger:  # signed out: the sign-in page first, not what was wrong
        r = stranger.get("/", params={"page": "0"}, follow_redirects=False)
        assert r.status_code == 303 and r.headers["location"].startswith("/login")


def test_a_customer_search_names_their_resolved_cases_too(desk: DeskApp) -> None:
    """The queue lists active cases only; someone whose matter was closed is still found, with a link."""
    client = _signed_in(desk)
    case = desk.case_of["a1"]
    assert client.post(f"/api/v1/cases/{case}/state", json={"state": "resolved"}).status_code == 200
    html = client.get("/", params={"customer": "ALI"}).text
    assert "No active cases match these filters." in html
    listed = html[html.index('id="resolved-matches"'):].split("</section>")[0]
    assert f'<a href="/cases/{case}">#{case}</a> <span class="handle">@angry_ali</span>' in listed
    assert "@calm_carla" not in listed and re.search(r"resolved \d{4}-\d\d-\d\d \d\d:\d\d UTC", listed)


def test_case_page_shows_the_timeline_and_reach_curve(desk: DeskApp) -> None:
    client = _signed_in(desk)
    r = client.get(f"/cases/{desk.case_of['c1']}")
    assert r.status_code == 200
    html = r.text
    assert "@AuroraHelp my bag is still missing after 3 days" in html
    assert "Still nothing. Flight AU123, please help" in html
    assert html.index("my bag is still missing") < html.index("Still nothing")
    assert "complaint" in html and re.search(r"severity [1-3]", html)
    assert '<span class="tag tag-signal">repeat contact</span>' in html  # why "Still nothing" is severity 2
    assert 'href="https://demo.example/c1"' in html
    series = _json_block(html, "engagement-data")
    assert isinstance(series, list) and len(series) == 1
    assert [p["impressions"] for p in series[0]["points"]] == [100, 900]
    client.post(f"/api/v1/cases/{desk.case_of['c1']}/replies", json={"text": "Sorry Carla, we're on it"})
    html = client.get(f"/cases/{desk.case_of['c1']}").text
    assert "Sorry Carla, we&#39;re on it" in html
    assert "Waiting on customer" in html


def test_case_of_another_brand_or_missing_is_404(desk: DeskApp) -> None:
    client = _signed_in(desk)
    for case_id in (desk.case_of["b1"], 999):
        r = client.get(f"/cases/{case_id}")
        assert r.status_code == 404
        assert "Not found" in r.text
        assert "Borealis Rail train late again" not in r.text


def test_logout_clears_the_cookie(desk: DeskApp) -> None:
    client = _signed_in(desk)
    assert client.get("/", follow_redirects=False).status_code == 200
    r = client.post("/logout", follow_redirects=False)
    assert r.status_code == 303
    assert r.headers["location"] == "/login"
    assert f'{COOKIE}=""' in r.headers["set-cookie"] and "Max-Age=0" in r.headers["set-cookie"]
    assert COOKIE not in client.cookies
    assert client.get("/", follow_redirects=False).status_code == 303


def test_logout_ends_the_session_on_the_server(desk: DeskApp) -> None:
    client = _signed_in(desk)
    stolen = client.cookies[COOKIE]
    client.post("/logout")
    thief = TestClient(desk.app, cookies={COOKIE: stolen})
    assert thief.get("/", follow_redirects=False).status_code == 303


def test_sign_out_needs_the_pages_token(desk: DeskApp) -> None:
    """Another site cannot sign a browser out: its form lacks the session's token, and a cross-site POST does not
    carry the SameSite=Strict cookie at all, so nothing is ended or cleared. The page's own form signs out."""
    client = _signed_in(desk)
    token = client.headers.pop("X-CSRF-Token")
    forged = client.post("/logout", data={"csrf_token": "guess"}, follow_redirects=False)
    assert forged.status_code == 403 and "set-cookie" not in forged.headers
    assert client.post("/logout", follow_redirects=False).status_code == 403
    assert client.get("/", follow_redirects=False).status_code == 200  # still signed in
    cross_site = TestClient(desk.app).post("/logout", follow_redirects=False)  # no cookie sent
    assert cross_site.status_code == 303 and "set-cookie" not in cross_site.headers
    page = client.get("/").text
    assert f'<input type="hidden" name="csrf_token" value="{token}">' in page  # the Sign out form's
    signed_out = client.post("/logout", data={"csrf_token": token}, follow_redirects=False)
    assert signed_out.status_code == 303 and "Max-Age=0" in signed_out.headers["set-cookie"]
    assert client.get("/", follow_redirects=False).status_code == 303


def test_writes_with_the_session_cookie_need_the_csrf_header(desk: DeskApp) -> None:
    client = _signed_in(desk)
    url = f"/api/v1/cases/{desk.case_of['a1']}/assign"
    forged = client.post(url, json={"assignee": "alice"}, headers={"X-CSRF-Token": "guess"})
    assert forged.status_code == 403 and "X-CSRF-Token" in forged.json()["detail"]
    del client.headers["X-CSRF-Token"]
    assert client.post(url, json={"assignee": "alice"}).status_code == 403
    assert client.get("/api/v1/cases").status_code == 200  # reads need no CSRF token


def test_reports_page_has_the_charts_data_and_csv_links(desk: DeskApp) -> None:
    client = _signed_in(desk)
    html = client.get("/reports", params={"since": "2025-03-01", "until": "2025-03-04"}).text
    daily = _json_block(html, "daily-data")
    assert isinstance(daily, list) and daily and all("first_response_median_min" in d for d in daily)
    assert isinstance(_json_block(html, "breakdown-data"), dict)
    assert "/api/v1/stats/daily?since=2025-03-01T00%3A00%3A00%2B00%3A00" in html and "format=csv" in html
    fairness = _json_block(html, "fairness-data")
    assert isinstance(fairness, dict)
    assert {g["group"] for g in fairness["by_band"] if g["cases"]} == {"<1k", "10k-100k"}
    assert "Too few answered cases per reach band to compare." in html  # nobody has been answered yet
    assert "/api/v1/stats/fairness?since=" in html
    backlog = _json_block(html, "backlog-data")
    assert isinstance(backlog, list) and backlog and max(p["open"] for p in backlog) >= 1
    assert "/api/v1/reports/backlog?since=" in html
    assert "The desk, its teams and agents" not in html  # per-agent figures are for leads
    empty = client.get("/reports", params={"since": "2030-01-01", "until": "2030-01-02"}).text
    assert "No posts or cases in this range." in empty


def test_case_page_names_the_personal_data_a_post_held_and_hides_it(desk: DeskApp) -> None:
    """A loyalty number and a home address read as such on the tag, and neither appears in the timeline."""
    text = "@AuroraHelp bag still missing. Executive Club number is 12345678, deliver to 221B Baker Street please"
    desk.app.state.desk.ingest.ingest([_post("p1", "pii_pat", text, 3, conversation="p1")])
    with desk.app.state.desk.db.session() as session:
        case_id = session.execute(select(CaseRow.id).where(CaseRow.conversation_id == "p1")).scalar_one()
    html = _signed_in(desk).get(f"/cases/{case_id}").text
    assert '<span class="tag tag-pii">contains loyalty number</span>' in html
    assert '<span class="tag tag-pii">contains postal address</span>' in html
    assert "12345678" not in html and "Baker Street" not in html
    assert "Executive Club number is [loyalty], deliver to [address] please" in html
