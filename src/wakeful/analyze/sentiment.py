"""Sentiment of a post as a label and a score in -1..1.

The Protocol is deliberately one method: a trained multilingual model will replace VADER behind it, and the
rest of the stage (complaint probability, severity) only needs the score and its label.
"""

from __future__ import annotations

from functools import cache
from typing import Protocol

from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

from wakeful.core.models import Sentiment


class SentimentModel(Protocol):
    """Scores `text` (written in `lang`, None if unknown) as a label and a score, -1 most negative … +1."""

    def score(self, text: str, lang: str | None) -> tuple[Sentiment, float]: ...


@cache
def _vader() -> SentimentIntensityAnalyzer:
    """Load VADER's lexicon once per process."""
    return SentimentIntensityAnalyzer()


def label_for(score: float, threshold: float = 0.05) -> Sentiment:
    """VADER's published convention: compound ≥ +0.05 positive, ≤ -0.05 negative, neutral in between."""
    if score >= threshold:
        return Sentiment.POSITIVE
    if score <= -threshold:
        return Sentiment.NEGATIVE
    return Sentiment.NEUTRAL


class VaderSentiment:
    """VADER's compound score. English lexicon only: other languages mostly score neutral, which downstream
    rules treat as "no evidence" rather than as calm."""

    def __init__(self, threshold: float = 0.05) -> None:
        self.threshold = threshold

    def score(self, text: str, lang: str | None) -> tuple[Sentiment, float]:
        compound = float(_vader().polarity_scores(text)["compound"])
        compound = max(-1.0, min(1.0, compound))
        return label_for(compound, self.threshold), compound
