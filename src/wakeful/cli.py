"""The `wakeful` command: run the desk, replay files, look at the queue, manage tokens; the feature commands
(demo and simulate, reports, agents, users, connectors, classify, eval, privacy) register from their own modules."""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
import uvicorn
from rich.console import Console
from rich.markup import escape
from rich.table import Table
from sqlalchemy.exc import OperationalError

from wakeful.api.app import create_app
from wakeful.api.auth import Role, create_token, revoke_token
from wakeful.api.deps import Desk
from wakeful.cli_common import check_brand, console, open_db, open_desk, print_result, replay_with_progress
from wakeful.core.settings import ConfigFileMissing, SettingsInvalid, get_settings
from wakeful.desk.service import QueueFilters, list_slice
from wakeful.ingest.datasets import DataMissing
from wakeful.ingest.replay import read_numbered_posts
from wakeful.store.db import DatabaseUnusable, SchemaMissing, is_sqlite, migrate, open_existing

app = typer.Typer(help="wakeful: an always-on social-media customer-care desk.", no_args_is_help=True)
token_app = typer.Typer(help="Create and revoke API tokens.", no_args_is_help=True)
db_app = typer.Typer(help="Database schema.", no_args_is_help=True)
app.add_typer(token_app, name="token")
app.add_typer(db_app, name="db")


class RoleName(StrEnum):
    agent = "agent"
    lead = "lead"
    admin = "admin"


def _known_brand(desk: Desk, brand: str) -> None:
    """Refuse a brand the desk does not run; its brands are the configuration file's and those saved in Settings."""
    check_brand(brand, desk.settings.brands, all_ok=True)


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Interface to listen on")] = None,
    port: Annotated[int | None, typer.Option(min=1, max=65535, help="Port to listen on")] = None,
) -> None:
    """Run the desk's server (API, dashboard) on the configured database."""
    settings = get_settings()
    desk = open_desk(settings)
    uvicorn.run(create_app(desk), host=host or settings.host, port=port or settings.port)


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
    desk = open_desk(get_settings())
    result = replay_with_progress(desk, [post for _, post in numbered], speed or None, file.name, f"file:{file}",
                                   [number for number, _ in numbered])
    desk.ingest.reject(f"file:{file}", errors, bad)
    result.rejected = sorted([*result.rejected, *errors], key=lambda e: e.record)  # in file order
    print_result(result)
    if result.all_refused:
        raise typer.Exit(1)


@app.command()
def cases(
    brand: Annotated[str | None, typer.Option(help="Only this brand")] = None,
    limit: Annotated[int, typer.Option(min=1, help="How many")] = 20,
    offset: Annotated[int, typer.Option(min=0, help="Cases of the ranked queue to skip, for the next page")] = 0,
    customer: Annotated[str | None, typer.Option(help="Only cases whose customer's handle or display name contains "
                                                 "this (any case; a leading @ is ignored)")] = None,
) -> None:
    """Print a page of the queue, highest priority first, and which cases of how many it shows."""
    settings = get_settings()
    db = open_db(brand)
    with db.session() as session:
        page = list_slice(session, {brand} if brand else None, datetime.now(UTC), settings,
                          QueueFilters(customer=customer), offset=offset, limit=limit)
    rows = page.cases
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
    first, last = page.offset + 1, page.offset + len(rows)  # so a user knows whether to ask for the next page
    out.print(f"cases {first}-{last} of {page.matched}" if rows else f"no cases from {first} on: {page.matched} in all",
              highlight=False)


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
    desk = open_desk(get_settings())
    _known_brand(desk, brand)
    try:
        with desk.db.session() as session:
            token = create_token(session, name, brand, Role(role.value), datetime.now(UTC))
    except ValueError as err:  # '*' for an agent or lead: the user's mistake, said in one line
        raise typer.BadParameter(str(err), param_hint="'--brand'") from None
    console.print(token)


@token_app.command("revoke")
def token_revoke(name: Annotated[str, typer.Argument(help="The token's name")]) -> None:
    """Revoke every live token with this name (ignoring case, as user names)."""
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

from wakeful.cli_demo import register as _register_demo  # noqa: E402

_register_demo(app)


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
