"""Brand settings that leads edit on the dashboard, laid over the configuration file.

The TOML file (or environment) gives each brand its starting settings; a lead's saved version of a brand replaces
that brand's entry whole, and a brand saved only here is added. Every save is a new version with who and when, so
the history of a desk's policy (keywords, languages, fairness) is on record.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from wakeful.analyze.text import fold
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


MIN_TERM = 3
"""Fewest characters a name or keyword needs (after '#', '@' and spaces): shorter ones match most posts."""


def _term(text: str) -> str:
    """How the matcher sees a handle, name or keyword: folded, without a leading '@' or '#', spaces collapsed."""
    return " ".join(fold(text).strip().lstrip("@#").split())


def _terms(config: BrandConfig) -> Iterator[tuple[str, str]]:
    """(field, value) of everything a brand listens for."""
    yield "name", config.name
    for field in ("handles", "names", "keywords"):
        for value in getattr(config, field):
            yield field, value


def check(config: BrandConfig, others: list[BrandConfig]) -> None:
    """Refuse settings that would not identify the brand, or would take another brand's traffic.

    A brand's terms open cases whose agents may reveal the customer's personal data, so a term another brand
    listens for would hand that brand's customers to this one. Nobody may override this, admins included: a
    handle is one account's, and two brands sharing a name or keyword both open a case for every such post;
    change the other brand first if a term really moves.
    """
    if not (config.handles or config.names or config.keywords):
        raise SettingsError(f"brand {config.key!r} needs at least one handle, name or keyword to listen for")
    for field, value in _terms(config):
        core = _term(value)
        if field == "handles":
            if not core or any(c.isspace() for c in value):
                raise SettingsError(f"handles: {value!r} is not an account handle (no spaces, not empty)")
        elif len(core) < MIN_TERM:
            raise SettingsError(f"{field}: {value!r} is too short to identify a brand; give at least {MIN_TERM} "
                                "characters (besides '#', '@' and spaces)")
    taken = {_term(value): (other.key, field) for other in others if other.key != config.key
             for field, value in _terms(other)}
    for field, value in _terms(config):
        if _term(value) in taken:
            brand, theirs = taken[_term(value)]
            raise SettingsError(f"{field}: {value!r} is already listened for by brand {brand!r} (its {theirs}); "
                                "each brand needs handles, names and keywords of its own")


def save(session: Session, base: Settings, config: BrandConfig, who: str, now: datetime) -> SavedBrand:
    """Store a new version of one brand's settings, checked against every brand in force (the file's laid over by
    saved ones), and return it; the caller applies it to the running desk."""
    check(config, load(session, base).brands)
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
