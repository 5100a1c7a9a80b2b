"""The desk's tables. The schema itself is owned by Alembic (`store/migrations`); these classes map it."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    ColumnElement,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    cast,
    literal,
)
from sqlalchemy import text as sql_text
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, InstrumentedAttribute, Mapped, mapped_column, relationship
from sqlalchemy.types import TypeDecorator


class UtcDateTime(TypeDecorator[datetime]):
    """A time stored in UTC whatever offset it came with.

    SQLite keeps a time as text without its offset, so 10:00-08:00 (an airline tweet from California, a webhook
    from Berlin) was stored as 10:00 and read back as 10:00 UTC: eight hours early, beside replies stamped in UTC.
    Aware values are converted to UTC before they are written or compared (PostgreSQL's timestamptz does the same
    itself); naive ones are taken to be UTC already. Read values are left as the driver gives them.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is not None and value.tzinfo is not None:
            return value.astimezone(UTC)
        return value


class Base(DeclarativeBase):
    type_annotation_map = {  # noqa: RUF012 - SQLAlchemy's documented class-level mapping
        datetime: UtcDateTime(),
        dict[str, Any]: JSON,
        list[str]: JSON,
    }


class AuthorRow(Base):
    """One account on one platform; the profile is the latest one seen."""

    __tablename__ = "authors"
    __table_args__ = (UniqueConstraint("platform", "platform_id", name="uq_author_platform_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    platform: Mapped[str] = mapped_column(String(16))
    platform_id: Mapped[str] = mapped_column(String(128))
    handle: Mapped[str] = mapped_column(String(128))
    display_name: Mapped[str | None] = mapped_column(String(256))
    followers: Mapped[int] = mapped_column(BigInteger, default=0)
    following: Mapped[int] = mapped_column(BigInteger, default=0)
    account_created_at: Mapped[datetime | None]
    verified: Mapped[bool] = mapped_column(Boolean, default=False)
    default_profile: Mapped[bool] = mapped_column(Boolean, default=False)
    description: Mapped[str | None] = mapped_column(Text)
    updated_at: Mapped[datetime]
    erased_at: Mapped[datetime | None] = mapped_column(
        default=None, doc="When the person asked to be forgotten: the row is a pseudonym since (desk/privacy.py)")


class PostRow(Base):
    """A post, stored once per (platform, platform id) however often it is delivered."""

    __tablename__ = "posts"
    __table_args__ = (
        UniqueConstraint("platform", "platform_id", name="uq_post_platform_id"),
        Index("ix_posts_created_at", "created_at"),
        Index("ix_posts_conversation", "platform", "conversation_id"),
        Index("ix_posts_reply_to", "platform", "reply_to_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    platform: Mapped[str] = mapped_column(String(16))
    platform_id: Mapped[str] = mapped_column(String(128))
    author_id: Mapped[int] = mapped_column(ForeignKey("authors.id"), index=True)
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime]
    ingested_at: Mapped[datetime]
    platform_lang: Mapped[str | None] = mapped_column(String(16))
    reply_to_id: Mapped[str | None] = mapped_column(String(128))
    conversation_id: Mapped[str | None] = mapped_column(String(128))
    promoted: Mapped[bool] = mapped_column(Boolean, default=False)
    url: Mapped[str | None] = mapped_column(Text)
    raw: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # What the analysis stage read; kept beside the post so reports need no join.
    lang: Mapped[str | None] = mapped_column(String(8))
    sentiment: Mapped[str] = mapped_column(String(8))
    sentiment_score: Mapped[float] = mapped_column(Float)
    complaint: Mapped[bool] = mapped_column(Boolean)
    complaint_p: Mapped[float] = mapped_column(Float)
    question: Mapped[bool] = mapped_column(Boolean, default=False)
    spam: Mapped[bool] = mapped_column(Boolean, default=False)
    severity: Mapped[int] = mapped_column(Integer)
    topics: Mapped[list[str]] = mapped_column(JSON, default=list)
    brands: Mapped[list[str]] = mapped_column(JSON, default=list)
    pii: Mapped[list[str]] = mapped_column(JSON, default=list)
    # Why it is urgent, and whether a public reply needs review first (Analysis.signals, .deadline_minutes, .legal).
    signals: Mapped[list[str]] = mapped_column(JSON, default=list, server_default=sql_text("'[]'"))
    deadline_minutes: Mapped[int | None] = mapped_column(Integer)
    legal: Mapped[list[str]] = mapped_column(JSON, default=list, server_default=sql_text("'[]'"))
    # The text above is the newest version seen; earlier ones are in post_edits. A deleted post is kept (the desk
    # may have answered it) and marked.
    edited_at: Mapped[datetime | None] = mapped_column(doc="When the author last edited it; None if never seen edited")
    deleted_at: Mapped[datetime | None] = mapped_column(doc="When the platform said the author deleted it")
    erased: Mapped[str | None] = mapped_column(
        String(16), default=None, doc="Why its text is gone: 'request' (the author's) or 'retention'; None: kept")
    erased_at: Mapped[datetime | None] = mapped_column(default=None)

    author: Mapped[AuthorRow] = relationship(lazy="joined")


class PostEditRow(Base):
    """A text a post had before its author edited it, kept so an agent can see what the desk was first told.

    Personal data like the post itself: shown only where post text is. Once per (post, version), so an edit
    delivered twice, or before its original, leaves the same history."""

    __tablename__ = "post_edits"
    __table_args__ = (UniqueConstraint("post_id", "version_at", name="uq_post_edit_version"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("posts.id", ondelete="CASCADE"), index=True)
    version_at: Mapped[datetime] = mapped_column(doc="When this text was written: the post's creation or an edit")
    text: Mapped[str] = mapped_column(Text)
    recorded_at: Mapped[datetime]


class EngagementRow(Base):
    """One observation of a post's counters; the series is the post's reach curve."""

    __tablename__ = "engagement"
    __table_args__ = (UniqueConstraint("post_id", "observed_at", name="uq_engagement_post_observed"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("posts.id", ondelete="CASCADE"), index=True)
    observed_at: Mapped[datetime]
    likes: Mapped[int] = mapped_column(BigInteger, default=0)
    reposts: Mapped[int] = mapped_column(BigInteger, default=0)
    replies: Mapped[int] = mapped_column(BigInteger, default=0)
    quotes: Mapped[int] = mapped_column(BigInteger, default=0)
    impressions: Mapped[int | None] = mapped_column(BigInteger)


class CaseRow(Base):
    """A customer's matter with one brand: their posts, the desk's actions, its state and priority."""

    __tablename__ = "cases"
    __table_args__ = (
        Index("ix_cases_brand_state", "brand", "state"),
        Index("ix_cases_author", "brand", "author_id"),
        Index("ix_cases_merged_into", "merged_into_id"),
        Index("ix_cases_conversation", "platform", "conversation_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    brand: Mapped[str] = mapped_column(String(64))
    platform: Mapped[str] = mapped_column(String(16))
    author_id: Mapped[int] = mapped_column(ForeignKey("authors.id"))
    conversation_id: Mapped[str | None] = mapped_column(String(128))
    state: Mapped[str] = mapped_column(String(24), default="new")
    lang: Mapped[str | None] = mapped_column(String(8))
    topics: Mapped[list[str]] = mapped_column(JSON, default=list)
    severity: Mapped[int] = mapped_column(Integer, default=0)
    reach: Mapped[int] = mapped_column(BigInteger, default=0, doc="Largest audience seen: followers or impressions")
    promoted: Mapped[bool] = mapped_column(Boolean, default=False)
    assignee: Mapped[str | None] = mapped_column(String(128))
    opened_at: Mapped[datetime]
    last_post_at: Mapped[datetime]
    awaiting_since: Mapped[datetime | None] = mapped_column(
        doc="Oldest customer post not yet answered; None when the desk has answered everything"
    )
    first_response_at: Mapped[datetime | None]
    resolved_at: Mapped[datetime | None]
    updated_at: Mapped[datetime]
    merged_into_id: Mapped[int | None] = mapped_column(
        Integer, default=None, doc="The case an agent merged this one into (state 'merged'); see desk/merge.py")

    author: Mapped[AuthorRow] = relationship(lazy="joined")


class CasePostRow(Base):
    __tablename__ = "case_posts"
    __table_args__ = (UniqueConstraint("case_id", "post_id", name="uq_case_post"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("posts.id", ondelete="CASCADE"), index=True)


class CaseEventRow(Base):
    """What the desk did on a case (assign, state change, reply, note), in order."""

    __tablename__ = "case_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    at: Mapped[datetime]
    kind: Mapped[str] = mapped_column(String(24))
    actor: Mapped[str] = mapped_column(String(128))
    text: Mapped[str | None] = mapped_column(Text)
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


ERASED_FINGERPRINT = "erased:"
"""How an erased refused record's fingerprint begins: the SHA-256 of its payload (usually a person's post) would
let anyone holding a guessed text confirm it was sent, so an erasure or a retention purge replaces it by the row's
id, which names nobody (and unique, as the column must be)."""


def erased_fingerprint(row_id: int) -> str:
    return f"{ERASED_FINGERPRINT}{row_id}"


def erased_fingerprint_sql(row_id: ColumnElement[int] | InstrumentedAttribute[int]) -> ColumnElement[str]:
    """`erased_fingerprint` computed by the database, for a purge that updates many rows in one statement."""
    return literal(ERASED_FINGERPRINT, String) + cast(row_id, String)


class RejectedRecordRow(Base):
    """A delivery that could not be read, kept so nothing sent to the desk is silently lost; once per record
    (`fingerprint`), so replaying a file does not pile up copies of its bad lines."""

    __tablename__ = "rejected_records"
    __table_args__ = (Index("uq_rejected_records_fingerprint", "fingerprint", unique=True),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime]
    source: Mapped[str] = mapped_column(String(256))
    record: Mapped[int] = mapped_column(Integer)
    field: Mapped[str | None] = mapped_column(String(256))
    error: Mapped[str] = mapped_column(Text)
    payload: Mapped[str] = mapped_column(Text)
    fingerprint: Mapped[str] = mapped_column(String(64), doc="SHA-256 of source, record, field and payload")
    resolved_at: Mapped[datetime | None] = mapped_column(default=None)
    resolution: Mapped[str | None] = mapped_column(String(32), default=None, doc="'replayed' or 'dismissed'")
    resolved_by: Mapped[str | None] = mapped_column(String(256), default=None)


class ApiTokenRow(Base):
    """An API token, stored only as its SHA-256; scoped to one brand and one role."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(128))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    brand: Mapped[str] = mapped_column(String(64))
    role: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]
