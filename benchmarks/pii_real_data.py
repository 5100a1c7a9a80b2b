"""How often each kind of personal data is found in real posts nobody here wrote, with every match in context.

The detector has no labelled data to score against, so its precision is judged by reading what it finds: this
prints, per kind and data set, the number of matches and each match with the text around it, for a person to mark
true or false. Data are read in place from `$WAKEFUL_DATA_DIR` (default `../shared/data`).

    .venv/bin/python benchmarks/pii_real_data.py [--kinds loyalty,address] [--context 60] [--programmes 'A,B']
    .venv/bin/python benchmarks/pii_real_data.py --letter-tables

`--programmes` reads every post as if its brand had named these loyalty programmes (`loyalty_programmes`), to see
what a brand's own programme names would find.

`--letter-tables` prints instead the letter-pair tables `analyze/pii.py` tells words from record locators by,
computed from the same posts, so they can be rebuilt and checked.
"""

from __future__ import annotations

import argparse
import csv
import re
from collections import Counter, defaultdict
from collections.abc import Iterator

from wakeful.analyze.pii import find_pii
from wakeful.ingest.datasets import airline_rows, default_data_dir

XLMT = ("english", "german", "french", "spanish", "italian", "portuguese")


def texts() -> Iterator[tuple[str, str]]:
    """(data set, text) for every post of airline-tweets, the TWCS sample, GermEval 2017 and six XLM-T languages."""
    base = default_data_dir()
    csv.field_size_limit(10**9)
    yield from (("airline", r["text"] or "") for r in airline_rows(base))
    with open(base / "twcs-sample/twcs.csv", newline="", encoding="utf-8") as f:
        yield from (("twcs", r["text"] or "") for r in csv.DictReader(f))
    with open(base / "germeval2017-db/feedback.tsv", newline="", encoding="utf-8") as f:
        rows = csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE)
        yield from (("germeval2017", r["text"] or "") for r in rows)
    for lang in XLMT:
        for split in ("train", "val", "test"):
            with open(base / f"xlm-t-sentiment/{lang}/{split}_text.txt", encoding="utf-8") as f:
                yield from ((f"xlmt-{lang}", line.rstrip("\n")) for line in f)


def letter_tables(share: float = 0.0003) -> None:
    """The letter pairs inside words, and the pairs words start with (words of three letters or more), that each
    make up at least `share` of all, by first letter: `_WORD_PAIR_SECONDS` and `_WORD_START_SECONDS` in pii.py."""
    inside: Counter[str] = Counter()
    starts: Counter[str] = Counter()
    for _, text in texts():
        for word in re.findall(r"[a-z]+", text.lower()):
            inside.update(word[i : i + 2] for i in range(len(word) - 1))
            if len(word) >= 3:
                starts[word[:2]] += 1
    for name, counts in (("_WORD_PAIR_SECONDS", inside), ("_WORD_START_SECONDS", starts)):
        total = sum(counts.values())
        kept = sorted(pair for pair, n in counts.items() if n >= share * total)
        table = {first: "".join(p[1] for p in kept if p[0] == first) for first in sorted({p[0] for p in kept})}
        print(f"{name} = {{\n    " + ", ".join(f'"{k}": "{v}"' for k, v in table.items()) + ",\n}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kinds", default="", help="Comma-separated kinds to list in context (default: all)")
    parser.add_argument("--context", type=int, default=60, help="Characters shown on each side of a match")
    parser.add_argument("--programmes", default="", help="Comma-separated loyalty programme names of a brand, "
                        "applied to every post")
    parser.add_argument("--letter-tables", action="store_true", help="Print the letter-pair tables and stop")
    args = parser.parse_args()
    if args.letter_tables:
        letter_tables()
        return
    listed = set(filter(None, args.kinds.split(",")))
    programmes = [name.strip() for name in args.programmes.split(",") if name.strip()]
    counts: dict[str, Counter[str]] = defaultdict(Counter)
    shown: dict[str, list[str]] = defaultdict(list)
    total = 0
    for source, text in texts():
        total += 1
        for m in find_pii(text, programmes):
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
