"""How often each kind of personal data is found in real posts nobody here wrote, with every match in context.

The detector has no labelled data to score against, so its precision is judged by reading what it finds: this
prints, per kind and data set, the number of matches and each match with the text around it, for a person to mark
true or false. Data are read in place from `$WAKEFUL_DATA_DIR` (default `../shared/data`).

    .venv/bin/python benchmarks/pii_real_data.py [--kinds loyalty,address] [--context 60]
"""

from __future__ import annotations

import argparse
import csv
from collections import Counter, defaultdict
from collections.abc import Iterator

from wakeful.analyze.pii import find_pii
from wakeful.ingest.datasets import default_data_dir

XLMT = ("english", "german", "french", "spanish", "italian", "portuguese")


def texts() -> Iterator[tuple[str, str]]:
    """(data set, text) for every post of airline-tweets, the TWCS sample, GermEval 2017 and six XLM-T languages."""
    base = default_data_dir()
    csv.field_size_limit(10**9)
    with open(base / "airline-tweets/Tweets.csv", newline="", encoding="utf-8") as f:
        yield from (("airline", r["text"] or "") for r in csv.DictReader(f))
    with open(base / "twcs-sample/twcs.csv", newline="", encoding="utf-8") as f:
        yield from (("twcs", r["text"] or "") for r in csv.DictReader(f))
    with open(base / "germeval2017-db/feedback.tsv", newline="", encoding="utf-8") as f:
        rows = csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE)
        yield from (("germeval2017", r["text"] or "") for r in rows)
    for lang in XLMT:
        for split in ("train", "val", "test"):
            with open(base / f"xlm-t-sentiment/{lang}/{split}_text.txt", encoding="utf-8") as f:
                yield from ((f"xlmt-{lang}", line.rstrip("\n")) for line in f)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kinds", default="", help="Comma-separated kinds to list in context (default: all)")
    parser.add_argument("--context", type=int, default=60, help="Characters shown on each side of a match")
    args = parser.parse_args()
    listed = set(filter(None, args.kinds.split(",")))
    counts: dict[str, Counter[str]] = defaultdict(Counter)
    shown: dict[str, list[str]] = defaultdict(list)
    total = 0
    for source, text in texts():
        total += 1
        for m in find_pii(text):
            counts[m.kind][source] += 1
            if not listed or m.kind in listed:
                around = text[max(0, m.start - args.context):m.end + args.context].replace("\n", " ")
                shown[m.kind].append(f"  {source:14} {text[m.start:m.end]!r:40} | {around}")
    print(f"{total:,} posts")
    for kind in sorted(counts):
        print(f"{kind}: {sum(counts[kind].values())} ({', '.join(f'{s} {n}' for s, n in counts[kind].most_common())})")
    for kind in sorted(shown):
        print(f"\n== {kind}")
        print("\n".join(shown[kind]))


if __name__ == "__main__":
    main()
