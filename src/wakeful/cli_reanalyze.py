"""`wakeful db reanalyze`: read the stored posts again with the installed models, after an upgrade or a retraining."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn
from sqlalchemy import func, select

from wakeful.analyze.pipeline import Analyzer
from wakeful.api.settings import load_at_start
from wakeful.core.settings import get_settings
from wakeful.ingest.reanalyze import reanalyze
from wakeful.store.db import open_existing
from wakeful.store.models import PostRow

console = Console()


def _since(value: str | None) -> datetime | None:
    if value is None:
        return None
    try:
        at = datetime.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter(f"{value!r} is not a date or time (e.g. 2026-11-01 or 2026-11-01T08:00+01:00)",
                                 param_hint="'--since'") from None
    return at if at.tzinfo is not None else at.replace(tzinfo=UTC)


def db_reanalyze(
    since: Annotated[str | None, typer.Option(help="Only posts created at or after this ISO date/time (UTC unless "
                                                   "it names a zone)")] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Count what would change; write nothing")] = False,
    batch: Annotated[int, typer.Option(min=1, max=100_000, help="Posts per transaction")] = 1000,
) -> None:
    """Analyse stored posts again with the installed models and rules (language, sentiment, complaint, topics,
    severity, personal data, legal flags, brands) and write what differs; open cases take their posts' new
    severity and topics. Safe to interrupt and run again."""
    settings = get_settings()
    db = open_existing(settings.database_url)
    start = _since(since)
    try:
        # brands as leads saved them, not only the file's
        analyzer = Analyzer(load_at_start(settings, db).brands, encoder=settings.sentiment_encoder)
        with db.session() as session:
            count = select(func.count()).select_from(PostRow).where(PostRow.erased.is_(None))  # as reanalyze reads
            total = session.scalar(count if start is None else count.where(PostRow.created_at >= start)) or 0
        with Progress(TextColumn("reanalysing"), BarColumn(), MofNCompleteColumn(), console=console,
                      transient=True) as bar:
            task = bar.add_task("posts", total=total)
            result = reanalyze(db, analyzer, datetime.now(UTC), since=start, batch=batch, dry_run=dry_run,
                               progress=lambda n: bar.advance(task, n))
    finally:
        db.dispose()
    verb = "would change" if dry_run else "changed"
    console.print(f"read {result.read} posts; {verb} {result.changed}"
                  + (f", and {result.cases} open cases' severity or topics" if not dry_run else ""))
    for column, n in result.columns.most_common():
        console.print(f"  {column}: {n}")


def register(db_app: typer.Typer) -> None:
    """Add `wakeful db reanalyze` to the `wakeful db` group."""
    db_app.command("reanalyze")(db_reanalyze)
