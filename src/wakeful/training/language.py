"""Train the desk's character n-gram language model from the labelled data in `../shared/data/`.

lingua reads a post in about 0.4 ms, a fifth of the whole analyzer's budget at 2,000 posts/s; a linear model over
character n-grams reads one in a fraction of that and, trained on tweets, knows tweet spelling. Training uses only
TRAIN splits (XLM-T per language, airline tweets, TweetEval and GermEval 2018 offensive, GermEval 2017), so
`evaluation.language` can report on the test splits. Hindi (mostly romanised Hinglish) and Arabic tweets form an
"other" class, so Latin-script text in a language the desk does not serve is not forced into one it does.
Reproducible from `seed`: the sample of each source and the solver depend on nothing else.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from numpy.typing import NDArray
from scipy.sparse import csr_matrix

from wakeful.analyze.language import BUCKETS, MODEL_PATH, OTHER, NgramLanguageModel, clean_for_language, ngram_ids
from wakeful.training import blas, data
from wakeful.training.data import Split

SERVED = ("en", "de", "fr", "es", "it", "pt")
PER_CLASS_CAP = 6000  # keeps English and German, which have several sources, from drowning the others


@dataclass(frozen=True)
class LanguageTrainReport:
    """What `train` did, for the CLI to print and the model card to quote."""

    path: Path
    examples: dict[str, int]
    features: int
    val_accuracy: float
    val_coverage: float


def labelled(split: Split, base: Path | str | None = None) -> list[tuple[str, str]]:
    """(text, language) pairs of `split`: XLM-T per folder (ar, hi → `OTHER`), airline tweets (en), TweetEval and
    GermEval 2018 offensive (en, de) and GermEval 2017 (de)."""
    pairs = [(e.text, e.lang if e.lang in SERVED else OTHER) for folder in data.XLMT_LANGUAGES
             for e in data.xlmt(folder, split, base)]
    pairs += [(row["text"], "en") for row in data.airline_rows(split, base)]
    pairs += [(e.text, e.lang) for e in data.offensive(split, base)]
    pairs += [(row["text"], "de") for row in data.germeval2017_rows(split, base)]
    return pairs


def training_examples(base: Path | str | None, seed: int) -> list[tuple[str, str]]:
    """The train split, each class capped at `PER_CLASS_CAP` by a seeded sample, in a seeded order."""
    by_class: dict[str, list[str]] = {}
    for text, code in labelled("train", base):
        if clean_for_language(text):
            by_class.setdefault(code, []).append(text)
    rng = random.Random(seed)
    examples: list[tuple[str, str]] = []
    for code in sorted(by_class):
        texts = sorted(set(by_class[code]))
        rng.shuffle(texts)
        examples.extend((t, code) for t in texts[:PER_CLASS_CAP])
    rng.shuffle(examples)
    return examples


def count_matrix(texts: list[str]) -> csr_matrix:
    """Rows of hashed n-gram counts (`ngram_ids`), one per cleaned text."""
    indptr = [0]
    indices: list[NDArray[np.int64]] = []
    for text in texts:
        ids = ngram_ids(text).astype(np.int64)
        indices.append(ids)
        indptr.append(indptr[-1] + len(ids))
    flat = np.concatenate(indices)
    matrix = csr_matrix((np.ones(len(flat), dtype=np.float32), flat, indptr), shape=(len(texts), BUCKETS))
    matrix.sum_duplicates()
    return matrix


def inverse_document_frequency(counts: csr_matrix) -> NDArray[np.float32]:
    """Smoothed idf, ln((1 + n) / (1 + df)) + 1, as scikit-learn computes it."""
    df = np.bincount(counts.indices, minlength=BUCKETS)
    idf: NDArray[np.float32] = (np.log((1 + counts.shape[0]) / (1 + df)) + 1).astype(np.float32)
    return idf


def feature_rows(counts: csr_matrix, idf: NDArray[np.float32]) -> csr_matrix:
    """The features `NgramLanguageModel.probabilities` computes: idf-weighted counts over the square root of
    the idf-squared sum of the text's n-gram occurrences."""
    weighted = csr_matrix(counts.multiply(idf[None, :]))
    norms = np.sqrt(np.asarray(counts @ (idf * idf)).ravel())
    norms[norms == 0] = 1.0
    return csr_matrix(weighted.multiply(1.0 / norms[:, None]))


def train(base: Path | str | None = None, out: Path = MODEL_PATH, *, seed: int = 0) -> LanguageTrainReport:
    """Fit a multinomial logistic regression on `feature_rows` of the train split; save it as .npz.

    The saved arrays are all inference needs: idf per bucket, the weight matrix (float16, which costs no
    accuracy here and halves the committed file), the bias and the class names. Runs in a child process on pinned
    BLAS kernels where this one is not (`blas`): L-BFGS's steps are BLAS sums, whose last bits follow the CPU.
    """
    if blas.delegate():
        return blas.call_pinned(train, base=base, out=out, seed=seed)  # type: ignore[no-any-return]
    from sklearn.linear_model import LogisticRegression

    examples = training_examples(base, seed)
    labels = [code for _, code in examples]
    matrix = count_matrix([clean_for_language(t) for t, _ in examples])
    idf = inverse_document_frequency(matrix)
    model = LogisticRegression(C=10.0, max_iter=300, random_state=seed)
    model.fit(feature_rows(matrix, idf), labels)
    out.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(
        out,
        idf=idf.astype(np.float16),
        weights=model.coef_.T.astype(np.float16),
        bias=model.intercept_.astype(np.float32),
        classes=np.array(list(model.classes_)),
        seed=np.array(seed),
    )
    loaded = NgramLanguageModel.load(out)
    val = labelled("val", base)
    answers = [loaded.predict(clean_for_language(t)) for t, _ in val]
    answered = [(a, code) for a, (_, code) in zip(answers, val, strict=True) if a is not None]
    counts: dict[str, int] = {}
    for code in labels:
        counts[code] = counts.get(code, 0) + 1
    return LanguageTrainReport(
        path=out,
        examples=counts,
        features=int((matrix.getnnz(axis=0) > 0).sum()),
        val_accuracy=sum(a == c for a, c in answered) / max(1, len(answered)),
        val_coverage=len(answered) / max(1, len(val)),
    )
