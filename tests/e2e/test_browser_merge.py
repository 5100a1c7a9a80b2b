"""Merging two cases through the case page, in Chromium: the same customer on X and on Mastodon."""

from __future__ import annotations

from datetime import timedelta

from playwright.sync_api import Page

from wakeful.api.deps import Desk
from wakeful.core.models import Platform
from wakeful.store.models import CaseRow

from tests.e2e.test_browser import SHOTS, _sign_in, desk_clock, desk_policy, live, page  # noqa: F401 - fixtures
from tests.factories import make_post


def test_an_agent_merges_a_customers_two_cases_on_the_case_page_and_undoes_it(
        live: tuple[str, Desk], page: Page) -> None:  # noqa: F811 - the fixtures imported above
    base, desk = live
    now = desk.clock.now()
    desk.ingest.ingest([
        make_post("x1", "@AuroraAirways you lost my bag on AU 2213, nobody answers", author="mira",
                  at=now - timedelta(minutes=20)),
        make_post("m1", "@AuroraAirways still no bag from AU 2213, I wrote on X too", author="mira_m",
                  platform=Platform.MASTODON, at=now - timedelta(minutes=5)),
    ])
    with desk.db.session() as s:
        ids = {c.author.handle: c.id for c in s.query(CaseRow)}
    x, m = ids["mira"], ids["mira_m"]
    pg = page
    _sign_in(pg, base)
    pg.goto(f"{base}/cases/{m}")
    assert pg.locator("input[name=post_ids][value=m1]").count() == 1  # her posts can be picked to split off
    pg.fill("#merge-into", str(x))
    pg.click("form[data-action=merge] button[type=submit]")
    pg.wait_for_url(f"{base}/cases/{x}")  # the merged case opens
    timeline = pg.locator(".timeline")
    timeline.locator("li", has_text=f"merged case #{m} into this case").wait_for(timeout=5_000)
    text = timeline.inner_text()
    assert "@mira posted" in text and "@mira_m posted" in text and "lee merged" in text
    pg.screenshot(path=str(SHOTS / "case-merged.png"), full_page=True)

    pg.click(f"text=case #{m}")  # the merge event links to the case that went in
    pg.wait_for_url(f"{base}/cases/{m}")
    assert "Merged into case #" in pg.locator("#merged-notice").inner_text()
    assert pg.locator("form[data-action=merge]").count() == 0
    pg.click("form[data-action=unmerge] button[type=submit]")
    pg.locator(".timeline li", has_text="unmerged").wait_for(timeout=5_000)
    assert pg.locator("#merged-notice").count() == 0 and "@mira_m posted" in pg.locator(".timeline").inner_text()
    with desk.db.session() as s:
        assert [s.get(CaseRow, i).state for i in (x, m)] == ["new", "new"]  # type: ignore[union-attr]
