"""`wakeful privacy`: erase one person on request (GDPR Art. 17), list the erasures for an auditor, and run the
retention purge by hand. What is erased and what is kept is in `desk/privacy.py`."""

from __future__ import annotations

import getpass
from datetime import UTC, datetime, timedelta
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from wakeful.api.settings import load_at_start
from wakeful.cli_common import open_db
from wakeful.core.models import Platform
from wakeful.core.settings import get_settings
from wakeful.desk import privacy, retention

privacy_app = typer.Typer(help="Personal data: erase a person on request, list erasures, purge old texts.",
                          no_args_is_help=True)
console = Console()

PlatformOpt = Annotated[Platform, typer.Option(help="The platform the person posts on")]
HandleOpt = Annotated[str | None, typer.Option(help="Their handle, with or without @")]
IdOpt = Annotated[str | None, typer.Option("--id", help="Their platform account id (e.g. an X user id)")]


def _who() -> str:
    return f"cli:{getpass.getuser()}"


def _counts(counts: dict[str, int]) -> str:
    return ", ".join(f"{kind} {n}" for kind, n in sorted(counts.items()) if n) or "nothing"


@privacy_app.command("forget")
def forget(
    platform: PlatformOpt,
    handle: HandleOpt = None,
    account_id: IdOpt = None,
    reference: Annotated[str | None, typer.Option(help="The request's reference (a ticket number); not the person's "
                                                       "name")] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Say what would be erased; change nothing")] = False,
) -> None:
    """Erase everything the desk holds about one person: their profile, posts, earlier versions and raw payloads,
    the words in their cases, and mentions of them elsewhere; cases, times and analysis stay for the reports. The
    erasure is recorded without the person's identity."""
    if (handle is None) == (account_id is None):
        raise typer.BadParameter("give --handle or --id (one of them)")
    settings = get_settings()
    db = open_db()
    try:
        handles = [h for b in load_at_start(settings, db).brands for h in b.handles]
        done = privacy.request_erasure(db, platform.value, handle=handle, account_id=account_id,
                                       requested_by=_who(), now=datetime.now(UTC), reference=reference,
                                       brand_handles=handles, dry_run=dry_run)
    except privacy.ErasureRefused as err:
        raise typer.BadParameter(str(err)) from None
    finally:
        db.dispose()
    if dry_run:
        console.print(f"dry run, nothing changed; would erase: {_counts(done.counts)}")
    else:
        console.print(f"erasure {done.id} recorded; erased: {_counts(done.counts)}")
    if not done.counts.get("authors"):
        console.print("no account of that person is on record; mentions and refused records were searched")


@privacy_app.command("erasures")
def list_erasures(
    platform: Annotated[Platform | None, typer.Option(help="With --handle or --id: only that person's")] = None,
    handle: HandleOpt = None,
    account_id: IdOpt = None,
    limit: Annotated[int, typer.Option(min=1, max=10_000, help="At most this many, newest first")] = 100,
) -> None:
    """The record of erasures for an auditor: when, what kind, who asked, how many rows of each kind. With
    --platform and --handle (or --id), only the erasures that were for that person (checked against the salted
    hashes kept instead of their identity)."""
    identifier = handle or account_id
    if (platform is None) != (identifier is None):
        raise typer.BadParameter("to look a person up, give --platform with --handle or --id")
    db = open_db()
    try:
        with db.session() as session:
            rows = [privacy.view(r) for r in
                    privacy.erasures(session, platform.value if platform else None, identifier, limit)]
    finally:
        db.dispose()
    if not rows:
        console.print("no erasures" + (" for that person" if identifier else ""))
        return
    table = Table("id", "at", "kind", "requested by", "reference", "platform", "erased")
    for r in rows:
        table.add_row(str(r.id), r.at.strftime("%Y-%m-%d %H:%M"), r.kind, escape(r.requested_by),
                      escape(r.reference or ""), r.platform or "", _counts(r.counts))
    console.print(table)


@privacy_app.command("purge")
def purge(
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Count what is due; change nothing")] = False,
    days: Annotated[int | None, typer.Option(min=1, help="Retention in days for this run (default: the "
                                                         "retention_days setting)")] = None,
) -> None:
    """Erase the texts, raw payloads and earlier versions of posts past the retention period (resolved cases, and
    posts in no case), those cases' reply and note texts and what their notifications quote, and refused records'
    payloads; open cases are never touched. The server does this hourly."""
    days = days or get_settings().retention_days
    now = datetime.now(UTC)
    if not days:
        console.print("retention_days is not set: texts are kept forever")
    db = open_db()
    try:
        if dry_run:
            with db.session() as session:
                due = retention.count_due(session, now, days) if days else {}
            if days:
                console.print(f"dry run, nothing changed; due (before {now - timedelta(days=days):%Y-%m-%d %H:%M} "
                              f"UTC): {_counts(due)}")
            return
        done = retention.sweep(db, now, days)
    finally:
        db.dispose()
    for row in done:
        console.print(f"erasure {row.id} ({row.kind}): {_counts(dict(row.counts))}")
    if days and not any(r.kind == "retention" for r in done):
        console.print("nothing past the retention period")


def register(app: typer.Typer) -> None:
    """Add `wakeful privacy` to the `wakeful` app."""
    app.add_typer(privacy_app, name="privacy")
