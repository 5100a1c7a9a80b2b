"""The one `Post` model every platform is normalised into.

Connectors and file replays produce `Post`; analysis, risk and the desk consume it. Keeping a single shape means a
complaint on Mastodon and one on X are weighed by the same rules.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, field_validator


def _drop_nul(value: str | None) -> str | None:
    """Free text without NUL characters: they carry nothing a reader sees, and PostgreSQL text cannot hold them
    (one in a post made the whole batch's insert fail), so the post is kept without them."""
    return value.replace("\x00", "") if value else value


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
    followers: int = Field(default=0, ge=0)
    following: int = Field(default=0, ge=0)
    created_at: AwareDatetime | None = None
    verified: bool = False
    default_profile: bool = False
    description: str | None = Field(default=None, max_length=2000)

    _free_text = field_validator("display_name", "description")(_drop_nul)
    _identifiers = field_validator("id", "handle")(refuse_nul)


class Engagement(BaseModel):
    """Engagement counters as seen at `observed_at`; successive observations form the reach curve."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    observed_at: AwareDatetime
    likes: int = Field(default=0, ge=0)
    reposts: int = Field(default=0, ge=0)
    replies: int = Field(default=0, ge=0)
    quotes: int = Field(default=0, ge=0)
    impressions: int | None = Field(default=None, ge=0)

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

    _free_text = field_validator("text")(_drop_nul)
    _identifiers = field_validator("id", "reply_to_id", "conversation_id", "url")(refuse_nul)

    @field_validator("lang")
    @classmethod
    def _lang_lower(cls, v: str | None) -> str | None:
        refuse_nul(v)
        return v.lower() if v else None

    @property
    def key(self) -> tuple[str, str]:
        """The identity a delivery is deduplicated on."""
        return (self.platform.value, self.id)

    def observed_at(self) -> datetime:
        return self.engagement.observed_at if self.engagement else self.created_at


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
    pii: list[str] = Field(default_factory=list, description="Kinds of personal data found, e.g. 'email'")
    signals: list[str] = Field(default_factory=list, description="Urgency signals behind the severity, e.g. "
                               "'deadline', 'repeat_contact', 'churn_threat', 'anger', 'safety', 'legal_threat'")
    deadline_minutes: int | None = Field(default=None, ge=0, description="Minutes after the post until the "
                                         "deadline the customer states ('my flight leaves in 2 hours' → 120)")
    legal: list[str] = Field(default_factory=list, description="Why a public reply needs review first: "
                             "'staff_accusation', 'crime:theft|assault|discrimination|fraud', 'staff_abuse'")
    offensive_p: float = Field(default=0.0, ge=0.0, le=1.0, description="Probability the post is offensive or "
                               "abusive (insults, profanity at someone)")

    @property
    def legal_review(self) -> bool:
        """Accuses named staff or alleges a crime: a lead reviews before any public reply."""
        return bool(self.legal)

    @property
    def needs_response(self) -> bool:
        """A post the desk should answer: a complaint, a question, an accusation or alleged crime, or a critical
        signal (safety, legal threat, vulnerable customer) that no complaint model caught; and not spam."""
        return (self.complaint or self.question or bool(self.legal) or self.severity >= 3) and not self.spam
