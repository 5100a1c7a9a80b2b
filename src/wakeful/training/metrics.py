"""Classification scores, written out so training and `wakeful eval` compute them one way, without sklearn."""

from __future__ import annotations

from collections.abc import Hashable, Sequence


def f1_by_class(gold: Sequence[Hashable], pred: Sequence[Hashable],
                labels: Sequence[Hashable] | None = None) -> dict[Hashable, float]:
    """Per-class F1; a class with no gold and no predicted instance scores 0 (as scikit-learn's zero_division)."""
    if len(gold) != len(pred):
        raise ValueError(f"gold and predicted lengths differ: {len(gold)} != {len(pred)}")
    classes = list(labels) if labels is not None else sorted(set(gold), key=str)
    out: dict[Hashable, float] = {}
    for c in classes:
        tp = sum(1 for g, p in zip(gold, pred, strict=True) if g == c and p == c)
        fp = sum(1 for g, p in zip(gold, pred, strict=True) if g != c and p == c)
        fn = sum(1 for g, p in zip(gold, pred, strict=True) if g == c and p != c)
        out[c] = 2 * tp / (2 * tp + fp + fn) if tp else 0.0
    return out


def macro_f1(gold: Sequence[Hashable], pred: Sequence[Hashable], labels: Sequence[Hashable] | None = None) -> float:
    scores = f1_by_class(gold, pred, labels)
    return sum(scores.values()) / len(scores) if scores else 0.0


def accuracy(gold: Sequence[Hashable], pred: Sequence[Hashable]) -> float:
    return sum(1 for g, p in zip(gold, pred, strict=True) if g == p) / len(gold) if gold else 0.0


def precision_recall(gold: Sequence[bool], pred: Sequence[bool]) -> tuple[float, float]:
    tp = sum(1 for g, p in zip(gold, pred, strict=True) if g and p)
    predicted, actual = sum(map(bool, pred)), sum(map(bool, gold))
    return (tp / predicted if predicted else 0.0), (tp / actual if actual else 0.0)


def report(gold: Sequence[str], pred: Sequence[str], labels: Sequence[str]) -> dict[str, object]:
    """Accuracy, macro-F1 over `labels` and per-class F1, rounded for printing and JSON."""
    per_class = f1_by_class(gold, pred, labels)
    return {
        "n": len(gold),
        "accuracy": round(accuracy(gold, pred), 4),
        "macro_f1": round(sum(per_class.values()) / len(per_class), 4),
        "f1": {str(c): round(v, 4) for c, v in per_class.items()},
    }
