"""Word polarity from published sentiment lexicons, as dense inputs to the trained sentiment model.

A few thousand labelled tweets per language teach a linear model only the words those tweets happen to use;
the lexicons (VADER for English, the German Polarity Lexicon and Pattern's French adjectives, the Emoji
Sentiment Ranking) know the polarity of words it never saw. Each lexicon adds two inputs, its positive and its
negative mass in the post (log-damped, halved: the scale chosen on validation), with a word flipped and halved
when one of the two tokens before it negates it ("not good", "nicht gut", "pas bon").

The tables are built by `wakeful train` (`training.polarity`) from the lexicons' packages and shipped as
`models/polarity.npz`, so inference needs neither those packages nor a network.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from functools import cache
from pathlib import Path

import numpy as np
import numpy.typing as npt

from wakeful.analyze.linear import MODELS_DIR, ModelFileError, decode_terms, encode_terms, read_arrays, tokens

SOURCES = ("en", "de", "fr", "emoji")  # lexicon names, in the order of their inputs
INPUTS = tuple(f"polarity:{source}{sign}" for source in SOURCES for sign in ("+", "-"))
SCALE = 0.5  # validation macro-F1 (all sentiment data): 0.5 -> 0.665, 1 -> 0.665, 3 -> 0.657, none 0.658
NEGATORS = frozenset({"not", "no", "never", "t", "nicht", "kein", "keine", "keinen", "nie", "pas", "jamais",
                      "sans", "ne"})  # 't': "don't" tokenises as don ' t
NEGATED = -0.5  # a negated word's polarity is flipped and weakened ("not bad" is mildly positive)


class PolarityLexicon:
    """Term → polarity (-1..1) for each source lexicon, merged into one lookup: `index` maps a term to its row of
    `values`, one column per source in `SOURCES` order (0 where that lexicon lacks the term)."""

    def __init__(self, index: dict[str, int], values: npt.NDArray[np.float32]) -> None:
        if values.shape != (len(index), len(SOURCES)):
            raise ValueError(f"expected polarity values for {len(index)} terms and sources {SOURCES}, got shape "
                             f"{values.shape}")
        self.index, self.values = index, values

    @classmethod
    def from_tables(cls, tables: dict[str, dict[str, float]]) -> PolarityLexicon:
        """Merge per-source tables (term → polarity) into one lookup."""
        unknown = set(tables) - set(SOURCES)
        if unknown:
            raise ValueError(f"unknown polarity lexicons: {sorted(unknown)} (expected some of {SOURCES})")
        index = {t: i for i, t in enumerate(sorted({t for table in tables.values() for t in table}))}
        values = np.zeros((len(index), len(SOURCES)), dtype=np.float32)
        for j, source in enumerate(SOURCES):
            for term, value in tables.get(source, {}).items():
                values[index[term], j] = value
        return cls(index, values)

    @property
    def sizes(self) -> dict[str, int]:
        """Terms with a polarity, per source."""
        return {s: int(np.count_nonzero(self.values[:, j])) for j, s in enumerate(SOURCES)}

    @classmethod
    def load(cls, path: Path | None = None) -> PolarityLexicon:
        path = path or MODELS_DIR / "polarity.npz"
        data = read_arrays(path)
        try:
            sources = tuple(str(s) for s in data["sources"])
            if sources != SOURCES:
                raise ValueError(f"sources {sources}, expected {SOURCES}")
            return cls(decode_terms(data["terms"]), np.asarray(data["values"], dtype=np.float32))
        except (KeyError, ValueError) as exc:
            raise ModelFileError(f"model file {path} is malformed: {exc}") from exc

    def save(self, path: Path) -> None:
        """Terms as newline-joined UTF-8 bytes in row order (no pickles), values as float32."""
        np.savez_compressed(path, terms=encode_terms(sorted(self.index, key=self.index.__getitem__)),
                            values=self.values, sources=np.array(SOURCES))

    def vector(self, text: str) -> npt.NDArray[np.float32]:
        """The post's inputs in `INPUTS` order: per lexicon, SCALE · log(1 + positive mass) and the same for the
        negative mass. Every post is read with every lexicon, whatever its language: the model weighs them per
        language through its language inputs, and reading each language with its own lexicon only did worse on
        validation (German 0.689 -> 0.653; all data 0.665 -> 0.662), as tweets mix languages."""
        words = tokens(text)
        pos, neg = [0.0] * len(SOURCES), [0.0] * len(SOURCES)
        get = self.index.get
        for i, word in enumerate(words):
            row = get(word)
            if row is None:
                continue
            negated = (i > 0 and words[i - 1] in NEGATORS) or (i > 1 and words[i - 2] in NEGATORS)
            for j, value in enumerate(self.values[row].tolist()):
                if j < len(SOURCES) - 1 and negated:  # emoji are not negated by words
                    value *= NEGATED
                if value > 0:
                    pos[j] += value
                elif value < 0:
                    neg[j] -= value
        out = [SCALE * math.log1p(x) for pair in zip(pos, neg, strict=True) for x in pair]
        return np.array(out, dtype=np.float32)

    def inputs(self, text: str) -> dict[str, float]:
        """`vector` by input name, for a head's dense inputs (zeros left out)."""
        return {name: v for name, v in zip(INPUTS, self.vector(text).tolist(), strict=True) if v}

    def matrix(self, texts: Sequence[str]) -> npt.NDArray[np.float32]:
        """`vector` of many posts, one row each."""
        if not texts:
            return np.zeros((0, len(INPUTS)), dtype=np.float32)
        return np.stack([self.vector(t) for t in texts])


@cache
def lexicon() -> PolarityLexicon:
    """The shipped polarity tables, loaded once per process."""
    return PolarityLexicon.load()
