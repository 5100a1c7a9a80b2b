"""What the desk shows about cases: typed views shared by the API, the dashboard and the CLI."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field, computed_field

from wakeful.desk.cases import CaseState


class AuthorView(BaseModel):
    platform: str
    handle: str
    display_name: str | None
    followers: int
    verified: bool


class PriorityView(BaseModel):
    level: int = Field(ge=0, le=3, description="0 low, 1 normal, 2 high, 3 urgent")
    name: str
    reasons: list[str]


class RiskFactorView(BaseModel):
    name: str = Field(description="severity, promotion, forecast, spread or authenticity")
    points: float
    text: str


class RiskView(BaseModel):
    """The case's latest risk assessment (risk/score.py), recomputed as engagement arrives."""

    score: float = Field(ge=0, le=100)
    summary: str = Field(description="Each factor in words, e.g. 'promoted; forecast 40k impressions in 6 h'")
    factors: list[RiskFactorView]
    promoted: bool
    forecast_6h: int | None = Field(description="Impressions expected 6 h from `computed_at`")
    forecast_6h_low: int | None
    forecast_6h_high: int | None
    forecast_24h: int | None
    fake_share: float = Field(description="Share of engagement from suspected fake accounts or bought likes")
    computed_at: datetime
    alerted_at: datetime | None


class CaseSummary(BaseModel):
    id: int
    brand: str
    platform: str
    state: CaseState
    priority: PriorityView
    severity: int
    lang: str | None
    topics: list[str]
    reach: int
    promoted: bool
    assignee: str | None
    author: AuthorView
    opened_at: datetime
    last_post_at: datetime
    awaiting_since: datetime | None
    waiting_minutes: float | None = Field(description="How long the oldest unanswered customer post has waited")
    sla_target_minutes: int
    sla_left_minutes: float | None = Field(description="First-response time left; negative when breached")
    first_response_at: datetime | None
    snippet: str = Field(description="The latest customer post, personal data redacted")
    risk: RiskView | None = Field(default=None, description="None until the case has been assessed")
    merged_into: int | None = Field(default=None, description="The case this one was merged into (state `merged`)")
    quiet_resolve_at: datetime | None = Field(default=None, description="When the desk resolves this case if nothing "
                                              "happens on it: it waits on its customer (`resolve_quiet_after_hours`)")


class EngagementPoint(BaseModel):
    observed_at: datetime
    likes: int
    reposts: int
    replies: int
    quotes: int
    impressions: int | None


class TimelineItem(BaseModel):
    kind: Literal["post", "reply", "assigned", "state", "note", "reveal", "routed", "escalated", "risk", "merge",
                  "merged", "unmerge", "split"]
    at: datetime
    actor: str
    text: str | None
    post_id: str | None = None
    url: str | None = None
    lang: str | None = None
    sentiment: str | None = None
    complaint: bool | None = None
    pii: list[str] = Field(default_factory=list, description="Kinds of personal data in the post: email, phone, card, "
                           "iban, booking-ref, passport, loyalty, address")
    signals: list[str] = Field(default_factory=list, description="Urgency signals behind the post's severity, e.g. "
                               "'deadline', 'repeat_contact', 'anger', 'safety'")
    redacted: bool = Field(default=False, description="Personal data in `text` is masked; revealing it is audited")
    customer: bool | None = Field(default=None, description="For a post: written by the case's customer (one of "
                                                            "their accounts), so it can be split off")
    engagement: list[EngagementPoint] = Field(default_factory=list)
    edited_at: datetime | None = Field(default=None, description="When the author last edited the post; `text` is "
                                                                 "the edited one")
    deleted_at: datetime | None = Field(default=None, description="When the author deleted the post on the platform")
    erased: str | None = Field(
        default=None, description="Why the post's text is gone: 'request' (erased at the customer's request) or "
                                  "'retention' (removed after the retention period); None while it is kept")
    data: dict[str, object] = Field(default_factory=dict)


class CaseDetail(CaseSummary):
    legal: list[str] = Field(default_factory=list, description="Legal flags of the customer's posts; a public reply "
                                                               "needs `legal_reviewed` while any is set")
    timeline: list[TimelineItem]
    earlier_cases: list[CaseSummary]


class VolumePoint(BaseModel):
    hour: datetime
    posts: int
    negative: int

    @computed_field  # type: ignore[prop-decorator]
    @property
    def negative_share(self) -> float:
        return self.negative / self.posts if self.posts else 0.0


class QueueCounts(BaseModel):
    active: int = Field(description="Cases not resolved")
    breached: int = Field(description="Active cases past their first-response target")
    unassigned: int
    waiting: int = Field(0, description="Active cases waiting for the desk's answer (a first or a next one); the "
                                        "others wait on their customer, and no clock runs for them")


class EarlierText(BaseModel):
    at: datetime = Field(description="When the author wrote this version")
    text: str


class RevealedText(BaseModel):
    post_id: str
    text: str
    earlier: list[EarlierText] = Field(default_factory=list, description="What the post said before its author "
                                                                       "edited it, oldest first")
