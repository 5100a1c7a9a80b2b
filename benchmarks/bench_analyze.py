"""Analysis throughput (posts/s, one process) and per-post latency (p50/p99), whole Analyzer and each stage, beside
VADER alone measured in the same run.

Texts: the held-out test splits in ../shared/data (airline tweets, XLM-T en/de/fr/es/it/pt/ar/hi, GermEval 2017),
in a seeded shuffle, so the mix of languages and lengths is real traffic's and not one data set's. Throughput is
timed over the whole loop; latency per call (perf_counter_ns), in a second pass, so the timer does not slow the
throughput figure. Ratios against VADER matter; seconds depend on the machine.
Run: `.venv/bin/python benchmarks/bench_analyze.py [--posts N] [--repeat R]`. Prints a Markdown table.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from wakeful.analyze import Analyzer
from wakeful.analyze.language import LinguaLanguageDetector
from wakeful.analyze.legal import legal_flags
from wakeful.analyze.pii import pii_kinds
from wakeful.analyze.question import is_question
from wakeful.analyze.sentiment import VaderSentiment
from wakeful.analyze.spam import is_spam
from wakeful.analyze.urgency import read_urgency
from wakeful.core.models import Author, Platform, Post
from wakeful.core.settings import get_settings
from wakeful.training import data


def test_texts(n: int, seed: int) -> list[str]:
    """Up to `n` texts from every test split, shuffled with `seed`."""
    texts = [row["text"] for row in data.airline_rows("test")]
    for folder in data.XLMT_LANGUAGES:
        texts += [e.text for e in data.xlmt(folder, "test")]
    texts += [row["text"] for row in data.germeval2017_rows("test")]
    random.Random(seed).shuffle(texts)
    return texts[:n]


def percentile(sorted_ns: list[int], q: float) -> float:
    """Nearest-rank percentile in microseconds."""
    rank = max(0, min(len(sorted_ns) - 1, round(q / 100 * len(sorted_ns)) - 1))
    return sorted_ns[rank] / 1000


def measure(fn: Callable[[int], object], count: int, repeat: int) -> tuple[float, float, float]:
    """(posts/s, p50 µs, p99 µs) of `fn(i)` over i in range(count): best of `repeat` throughput passes."""
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        for i in range(count):
            fn(i)
        best = min(best, time.perf_counter() - start)
    samples: list[int] = []
    for i in range(count):
        t0 = time.perf_counter_ns()
        fn(i)
        samples.append(time.perf_counter_ns() - t0)
    samples.sort()
    return count / best, percentile(samples, 50), percentile(samples, 99)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--posts", type=int, default=3000, help="texts to analyse (default 3000)")
    parser.add_argument("--repeat", type=int, default=2, help="throughput passes, best taken (default 2)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--encoder", action="store_true",
                        help="also time analyze_many with the opt-in English sentiment encoder (wakeful[encoder])")
    args = parser.parse_args()

    texts = test_texts(args.posts, args.seed)
    now = datetime.now(UTC)
    author = Author(id="bench", handle="bench")
    posts = [Post(platform=Platform.DEMO, id=str(i), author=author, text=t, created_at=now)
             for i, t in enumerate(texts)]
    analyzer = Analyzer(get_settings().brands)
    analyzer.analyze(posts[0])  # load every model before timing
    langs = [analyzer.language(p)[0] for p in posts]
    scores = [analyzer.sentiment.score(t, lang) for t, lang in zip(texts, langs, strict=True)]
    vader = VaderSentiment()
    lingua = LinguaLanguageDetector()
    lingua.detect("warm up")

    stages: dict[str, Callable[[int], object]] = {
        "VADER alone (baseline)": lambda i: vader.score(texts[i], "en"),
        "Analyzer.analyze, all stages": lambda i: analyzer.analyze(posts[i]),
        "language (n-gram + lingua fallback)": lambda i: analyzer.detector.detect(texts[i]),
        "language: lingua alone (before)": lambda i: lingua.detect(texts[i]),
        "sentiment": lambda i: analyzer.sentiment.score(texts[i], langs[i]),
        "complaint": lambda i: analyzer.complaint.predict(texts[i], langs[i], scores[i][1]),
        "topics": lambda i: analyzer.topics.tag(texts[i], langs[i]),
        "urgency signals + deadline": lambda i: read_urgency(texts[i]),
        "legal flags": lambda i: legal_flags(texts[i]),
        "personal data": lambda i: pii_kinds(texts[i]),
        "question": lambda i: is_question(texts[i], langs[i]),
        "spam": lambda i: is_spam(texts[i]),
        "brands": lambda i: analyzer.brands.match(texts[i]),
    }
    offensive = getattr(analyzer, "offensive", None)
    if offensive is not None:
        stages["offensive"] = lambda i: offensive.predict(texts[i])
    if hasattr(analyzer, "analyze_many"):
        batch = 256

        def many(i: int) -> object:
            return analyzer.analyze_many(posts[i : i + batch]) if i % batch == 0 else None

        stages["Analyzer.analyze_many (batches of 256)"] = many
        if args.encoder:
            encoded = Analyzer(get_settings().brands, encoder=True)
            encoded.analyze_many(posts[:2])

            def many_encoded(i: int) -> object:
                return encoded.analyze_many(posts[i : i + batch]) if i % batch == 0 else None

            stages["Analyzer.analyze_many with the opt-in encoder"] = many_encoded

    results = {name: measure(fn, len(texts), args.repeat) for name, fn in stages.items()}
    base = results["VADER alone (baseline)"][0]
    print(f"{len(texts)} test-split texts, one process, best of {args.repeat} passes\n")
    print("| stage | posts/s | p50 µs | p99 µs | throughput vs VADER |")
    print("|---|---:|---:|---:|---:|")
    for name, (rate, p50, p99) in results.items():
        latency = "- | -" if name.startswith("Analyzer.analyze_many") else f"{p50:,.0f} | {p99:,.0f}"
        print(f"| {name} | {rate:,.0f} | {latency} | {rate / base:.2f} |")


if __name__ == "__main__":
    main()
