"""The `wakeful` command: run the desk, replay files, look at the queue, manage tokens."""

from __future__ import annotations

import secrets
import statistics
import tempfile
import threading
import time
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
import uvicorn
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table
from sqlalchemy.exc import OperationalError

from wakeful.api.app import build_desk, create_app
from wakeful.api.auth import ALL_BRANDS, Role, create_token, create_user, revoke_token
from wakeful.api.deps import Desk
from wakeful.cli_common import check_brand, open_db
from wakeful.core.clock import FixedClock, ScaledClock
from wakeful.core.models import Post
from wakeful.core.settings import ConfigFileMissing, Settings, SettingsInvalid, get_settings
from wakeful.desk import rota as rota_mod
from wakeful.desk.notify import BrandNotifier
from wakeful.desk.rota import RotaKind
from wakeful.desk.service import list_cases
from wakeful.desk.simulation import Team, TeamOutcome, case_demand, run_team
from wakeful.ingest.datasets import DataMissing
from wakeful.ingest.replay import read_numbered_posts, replay, shift_to_end
from wakeful.ingest.service import IngestResult, IngestService
from wakeful.store.db import DatabaseUnusable, SchemaMissing, is_sqlite, migrate, open_existing

app = typer.Typer(help="wakeful: an always-on social-media customer-care desk.", no_args_is_help=True)
token_app = typer.Typer(help="Create and revoke API tokens.", no_args_is_help=True)
db_app = typer.Typer(help="Database schema.", no_args_is_help=True)
app.add_typer(token_app, name="token")
app.add_typer(db_app, name="db")
console = Console()

DEMO_DB = Path("var/demo.db")


class RoleName(StrEnum):
    agent = "agent"
    lead = "lead"
    admin = "admin"


def _desk(settings: Settings) -> Desk:
    migrate(settings.database_url)
    return build_desk(settings)


def _known_brand(desk: Desk, brand: str) -> None:
    """Refuse a brand the desk does not run; its brands are the configuration file's and those saved in Settings."""
    check_brand(brand, desk.settings.brands, all_ok=True)


def _replay_with_progress(desk: Desk, posts: list[Post], speed: float | None, label: str, source: str,
                          numbers: list[int] | None = None) -> IngestResult:
    columns = (TextColumn(label), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
    with Progress(*columns, console=console, transient=False) as bar:
        task = bar.add_task(label, total=len(posts))
        return replay(posts, desk.ingest, speed=speed, progress=lambda n: bar.advance(task, n), numbers=numbers,
                      source=source)


def _print_result(result: IngestResult) -> None:
    console.print(
        f"stored {result.accepted} new posts, {result.duplicates} already known, "
        f"{result.engagement_updates} engagement updates, {result.edits} edited, {len(result.rejected)} rejected, "
        f"{len(result.cases)} cases touched"
    )
    for err in result.rejected[:20]:
        console.print(f"  [red]rejected[/red] {err}")


def _serve_in_background(desk: Desk, host: str, port: int) -> uvicorn.Server:
    server = uvicorn.Server(uvicorn.Config(create_app(desk), host=host, port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, name="wakeful-server", daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            console.print(f"[red]the server could not start on {host}:{port} (is the port in use?)[/red]")
            raise typer.Exit(1)
        time.sleep(0.05)
    return server


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Interface to listen on")] = None,
    port: Annotated[int | None, typer.Option(min=1, max=65535, help="Port to listen on")] = None,
) -> None:
    """Run the desk's server (API, dashboard) on the configured database."""
    settings = get_settings()
    desk = _desk(settings)
    uvicorn.run(create_app(desk), host=host or settings.host, port=port or settings.port)


@app.command()
def demo(
    real: Annotated[bool, typer.Option("--real", help="Replay the real airline tweets from ../shared/data")] = False,
    speed: Annotated[float, typer.Option(min=0, help="Speed-up of the replay (60 = an hour a minute); 0 = at once")
                     ] = 0.0,
    seed: Annotated[int, typer.Option(help="Seed of the built-in scenario")] = 7,
    port: Annotated[int, typer.Option(min=1, max=65535)] = 8000,
    agents: Annotated[int, typer.Option(help="Simulated agents answering during an instant replay; 0 = none")] = 7,
    exit_after: Annotated[bool, typer.Option("--exit", help="Stop after the replay instead of serving")] = False,
) -> None:
    """Start the whole desk on a fresh demo database and replay a day of traffic into it.

    Replayed at once (the default), a simulated 24/7 team of `--agents` answers cases as the day unfolds, so the
    queue shows what a staffed desk would face now; replayed at a speed-up, the cases wait for you.
    """
    from wakeful.ingest import datasets, scenario

    base = get_settings()
    if real:
        posts, brands = datasets.load_airline_tweets(datasets.default_data_dir())
        base = base.model_copy(update={"brands": brands})
    else:
        posts = scenario.generate_scenario(seed=seed)
    if "database_url" not in base.model_fields_set:
        DEMO_DB.parent.mkdir(parents=True, exist_ok=True)
        for suffix in ("", "-wal", "-shm"):
            Path(f"{DEMO_DB}{suffix}").unlink(missing_ok=True)
        base = base.model_copy(update={"database_url": f"sqlite:///{DEMO_DB}"})
    now = datetime.now(UTC).replace(microsecond=0)
    # Move the day so it ends now, or, replayed at a speed-up, starts now on a clock running that much faster,
    # so SLA clocks read as they would have on the day.
    posts = shift_to_end(posts, now + _span(posts) if speed else now)
    migrate(base.database_url)
    desk = build_desk(base, clock=ScaledClock(now, speed) if speed else None)
    password = secrets.token_urlsafe(12)  # a fresh demo database each run, so a fresh password too
    with desk.db.session() as session:
        brand, role = (ALL_BRANDS, Role.ADMIN) if real else (base.brands[0].key, Role.LEAD)
        create_user(session, "lead", password, brand, role, now)
        token = create_token(session, "demo-api", brand, role, now)
    unheard = desk.notifier.unheard(b.key for b in base.brands) if isinstance(desk.notifier, BrandNotifier) else []
    if isinstance(desk.notifier, BrandNotifier):
        desk.notifier.told_unheard(unheard)  # said in one line below, not as a warning per brand mid-replay
    server = _serve_in_background(desk, "127.0.0.1", port)
    url = f"http://127.0.0.1:{port}/"
    console.print(f"[bold]wakeful is running at {url}[/bold]  (API docs: {url}docs)"
                  + (" until the replay ends (--exit)" if exit_after else ""))
    console.print(f"Sign in as [bold green]lead[/bold green] with password [bold green]{password}[/bold green]")
    console.print(f"API token ({role.value}, for scripts): {token}")
    if unheard:
        console.print(f"No notification channel for {', '.join(unheard)}: SLA warnings, on-call pages and risk "
                      "alerts are in each case's history but sent nowhere (set \\[notify]; README, \"Agents, "
                      "routing and SLAs\").")
    if speed or not agents:
        _print_result(_replay_with_progress(desk, posts, speed or None, "replaying", "demo"))
    else:
        # The same agent-hours as a flat 24/7 team, shifted to when cases come in (here: this day's own demand,
        # which a real lead would read from the days before; `wakeful simulate --rota peak` does that).
        shifts = rota_mod.build(RotaKind.peak, agents, case_demand(posts, desk.ingest.analyzer))
        console.print(f"{agents} agents' hours ({agents * 24} agent-hours a day) on a rota that follows the cases; "
                      "agents on duty by UTC hour: " + " ".join(str(n) for n in shifts.on_duty()))
        _print_outcome(_simulate_with_progress(desk, posts, Team(agents=agents, rota=shifts)), agents)
    if exit_after:
        server.should_exit = True
        console.print(f"Replay done; the server has stopped (--exit). The desk is in {base.database_url}: "
                      "`wakeful serve` with WAKEFUL_DATABASE_URL set to it shows it again.")
        return
    console.print(f"Open {url} and sign in as lead with the password above. Ctrl-C stops the desk.")
    try:
        while True:
            time.sleep(1)
    except KeyboardInterrupt:
        server.should_exit = True


def _simulate_with_progress(desk: Desk, posts: list[Post], team: Team, *, drain: bool = False) -> TeamOutcome:
    clock = FixedClock(min(p.observed_at() for p in posts))
    ingestor = IngestService(desk.db, desk.ingest.analyzer, desk.settings, clock, desk.ingest.case_hooks)
    columns = (TextColumn("replaying with a team"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
    with Progress(*columns, console=console) as bar:
        task = bar.add_task("replay", total=len(posts))
        return run_team(posts, ingestor, desk.db, desk.settings, clock, team, drain=drain,
                        progress=lambda n: bar.advance(task, n))


def _print_outcome(outcome: TeamOutcome, agents: int) -> None:
    median, p90, worst = (outcome.first_percentile(q) for q in (0.5, 0.9, 1.0))
    if median is None or p90 is None or worst is None or outcome.attainment is None:
        console.print("the team answered no case")
        return
    console.print(
        f"{agents} agents answered {outcome.answered} times; first response to {len(outcome.first_waits_min)} "
        f"cases: median {median:.1f} min, p90 {p90:.1f} min, longest {worst:.0f} min; longest wait of a "
        f"complaint {outcome.longest_complaint_wait or 0:.0f} min; SLA attained {outcome.attainment:.0%}; "
        f"{outcome.unanswered} cases without a first response when the run ended"
    )
    if outcome.follow_up_waits_min:
        console.print(f"customers who wrote again were answered {len(outcome.follow_up_waits_min)} times, median "
                      f"{statistics.median(outcome.follow_up_waits_min):.1f} min, longest "
                      f"{max(outcome.follow_up_waits_min):.0f} min; {outcome.waiting_at_end} cases waiting for an "
                      "answer at the end")


@app.command()
def simulate(
    agents: Annotated[int, typer.Option(help="Agents: the rota has their hours, agents x 24 a day")] = 7,
    days: Annotated[int, typer.Option(help="Days of the built-in scenario, one seed each")] = 1,
    seed: Annotated[int, typer.Option(help="Seed of the first day")] = 7,
    handle_minutes: Annotated[float, typer.Option(help="Median handling time per case")] = 4.0,
    rota: Annotated[RotaKind, typer.Option(help="flat: all on 24/7; peak: the same hours in 8- and 4-hour "
                                                "shifts following the 3 days before; 9to5: office hours")]
    = RotaKind.flat,
) -> None:
    """Run the desk on simulated days with a simulated team and print first-response times and SLA attainment."""
    from wakeful.ingest import scenario

    posts = [p for d in range(days) for p in scenario.generate_scenario(
        seed=seed + d, start=scenario.DEFAULT_START + timedelta(days=d))]
    with tempfile.TemporaryDirectory() as tmp:
        settings = get_settings().model_copy(update={"database_url": f"sqlite:///{tmp}/simulate.db"})
        desk = _desk(settings)
        demand = [0.0] * 24
        if rota is RotaKind.peak:  # staffed to the three days before, as a lead would plan it, not to today
            history = [p for d in (1, 2, 3) for p in scenario.generate_scenario(
                seed=seed - d, start=scenario.DEFAULT_START - timedelta(days=d))]
            demand = case_demand(history, desk.ingest.analyzer)
        shifts = rota_mod.build(rota, agents, demand)
        console.print(f"rota {rota.value}: {shifts.agent_hours} agent-hours a day in {len(shifts.shifts)} shifts; "
                      "on duty by UTC hour: " + " ".join(str(n) for n in shifts.on_duty()))
        team = Team(agents=agents, handle_median_min=handle_minutes, rota=shifts)
        _print_outcome(_simulate_with_progress(desk, posts, team, drain=True), agents)
        desk.db.dispose()


def _span(posts: list[Post]) -> timedelta:
    times = [p.observed_at() for p in posts]
    return max(times) - min(times) if times else timedelta(0)


@app.command()
def ingest(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="A .jsonl or .csv file of posts")],
    speed: Annotated[float, typer.Option(min=0, help="Speed-up (60 = an hour a minute); 0 = as fast as possible")
                     ] = 0.0,
) -> None:
    """Replay a file of posts into the desk, in timestamp order. Unreadable records are reported and kept (once);
    exits 1 when every record was refused."""
    try:
        numbered, errors, bad = read_numbered_posts(file)
    except ValueError as err:  # a file of a kind it cannot read: say so before touching the database
        raise typer.BadParameter(str(err), param_hint="FILE") from None
    desk = _desk(get_settings())
    result = _replay_with_progress(desk, [post for _, post in numbered], speed or None, file.name, f"file:{file}",
                                   [number for number, _ in numbered])
    desk.ingest.reject(f"file:{file}", errors, bad)
    result.rejected = sorted([*result.rejected, *errors], key=lambda e: e.record)  # in file order
    _print_result(result)
    if result.all_refused:
        raise typer.Exit(1)


@app.command()
def cases(
    brand: Annotated[str | None, typer.Option(help="Only this brand")] = None,
    limit: Annotated[int, typer.Option(min=1, help="How many")] = 20,
) -> None:
    """Print the queue, highest priority first."""
    settings = get_settings()
    db = open_db(brand)
    with db.session() as session:
        rows = list_cases(session, {brand} if brand else None, datetime.now(UTC), settings, limit=limit)
    names = ("id", "priority", "brand", "author", "lang", "waiting", "state", "assignee")
    cells = [(str(c.id), c.priority.name, c.brand, f"@{c.author.handle}", c.lang or "?",
              f"{c.waiting_minutes:.0f} min" if c.waiting_minutes is not None else "-", c.state.value,
              c.assignee or "-") for c in rows]
    # short fields whole, the post cut to what is left of the terminal (rich would squash them all to nothing)
    widths = [max([len(name), *(len(row[i]) for row in cells)]) for i, name in enumerate(names)]
    out = Console()  # measured now, so the table fits the terminal it is printed to
    frame = 3 * (len(names) + 1) + 1  # a space each side of every cell and a rule between
    post = max(12, min(60, out.width - sum(widths) - frame))
    table = Table()
    for name, width in zip(names, widths, strict=True):
        table.add_column(name, no_wrap=True, width=width)
    table.add_column("latest post", no_wrap=True, overflow="ellipsis", width=post)
    for row, c in zip(cells, rows, strict=True):
        table.add_row(*row, c.snippet)
    out.width = max(out.width, sum(widths) + frame + post)  # too narrow even so: lines wrap, nothing vanishes
    out.print(table)


@app.command()
def report(
    brand: Annotated[str | None, typer.Option(help="Only this brand")] = None,
    hours: Annotated[int, typer.Option(min=1, help="Hours of backlog to show, up to the last activity")] = 24,
    digest: Annotated[bool, typer.Option("--digest", help="The morning report's text instead, as the brand's "
                                         "channels get it (report_digest_time)")] = False,
    day: Annotated[str | None, typer.Option(help="With --digest: the day, YYYY-MM-DD (default yesterday)")] = None,
    send: Annotated[bool, typer.Option("--send", help="With --digest: send it through the brand's channels too, "
                                       "unless that day's went out already")] = False,
) -> None:
    """Volume, cases, first response and resolution with SLA attainment, backlog by hour, per agent and team; with
    --digest, the morning report a brand's channels get each day (preview it, or --send it)."""
    if digest:
        cli_reports.print_digest(brand, day, send)
        return
    if day is not None or send:
        raise typer.BadParameter("--day and --send go with --digest", param_hint="'--digest'")
    cli_reports.print_desk_report(brand, hours)


@token_app.command("create")
def token_create(
    name: Annotated[str, typer.Argument(help="Who uses it: an agent's name or an integration's")],
    brand: Annotated[str, typer.Option(help="The brand key it may see; '*' (admins only) for all")],
    role: Annotated[RoleName, typer.Option(help="agent, lead or admin")] = RoleName.agent,
) -> None:
    """Issue a token; it is printed once and only its hash is stored."""
    desk = _desk(get_settings())
    _known_brand(desk, brand)
    try:
        with desk.db.session() as session:
            token = create_token(session, name, brand, Role(role.value), datetime.now(UTC))
    except ValueError as err:  # '*' for an agent or lead: the user's mistake, said in one line
        raise typer.BadParameter(str(err), param_hint="'--brand'") from None
    console.print(token)


@token_app.command("revoke")
def token_revoke(name: Annotated[str, typer.Argument(help="The token's name")]) -> None:
    """Revoke every live token with this name."""
    db = open_existing(get_settings().database_url)
    with db.session() as session:
        count = revoke_token(session, name, datetime.now(UTC))
    console.print(f"revoked {count} token(s)")


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Apply the schema migrations to the configured database."""
    url = get_settings().database_url
    migrate(url)
    console.print(f"database at {'SQLite' if is_sqlite(url) else 'PostgreSQL'} is up to date")


from wakeful import cli_agents, cli_reports, cli_users  # noqa: E402 - feature commands register after the core ones

cli_users.register(app)
cli_reports.register(app)
cli_agents.register(app)

from wakeful.cli_connect import register as _register_connect  # noqa: E402

_register_connect(app)

from wakeful.cli_classify import register as _register_classify  # noqa: E402

_register_classify(app)

from wakeful.cli_eval import register as _register_eval  # noqa: E402

_register_eval(app)

from wakeful.cli_reanalyze import register as _register_reanalyze  # noqa: E402

_register_reanalyze(db_app)

from wakeful.cli_rejected import register as _register_rejected  # noqa: E402

_register_rejected(app)

from wakeful.cli_privacy import register as _register_privacy  # noqa: E402

_register_privacy(app)


def main() -> None:
    """The `wakeful` command: a database with no desk in it, or a missing config file, is an error in one line,
    not a traceback."""
    try:
        app()
    except (SchemaMissing, DatabaseUnusable, ConfigFileMissing, SettingsInvalid, DataMissing) as err:
        console.print(f"[red]error:[/red] {escape(str(err))}")  # '[[brands]]' is text, not markup
        raise SystemExit(2) from None
    except OperationalError as err:  # the server is down, refuses us, or the URL points nowhere
        reason = str(err.orig).strip().splitlines()[0] if err.orig is not None else str(err)
        server = "" if type(err.orig).__module__ == "sqlite3" else ", and that the server is running"
        console.print(f"[red]error:[/red] cannot reach the database: {escape(reason)} (check WAKEFUL_DATABASE_URL"
                      f"{server})")
        raise SystemExit(2) from None
