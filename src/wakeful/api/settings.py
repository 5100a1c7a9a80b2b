"""Brand settings for leads: what the desk listens for, in which languages it answers, and the brand's fairness
policy. A save takes effect on this server at once and on any other within one scheduler interval."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Protocol, runtime_checkable

from fastapi import APIRouter, HTTPException, status
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import func, select
from sqlalchemy.exc import SQLAlchemyError

from wakeful.api.auth import Principal
from wakeful.api.deps import DbSession, Desk, DeskDep, Lead
from wakeful.core.notify_settings import NotifyChannels
from wakeful.core.settings import BrandConfig, PriorityPolicy, Settings
from wakeful.desk import brand_settings, notify
from wakeful.desk.brand_settings import SavedBrand, SettingsError
from wakeful.store.db import Database
from wakeful.store.notify import NotificationRow

log = logging.getLogger(__name__)
router = APIRouter(prefix="/api/v1/settings", tags=["settings"])


@runtime_checkable
class BrandAware(Protocol):
    def set_brands(self, brands: list[BrandConfig]) -> None: ...


def apply(desk: Desk, settings: Settings) -> None:
    """Run the desk on new settings: pages, the queue's policy and the analyzer's brand matching."""
    desk.settings = settings
    desk.ingest.settings = settings
    if isinstance(desk.ingest.analyzer, BrandAware):
        desk.ingest.analyzer.set_brands(settings.brands)


def reload_job(desk: Desk, now: datetime) -> None:
    """Scheduled job: pick up saves made through another server process."""
    with desk.db.session() as session:
        fresh = brand_settings.load(session, desk.file_settings)
    if fresh.brands != desk.settings.brands:
        apply(desk, fresh)


def load_at_start(settings: Settings, db: Database) -> Settings:
    """The file's settings with leads' saved edits; the file's alone while the database has no such table yet."""
    try:
        with db.session() as session:
            return brand_settings.load(session, settings)
    except SQLAlchemyError:
        log.warning("brand settings not loaded (database not migrated?); using the configuration file's")
        return settings


class PolicyIn(PriorityPolicy):
    model_config = ConfigDict(extra="forbid")


class BrandSettingsIn(BrandConfig):
    """A brand's settings as a lead sends them: a key the desk does not know (a typo, say) is refused, not dropped
    while the save reports success."""

    model_config = ConfigDict(extra="forbid")
    priority: PolicyIn | None = Field(
        default=None, description="The brand's own fairness policy for reach; the desk-wide `priority` when unset")


class BrandSettingsOut(BaseModel):
    config: BrandConfig
    version: int
    changed_at: datetime | None
    changed_by: str | None


def _out(saved: SavedBrand) -> BrandSettingsOut:
    return BrandSettingsOut(config=saved.config, version=saved.version, changed_at=saved.changed_at,
                            changed_by=saved.changed_by)


@router.get("/brands", response_model=list[BrandSettingsOut],
            summary="The brands' settings in force (file or saved by a lead), with who changed them last")
def list_brands(who: Lead, session: DbSession, desk: DeskDep) -> list[BrandSettingsOut]:
    seen = who.brands
    return [_out(s) for s in brand_settings.brands_in_force(session, desk.file_settings)
            if seen is None or s.config.key in seen]


@router.put("/brands/{key}", response_model=BrandSettingsOut,
            summary="Save a brand's settings (leads for their brand, admins for any, new brands too)")
def put_brand(key: str, body: BrandSettingsIn, who: Lead, session: DbSession, desk: DeskDep) -> BrandSettingsOut:
    if body.key != key:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, f"body names brand {body.key!r}, path {key!r}")
    if who.brands is not None and key not in who.brands:
        raise HTTPException(status.HTTP_403_FORBIDDEN, f"you may not change brand {key!r}")
    config = BrandConfig.model_validate(body.model_dump())
    try:
        saved = brand_settings.save(session, desk.file_settings, config, who.name, desk.clock.now())
    except SettingsError as err:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, str(err)) from None
    session.commit()
    apply(desk, brand_settings.load(session, desk.file_settings))
    return _out(saved)


@router.get("/brands/{key}/history", response_model=list[BrandSettingsOut],
            summary="Every saved version of a brand's settings, newest first")
def brand_history(key: str, who: Lead, session: DbSession) -> list[BrandSettingsOut]:
    if who.brands is not None and key not in who.brands:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"brand {key!r} not found")
    return [_out(s) for s in brand_settings.history(session, key)]


class ChannelView(BaseModel):
    channel: str
    target: str = Field(description="Where it goes; secrets (hook URLs, passwords) are never shown")


class NotifyTargets(BaseModel):
    brand: str
    own: bool = Field(description="True when the brand has its own channels, False when it uses the desk-wide ones")
    channels: list[ChannelView]


class TestDelivery(BaseModel):
    channel: str
    status: str = Field(description="delivered, or dead with the error")
    error: str | None


TEST_EVENT = "settings.test"


def describe(config: NotifyChannels) -> list[ChannelView]:
    """The channels a configuration turns on, as a lead may see them: addresses, never secrets."""
    return [ChannelView(channel=c.name, target=c.target) for c in notify.channels_for(config)]


def _lead_of(who: Principal, key: str, desk: Desk) -> None:
    if (who.brands is not None and key not in who.brands) or desk.settings.brand(key) is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"brand {key!r} not found")


@router.get("/brands/{key}/notify", response_model=NotifyTargets,
            summary="Where the brand's escalations, pages and alerts go (set in the configuration: [notify])")
def notify_targets(key: str, who: Lead, desk: DeskDep) -> NotifyTargets:
    _lead_of(who, key, desk)
    return NotifyTargets(brand=key, own=key in desk.settings.notify.brands,
                         channels=describe(desk.settings.notify.for_brand(key)))


@router.post("/brands/{key}/notify/test", response_model=list[TestDelivery],
             summary="Send a test message through each of the brand's channels, once, and say what happened")
def test_notify(key: str, who: Lead, session: DbSession, desk: DeskDep) -> list[TestDelivery]:
    _lead_of(who, key, desk)
    config = desk.settings.notify.for_brand(key)
    sender = notify.Notifier(desk.db, notify.channels_for(config), desk.clock, notify.RetryPolicy(attempts=1))
    if not sender.channels:
        raise HTTPException(status.HTTP_409_CONFLICT, f"brand {key!r} has no notification channel configured")
    last = session.scalar(select(func.max(NotificationRow.id))) or 0
    sender.notify(TEST_EVENT, {"brand": key, "summary": f"Test message from wakeful, sent by {who.name}"})
    rows = session.scalars(select(NotificationRow).where(NotificationRow.id > last,
                                                         NotificationRow.event == TEST_EVENT)
                           .order_by(NotificationRow.id))
    return [TestDelivery(channel=r.channel, status=r.status, error=r.last_error) for r in rows]
