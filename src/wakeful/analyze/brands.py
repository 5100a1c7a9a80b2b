"""Which configured brands a post mentions.

People write brands every way: '@auroraairways', 'AURORA AIR', 'Aurôra Airways', '#FlyAurora'. Matching on
folded text (case and accents removed) with word boundaries catches those while leaving 'aurora borealis' and
'AuroraAirlinesFan' alone, which matters because every match opens work for an agent.
"""

from __future__ import annotations

import re

from wakeful.analyze.text import fold
from wakeful.core.settings import BrandConfig


def _handle_pattern(handle: str) -> str:
    # '@handle' as a whole token: not inside an e-mail address ('x@handle.com') nor a longer handle.
    return rf"(?<![\w@])@{re.escape(fold(handle.lstrip('@')))}(?!\w)"


def _words_pattern(name: str) -> str:
    # Words of a name may be separated by any run of spaces or a hyphen: 'Aurora  Air', 'Aurora-Air'.
    return r"(?:\s+|-)".join(re.escape(w) for w in name.split())


def _name_pattern(name: str) -> str:
    return r"(?<!\w)" + _words_pattern(fold(name)) + r"(?!\w)"


def _keyword_pattern(keyword: str) -> str:
    folded = fold(keyword.strip())
    if folded.startswith("#"):
        # A hashtag keyword matches only the hashtag, not the bare word.
        return rf"(?<![\w#]){re.escape(folded)}(?!\w)"
    # A plain keyword also matches its hashtag form: 'flyaurora' matches '#FlyAurora'.
    words = [re.escape(w) for w in folded.split()]
    return r"(?<![\w@])#?" + r"\s+".join(words) + r"(?!\w)"


class BrandMatcher:
    """Finds mentions of configured brands by handle, name or keyword; compiled once per brand list."""

    def __init__(self, brands: list[BrandConfig]) -> None:
        self.brands = list(brands)
        self._patterns: list[tuple[str, re.Pattern[str]]] = []
        for brand in self.brands:
            parts = [_handle_pattern(h) for h in brand.handles if h.strip("@ ")]
            parts += [_name_pattern(n) for n in [brand.name, *brand.names] if n.strip()]
            parts += [_keyword_pattern(k) for k in brand.keywords if k.strip("# ")]
            if parts:
                self._patterns.append((brand.key, re.compile("|".join(f"(?:{p})" for p in parts))))
        names = [_words_pattern(n) for b in self.brands for n in [b.name, *b.names] if n.strip()]
        self._names = (re.compile(rf"(?<![\w@])#?(?:{'|'.join(names)})(?!\w)", re.IGNORECASE) if names else None)

    def mask(self, text: str) -> str:
        """`text` with the brands' names written as a handle ('Aurora Airways' → '@brand'), as the models read the
        trained brands' names (`linear.TRAINED_BRANDS_RE`): what a post says of a brand is read, not its name."""
        return self._names.sub("@brand", text) if self._names is not None else text

    def match(self, text: str) -> list[str]:
        """Keys of the brands `text` mentions, in config order, each once."""
        folded = fold(text)
        keys: list[str] = []
        for key, pattern in self._patterns:
            if key not in keys and pattern.search(folded):
                keys.append(key)
        return keys
