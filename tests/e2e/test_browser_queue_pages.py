"""The queue a page at a time in Chromium: the live refresh keeps to the page on screen and moves its pager."""

from __future__ import annotations

from datetime import timedelta

from playwright.sync_api import Page

from wakeful.api.deps import Desk

from tests.e2e.test_browser import SHOTS, _sign_in, desk_clock, desk_policy, live, page  # noqa: F401 - fixtures
from tests.factories import make_post

LOST = "@AuroraAirways you lost my bag on flight AU {n}, nobody answers. Still waiting for my suitcase!"


def _ingest(desk: Desk, first: int, count: int, waited_min: int) -> None:
    """`count` customers who wrote `waited_min` minutes ago and later, the first longest."""
    now = desk.clock.now()
    desk.ingest.ingest([make_post(f"p{i}", LOST.format(n=1000 + i), author=f"user{i}",
                                  at=now - timedelta(minutes=waited_min - (i - first))) for i in
                        range(first, first + count)])


def test_the_live_queue_pages_and_each_page_refreshes_itself(
        live: tuple[str, Desk], page: Page) -> None:  # noqa: F811 - the fixtures imported above
    base, desk = live
    pg = page
    _ingest(desk, 0, 50, 120)
    _sign_in(pg, base)
    rows = pg.locator("#queue-rows tr[data-case-id]")
    assert rows.count() == 50 and pg.locator("#queue-range").inner_text() == "Cases 1 to 50 of 50"
    assert pg.locator("#queue-next").is_hidden() and pg.locator("#queue-prev").count() == 0

    _ingest(desk, 50, 5, 30)  # five newer customers: they wait less, so they rank after the first page
    pg.locator("#queue-range", has_text="of 55").wait_for(timeout=7_000)  # pushed, no reload
    assert rows.count() == 50 and pg.locator("#count-open").inner_text() == "55"
    pg.locator("#queue-next").click()  # shown by the refresh
    pg.wait_for_url(f"{base}/?page=2")
    assert rows.count() == 5 and pg.locator("#queue-range").inner_text() == "Cases 51 to 55 of 55"
    assert pg.locator("#queue-page").inner_text() == "Page 2 of 2"
    pg.screenshot(path=str(SHOTS / "queue-page-2.png"), full_page=True)

    _ingest(desk, 55, 3, 10)
    pg.locator("#queue-range", has_text="Cases 51 to 58 of 58").wait_for(timeout=7_000)
    assert rows.count() == 8  # this page's cases, not the first page's
    assert "@user57" in rows.last.inner_text() and pg.locator("#queue-next").is_hidden()
    pg.locator("#queue-prev").click()
    pg.wait_for_url(f"{base}/?page=1")
    assert rows.count() == 50 and "@user0" in rows.first.inner_text()


def test_an_agent_finds_a_customers_case_by_typing_part_of_the_handle(
        live: tuple[str, Desk], page: Page) -> None:  # noqa: F811 - the fixtures imported above
    base, desk = live
    pg = page
    _ingest(desk, 0, 60, 120)
    _sign_in(pg, base)
    box = pg.locator("#filter-customer")
    box.click()
    pg.keyboard.type("@USER42")  # the queue's letter keys (here r) type into the box, they do not act
    assert pg.url == f"{base}/" and box.input_value() == "@USER42"
    box.press("Enter")
    pg.wait_for_url("**&customer=%40USER42")  # with the empty selects: ?lang=&topic=&customer=…
    rows = pg.locator("#queue-rows tr[data-case-id]")
    assert rows.count() == 1 and "@user42" in rows.first.inner_text()
    assert pg.locator("#queue-range").inner_text() == "Cases 1 to 1 of 1" and box.input_value() == "@USER42"
    desk.ingest.ingest([make_post("again", "@AuroraAirways still nothing about flight AU 1042?", author="user42x",
                                  at=desk.clock.now())])
    pg.locator("#queue-range", has_text="of 2").wait_for(timeout=7_000)  # the live refresh keeps the search
    assert rows.count() == 2 and pg.locator("#count-open").inner_text() == "61"
