"""Small builders for posts in tests: real `Post` objects, filled with plausible defaults."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from wakeful.core.models import Author, Engagement, Platform, Post

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def make_post(
    post_id: str,
    text: str,
    *,
    author: str = "alice",
    followers: int = 120,
    at: datetime | None = None,
    minutes: float = 0,
    platform: Platform = Platform.X,
    reply_to: str | None = None,
    conversation: str | None = None,
    impressions: int | None = None,
    observed_minutes: float | None = None,
    promoted: bool = False,
    **extra: Any,
) -> Post:
    created = (at or T0) + timedelta(minutes=minutes)
    observed = (at or T0) + timedelta(minutes=observed_minutes if observed_minutes is not None else minutes)
    return Post(
        platform=platform,
        id=post_id,
        author=Author(id=f"id-{author}", handle=author, followers=followers, following=80),
        text=text,
        created_at=created,
        reply_to_id=reply_to,
        conversation_id=conversation,
        promoted=promoted,
        engagement=Engagement(observed_at=observed, likes=1, impressions=impressions),
        **extra,
    )


def post_record(post: Post) -> dict[str, Any]:
    """The JSON a webhook would send for this post."""
    return post.model_dump(mode="json")
