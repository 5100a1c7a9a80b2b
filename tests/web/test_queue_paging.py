"""The queue a page at a time: the dashboard's pages of 50 with next/previous links that keep the filters, and the
JSON listing's offset, X-Total-Count and Link headers, on a desk with more cases than a page holds."""

from __future__ import annotations

import re
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from wakeful.api.app import create_app
from wakeful.api.auth import Role, create_user
from wakeful.api.deps import Desk
from wakeful.desk import service
from wakeful.store.models import CaseRow

from tests.desk_fixtures import Headers
from tests.factories import T0, make_post
from tests.signin import login

EN = "@AuroraAirways you lost my bag on flight AU {n}, nobody answers. Still waiting for my suitcase!"
DE = "@AuroraAirways mein Koffer vom Flug AU {n} ist seit Tagen verschwunden und niemand antwortet mir!"
CASES = 130
"""Aurora's cases: two full pages of 50 and a third of 30; half of them in German (two pages of their own)."""
PASSWORD = "paging-password-long-enough"


@pytest.fixture
def queue(desk: Desk) -> list[int]:
    """130 open cases for aurora (each customer waiting a minute longer than the last) and one for Nord Rail; the
    ids of aurora's, in the queue's order."""
    posts = [make_post(f"p{i}", (DE if i % 2 else EN).format(n=1000 + i), author=f"user{i}",
                       at=T0 - timedelta(minutes=i)) for i in range(CASES)]
    posts.append(make_post("n1", "@NordRail Zug ausgefallen, keine Info, ich warte seit zwei Stunden!", author="nina",
                           at=T0 - timedelta(minutes=7)))
    result = desk.ingest.ingest(posts)
    assert result.accepted == len(result.cases) == CASES + 1, result
    with desk.db.session() as s:
        create_user(s, "alice", PASSWORD, "aurora", Role.AGENT, desk.clock.now())
        ranked = service.list_cases(s, {"aurora"}, desk.clock.now(), desk.settings, limit=1000)
    assert len(ranked) == CASES
    return [c.id for c in ranked]


def _browser(desk: Desk) -> TestClient:
    client = TestClient(create_app(desk))
    assert login(client, {"username": "alice", "password": PASSWORD}, follow_redirects=False).status_code == 303
    return client


def _rows(html: str) -> list[int]:
    return [int(i) for i in re.findall(r'<tr data-case-id="(\d+)">', html)]


def _link(html: str, rel: str) -> str | None:
    """The pager's link of this rel, unless it is hidden (no page there)."""
    m = re.search(rf'<a class="button" id="queue-{rel}" rel="{rel}" href="([^"]+)"( hidden)?>', html)
    return m.group(1).replace("&amp;", "&") if m and not m.group(2) else None


def _german(desk: Desk) -> set[int]:
    with desk.db.session() as s:
        return set(s.scalars(select(CaseRow.id).where(CaseRow.brand == "aurora", CaseRow.lang == "de")))


def test_the_queue_shows_50_cases_a_page_and_next_reaches_every_other_in_order(desk: Desk, queue: list[int]) -> None:
    client = _browser(desk)
    html = client.get("/").text
    assert _rows(html) == queue[:50]  # the first page: the top of the queue, not all 130 cases
    assert "Cases 1 to 50 of 130" in html and "Page 1 of 3" in html
    assert re.search(r'id="count-open">130<', html)  # the header counts stay over the whole queue
    assert _link(html, "prev") is None and _link(html, "next") == "/?page=2"
    seen, pages, url = [], [], "/"
    while url:
        html = client.get(url).text
        pages.append(_rows(html))
        seen += pages[-1]
        url = _link(html, "next")
    assert [len(p) for p in pages] == [50, 50, 30]
    assert seen == queue  # every case once, in the queue's order
    assert "Cases 101 to 130 of 130" in html and "Page 3 of 3" in html
    assert _link(html, "prev") == "/?page=2"
    assert 'data-src="/api/v1/cases?offset=100&amp;limit=50"' in html  # the live refresh re-reads this page


def test_next_and_previous_keep_the_filters_and_the_count_is_of_the_matching_cases(
        desk: Desk, queue: list[int]) -> None:
    german = _german(desk)
    assert len(german) > 50, "the language filter needs more than a page of German cases"
    client = _browser(desk)
    first = client.get("/", params={"lang": "de"}).text
    assert _rows(first) == [i for i in queue if i in german][:50]
    assert f"Cases 1 to 50 of {len(german)}" in first
    nxt = _link(first, "next")
    assert nxt is not None and parse_qs(urlsplit(nxt).query) == {"lang": ["de"], "page": ["2"]}
    second = client.get(nxt).text
    assert _rows(second) == [i for i in queue if i in german][50:]
    assert f"Cases 51 to {len(german)} of {len(german)}" in second and _link(second, "next") is None
    assert parse_qs(urlsplit(_link(second, "prev") or "").query) == {"lang": ["de"], "page": ["1"]}
    assert 'data-src="/api/v1/cases?lang=de&amp;offset=50&amp;limit=50"' in second

    for case_id in queue[:3]:  # "mine" and a page size of 2: three pages
        assert client.post(f"/api/v1/cases/{case_id}/assign", json={"assignee": "alice"},
                           headers={"X-CSRF-Token": _csrf(first)}).status_code == 200
    mine = client.get("/", params={"mine": "true", "per_page": 2}).text
    assert _rows(mine) == queue[:2] and "Cases 1 to 2 of 3" in mine
    assert parse_qs(urlsplit(_link(mine, "next") or "").query) == {"mine": ["true"], "per_page": ["2"],
                                                                    "page": ["2"]}
    assert '<input type="hidden" name="per_page" value="2">' in mine  # a new filter keeps the page size


def _csrf(html: str) -> str:
    m = re.search(r'<meta name="csrf-token" content="([^"]+)">', html)
    assert m
    return m.group(1)


def test_a_bad_page_is_refused_and_one_past_the_end_shows_the_last(desk: Desk, queue: list[int]) -> None:
    client = _browser(desk)
    for params in ({"page": "0"}, {"page": "-1"}, {"page": "two"}, {"per_page": "0"}, {"per_page": "201"}):
        r = client.get("/", params=params)
        assert r.status_code == 422, params
        name = next(iter(params))
        assert f"<li>{name}: " in r.text, r.text  # says which parameter, in the page's words
    late = client.get("/", params={"page": "9"})  # the queue shrank since this link was made
    assert late.status_code == 200
    assert _rows(late.text) == queue[100:] and "Page 3 of 3" in late.text
    assert _link(late.text, "prev") == "/?page=2"
    empty = client.get("/", params={"lang": "it", "page": "4"}).text
    assert _rows(empty) == [] and "No active cases match these filters." in empty and "Page 1 of 1" in empty


def test_the_api_lists_a_page_from_an_offset_with_the_total_and_links(
        desk: Desk, queue: list[int], client: TestClient, auth: Headers) -> None:
    agent = auth("ana")
    r = client.get("/api/v1/cases", headers=agent)
    assert [c["id"] for c in r.json()] == queue  # without paging parameters: as before, up to 200
    assert r.headers["X-Total-Count"] == str(CASES) and "Link" not in r.headers
    seen, url, links = [], "/api/v1/cases?lang=&limit=60", []
    while url:
        r = client.get(url, headers=agent)
        assert r.status_code == 200 and r.headers["X-Total-Count"] == str(CASES)
        seen += [c["id"] for c in r.json()]
        links.append(r.headers.get("Link", ""))
        url = next(iter(re.findall(r'<([^>]+)>; rel="next"', links[-1])), "")
    assert seen == queue
    assert links[0] == '</api/v1/cases?lang=&limit=60&offset=60>; rel="next"'
    assert links[-1] == '</api/v1/cases?lang=&limit=60&offset=60>; rel="prev"'  # from offset 120
    german = _german(desk)
    r = client.get("/api/v1/cases", params={"lang": "de", "offset": 50, "limit": 50}, headers=agent)
    assert [c["id"] for c in r.json()] == [i for i in queue if i in german][50:]
    assert r.headers["X-Total-Count"] == str(len(german))
    past = client.get("/api/v1/cases", params={"offset": 500, "limit": 50}, headers=agent)
    assert past.json() == [] and past.headers["X-Total-Count"] == str(CASES)
    assert past.headers["Link"] == '</api/v1/cases?limit=50&offset=80>; rel="prev"'  # the last 50, not 450


@pytest.mark.parametrize("params", [{"offset": -1}, {"limit": 0}, {"limit": 1001}, {"offset": "x"}])
def test_the_api_refuses_a_bad_offset_or_limit_naming_it(
        params: dict[str, object], client: TestClient, auth: Headers) -> None:
    r = client.get("/api/v1/cases", params=params, headers=auth("ana"))
    assert r.status_code == 422
    assert [e["loc"] for e in r.json()["detail"]] == [["query", next(iter(params))]]


def test_the_api_documents_the_page_size_limit_and_headers(client: TestClient, auth: Headers) -> None:
    op = client.get("/openapi.json", headers=auth("ana")).json()["paths"]["/api/v1/cases"]["get"]
    limit = next(p for p in op["parameters"] if p["name"] == "limit")
    assert limit["schema"]["maximum"] == 1000 and "at most 1000" in limit["description"]
    assert {"X-Total-Count", "Link"} <= set(op["responses"]["200"]["headers"])
