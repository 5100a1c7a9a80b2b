"""The reports page reads the cases once for all its sections; each section must equal what its own query (the
API's and the CLI's) gives, also for cases that only one section counts (opened before the range but still in the
backlog's hours, or opened after the range)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from wakeful.api.app import build_desk
from wakeful.core.clock import FixedClock
from wakeful.core.settings import Settings
from wakeful.desk.agent_report import agent_report, desk_figures
from wakeful.desk.daily import breakdown, daily_report
from wakeful.desk.fairness import fairness_report
from wakeful.desk.report_page import page_figures
from wakeful.desk.reports import backlog_by_hour
from wakeful.desk.simulation import Team, run_team
from wakeful.ingest import scenario
from wakeful.ingest.service import IngestService
from wakeful.store.db import migrate


def test_one_read_gives_each_section_what_its_own_query_gives(tmp_path: Path) -> None:
    start = scenario.DEFAULT_START
    posts = [p for p in scenario.generate_scenario(seed=7, start=start)
             if timedelta(hours=7) <= p.observed_at() - start < timedelta(hours=10)]
    settings = Settings(database_url=f"sqlite:///{tmp_path}/page.db")
    migrate(settings.database_url)
    desk = build_desk(settings)
    clock = FixedClock(min(p.observed_at() for p in posts))
    run_team(posts, IngestService(desk.db, desk.ingest.analyzer, settings, clock), desk.db, settings, clock,
             Team(agents=4))
    since, until = start + timedelta(hours=8), start + timedelta(hours=9)  # cases from 07:00 and up to 10:00 too
    hours_from, hours_to = start + timedelta(hours=7, minutes=30), start + timedelta(hours=9, minutes=30)
    with desk.db.session() as s:
        page = page_figures(s, None, settings, since, until, hours_from, hours_to, team=True)
        assert page.daily == daily_report(s, None, since, until, settings)
        assert page.breakdown == breakdown(s, None, since, until)
        assert page.fairness == fairness_report(s, None, since, until)
        assert page.backlog == backlog_by_hour(s, None, hours_from, hours_to)
        assert page.team is not None
        assert (page.team.agents, page.team.teams) == agent_report(s, None, settings, since, until)
        assert page.team.overall == desk_figures(s, None, settings, since, until)
        assert page_figures(s, None, settings, since, until, hours_from, hours_to, team=False).team is None
        answered = sum(g.answered for g in page.fairness.by_band)
        assert page.daily[0].cases_opened > answered > 0 and page.team.agents, "the day must have some of each"
        assert any(p.open for p in page.backlog)
        # the team figures cover the page's range, as the daily table does (they once ran on past its end)
        assert page.team.overall.cases == sum(d.cases_opened for d in page.daily)
        assert desk_figures(s, None, settings, since).cases > page.team.overall.cases
    desk.db.dispose()
