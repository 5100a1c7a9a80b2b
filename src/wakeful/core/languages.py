"""The languages the desk serves: those its detector tells apart, so the only ones a case's language can be.

Kept in `core` so settings can refuse a brand or agent answering in a language no case will ever carry, without
`core` reaching up into `analyze`.
"""

from __future__ import annotations

SUPPORTED_LANGUAGES: tuple[str, ...] = ("en", "de", "fr", "es", "it", "nl", "pt")
