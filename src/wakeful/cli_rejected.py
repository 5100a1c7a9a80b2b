"""`wakeful rejected`: the records the desk could not read, kept so nothing is lost; list, show, retry, dismiss."""

from __future__ import annotations

import getpass
import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from wakeful.cli_common import open_db
from wakeful.core.settings import get_settings
from wakeful.ingest import rejected as rejected_mod
from wakeful.ingest.service import IngestService
from wakeful.store.db import open_existing
from wakeful.store.models import RejectedRecordRow

rejected_app = typer.Typer(help="Records the desk could not read: list, show, retry when they read, dismiss.",
                           no_args_is_help=True)
console = Console()

Ids = Annotated[list[int] | None, typer.Argument(help="Record ids (from `wakeful rejected list`)", show_default=False)]
Source = Annotated[str | None, typer.Option(help="Every open record of this source, e.g. 'file:posts.jsonl'")]


def _who() -> str:
    return f"cli:{getpass.getuser()}"


@contextmanager
def _intake() -> Iterator[IngestService]:
    """The desk's ingest path on its existing database, with the case hooks (routing, risk) a replayed post needs."""
    from wakeful.api.app import build_desk

    settings = get_settings()
    desk = build_desk(settings, db=open_existing(settings.database_url))
    try:
        yield desk.ingest
    finally:
        desk.db.dispose()


def _chosen(ids: list[int] | None, source: str | None, every: bool) -> tuple[list[int] | None, str | None]:
    """Ids, a source, or --all: a retry or dismissal never reaches every record by accident."""
    if not ids and source is None and not every:
        raise typer.BadParameter("name record ids, a --source, or --all")
    return (ids or None), source


@rejected_app.command("list")
def list_rejected(
    source: Source = None,
    resolved: Annotated[bool, typer.Option("--resolved", help="Also those replayed or dismissed")] = False,
    limit: Annotated[int, typer.Option(min=1, max=10_000, help="At most this many, newest first")] = 50,
) -> None:
    """Rejected records still to look at, newest first, with why each was refused, and the count per source."""
    db = open_db()
    try:
        with db.session() as session:
            rows = rejected_mod.listing(session, source=source, resolved=resolved, limit=limit)
            per_source = rejected_mod.open_by_source(session)
    finally:
        db.dispose()
    if not rows:
        console.print("no rejected records" + ("" if resolved else " to look at"))
        return
    table = Table("id", "kept at", "source", "record", "field", "error", *(["resolved"] if resolved else []))
    for r in rows:
        state = [f"{r.resolution} by {r.resolved_by}" if r.resolution else "open"] if resolved else []
        table.add_row(str(r.id), r.at.strftime("%Y-%m-%d %H:%M"), escape(r.source), str(r.record),
                      escape(r.field or ""), escape(r.error[:120]), *state)
    console.print(table)
    console.print("open: " + (", ".join(f"{escape(s)} {n}" for s, n in per_source.items()) or "none"))


@rejected_app.command("show")
def show(record_id: Annotated[int, typer.Argument(help="The record's id")]) -> None:
    """One record in full: where it came from, why it was refused, and the payload as received."""
    db = open_db()
    try:
        with db.session() as session:
            row = session.get(RejectedRecordRow, record_id)
            if row is None:
                raise typer.BadParameter(f"no rejected record {record_id}", param_hint="'RECORD_ID'")
            console.print(f"record {row.id}: {escape(row.source)} #{row.record}, kept {row.at.isoformat()}")
            console.print(f"error: {escape(row.error)}" + (f" (field '{escape(row.field)}')" if row.field else ""))
            if row.resolution:
                console.print(f"{row.resolution} by {escape(row.resolved_by or '?')} at "
                              f"{row.resolved_at.isoformat() if row.resolved_at else '?'}")
            payload = json.loads(row.payload)
            console.print(escape(payload if isinstance(payload, str) else json.dumps(payload, indent=2)),
                          soft_wrap=True)
    finally:
        db.dispose()


@rejected_app.command("retry")
def retry(ids: Ids = None, source: Source = None,
          every: Annotated[bool, typer.Option("--all", help="Every open record")] = False) -> None:
    """Read open records again and store those that read now (a post once dated ahead of the desk's clock, a
    record an older version refused); the others stay open, with the reason. Exit 1 if none could be stored."""
    with _intake() as intake:
        result = rejected_mod.retry(intake, _who(), *_chosen(ids, source, every))
    console.print(f"replayed {len(result.replayed)}, still refused {len(result.refused)}")
    for record_id, reason in sorted(result.refused.items())[:20]:
        console.print(f"  {record_id}: {escape(reason)}")
    if result.refused and not result.replayed:
        raise typer.Exit(1)


@rejected_app.command("dismiss")
def dismiss(ids: Ids = None, source: Source = None,
            every: Annotated[bool, typer.Option("--all", help="Every open record")] = False) -> None:
    """Set open records aside: kept, marked dismissed with who and when, and no longer listed."""
    with _intake() as intake:
        count = rejected_mod.dismiss(intake, _who(), *_chosen(ids, source, every))
    console.print(f"dismissed {count}")


def register(app: typer.Typer) -> None:
    """Add `wakeful rejected` to the `wakeful` app."""
    app.add_typer(rejected_app, name="rejected")
