"""Shared brands and a `Post` factory for the analysis-stage tests."""

from __future__ import annotations

from datetime import UTC, datetime

from wakeful.core.models import Author, Platform, Post
from wakeful.core.settings import BrandConfig

AURORA = BrandConfig(
    key="aurora",
    name="Aurora Airways",
    handles=["AuroraAirways", "AuroraHelp"],
    names=["Aurora Airways", "Aurora Air"],
    keywords=["#AuroraAirways", "#flyaurora"],
    languages=["en", "de", "fr"],
)
NORDWIND = BrandConfig(key="nordwind", name="Nordwind Bahn", handles=["NordwindBahn"], keywords=["nordwindchaos"])


def make_post(text: str, lang: str | None = None, post_id: str = "1") -> Post:
    return Post(
        platform=Platform.DEMO,
        id=post_id,
        author=Author(id="u1", handle="traveller"),
        text=text,
        created_at=datetime(2024, 5, 1, 12, 0, tzinfo=UTC),
        lang=lang,
    )
