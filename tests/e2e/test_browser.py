"""The desk in a real browser: Debian's Chromium driven by Playwright against a live server on loopback."""

from __future__ import annotations

import os
import re
import shutil
import socket
import threading
import time
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
import uvicorn
from sqlalchemy import select

from wakeful.analyze import Analyzer
from wakeful.api.app import build_desk, create_app
from wakeful.api.auth import Role, create_user
from wakeful.api.deps import Desk
from wakeful.core.clock import Clock, FixedClock, ScaledClock, SystemClock
from wakeful.core.settings import PriorityPolicy, Settings
from wakeful.desk.replies import approve_template
from wakeful.ingest import scenario
from wakeful.store.db import migrate
from wakeful.store.models import CaseRow
from wakeful.store.users import WebSessionRow
from wakeful.web.signin import LOGIN_FIELD

from tests.desk_fixtures import BRANDS
from tests.factories import make_post

WIDEST = """[...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > window.innerWidth)
  .slice(0, 5).map(e => e.tagName + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right))"""
"""The elements that stick out past the right edge of the window, for the failure message."""
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
PASSWORD = "e2e-password-long-enough"
SHOTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"
pytest.importorskip("playwright.sync_api")
from playwright.sync_api import Page, sync_playwright  # noqa: E402

if not Path(CHROMIUM).exists():
    if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
        raise RuntimeError(f"Chromium is required in CI for the browser tests (looked for {CHROMIUM})")
    pytest.skip("Chromium is not installed; `make system-deps` installs it", allow_module_level=True)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@pytest.fixture
def desk_clock() -> Clock:
    """The desk's clock; a test overrides this fixture to run the desk on a replay's faster clock."""
    return SystemClock()


@pytest.fixture
def desk_policy() -> PriorityPolicy:
    return PriorityPolicy()


@pytest.fixture
def live(tmp_path: Path, analyzer: Analyzer, desk_clock: Clock, desk_policy: PriorityPolicy
         ) -> Iterator[tuple[str, Desk]]:
    url = f"sqlite:///{tmp_path}/e2e.db"
    migrate(url)
    desk = build_desk(Settings(database_url=url, brands=BRANDS, priority=desk_policy), analyzer=analyzer,
                      clock=desk_clock)
    with desk.db.session() as s:
        create_user(s, "lee", PASSWORD, "aurora", Role.LEAD, desk.clock.now())
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(create_app(desk), host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert server.started, "the server did not start"
    yield f"http://127.0.0.1:{port}", desk
    server.should_exit = True
    thread.join(timeout=10)
    desk.db.dispose()


@pytest.fixture
def page(live: tuple[str, Desk]) -> Iterator[Page]:
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=[
            "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
            "--disable-component-update", "--disable-sync"])
        pg = browser.new_page(viewport={"width": 1280, "height": 800})
        yield pg
        browser.close()


def test_sign_in_see_a_case_arrive_live_open_it_and_reply(live: tuple[str, Desk], page: Page) -> None:
    base, desk = live
    pg = page
    SHOTS.mkdir(parents=True, exist_ok=True)
    pg.goto(f"{base}/cases/1")
    assert "/login" in pg.url
    pg.fill("#username", "lee")
    pg.fill("#password", "not the password")
    pg.click("button[type=submit]")
    assert pg.locator("#login-error").is_visible()
    pg.fill("#password", PASSWORD)
    pg.click("button[type=submit]")
    pg.wait_for_url(f"{base}/cases/1")
    pg.goto(f"{base}/")
    assert pg.locator("#count-open").inner_text() == "0"

    with desk.db.session() as s:
        approve_template(s, "aurora", "lost_luggage", "en", "We are tracing your bag from {flight} now.", "lee",
                         desk.clock.now())
    text = "@AuroraAirways you lost my bag on AU 2213, nobody answers. Still waiting! Mail me: mira@example.com"
    posted_at = desk.clock.now()
    desk.ingest.ingest([make_post("e1", text, author="mira", at=posted_at)])
    row = pg.locator("#queue-rows tr", has_text="@mira")
    row.wait_for(timeout=2_000)  # pushed by server-sent events, no reload
    assert pg.locator("#count-open").inner_text() == "1"
    pg.screenshot(path=str(SHOTS / "queue.png"))
    pg.set_viewport_size({"width": 390, "height": 844})  # a phone: the table folds into cards, nothing scrolls sideways
    pg.screenshot(path=str(SHOTS / "queue-phone.png"), full_page=True)
    assert pg.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), pg.evaluate(WIDEST)
    pg.screenshot(path=str(SHOTS / "queue-phone.png"), full_page=True)
    pg.set_viewport_size({"width": 1280, "height": 800})
    pg.keyboard.press("j")
    assert row.get_attribute("class") and "selected" in (row.get_attribute("class") or "")
    pg.keyboard.press("a")
    row.locator("text=lee").wait_for(timeout=3_000)  # the pushed refresh shows the new assignee

    at = desk.clock.now()  # mira edits her post: the case shows the new text, the old one only on reveal
    edit = desk.ingest.ingest([make_post("e1", text.replace("Still waiting!", "Still waiting, 3 days now!"),
                                         author="mira", at=posted_at, edited_at=at)])
    assert edit.edits == 1, edit
    row.locator("a").first.click()
    pg.wait_for_url(f"{base}/cases/*")
    assert "3 days now" in pg.locator("main").inner_text()
    assert pg.locator(".tag", has_text="edited").count() == 1
    assert "mira@example.com" not in pg.locator("main").inner_text()  # masked until revealed
    # the reach chart is drawn for a post seen once: its forecast and band, from what the post has now
    pg.wait_for_function("() => window.Chart && Chart.getChart(document.getElementById('engagement-chart'))",
                         timeout=3_000)
    span = pg.evaluate("""() => {
        const c = Chart.getChart(document.getElementById('engagement-chart'));
        const xs = c.data.datasets.flatMap(d => d.data.map(p => p.x));
        return [c.scales.x.min - Math.min(...xs), c.scales.x.max - Math.max(...xs)];
    }""")
    assert span == [0, 0]  # the time axis spans the data, not round numbers around it
    pg.click("form[data-action=reveal] button[type=submit]")
    pg.locator("p.event-text", has_text="mira@example.com").first.wait_for(timeout=3_000)
    earlier = pg.locator(".earlier-versions").inner_text()
    assert "Earlier version (1)" in earlier and "Still waiting! Mail me" in earlier, earlier
    sla = pg.locator("dd", has_text="first-response target")
    assert sla.inner_text().startswith("waiting")
    first = pg.locator("#suggestions li").first
    first.locator("button").wait_for(timeout=3_000)
    assert "We are tracing your bag from AU 2213 now." in first.inner_text()
    assert "the brand's line, approved by lee" in first.inner_text()
    pg.locator("#suggestions button[data-suggestion='0']").click()  # a suggested reply, edited and sent
    draft = pg.input_value("#reply-text")
    assert draft and "@mira" in draft
    pg.fill("#reply-text", "So sorry, Mira! " + draft)
    pg.click("form[data-action=replies] button[type=submit]")
    pg.locator("main", has_text="So sorry, Mira!").wait_for(timeout=5_000)
    assert "Waiting on customer" in pg.locator("main").inner_text()
    assert sla.inner_text().startswith("not waiting")  # the first-response clock has stopped
    assert "resolves if quiet" in sla.inner_text()  # and the desk will close it if the customer stays quiet
    pg.screenshot(path=str(SHOTS / "case.png"), full_page=True)
    pg.set_viewport_size({"width": 390, "height": 844})
    pg.screenshot(path=str(SHOTS / "case-phone.png"), full_page=True)
    assert pg.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), pg.evaluate(WIDEST)
    pg.set_viewport_size({"width": 1280, "height": 800})

    pg.click("nav >> text=Reports")
    pg.wait_for_url(f"{base}/reports")
    pg.locator("#daily-volume-chart").wait_for()
    assert "First response and SLA per day" in pg.locator("main").inner_text()
    pg.screenshot(path=str(SHOTS / "reports.png"), full_page=True)
    with pg.expect_download() as download:
        pg.click("text=Daily figures (CSV)")
    header, row = Path(download.value.path()).read_text().strip().splitlines()
    assert header.startswith("day,posts,") and row.split(",")[1] == "1"


class TestDemoIncident:
    """The demo day's Frankfurt baggage crisis, replayed into the desk on a clock that stands 40 minutes into it."""

    @pytest.fixture
    def desk_clock(self) -> Clock:
        return FixedClock(scenario.DEFAULT_START)

    def test_open_the_incident_room_during_the_demo_incident_and_approve_the_statement(
            self, live: tuple[str, Desk], page: Page) -> None:
        base, desk = live
        posts = scenario.generate_scenario(seed=7)
        crisis = min(p.created_at for p in posts if p.raw["scenario"]["role"] == "crisis")
        seen = [p for p in posts if p.observed_at() <= crisis + timedelta(minutes=40)]
        assert isinstance(desk.clock, FixedClock)
        for i in range(0, len(seen), 250):  # the desk reads the day as it arrives, 250 posts at a time
            desk.clock.set(seen[i:i + 250][-1].observed_at())
            desk.ingest.ingest(seen[i:i + 250])
        pg = page
        _sign_in(pg, base)
        banner = pg.locator(".incident-banner", has_text="lost luggage complaints")
        banner.locator("a").click()
        pg.wait_for_url(f"{base}/incidents/*")
        pg.locator("#incident-chart").wait_for()
        room = pg.locator("main").inner_text()
        assert "Frankfurt" in room or "Francfort" in room, room[:500]  # the driving posts, in their languages
        pg.fill("#statement-text", "We know bags from Frankfurt are missing. We are on it and will update you here.")
        pg.click("#statement-form button[type=submit]")
        pg.locator("main", has_text="Approved by lee").wait_for(timeout=5_000)
        before = _waiting_by_lang(desk)
        pg.select_option("#answer-lang", "en")
        pg.click("#answer-form button[type=submit]")
        pg.locator("#answer-status", has_text="Sent to").wait_for(timeout=5_000)
        sent = int(pg.locator("#answer-status").inner_text().split()[2])
        after = _waiting_by_lang(desk)  # the English customers answered, and only they
        assert sent > 0 and after.pop("en", 0) == before.pop("en", 0) + sent and after == before
        pg.screenshot(path=str(SHOTS / "incident.png"), full_page=True)


def _waiting_by_lang(desk: Desk) -> Counter[str | None]:
    with desk.db.session() as s:
        return Counter(s.scalars(select(CaseRow.lang).where(CaseRow.state == "waiting_on_customer")))


def _sign_in(pg: Page, base: str) -> None:
    pg.goto(f"{base}/login")
    pg.fill("#username", "lee")
    pg.fill("#password", PASSWORD)
    pg.click("button[type=submit]")
    pg.wait_for_url(f"{base}/")


def test_api_docs_render_offline_under_the_pages_security_policy(live: tuple[str, Desk], page: Page) -> None:
    base, _desk = live
    pg = page
    refused: list[str] = []
    pg.on("console", lambda msg: refused.append(msg.text) if "Content Security Policy" in msg.text else None)
    pg.on("request", lambda req: refused.append(req.url) if not req.url.startswith(base) else None)
    _sign_in(pg, base)
    pg.click("nav >> text=API docs")
    pg.wait_for_url(f"{base}/docs")
    pg.locator(".opblock-summary-path", has_text="/api/v1/cases").first.wait_for(timeout=10_000)
    assert refused == [], refused
    pg.screenshot(path=str(SHOTS / "docs.png"))
    # "Try it out" on a read runs as the signed-in user: the session cookie goes with Swagger's request
    op = pg.locator(".opblock-get").filter(has=pg.locator(".opblock-summary-path", has_text="/api/v1/agents")).first
    op.locator(".opblock-summary").click()
    op.locator("button.try-out__btn").click()
    op.locator("button.execute").click()
    op.locator(".live-responses-table .response-col_status", has_text="200").wait_for(timeout=10_000)


class TestCountdown:
    """The SLA badge counts down every second at the desk clock's pace, amber then red, without a refresh."""

    SPEED = 1200.0  # 20 desk minutes per second: a 60-minute target turns amber after about 2 s

    @pytest.fixture
    def desk_clock(self) -> Clock:
        return ScaledClock(datetime.now(UTC), self.SPEED)

    @pytest.fixture
    def desk_policy(self) -> PriorityPolicy:
        return PriorityPolicy(wait_max_levels=0)  # waiting must not raise the level (and shrink the target) here

    def test_the_sla_badge_ticks_turns_amber_then_red(self, live: tuple[str, Desk], page: Page) -> None:
        base, desk = live
        pg = page
        _sign_in(pg, base)
        desk.ingest.ingest([make_post("t1", "@AuroraAirways my flight AU 12 is cancelled and nobody helps",
                                      author="tom", at=desk.clock.now())])
        badge = pg.locator("#queue-rows tr", has_text="@tom").locator(".sla")
        badge.wait_for(timeout=7_000)  # the change stream shows it at once; the 5 s refresh if a loaded CI drops it
        target = float(badge.get_attribute("data-target") or "nan")
        first = badge.locator(".sla-left").inner_text()
        pg.wait_for_function(
            "([el, text]) => el.querySelector('.sla-left').textContent !== text",
            arg=[badge.element_handle(), first], timeout=1_500)
        pg.locator("#queue-rows .sla-warn").wait_for(timeout=target * 60 / self.SPEED * 1000 + 1_000)
        pg.locator("#queue-rows .sla-breached").wait_for(timeout=target * 60 / self.SPEED * 1000 + 1_000)
        assert badge.locator(".sla-left").inner_text().startswith("breached by")


SAVED_S = 20_000  # ms for a settings save and the page's reload to show it


def test_a_lead_changes_keywords_fairness_sla_and_rota_on_the_settings_page(
        live: tuple[str, Desk], page: Page) -> None:
    base, desk = live
    pg = page
    # each save reloads the page; with CI and make test running side by side on 2 cores, 5 s ran out once
    _sign_in(pg, base)
    pg.click("nav >> text=Settings")
    pg.wait_for_url(f"{base}/settings")
    pg.fill("#keywords-aurora", "#flyaurora, #auroradelay")
    pg.select_option("#mode-aurora", "none")
    pg.fill("#topics-aurora", "miles_programme: Aurora Miles, Meilenkonto\nlounge: lounge")
    assert "British_Airways" in pg.input_value("#peers-aurora")  # the shipped airline peers, shown to be kept
    pg.fill("#peers-aurora", "British_Airways, @Delta")
    assert pg.input_value("#quiet-aurora") == ""
    assert pg.get_attribute("#quiet-aurora", "placeholder") == "48 (the desk's)"
    pg.fill("#quiet-aurora", "24")
    pg.click("form[data-kind=brand] button[type=submit]")
    pg.locator("#version-aurora", has_text="Version 1, saved by lee").wait_for(timeout=SAVED_S)
    assert pg.input_value("#keywords-aurora") == "#flyaurora, #auroradelay"
    assert desk.settings.priority_for("aurora").reach_max_levels == 0
    assert desk.settings.brand("aurora").topics == {  # type: ignore[union-attr]
        "miles_programme": ["Aurora Miles", "Meilenkonto"], "lounge": ["lounge"]}
    assert "miles_programme: Aurora Miles, Meilenkonto" in pg.input_value("#topics-aurora")
    assert desk.settings.brand("aurora").reply_peers == ["British_Airways", "Delta"]  # type: ignore[union-attr]
    assert desk.settings.quiet_hours_for("aurora") == 24 and pg.input_value("#quiet-aurora") == "24"
    assert desk.ingest.ingest([make_post("kw1", "#auroradelay you lost my bag and nobody answers, still waiting",
                                         author="kim", at=desk.clock.now())]).cases

    pg.fill("#fr-aurora-3", "10")
    pg.click("button[form=sla-aurora-3]")
    pg.locator("table.sla-policies tr", has_text="urgent").locator("text=(default)").wait_for(
        state="detached", timeout=SAVED_S)
    assert pg.input_value("#fr-aurora-3") == "10"

    pg.fill("#an-aurora", "sam")
    pg.fill("#al-aurora", "en, de")
    pg.fill("#ash-aurora", "mon-sun 00:00-00:00")
    pg.click("form[data-kind=agent] button[type=submit]")
    row = pg.locator("table.rota tr", has_text="sam")
    row.wait_for(timeout=SAVED_S)
    assert "en, de" in row.inner_text() and "on shift" in row.inner_text()
    assert "Mon-Sun all day" in row.inner_text()

    pg.fill("#an-aurora", "pat")
    pg.fill("#ash-aurora", "someday 9-5")
    pg.click("form[data-kind=agent] button[type=submit]")
    pg.locator("#settings-status", has_text="Not saved").wait_for(timeout=SAVED_S)
    assert "expected e.g. 'mon-fri 09:00-17:00'" in pg.locator("#settings-status").inner_text()
    pg.screenshot(path=str(SHOTS / "settings.png"), full_page=True)


def test_another_site_cannot_sign_the_browser_into_its_own_account(live: tuple[str, Desk], page: Page) -> None:
    """Login CSRF in a real browser: a page on another site posts the attacker's credentials, and the form token of
    a sign-in page the attacker fetched, to /login. The browser stays signed out; its own sign-in still works."""
    base, desk = live
    pg = page
    with desk.db.session() as s:
        create_user(s, "mallory", PASSWORD, "aurora", Role.AGENT, desk.clock.now())
    form = httpx.get(f"{base}/login").text  # the attacker's own sign-in page (and login cookie, kept by httpx)
    token = re.findall(rf'name="{LOGIN_FIELD}" value="([^"]+)"', form)[0]
    pg.goto(f"{base}/login")  # the victim has the sign-in page open: their browser holds a login cookie of its own
    evil = (f'<form method="post" action="{base}/login"><input name="username" value="mallory">'
            f'<input name="password" value="{PASSWORD}"><input name="{LOGIN_FIELD}" value="{token}"></form>'
            "<script>document.forms[0].submit()</script>")
    pg.route("http://attacker.example/**", lambda route: route.fulfill(content_type="text/html", body=evil))
    pg.goto("http://attacker.example/win")
    error = pg.locator("#login-error").inner_text(timeout=10_000)  # refused, not let on to the queue
    assert pg.url == f"{base}/login" and error.startswith("This sign-in form has expired"), (pg.url, error)
    with desk.db.session() as s:
        assert s.scalars(select(WebSessionRow)).all() == []
    pg.goto(f"{base}/")
    assert "/login" in pg.url  # not signed in as mallory
    _sign_in(pg, base)
