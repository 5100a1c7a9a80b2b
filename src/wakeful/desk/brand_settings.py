"""Brand settings that leads edit on the dashboard, laid over the configuration file.

The TOML file (or environment) gives each brand its starting settings; a lead's saved version of a brand replaces
that brand's entry whole, and a brand saved only here is added. Every save is a new version with who and when, so
the history of a desk's policy (keywords, languages, fairness) is on record.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from wakeful.core.clock import as_utc
from wakeful.core.settings import BrandConfig, Settings
from wakeful.store.brand_settings import BrandSettingsRow


class SettingsError(ValueError):
    """A change that cannot be saved as asked; the message says why."""


@dataclass(frozen=True)
class SavedBrand:
    """A brand's settings in force, and where they came from."""

    config: BrandConfig
    version: int
    """0 when the brand runs on the configuration file's settings."""
    changed_at: datetime | None
    changed_by: str | None


def latest(session: Session) -> dict[str, BrandSettingsRow]:
    """The newest saved version of each brand."""
    newest = (select(BrandSettingsRow.brand, func.max(BrandSettingsRow.version).label("v"))
              .group_by(BrandSettingsRow.brand).subquery())
    stmt = select(BrandSettingsRow).join(
        newest, (BrandSettingsRow.brand == newest.c.brand) & (BrandSettingsRow.version == newest.c.v))
    return {row.brand: row for row in session.scalars(stmt)}


def effective(base: Settings, saved: dict[str, BrandSettingsRow]) -> Settings:
    """`base` with every saved brand laid over it (replacing the file's entry, or added after the file's brands)."""
    if not saved:
        return base
    brands = [BrandConfig.model_validate(saved[b.key].config) if b.key in saved else b for b in base.brands]
    known = {b.key for b in base.brands}
    brands += [BrandConfig.model_validate(row.config) for key, row in sorted(saved.items()) if key not in known]
    return base.model_copy(update={"brands": brands})


def load(session: Session, base: Settings) -> Settings:
    return effective(base, latest(session))


def brands_in_force(session: Session, base: Settings) -> list[SavedBrand]:
    saved = latest(session)
    out = []
    for config in effective(base, saved).brands:
        row = saved.get(config.key)
        out.append(SavedBrand(config, row.version if row else 0, as_utc(row.changed_at) if row else None,
                              row.changed_by if row else None))
    return out


def save(session: Session, config: BrandConfig, who: str, now: datetime) -> SavedBrand:
    """Store a new version of one brand's settings and return it; the caller applies it to the running desk."""
    if not (config.handles or config.names or config.keywords):
        raise SettingsError(f"brand {config.key!r} needs at least one handle, name or keyword to listen for")
    version = (session.scalar(select(func.max(BrandSettingsRow.version))
                              .where(BrandSettingsRow.brand == config.key)) or 0) + 1
    row = BrandSettingsRow(brand=config.key, version=version, config=config.model_dump(mode="json"),
                           changed_at=now, changed_by=who)
    session.add(row)
    session.flush()
    return SavedBrand(config, version, now, who)


def history(session: Session, brand: str) -> list[SavedBrand]:
    """Every saved version of a brand, newest first."""
    rows = session.scalars(select(BrandSettingsRow).where(BrandSettingsRow.brand == brand)
                           .order_by(BrandSettingsRow.version.desc()))
    return [SavedBrand(BrandConfig.model_validate(r.config), r.version, as_utc(r.changed_at), r.changed_by)
            for r in rows]
