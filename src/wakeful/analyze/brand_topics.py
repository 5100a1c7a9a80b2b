"""A brand's own topics: words a lead lists for things only that brand has (a product, a route, a loyalty
programme), tagged on top of the shipped taxonomy in posts that mention the brand."""

from __future__ import annotations

import re
from collections.abc import Iterable

from wakeful.analyze.text import compile_terms, fold
from wakeful.core.settings import BrandConfig


class BrandTopics:
    """Compiled once per brand list; terms are plain words or phrases (not regexes), matched folded and whole."""

    def __init__(self, brands: Iterable[BrandConfig]) -> None:
        self._by_brand: dict[str, list[tuple[str, re.Pattern[str]]]] = {
            b.key: [(key, compile_terms(re.escape(fold(t.strip())) for t in terms if t.strip()))
                    for key, terms in b.topics.items() if any(t.strip() for t in terms)]
            for b in brands
        }

    def tag(self, text: str, brands: Iterable[str], already: list[str]) -> list[str]:
        """`already` plus each topic of the named brands whose words occur in `text`, without repeats."""
        folded = fold(text)
        out = list(already)
        for brand in brands:
            for key, pattern in self._by_brand.get(brand, []):
                if key not in out and pattern.search(folded):
                    out.append(key)
        return out
