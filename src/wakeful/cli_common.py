"""What the `wakeful` commands share: the console, opening the desk's database for reading or the whole desk, a
replay with a progress bar, and refusing a brand it does not run (a typo in `--brand` would otherwise print an
empty queue or report, as if the brand had no traffic)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from wakeful.api.app import build_desk
from wakeful.api.auth import ALL_BRANDS
from wakeful.api.deps import Desk
from wakeful.api.settings import load_at_start
from wakeful.core.models import Post
from wakeful.core.settings import BrandConfig, Settings, get_settings
from wakeful.ingest.replay import replay
from wakeful.ingest.service import IngestResult
from wakeful.store.db import Database, migrate, open_existing

console = Console()


def check_brand(brand: str | None, brands: Iterable[BrandConfig], *, all_ok: bool = False) -> None:
    """Refuse `brand` unless the desk runs it (`'*'` passes where `all_ok`); None means every brand."""
    keys = [b.key for b in brands]
    if brand is None or brand in keys or (all_ok and brand == ALL_BRANDS):
        return
    raise typer.BadParameter(f"unknown brand {brand!r}; the desk's brands: {keys}", param_hint="'--brand'")


def open_db(brand: str | None = None) -> Database:
    """The desk's existing database, after checking `brand` is one the desk runs: the configuration file's, or one
    saved in Settings (the database)."""
    settings = get_settings()
    db = open_existing(settings.database_url)
    if brand is not None:
        try:
            check_brand(brand, load_at_start(settings, db).brands)
        except typer.BadParameter:
            db.dispose()
            raise
    return db


def open_desk(settings: Settings) -> Desk:
    """The whole desk on the configured database, its schema brought up to date first."""
    migrate(settings.database_url)
    return build_desk(settings)


@contextmanager
def progress_bar(label: str, total: int) -> Iterator[Callable[[int], None]]:
    """A bar of `total` posts with how many are done and the time left, kept on screen; yields what advances it."""
    columns = (TextColumn(label), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
    with Progress(*columns, console=console) as bar:
        task = bar.add_task(label, total=total)
        yield lambda n: bar.advance(task, n)


def replay_with_progress(desk: Desk, posts: list[Post], speed: float | None, label: str, source: str,
                          numbers: list[int] | None = None) -> IngestResult:
    with progress_bar(label, len(posts)) as advance:
        return replay(posts, desk.ingest, speed=speed, progress=advance, numbers=numbers, source=source)


def print_result(result: IngestResult) -> None:
    console.print(
        f"stored {result.accepted} new posts, {result.duplicates} already known, "
        f"{result.engagement_updates} engagement updates, {result.edits} edited, {len(result.rejected)} rejected, "
        f"{len(result.cases)} cases touched"
    )
    for err in result.rejected[:20]:
        console.print(f"  [red]rejected[/red] {err}")
