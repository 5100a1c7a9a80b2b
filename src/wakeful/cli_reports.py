"""`wakeful report` (the morning report), `wakeful fairness` and `wakeful report-twcs`: the reports a lead reads,
that check the desk treats customers alike and compare it with real care teams' response times."""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta, tzinfo
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table
from sqlalchemy import func, select, true

from wakeful.analyze import Analyzer
from wakeful.api.settings import load_at_start
from wakeful.cli_common import open_db
from wakeful.core.clock import Clock, FixedClock, SystemClock, as_utc
from wakeful.core.models import Post
from wakeful.core.settings import Settings, get_settings
from wakeful.desk.agent_report import PersonStats, agent_report, desk_figures
from wakeful.desk.digest import build_digest, minutes_text, send_digest, sent, share_text
from wakeful.desk.fairness import MIN_ANSWERED_FOR_GAP, TWO_TIER_RATIO, FairnessReport, GroupStats, fairness_report
from wakeful.desk.metrics import BrandResponse, brands_for_handles, care_handles, first_response_by_brand
from wakeful.desk.notify import BrandNotifier
from wakeful.desk.reports import BacklogPoint, backlog_by_hour, summary
from wakeful.ingest.datasets import load_twcs
from wakeful.ingest.service import IngestService
from wakeful.store.db import Database, migrate
from wakeful.store.models import CaseRow

console = Console()
BATCH = 500
clock: Clock = SystemClock()
"""What `wakeful report --digest` takes for now (tests set a FixedClock)."""


def _group_table(title: str, groups: list[GroupStats]) -> Table:
    table = Table("group", "cases", "answered", "first response median", "p90", "resolved", title=title)
    for g in groups:
        table.add_row(g.group, str(g.cases), str(g.answered), minutes_text(g.first_response_median_min),
                      minutes_text(g.first_response_p90_min), share_text(g.resolution_rate))
    return table


def print_fairness(report: FairnessReport, out: Console = console) -> None:
    """The two tables and the gaps, worded so a lead sees at once whether reach buys speed."""
    out.print(_group_table("by reach band (followers)", report.by_band))
    out.print(_group_table("by language", report.by_lang))
    for name, value, chance in (("reach bands", report.band_gap, report.band_gap_chance),
                                ("languages", report.lang_gap, report.lang_gap_chance)):
        if value is None:
            out.print(f"gap between {name}: too few answered cases to compare")
            continue
        limit = f"{TWO_TIER_RATIO}x"
        verdict = f"[green]within {limit}[/green]" if value <= TWO_TIER_RATIO else \
            f"[red]over {limit}: a two-tier service[/red]"
        out.print(f"gap between {name} (slowest median / fastest): {value:.2f}x {verdict}")
        if chance is not None:
            out.print(f"  the same waits dealt to the groups at random give a gap this large {chance:.1%} of the time"
                      + (": with so few cases in a group this may be chance" if chance >= 0.05 else ""))


def print_brand_table(rows: list[BrandResponse], out: Console = console) -> None:
    table = Table("brand", "cases", "answered", "first response median", "p90", "over 6 h")
    for r in rows:
        table.add_row(r.brand, str(r.cases), str(r.answered), minutes_text(r.first_response_median_min),
                      minutes_text(r.first_response_p90_min), share_text(r.over_6h_share))
    out.print(table)


def print_people(people: list[PersonStats], teams: list[PersonStats], out: Console = console) -> None:
    """Per agent and per team: cases, first response and resolution, SLA attainment."""
    for title, rows in (("per agent", people), ("per team", teams)):
        if not rows:
            out.print(f"{title}: no assigned cases")
            continue
        table = Table("brand", "name", "cases", "active", "answered", "first response median", "p90", "resolved",
                      "resolution median", "SLA met", title=title)
        for r in rows:
            table.add_row(r.brand, r.name, str(r.cases), str(r.active), str(r.answered),
                          minutes_text(r.first_response_median_min), minutes_text(r.first_response_p90_min),
                          resolved_text(r), minutes_text(r.resolution_median_min), share_text(r.sla_met_share))
        out.print(table)


def resolved_text(r: PersonStats) -> str:
    """'12', or '12 (3 quiet)' when the desk resolved some of them after their customer went quiet."""
    return f"{r.resolved} ({r.resolved_quiet} quiet)" if r.resolved_quiet else str(r.resolved)


def print_backlog(points: list[BacklogPoint], out: Console = console, zone: tzinfo = UTC) -> None:
    """One row per hour: the backlog at the top of the hour and the flow through it, with a bar for the backlog;
    hours shown in the desk's report zone."""
    table = Table(f"hour ({zone})", "open", "unanswered", "opened", "answered", "resolved", "", title="backlog by hour")
    scale = max((p.open for p in points), default=0) or 1
    for p in points:
        table.add_row(p.hour.astimezone(zone).strftime("%Y-%m-%d %H:%M"), str(p.open), str(p.unanswered), str(p.opened),
                      str(p.answered), str(p.resolved), "#" * round(30 * p.open / scale))
    out.print(table)


def print_desk_report(brand: str | None, hours: int, out: Console = console) -> None:
    """`wakeful report`: volume and cases, first response and resolution with SLA attainment, the backlog by hour
    over the last `hours` of activity, and the figures per agent and team."""
    settings = get_settings()
    db = open_db(brand)
    brands = {brand} if brand else None
    with db.session() as session:
        s = summary(session, brands)
        overall = desk_figures(session, brands, settings)
        people, teams = agent_report(session, brands, settings)
        last = session.scalar(select(func.max(CaseRow.updated_at)).where(
            CaseRow.brand.in_(list(brands)) if brands else true()))
        until = min(datetime.now(UTC), as_utc(last) + timedelta(hours=1)) if last else datetime.now(UTC)
        points = backlog_by_hour(session, brands, until - timedelta(hours=hours), until)
    db.dispose()
    out.print(f"posts: {s.posts}  negative: {s.negative_share:.0%}  complaints: {s.complaints}")
    out.print("cases by state: " + ", ".join(f"{k} {v}" for k, v in sorted(s.cases_by_state.items())))
    out.print("cases by language: " + ", ".join(f"{k} {v}" for k, v in sorted(s.cases_by_lang.items())))
    if overall.answered:
        out.print(f"first response: median {minutes_text(overall.first_response_median_min)}, p90 "
                  f"{minutes_text(overall.first_response_p90_min)} over {overall.answered} answered cases; "
                  f"SLA met {share_text(overall.sla_met_share)}")
    else:
        out.print("first response: no case answered yet")
    if overall.resolved > overall.resolved_quiet:
        people_resolved = overall.resolved - overall.resolved_quiet
        quiet = f" (and {overall.resolved_quiet} by the desk as quiet)" if overall.resolved_quiet else ""
        out.print(f"resolution: median {minutes_text(overall.resolution_median_min)} over {people_resolved} cases "
                  f"resolved by people{quiet}")
    elif overall.resolved:
        out.print(f"resolution: {overall.resolved} cases, all resolved by the desk as quiet")
    print_backlog(points, out, settings.report_zone)
    print_people(people, teams, out)


def _day(day: str | None, today: date, send: bool) -> date:
    """The day `--day` names (default yesterday); a day still running is previewed but never sent."""
    try:
        wanted = date.fromisoformat(day) if day else today - timedelta(days=1)
    except ValueError:
        raise typer.BadParameter(f"{day!r} is not a date: give YYYY-MM-DD", param_hint="'--day'") from None
    if wanted > today or (send and wanted == today):
        raise typer.BadParameter(f"{wanted} has not ended yet in the desk's zone: only a finished day's report "
                                 "is sent" if send else f"{wanted} is after today", param_hint="'--day'")
    return wanted


def _send_digest(db: Database, settings: Settings, notifier: BrandNotifier, brand: str, day: date,
                 now: datetime) -> bool:
    """Send one brand's report as the scheduled job would (once: not again if it went out already) and say how
    each channel took it; True when it did not reach every channel."""
    if not notifier.reaches(brand):
        typer.echo(f"not sent: {brand} has no notification channel (set [notify] or [notify.brands.{brand}])")
        return True
    if not send_digest(db, settings, notifier, brand, day, now):
        typer.echo(f"not sent again: {brand}'s report for {day} was sent already")
    notifier.drain()
    with db.session() as session:
        rows = sent(session, brand, day, settings.report_zone)
    for row in rows:
        typer.echo(f"{row.channel}: {row.status} at {as_utc(row.finished_at or row.created_at):%Y-%m-%d %H:%M} UTC"
                   + (f" ({row.last_error})" if row.last_error else ""))
    return any(row.status != "delivered" for row in rows)


def print_digest(brand: str | None, day: str | None, send: bool) -> None:
    """`wakeful report --digest`: the morning report's text for each brand (or one) for `day` (default yesterday in
    the desk's zone), as the scheduled job sends it, so a lead can preview it; with `send`, sent through the
    brand's channels. Exits 1 when a report to be sent did not reach every channel."""
    db = open_db(brand)
    notifier: BrandNotifier | None = None
    failed = False
    try:
        settings = load_at_start(get_settings(), db)
        now = clock.now()
        today = now.astimezone(settings.report_zone).date()
        wanted = _day(day, today, send)
        notifier = BrandNotifier(db, settings.notify, clock) if send else None
        for key in [brand] if brand else [b.key for b in settings.brands]:
            with db.session() as session:
                typer.echo(build_digest(session, settings, key, wanted, now).text)
            if wanted == today:
                typer.echo(f"(today so far, in {settings.report_timezone})")
            if notifier is not None:
                failed = _send_digest(db, settings, notifier, key, wanted, now) or failed
            typer.echo("")
    finally:
        if notifier is not None:
            notifier.close()
        db.dispose()
    if failed:
        raise typer.Exit(1)


def replay_twcs(database_url: str, data_dir: Path | None = None, *, handles: list[str] | None = None,
                progress: Callable[[int], None] | None = None) -> Settings:
    """Replay the TWCS sample into a fresh database with a brand per care account (all, or only `handles` and
    their customers' threads); the clock follows the posts so cases age as they did. Returns the settings used."""
    posts = load_twcs(data_dir)
    if handles is not None:
        wanted = {h.casefold() for h in handles}
        threads = {p.conversation_id for p in posts if p.author.handle.casefold() in wanted}
        posts = [p for p in posts if p.conversation_id in threads]
    brands = brands_for_handles(handles if handles is not None else care_handles(posts))
    settings = get_settings().model_copy(update={"database_url": database_url, "brands": brands})
    migrate(database_url)
    db = Database(database_url)
    if not posts:
        raise ValueError(f"no TWCS threads for {handles}")
    clock = FixedClock(posts[0].observed_at())
    analyzer = Analyzer(brands, encoder=settings.sentiment_encoder)
    ingest = IngestService(db, analyzer, settings, clock)
    try:
        for start in range(0, len(posts), BATCH):
            batch: list[Post] = posts[start:start + BATCH]
            clock.set(batch[-1].observed_at())
            ingest.ingest(batch)
            if progress:
                progress(len(batch))
    finally:
        db.dispose()
    return settings


def register(app: typer.Typer) -> None:
    """Add this module's commands to the `wakeful` app."""

    @app.command()
    def fairness(
        brand: Annotated[str | None, typer.Option(help="Only this brand")] = None,
        min_answered: Annotated[int, typer.Option(help="Answered cases a group needs to count in the gap")] =
            MIN_ANSWERED_FOR_GAP,
    ) -> None:
        """First response and resolution by reach band and language, and the gap between them."""
        db = open_db(brand)
        with db.session() as session:
            report = fairness_report(session, {brand} if brand else None, min_answered=min_answered)
        db.dispose()
        print_fairness(report)

    @app.command("report-twcs")
    def report_twcs(
        data_dir: Annotated[Path | None, typer.Option(help="Data folder (default $WAKEFUL_DATA_DIR or "
                                                              "../shared/data)")] = None,
        handle: Annotated[list[str] | None, typer.Option(help="Only these care accounts' threads, e.g. "
                                                         "British_Airways (repeatable; default all)")] = None,
    ) -> None:
        """Replay the real Customer Support on Twitter threads into a temporary database and print each brand's
        first-response times, as the desk records them (threads become cases, brand replies agent replies)."""
        with tempfile.TemporaryDirectory() as tmp:
            url = f"sqlite:///{tmp}/twcs.db"
            with console.status("replaying TWCS threads"):
                replay_twcs(url, data_dir, handles=handle or None)
            db = Database(url)
            with db.session() as session:
                rows = first_response_by_brand(session, None, overall=True)
                report = fairness_report(session, None)
            db.dispose()
        print_brand_table(rows)
        print_fairness(report)
