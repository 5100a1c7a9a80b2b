"""The desk's people and promises: agents, teams, weekly shifts, the on-call rota and SLA policies.

Agents are keyed by (brand, name); the name is what a case's `assignee` holds, so a dashboard user or token with the
same name acts as that agent. Kept in their own module so the feature owns its tables (see `store/registry.py`).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, Float, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from wakeful.store.models import Base


class TeamRow(Base):
    __tablename__ = "teams"
    __table_args__ = (UniqueConstraint("brand", "name", name="uq_team_brand_name"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    brand: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(128))
    lead: Mapped[str | None] = mapped_column(String(128), doc="Who is told first when a case nears its SLA")


class AgentRow(Base):
    __tablename__ = "agents"
    __table_args__ = (UniqueConstraint("brand", "name", name="uq_agent_brand_name"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    brand: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(128))
    team: Mapped[str | None] = mapped_column(String(128))
    languages: Mapped[list[str]] = mapped_column(default=list)
    skills: Mapped[list[str]] = mapped_column(default=list, doc="Topics the agent handles best")
    max_cases: Mapped[int] = mapped_column(Integer, default=5)
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    away: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime]

    shifts: Mapped[list[ShiftRow]] = relationship(lazy="selectin", cascade="all, delete-orphan",
                                                  order_by="ShiftRow.weekday")


class ShiftRow(Base):
    """A weekly shift in the agent's own time zone; `end_minute <= start_minute` means it runs past midnight."""

    __tablename__ = "agent_shifts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    agent_id: Mapped[int] = mapped_column(ForeignKey("agents.id", ondelete="CASCADE"), index=True)
    weekday: Mapped[int] = mapped_column(Integer, doc="0 Monday .. 6 Sunday, local to the agent")
    start_minute: Mapped[int] = mapped_column(Integer)
    end_minute: Mapped[int] = mapped_column(Integer)


class OnCallRow(Base):
    """Who is paged for a brand when nobody on shift fits a case or an SLA is about to break."""

    __tablename__ = "oncall_rota"
    __table_args__ = (Index("ix_oncall_brand_starts", "brand", "starts_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    brand: Mapped[str] = mapped_column(String(64))
    agent: Mapped[str] = mapped_column(String(128))
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime]


class SlaPolicyRow(Base):
    """Targets for one brand and priority level; minutes count business hours or the whole week."""

    __tablename__ = "sla_policies"
    __table_args__ = (UniqueConstraint("brand", "priority", name="uq_sla_brand_priority"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    brand: Mapped[str] = mapped_column(String(64))
    priority: Mapped[int] = mapped_column(Integer)
    first_response_minutes: Mapped[int] = mapped_column(Integer)
    next_response_minutes: Mapped[int | None] = mapped_column(Integer)
    resolution_minutes: Mapped[int | None] = mapped_column(Integer)
    business_hours: Mapped[bool] = mapped_column(Boolean, default=False)
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    day_start_minute: Mapped[int] = mapped_column(Integer, default=9 * 60)
    day_end_minute: Mapped[int] = mapped_column(Integer, default=17 * 60)
    weekdays: Mapped[list[str]] = mapped_column(default=list, doc="Business days, '0' Monday .. '6' Sunday")
    escalate_fraction: Mapped[float] = mapped_column(Float, default=0.75)
    page_fraction: Mapped[float] = mapped_column(Float, default=1.0)
