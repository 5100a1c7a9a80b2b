"""Sentiment of a post as a label and a score in -1..1.

The Protocol is deliberately one method: a trained multilingual model will replace VADER behind it, and the
rest of the stage (complaint probability, severity) only needs the score and its label.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from pathlib import Path
from typing import Protocol

import numpy as np
from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

from wakeful.analyze.complaint import PROBLEM_INPUT, problem_inputs
from wakeful.analyze.linear import (
    Featurizer,
    FloatArray,
    LinearHead,
    featurizer,
    head,
    language_inputs,
    specialist_heads,
    take,
)
from wakeful.analyze.polarity import INPUTS as POLARITY_INPUTS
from wakeful.analyze.polarity import PolarityLexicon, lexicon
from wakeful.analyze.text import content_free
from wakeful.core.models import Sentiment


class SentimentModel(Protocol):
    """Scores `text` (written in `lang`, None if unknown) as a label and a score, -1 most negative … +1."""

    def score(self, text: str, lang: str | None) -> tuple[Sentiment, float]: ...

    def score_many(self, texts: Sequence[str], langs: Sequence[str | None]) -> list[tuple[Sentiment, float]]:
        """`score` for many posts, in order (a batch may share work between them)."""
        ...


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

    def score_many(self, texts: Sequence[str], langs: Sequence[str | None]) -> list[tuple[Sentiment, float]]:
        return [self.score(text, lang) for text, lang in zip(texts, langs, strict=True)]


class LinearSentiment:
    """The shipped multilingual model (trained on airline tweets, XLM-T in eight languages and GermEval 2017).

    A post in a language with a specialist head (the same model trained on that language's tweets alone) gets the
    mean of both heads' probabilities: the shared head knows what the languages have in common, the specialist
    what its own data sets mean by sentiment (validation macro-F1, shared -> mean: XLM-T de 0.689 -> 0.720, fr
    0.633 -> 0.663, GermEval 2017 0.336 -> 0.386, airline 0.786 -> 0.793). Training keeps a specialist only where
    the mean did not lower validation macro-F1 (pt 0.597 -> 0.571 and hi 0.364 -> 0.336 were left out); a post in
    one of those languages, or whose language is unknown, gets the shared head alone.

    Besides the text, the model reads the post's language, word polarity (`polarity`) and the number of strong
    problem phrases the complaint lexicon finds (`complaint.problem_inputs`), which teaches the German and French
    heads, trained on general tweets, that a cancelled flight and a demanded refund are not good news. A post with
    such a phrase reads the shared head alone: the specialists' data sets hardly have any (XLM-T de 31, fr 25,
    en 74 of 1,839 training tweets; GermEval 2017 74 of 904, 48 of them news and the like labelled neutral), so
    the German specialist read customer complaints as neutral with P near 1, where the shared head learned
    problem reports from 2,600 airline tweets (validation macro-F1, mean -> gated: airline 0.7937 -> 0.7929, XLM-T
    en 0.628 -> 0.625, de and fr unchanged, GermEval 2017 0.386 -> 0.396).

    The label is the most probable class; the score is P(positive) - P(negative) mapped monotonically onto VADER's
    compound scale (quantiles matched on English training tweets, see `training.train.calibrate`), so rules
    written for VADER's -1..1 keep their meaning. `predict_proba` takes a batch.
    """

    def __init__(self, features: Featurizer | None = None, model: LinearHead | None = None,
                 polarity: PolarityLexicon | None = None,
                 specialists: dict[str, LinearHead] | None = None) -> None:
        self.features = features or featurizer()
        self.model = model or head("sentiment")
        self.specialists = specialists if specialists is not None else (
            _shipped_specialists() if model is None else {})
        self._neg, self._neu, self._pos = (self.model.classes.index(c) for c in ("negative", "neutral", "positive"))
        # Models trained with word polarity read it from these columns of their dense inputs; older ones have none.
        self._polarity_columns = [self.model.extra.index(n) for n in POLARITY_INPUTS if n in self.model.extra]
        self.polarity = (polarity or lexicon()) if self._polarity_columns else None
        self._problem_column = self.model.extra.index(PROBLEM_INPUT) if PROBLEM_INPUT in self.model.extra else None

    @classmethod
    def load(cls, directory: Path) -> LinearSentiment:
        """The model a `wakeful train --out directory` wrote: its features, head, polarity tables and specialists."""
        features = Featurizer.load(directory / "features.npz")
        return cls(features, LinearHead.load("sentiment", features.size, directory),
                   PolarityLexicon.load(directory / "polarity.npz"),
                   specialist_heads("sentiment", features.size, directory))

    def _inputs(self, text: str, lang: str | None) -> dict[str, float]:
        inputs = language_inputs(lang)
        if self._problem_column is not None:
            inputs |= problem_inputs(text, lang)
        return inputs | self.polarity.inputs(text) if self.polarity is not None else inputs

    def proba(self, text: str, lang: str | None) -> FloatArray:
        """P(negative), P(neutral), P(positive) in the model's class order; neutral for a post with nothing to read
        (`text.content_free`)."""
        if content_free(text):
            none: FloatArray = self._no_evidence(1)[0]
            return none
        row, inputs = self.features.row(text), self._inputs(text, lang)
        p = self.model.proba(row, inputs)
        specialist = self.specialists.get(lang) if lang is not None else None
        if specialist is None or inputs.get(PROBLEM_INPUT, 0.0) > 0:
            return p
        return np.asarray((p + specialist.proba(row, inputs)) / 2, dtype=np.float32)

    def raw_score(self, text: str, lang: str | None) -> float:
        """P(positive) - P(negative), before calibration."""
        p = self.proba(text, lang)
        return float(p[self._pos] - p[self._neg])

    def score(self, text: str, lang: str | None) -> tuple[Sentiment, float]:
        return self.labelled(self.proba(text, lang)[None, :])[0]

    def score_many(self, texts: Sequence[str], langs: Sequence[str | None]) -> list[tuple[Sentiment, float]]:
        return self.labelled(self.predict_proba(texts, langs))

    def labelled(self, p: FloatArray) -> list[tuple[Sentiment, float]]:
        """Label and calibrated score for rows of class probabilities (also the encoder path's, see `encoder`)."""
        labels = [Sentiment(self.model.classes[i]) for i in p.argmax(axis=1)]
        raw = p[:, self._pos] - p[:, self._neg]
        if self.model.calibration is not None:
            raw = np.interp(raw, *self.model.calibration)
        return list(zip(labels, np.clip(raw, -1.0, 1.0).tolist(), strict=True))

    def predict_proba(self, texts: Sequence[str], langs: Sequence[str | None] | None = None) -> FloatArray:
        """Rows of class probabilities (columns in `self.model.classes` order) for a batch of texts."""
        langs = langs if langs is not None else [None] * len(texts)
        extra = self.model.extra_matrix([language_inputs(lang) for lang in langs])
        if self._problem_column is not None:
            extra[:, self._problem_column] = [problem_inputs(t, lang)[PROBLEM_INPUT] for t, lang in
                                              zip(texts, langs, strict=True)]
        if self.polarity is not None:
            extra[:, self._polarity_columns] = self.polarity.matrix(texts)
        batch = self.features.batch(texts)
        p = self.model.proba_many(batch, extra)
        problems = extra[:, self._problem_column] if self._problem_column is not None else np.zeros(len(texts))
        for lang, specialist in self.specialists.items():
            rows = [i for i, code in enumerate(langs) if code == lang and problems[i] == 0]
            if rows:
                p[rows] = (p[rows] + specialist.proba_many(take(batch, rows), extra[rows])) / 2
        p[batch.unread] = self._no_evidence(int(batch.unread.sum()))
        return p

    def _no_evidence(self, n: int) -> FloatArray:
        """Certainly neutral, score 0: what the rules read as no evidence, as VADER gives an empty text."""
        p = np.zeros((n, len(self.model.classes)), dtype=np.float32)
        p[:, self._neu] = 1.0
        return p


@cache
def _shipped_specialists() -> dict[str, LinearHead]:
    return specialist_heads("sentiment", featurizer().size)
