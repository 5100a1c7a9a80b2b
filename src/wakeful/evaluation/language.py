"""Language identification measured on held-out tweets: coverage, accuracy of the answers, and speed.

A detector that abstains is only useful if it abstains rarely and is right when it answers, so both are
reported per set, plus `wrong` (share of all posts given a wrong language: what misroutes a customer). Sets: the
XLM-T test split per language (the folder is the label; Hindi and Arabic are languages the desk does not serve,
where the right answer is "unknown"), the airline tweets' test rows (en), and every served XLM-T test tweet cut
to its first three words (the short-post case). Baselines in the same run: lingua as the desk used it before
(restricted, abstaining), the same in lingua's low-accuracy mode, and lingua's default (all languages, no
abstention).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from lingua import LanguageDetectorBuilder

from wakeful.analyze.language import (
    SUPPORTED_LANGUAGES,
    LinguaLanguageDetector,
    NgramLanguageDetector,
    clean_for_language,
    default_detector,
)
from wakeful.training import data

Detect = Callable[[str], str | None]
SHORT_WORDS = 3


@dataclass(frozen=True)
class LabelledSet:
    name: str
    texts: list[str]
    labels: list[str]


def held_out_sets(base: Path | str | None = None) -> list[LabelledSet]:
    """The held-out sets, read from the data folder (test splits only)."""
    sets: list[LabelledSet] = []
    short_texts: list[str] = []
    short_labels: list[str] = []
    for folder, code in data.XLMT_LANGUAGES.items():
        examples = data.xlmt(folder, "test", base)
        sets.append(LabelledSet(f"xlmt-{code}", [e.text for e in examples], [code] * len(examples)))
        if code in SUPPORTED_LANGUAGES:
            for e in examples:
                words = clean_for_language(e.text).split()
                if len(words) >= SHORT_WORDS:
                    short_texts.append(" ".join(words[:SHORT_WORDS]))
                    short_labels.append(code)
    airline = [row["text"] for row in data.airline_rows("test", base)]
    sets.append(LabelledSet("airline-en", airline, ["en"] * len(airline)))
    sets.append(LabelledSet(f"xlmt-{SHORT_WORDS}-words", short_texts, short_labels))
    return sets


def _lingua_default() -> Detect:
    detector = LanguageDetectorBuilder.from_all_languages().build()

    def detect(text: str) -> str | None:
        found = detector.detect_language_of(text)
        return found.iso_code_639_1.name.lower() if found is not None else None

    return detect


def _desk(detector: NgramLanguageDetector | LinguaLanguageDetector) -> Detect:
    return lambda text: detector.detect(text)[0]


def detectors() -> dict[str, Detect]:
    """The shipped detector, its parts alone, and the two lingua baselines, by report name."""
    return {
        "wakeful": _desk(default_detector()),
        "ngram-only": _desk(NgramLanguageDetector()),
        "lingua-desk": _desk(LinguaLanguageDetector()),
        "lingua-low": _desk(LinguaLanguageDetector(low_accuracy=True)),
        "lingua-default": _lingua_default(),
    }


def score(detect: Detect, labelled: LabelledSet) -> dict[str, float]:
    answers = [detect(t) for t in labelled.texts]
    answered = [(a, y) for a, y in zip(answers, labelled.labels, strict=True) if a is not None]
    right = sum(a == y for a, y in answered)
    n = max(1, len(labelled.texts))
    return {
        "n": len(labelled.texts),
        "coverage": len(answered) / n,
        "accuracy": right / max(1, len(answered)),
        "wrong": (len(answered) - right) / n,
    }


def evaluate(base: Path | str | None = None) -> dict[str, object]:
    """Every detector on every set, and each detector's speed (posts/s over all the sets' texts, one process)."""
    sets = held_out_sets(base)
    results: dict[str, dict[str, dict[str, float]]] = {s.name: {} for s in sets}
    speed: dict[str, float] = {}
    for name, detect in detectors().items():
        detect("warm up the models before timing")
        elapsed = 0.0
        count = 0
        for labelled in sets:
            start = time.perf_counter()
            results[labelled.name][name] = score(detect, labelled)
            elapsed += time.perf_counter() - start
            count += len(labelled.texts)
        speed[name] = count / elapsed if elapsed else 0.0
    return {"sets": results, "posts_per_s": speed}


def lines(report: dict[str, object]) -> list[str]:
    """A Markdown table: coverage / accuracy of answers / wrong share per set and detector, then speed."""
    sets = report["sets"]
    speed = report["posts_per_s"]
    assert isinstance(sets, dict) and isinstance(speed, dict)
    names = list(speed)
    out = ["## Language (coverage / accuracy of answers / wrong share of all)", "",
           "| set | n | " + " | ".join(names) + " |", "|---|---:|" + "---:|" * len(names)]
    for set_name, by_detector in sets.items():
        n = next(iter(by_detector.values()))["n"]
        cells = [f"{m['coverage']:.3f} / {m['accuracy']:.3f} / {m['wrong']:.3f}"
                 for m in (by_detector[d] for d in names)]
        out.append(f"| {set_name} | {n} | " + " | ".join(cells) + " |")
    out.append("| posts/s | | " + " | ".join(f"{speed[d]:,.0f}" for d in names) + " |")
    return out
