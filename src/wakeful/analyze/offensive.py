"""Is a post offensive or abusive (insults, profanity aimed at someone)?

A public reply to such a post needs care, and one that insults named staff may need legal review, so the legal
flag reads this probability. The model is trained on TweetEval offensive (English) and GermEval 2018 (German).
"""

from __future__ import annotations

from collections.abc import Sequence

from wakeful.analyze.linear import Featurizer, FloatArray, LinearHead, featurizer, head


class OffensiveClassifier:
    """The shipped offensive-language model; `predict_proba` takes a batch."""

    def __init__(self, features: Featurizer | None = None, model: LinearHead | None = None,
                 threshold: float = 0.5) -> None:
        self.features = features or featurizer()
        self.model = model or head("offensive")
        self.threshold = threshold

    def probability(self, text: str) -> float:
        return float(self.predict_proba([text])[0])

    def predict(self, text: str) -> tuple[bool, float]:
        p = self.probability(text)
        return p >= self.threshold, p

    def predict_many(self, texts: Sequence[str]) -> list[tuple[bool, float]]:
        """`predict` for many posts, in order."""
        return [(p >= self.threshold, p) for p in self.predict_proba(texts).tolist()]

    def predict_proba(self, texts: Sequence[str]) -> FloatArray:
        """P(offensive) for a batch of texts; 0 for a post with nothing to read (`text.content_free`)."""
        batch = self.features.batch(texts)
        p = self.model.proba_many(batch)[:, 0]
        p[batch.unread] = 0.0
        return p
