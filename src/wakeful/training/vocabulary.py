"""Fit the shared feature space (vocabulary + idf) on training texts and build scikit-learn matrices with it.

The matrix rows are made by `analyze.linear.Featurizer.row`, the exact code that runs at inference, so a model
cannot learn from features that production computes differently.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from scipy import sparse

from wakeful.analyze.linear import Featurizer, encode_terms, grams


def fit(texts: Sequence[str], min_df: int = 2, max_words: int = 150_000, max_chars: int = 250_000) -> Featurizer:
    """Keep terms seen in at least `min_df` texts, the most frequent first; smoothed idf as scikit-learn's."""
    word_df: Counter[str] = Counter()
    char_df: Counter[str] = Counter()
    for text in texts:
        words, chars = grams(text)
        word_df.update(set(words))
        char_df.update(set(chars))

    def keep(df: Counter[str], limit: int) -> list[str]:
        kept = [(n, t) for t, n in df.items() if n >= min_df]
        kept.sort(key=lambda item: (-item[0], item[1]))
        return [t for _, t in kept[:limit]]

    words, chars = keep(word_df, max_words), keep(char_df, max_chars)
    n = len(texts)
    counts = np.array([word_df[t] for t in words] + [char_df[t] for t in chars], dtype=np.float64)
    idf = (np.log((1 + n) / (1 + counts)) + 1).astype(np.float32)
    return Featurizer({t: i for i, t in enumerate(words)}, {t: len(words) + i for i, t in enumerate(chars)}, idf)


def matrix(featurizer: Featurizer, texts: Sequence[str]) -> sparse.csr_matrix:
    """Texts as a CSR matrix of the featurizer's rows."""
    indptr, indices, data = [0], [], []
    for text in texts:
        row = featurizer.row(text)
        indices.append(row.ids)
        data.append(row.values)
        indptr.append(indptr[-1] + len(row.ids))
    return sparse.csr_matrix(
        (np.concatenate(data) if data else np.zeros(0, np.float32),
         np.concatenate(indices) if indices else np.zeros(0, np.int32), np.array(indptr)),
        shape=(len(texts), featurizer.size),
    )


def save(featurizer: Featurizer, path: Path) -> None:
    """Vocabulary as newline-joined UTF-8 bytes in id order, idf as float32; no pickles."""

    def blob(index: dict[str, int]) -> np.ndarray:
        return encode_terms(sorted(index, key=index.__getitem__))

    np.savez_compressed(path, words=blob(featurizer.words), chars=blob(featurizer.chars), idf=featurizer.idf)
