"""The analysis section of `wakeful eval`: the shipped models on held-out test splits, beside baselines.

Only `split="test"` examples are scored (the models never saw them: the vocabulary and weights come from the
train splits, the regularisation from val). Each figure stands beside baselines measured in the same run: VADER
(English lexicon, applied as is to every language, as the v0 desk did), the v0 lexicon/keyword rules, the
majority class of the same data set's training split, and the issue's TF-IDF logistic regression
(`baselines.tfidf_lr`), refitted here on the same data set's training split (for sentiment on its family's:
all XLM-T languages together).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from wakeful.analyze import encoder
from wakeful.analyze.complaint import LexiconComplaintClassifier, LinearComplaintClassifier
from wakeful.analyze.linear import MODELS_DIR, Featurizer, LinearHead, specialist_heads
from wakeful.analyze.offensive import OffensiveClassifier
from wakeful.analyze.polarity import PolarityLexicon
from wakeful.analyze.sentiment import LinearSentiment, SentimentModel, VaderSentiment
from wakeful.analyze.topics import KeywordTopicTagger, ModelTopicTagger
from wakeful.evaluation import baselines
from wakeful.training import data
from wakeful.training.data import Example
from wakeful.training.metrics import f1_by_class, precision_recall, report

HEADS = ("sentiment", "complaint", "topics", "offensive")
TOLERANCE = 0.02
NO_TOPIC = "none"


class Models:
    """The four heads over one feature space, loaded from `directory` (the shipped models by default)."""

    def __init__(self, directory: Path = MODELS_DIR) -> None:
        features = Featurizer.load(directory / "features.npz")
        heads = {name: LinearHead.load(name, features.size, directory) for name in HEADS}
        self.sentiment = LinearSentiment(features, heads["sentiment"], PolarityLexicon.load(directory / "polarity.npz"),
                                         specialist_heads("sentiment", features.size, directory))
        self.complaint = LinearComplaintClassifier(features, heads["complaint"])
        self.topics = ModelTopicTagger(features, heads["topics"])
        self.offensive = OffensiveClassifier(features, heads["offensive"])
        self.encoder = _encoder(directory, self.sentiment)

    def complaints(self, examples: Sequence[Example], sentiment: SentimentModel) -> list[bool]:
        """The complaint decisions as the desk's Analyzer makes them, fed by `sentiment`'s scores: the model's own,
        or the opt-in encoder's (English posts then read its score, its praise cap `complaint.PRAISE_SCORE` among
        them, and the rest the linear one's)."""
        texts, langs = [e.text for e in examples], [e.lang for e in examples]
        scores = [score for _, score in sentiment.score_many(texts, langs)]
        return [flag for flag, _ in self.complaint.predict_many(texts, langs, scores)]


def _encoder(directory: Path, linear: LinearSentiment) -> encoder.EncoderSentiment | None:
    """The optional English encoder (`analyze.encoder`) where `directory` has its adapter and the `encoder` extra
    is installed; None otherwise, and its rows are left out of the report."""
    if not (directory / encoder.ADAPTER_FILE).is_file():
        return None
    try:
        return encoder.EncoderSentiment(directory / encoder.ADAPTER_FILE, linear)
    except encoder.EncoderUnavailable:
        return None


def _by_source(examples: Sequence[Example],
               key: Callable[[str], str] = lambda source: source) -> dict[str, list[Example]]:
    """The examples grouped by `key` of their data set (by data set itself unless told otherwise)."""
    groups: dict[str, list[Example]] = {}
    for e in examples:
        groups.setdefault(key(e.source), []).append(e)
    return groups


def _majority(train: Sequence[Example]) -> str:
    return Counter(e.label for e in train).most_common(1)[0][0]


def _binary(gold: Sequence[str], pred: Sequence[str]) -> dict[str, object]:
    """Accuracy, macro-F1, per-class F1, and precision/recall of 'yes'."""
    out = report(gold, pred, ["yes", "no"])
    p, r = precision_recall([g == "yes" for g in gold], [x == "yes" for x in pred])
    return {**out, "precision": round(p, 4), "recall": round(r, 4)}


def sentiment(models: Models, base: Path | None) -> dict[str, Any]:
    vader = VaderSentiment()
    train = data.sentiment("train", base)
    majority = {s: _majority(ex) for s, ex in _by_source(train).items()}
    tfidf = {name: baselines.tfidf_lr(examples) for name, examples in _by_source(train, baselines.family).items()}
    out: dict[str, Any] = {}
    for source, examples in _by_source(data.sentiment("test", base)).items():
        gold, texts = [e.label for e in examples], [e.text for e in examples]
        model = [models.sentiment.score(e.text, e.lang)[0].value for e in examples]
        rule = [vader.score(e.text, e.lang)[0].value for e in examples]
        out[source] = {"lang": examples[0].lang, "model": report(gold, model, data.SENTIMENTS),
                       "tfidf_lr": report(gold, tfidf[baselines.family(source)](texts), data.SENTIMENTS),
                       "vader": report(gold, rule, data.SENTIMENTS),
                       "majority": report(gold, [majority[source]] * len(gold), data.SENTIMENTS)}
        if models.encoder is not None and examples[0].lang in encoder.LANGUAGES:
            read = models.encoder.score_many(texts, [e.lang for e in examples])
            out[source]["encoder"] = report(gold, [label.value for label, _ in read], data.SENTIMENTS)
    return out


def complaint(models: Models, base: Path | None) -> dict[str, Any]:
    vader, lexicon = VaderSentiment(), LexiconComplaintClassifier()
    train = _by_source(data.complaint("train", base))
    majority = {s: _majority(ex) for s, ex in train.items()}

    def yes(flag: bool) -> str:
        return "yes" if flag else "no"

    out: dict[str, Any] = {}
    for source, examples in _by_source(data.complaint("test", base)).items():
        if source == "xlmt":
            out[source] = _general(models, examples, scores=[vader.score(e.text, e.lang) for e in examples])
            continue
        gold = [e.label for e in examples]
        scores = [vader.score(e.text, e.lang) for e in examples]
        out[source] = {
            "lang": examples[0].lang,
            "model": _binary(gold, [yes(flag) for flag in models.complaints(examples, models.sentiment)]),
            "tfidf_lr": _binary(gold, baselines.tfidf_lr(train[source])([e.text for e in examples])),
            "v0_lexicon": _binary(gold, [yes(lexicon.predict(e.text, e.lang, s)[0])
                                         for e, (_, s) in zip(examples, scores, strict=True)]),
            "vader_negative": _binary(gold, [yes(label.value == "negative") for label, _ in scores]),
            "majority": _binary(gold, [majority[source]] * len(gold)),
        }
        if models.encoder is not None and examples[0].lang in encoder.LANGUAGES:
            out[source]["encoder"] = _binary(gold, [yes(flag) for flag in models.complaints(examples, models.encoder)])
    return out


def _general(models: Models, examples: Sequence[Example], scores: Sequence[tuple[Any, float]]) -> dict[str, Any]:
    """General tweets, none a complaint: accuracy is the share left alone, macro-F1 the F1 of 'no'."""
    gold = ["no"] * len(examples)

    def rated(flags: Sequence[bool]) -> dict[str, object]:
        return report(gold, ["yes" if f else "no" for f in flags], ["no"])

    lexicon = LexiconComplaintClassifier()
    return {
        "lang": "all",
        "model": rated(models.complaints(examples, models.sentiment)),
        "v0_lexicon": rated([lexicon.predict(e.text, e.lang, s)[0] for e, (_, s) in zip(examples, scores,
                                                                                          strict=True)]),
        "vader_negative": rated([label.value == "negative" for label, _ in scores]),
        **({"encoder": rated(models.complaints(examples, models.encoder))} if models.encoder is not None else {}),
    }


def _top_topic(models: Models, text: str) -> str:
    p = models.topics.proba(text)
    return models.topics.model.classes[int(np.argmax(p))]


def topics(models: Models, base: Path | None) -> dict[str, Any]:
    """Airline: one reason per tweet, so top-1 accuracy and macro-F1 over the reasons; GermEval 2017: several
    aspects per document, so per-topic F1 of the tagged set, micro-F1, and exact-set accuracy."""
    keywords = KeywordTopicTagger()
    train = _by_source(data.topics("train", base))
    test = _by_source(data.topics("test", base))
    out: dict[str, Any] = {}

    airline = [e for e in test.get("airline", []) if e.topics]
    if airline:
        labels = sorted({e.label for e in airline})
        gold = [e.label for e in airline]

        def first_keyword(text: str) -> str:
            tags = keywords.tag(text, "en")
            return tags[0] if tags else NO_TOPIC

        labelled = [e for e in train["airline"] if e.topics]
        most_common = Counter(e.label for e in labelled).most_common(1)[0][0]
        tfidf = baselines.tfidf_lr(labelled)([e.text for e in airline])
        out["airline"] = {"lang": "en", "model": report(gold, [_top_topic(models, e.text) for e in airline], labels),
                          "tfidf_lr": report(gold, tfidf, labels),
                          "v0_keywords": report(gold, [first_keyword(e.text) for e in airline], labels),
                          "majority": report(gold, [most_common] * len(gold), labels)}

    germeval = test.get("germeval2017", [])
    if germeval:
        gold_sets = [frozenset(e.topics) for e in germeval]
        labels = [t for t in data.TOPICS if any(t in g for g in gold_sets)]
        def model_tags(text: str) -> frozenset[str]:
            return frozenset(models.topics.learned(text))

        out["germeval2017"] = {
            "lang": "de",
            "model": _multilabel(gold_sets, [model_tags(e.text) for e in germeval], labels),
            "v0_keywords": _multilabel(gold_sets, [frozenset(keywords.tag(e.text, "de")) for e in germeval], labels),
            "majority": _multilabel(gold_sets, [frozenset()] * len(germeval), labels),
        }
    return out


def _multilabel(gold: Sequence[frozenset[str]], pred: Sequence[frozenset[str]],
                labels: Sequence[str]) -> dict[str, Any]:
    per_class = {t: f1_by_class([t in g for g in gold], [t in p for p in pred], [True])[True] for t in labels}
    tp = sum(len(g & p) for g, p in zip(gold, pred, strict=True))
    fp = sum(len(p - g) for g, p in zip(gold, pred, strict=True))
    fn = sum(len(g - p) for g, p in zip(gold, pred, strict=True))
    return {"n": len(gold), "accuracy": round(sum(g == p for g, p in zip(gold, pred, strict=True)) / len(gold), 4),
            "macro_f1": round(sum(per_class.values()) / len(per_class), 4) if per_class else 0.0,
            "micro_f1": round(2 * tp / (2 * tp + fp + fn), 4) if tp else 0.0,
            "f1": {t: round(v, 4) for t, v in per_class.items()}}


def offensive(models: Models, base: Path | None) -> dict[str, Any]:
    train = _by_source(data.offensive("train", base))
    majority = {s: _majority(ex) for s, ex in train.items()}
    tfidf = {s: baselines.tfidf_lr(ex) for s, ex in train.items()}
    out: dict[str, Any] = {}
    for source, examples in _by_source(data.offensive("test", base)).items():
        gold = [e.label for e in examples]
        pred = ["yes" if models.offensive.predict(e.text)[0] else "no" for e in examples]
        out[source] = {"lang": examples[0].lang, "model": _binary(gold, pred),
                       "tfidf_lr": _binary(gold, tfidf[source]([e.text for e in examples])),
                       "majority": _binary(gold, [majority[source]] * len(gold))}
    return out


TASKS: dict[str, Callable[[Models, Path | None], dict[str, Any]]] = {
    "sentiment": sentiment, "complaint": complaint, "topics": topics, "offensive": offensive,
}


def evaluate(base: Path | None = None, models_dir: Path = MODELS_DIR) -> dict[str, Any]:
    """Every task, every data set with labels, on its test split: {task: {source: {system: metrics}}}."""
    models = Models(models_dir)
    return {task: run(models, base) for task, run in TASKS.items()}


def headline(report_: dict[str, Any]) -> dict[str, float]:
    """The default metrics `--check` guards: the model's accuracy and macro-F1 for every task and data set."""
    return {f"{task}.{source}.{metric}": float(systems["model"][metric])
            for task, sources in report_.items() for source, systems in sources.items()
            for metric in ("accuracy", "macro_f1")}


def check(report_: dict[str, Any], committed: dict[str, float], tolerance: float = TOLERANCE) -> list[str]:
    """Each committed figure that the current run misses by more than `tolerance` (or no longer measures)."""
    now = headline(report_)
    failures = []
    for key, before in sorted(committed.items()):
        if key not in now:
            failures.append(f"{key}: committed {before:.3f}, not measured now")
        elif now[key] < before - tolerance:
            failures.append(f"{key}: {now[key]:.3f} is more than {tolerance:.2f} below the committed {before:.3f}")
    return failures


def _fmt(metrics: dict[str, Any]) -> str:
    extra = "".join(f"  {k[0].upper()} {metrics[k]:.3f}" for k in ("precision", "recall") if k in metrics)
    micro = f"  micro-F1 {metrics['micro_f1']:.3f}" if "micro_f1" in metrics else ""
    per_class = " ".join(f"{c}={v:.2f}" for c, v in metrics["f1"].items())
    return f"acc {metrics['accuracy']:.3f}  macro-F1 {metrics['macro_f1']:.3f}{micro}{extra}  | {per_class}"


def lines(report_: dict[str, Any]) -> list[str]:
    """The report as text, one block per task and data set, the model first and its baselines under it."""
    out: list[str] = []
    for task, sources in report_.items():
        for source, systems in sources.items():
            n = systems["model"]["n"]
            out.append(f"{task} · {source} ({systems['lang']}, test n={n})")
            out += [f"  {name:<15} {_fmt(metrics)}" for name, metrics in systems.items() if name != "lang"]
    return out
