"""`wakeful demo` and `wakeful simulate`: the whole desk on a replayed day, with a simulated team answering, and
the team's first-response times and SLA attainment on simulated days."""

from __future__ import annotations

import secrets
import statistics
import tempfile
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Annotated

import typer
import uvicorn

from wakeful.api.app import build_desk, create_app
from wakeful.api.auth import ALL_BRANDS, Role, create_token, create_user
from wakeful.api.deps import Desk
from wakeful.cli_common import console, open_desk, print_result, progress_bar, replay_with_progress
from wakeful.core.clock import FixedClock, FollowClock, ScaledClock, SystemClock
from wakeful.core.models import Post
from wakeful.core.settings import get_settings
from wakeful.desk import rota as rota_mod
from wakeful.desk.notify import BrandNotifier
from wakeful.desk.rota import RotaKind
from wakeful.desk.simulation import Team, TeamOutcome, case_demand, register_team, run_team
from wakeful.ingest.replay import shift_to_end
from wakeful.ingest.service import IngestService
from wakeful.store.db import migrate

DEMO_DB = Path("var/demo.db")


def serve_in_background(desk: Desk, host: str, port: int) -> uvicorn.Server:
    """The desk's server in a thread, started (or the command stops: the port is taken), so the replay can go on."""
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
    instant_team = not speed and agents > 0
    desk = build_desk(base, clock=ScaledClock(now, speed) if speed else FollowClock(SystemClock()))
    password = secrets.token_urlsafe(12)  # a fresh demo database each run, so a fresh password too
    with desk.db.session() as session:
        brand, role = (ALL_BRANDS, Role.ADMIN) if real else (base.brands[0].key, Role.LEAD)
        create_user(session, "lead", password, brand, role, now)
        token = create_token(session, "demo-api", brand, role, now)
    unheard = desk.notifier.unheard(b.key for b in base.brands) if isinstance(desk.notifier, BrandNotifier) else []
    if isinstance(desk.notifier, BrandNotifier):
        desk.notifier.told_unheard(unheard)  # said in one line below, not as a warning per brand mid-replay
    server = serve_in_background(desk, "127.0.0.1", port)
    url = f"http://127.0.0.1:{port}/"
    console.print(f"[bold]wakeful is running at {url}[/bold]  (API docs: {url}docs)"
                  + (" until the replay ends (--exit)" if exit_after else ""))
    console.print(f"Sign in as [bold green]lead[/bold green] with password [bold green]{password}[/bold green]")
    console.print(f"API token ({role.value}, for scripts): {token}")
    if unheard:
        console.print(f"No notification channel for {', '.join(unheard)}: SLA warnings, on-call pages and risk "
                      "alerts are in each case's history but sent nowhere (set \\[notify]; README, \"Agents, "
                      "routing and SLAs\").")
    if not instant_team:
        print_result(replay_with_progress(desk, posts, speed or None, "replaying", "demo"))
    else:
        # The same agent-hours as a flat 24/7 team, shifted to when cases come in (here: this day's own demand,
        # which a real lead would read from the days before; `wakeful simulate --rota peak` does that).
        shifts = rota_mod.build(RotaKind.peak, agents, case_demand(posts, desk.ingest.analyzer))
        console.print(f"{agents} agents' hours ({agents * 24} agent-hours a day) on a rota that follows the cases; "
                      "agents on duty by UTC hour: " + " ".join(str(n) for n in shifts.on_duty()))
        _print_outcome(_simulate_with_progress(desk, posts, Team(agents=agents, rota=shifts)), agents)
        with desk.db.session() as session:  # the team stays on: settings show its rota, re-routing knows it
            for config in desk.settings.brands:
                register_team(session, config.key, shifts, config.languages, desk.clock.now())
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
    """Replay `posts` with a simulated `team`; a desk whose clock is a `FollowClock` reads the replay's time until
    the replay ends, then the wall clock."""
    clock = FixedClock(min(p.observed_at() for p in posts))
    if isinstance(desk.clock, FollowClock):
        desk.clock.follow(clock)
    ingestor = IngestService(desk.db, desk.ingest.analyzer, desk.settings, clock, desk.ingest.case_hooks)
    with progress_bar("replaying with a team", len(posts)) as advance:
        try:
            return run_team(posts, ingestor, desk.db, desk.settings, clock, team, drain=drain, progress=advance)
        finally:
            if isinstance(desk.clock, FollowClock):
                desk.clock.follow(SystemClock())


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
        desk = open_desk(settings)
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


def register(app: typer.Typer) -> None:
    app.command()(demo)
    app.command()(simulate)
