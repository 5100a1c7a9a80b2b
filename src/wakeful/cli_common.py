"""What the `wakeful` commands share: opening the desk's database for reading, and refusing a brand it does not run
(a typo in `--brand` would otherwise print an empty queue or report, as if the brand had no traffic)."""

from __future__ import annotations

from collections.abc import Iterable

import typer

from wakeful.api.auth import ALL_BRANDS
from wakeful.api.settings import load_at_start
from wakeful.core.settings import BrandConfig, get_settings
from wakeful.store.db import Database, open_existing


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
