"""The one `Post` model every platform is normalised into.

Connectors and file replays produce `Post`; analysis, risk and the desk consume it. Keeping a single shape means a
complaint on Mastodon and one on X are weighed by the same rules.
"""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator
from pydantic_core import InitErrorDetails, PydanticCustomError

MAX_COUNT = 10**12
"""The largest follower, engagement or impression count a post may carry: thousands of times the most-followed
account's audience, so no real count is refused, yet sums and estimates made from counts (reach adds 50 impressions
per interaction) stay far inside the signed 64-bit BIGINT columns that store them. A larger one is a corrupt or
overflowed value, refused with its record (one such number used to fail the whole batch's insert)."""

EARLIEST = datetime(1970, 1, 1, tzinfo=UTC)
LATEST = datetime(9999, 1, 1, tzinfo=UTC)
"""Times a post, its author or its counters may carry: no social platform predates the Unix epoch, and a time before
it is a placeholder such as 0001-01-01 (Go's zero time); one near the calendar's end is a typo. Both used to fail the
whole batch, when the desk subtracted a case window or converted the time to UTC. Times after the desk's clock are
refused at ingest (`IngestService`), where the clock is known."""


def _drop_nul(value: str | None) -> str | None:
    """Free text without NUL characters: they carry nothing a reader sees, and PostgreSQL text cannot hold them
    (one in a post made the whole batch's insert fail), so the post is kept without them."""
    return value.replace("\x00", "") if value else value


def plausible_time(value: datetime | None) -> datetime | None:
    """A time inside [EARLIEST, LATEST), so the desk can count with it."""
    if value is not None and not EARLIEST <= value < LATEST:
        raise ValueError(f"{value.isoformat()} is not between {EARLIEST:%Y-%m-%d} and {LATEST:%Y-%m-%d} (UTC): "
                         "a placeholder or a typo, not when anything happened on a social platform")
    return value


def refuse_nul(value: str | None) -> str | None:
    """Identifiers and codes with a NUL character are refused: dropping it could merge two posts' identities."""
    if value is not None and "\x00" in value:
        raise ValueError("must not contain the NUL character (\\u0000)")
    return value


class Platform(StrEnum):
    X = "x"
    MASTODON = "mastodon"
    BLUESKY = "bluesky"
    REDDIT = "reddit"
    WEBHOOK = "webhook"
    DEMO = "demo"


class Author(BaseModel):
    """The author as the platform described them when the post was observed."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str = Field(min_length=1, max_length=128)
    handle: str = Field(min_length=1, max_length=128)
    display_name: str | None = Field(default=None, max_length=256)
    followers: int = Field(default=0, ge=0, le=MAX_COUNT)
    following: int = Field(default=0, ge=0, le=MAX_COUNT)
    created_at: AwareDatetime | None = None
    verified: bool = False
    default_profile: bool = False
    description: str | None = Field(default=None, max_length=2000)

    _free_text = field_validator("display_name", "description")(_drop_nul)
    _identifiers = field_validator("id", "handle")(refuse_nul)
    _time = field_validator("created_at")(plausible_time)


class Engagement(BaseModel):
    """Engagement counters as seen at `observed_at`; successive observations form the reach curve."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    observed_at: AwareDatetime
    likes: int = Field(default=0, ge=0, le=MAX_COUNT)
    reposts: int = Field(default=0, ge=0, le=MAX_COUNT)
    replies: int = Field(default=0, ge=0, le=MAX_COUNT)
    quotes: int = Field(default=0, ge=0, le=MAX_COUNT)
    impressions: int | None = Field(default=None, ge=0, le=MAX_COUNT)

    _time = field_validator("observed_at")(plausible_time)

    @property
    def interactions(self) -> int:
        return self.likes + self.reposts + self.replies + self.quotes


class Post(BaseModel):
    """A public post that may concern a brand, from any platform."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    platform: Platform
    id: str = Field(min_length=1, max_length=128, description="The platform's own id of the post")
    author: Author
    text: str = Field(max_length=40_000)
    created_at: AwareDatetime
    lang: str | None = Field(default=None, description="Language as the platform reported it, BCP-47")
    reply_to_id: str | None = None
    conversation_id: str | None = None
    engagement: Engagement | None = None
    promoted: bool = False
    url: str | None = None
    raw: dict[str, Any] = Field(default_factory=dict, description="The platform payload, as received")
    edited_at: AwareDatetime | None = Field(
        default=None, description="When the author last edited the text (None: never, or not known); the newer of "
                                  "two deliveries of one post wins")

    _free_text = field_validator("text")(_drop_nul)
    _identifiers = field_validator("id", "reply_to_id", "conversation_id", "url")(refuse_nul)
    _time = field_validator("created_at", "edited_at")(plausible_time)

    @field_validator("lang")
    @classmethod
    def _lang_lower(cls, v: str | None) -> str | None:
        refuse_nul(v)
        return v.lower() if v else None

    @model_validator(mode="after")
    def _observed_after_created(self) -> Post:
        """Counters seen before the post existed are impossible; stored, they put a point before the start of the
        reach curve. Reported on `engagement.observed_at`, the field that is wrong or was sent with the wrong zone."""
        if self.engagement is not None and self.engagement.observed_at < self.created_at:
            raise ValidationError.from_exception_data(type(self).__name__, [InitErrorDetails(
                type=PydanticCustomError(
                    "observed_before_created",
                    "{observed} is before the post's created_at {created}: counters cannot be seen before the post "
                    "exists (a wrong time zone?)",
                    {"observed": self.engagement.observed_at.isoformat(), "created": self.created_at.isoformat()}),
                loc=("engagement", "observed_at"), input=self.engagement.observed_at.isoformat())])
        return self

    @property
    def key(self) -> tuple[str, str]:
        """The identity a delivery is deduplicated on."""
        return (self.platform.value, self.id)

    def observed_at(self) -> datetime:
        return self.engagement.observed_at if self.engagement else self.created_at

    @property
    def version_at(self) -> datetime:
        """When this text was written: its last edit, else its creation (which of two versions is newer)."""
        return self.edited_at or self.created_at


class Sentiment(StrEnum):
    NEGATIVE = "negative"
    NEUTRAL = "neutral"
    POSITIVE = "positive"


class Analysis(BaseModel):
    """What the analysis stage read in one post. Lives in `core` so the store and desk need not import `analyze`."""

    model_config = ConfigDict(frozen=True)

    lang: str | None = Field(default=None, description="ISO 639-1 code, or None when the detector is unsure")
    lang_confidence: float = Field(default=0.0, ge=0.0, le=1.0)
    sentiment: Sentiment = Sentiment.NEUTRAL
    sentiment_score: float = Field(default=0.0, ge=-1.0, le=1.0, description="-1 most negative … +1 most positive")
    complaint: bool = False
    complaint_p: float = Field(default=0.0, ge=0.0, le=1.0)
    question: bool = False
    spam: bool = False
    severity: int = Field(default=0, ge=0, le=3)
    topics: list[str] = Field(default_factory=list)
    brands: list[str] = Field(default_factory=list, description="Keys of the configured brands the post mentions")
    pii: list[str] = Field(
        default_factory=list,
        description="Kinds of personal data found: email, phone, card, iban, booking-ref, passport, loyalty, address",
    )
    signals: list[str] = Field(default_factory=list, description="Urgency signals behind the severity, e.g. "
                               "'deadline', 'repeat_contact', 'churn_threat', 'anger', 'safety', 'legal_threat'")
    deadline_minutes: int | None = Field(default=None, ge=0, description="Minutes after the post until the "
                                         "deadline the customer states ('my flight leaves in 2 hours' → 120)")
    legal: list[str] = Field(default_factory=list, description="Why a public reply needs review first: "
                             "'staff_accusation', 'crime:theft|assault|discrimination|fraud', 'staff_abuse'")
    offensive_p: float = Field(default=0.0, ge=0.0, le=1.0, description="Probability the post is offensive or "
                               "abusive (insults, profanity at someone)")
    unreadable: bool = Field(default=False, description="Nothing to read but handles, links and punctuation (a "
                             "screenshot or photo sent to the brand): the models found no evidence either way")

    @property
    def legal_review(self) -> bool:
        """Accuses named staff or alleges a crime: a lead reviews before any public reply."""
        return bool(self.legal)

    @property
    def needs_response(self) -> bool:
        """A post the desk should answer: a complaint, a question, an accusation or alleged crime, a critical
        signal (safety, legal threat, vulnerable customer) that no complaint model caught, or one with nothing to
        read, which a person must look at (real brands answered 30 of the 35 such posts customers sent them in the
        TWCS sample, as often as any other); and not spam."""
        return (self.complaint or self.question or bool(self.legal) or self.severity >= 3 or self.unreadable) \
            and not self.spam
