"""Relevance of the "similar past replies" the case page suggests, measured on the TWCS sample (real threads
between customers and brands' care accounts; nobody here wrote them).

Leave one thread out: each customer message an airline's care account answered is a query, retrieved against the
index of every other thread's pairs, weighed as if built from them alone (`ReplyIndex.without`; the query's own
thread is left out, so a customer's follow-up cannot find its own answer). The query's case topics are what the desk
would have put on the case: the default topic tagger (the trained model plus keywords, English). Per retrieval rule,
over the top-3 of every query: `same_sector` (share of suggestions by an airline's care account), `shares_topic`
(share whose customer message shares a topic with the query under the keyword tagger, counted over queries the
keyword tagger gives a topic: for the others no suggestion can share one), `empty` (queries given no suggestion).
Rules, all in the same run: the baseline (cosine only, as before), peers only, topics only, and peers and topics
(what `suggest` now does).
Run: `wakeful eval --section replies`.
"""

from __future__ import annotations

import time
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from wakeful.analyze.topics import ModelTopicTagger
from wakeful.core.settings import AIRLINE_CARE_ACCOUNTS
from wakeful.desk.metrics import care_handles
from wakeful.desk.reply_index import ReplyIndex
from wakeful.ingest.datasets import load_twcs

K = 3
AIRLINES = frozenset(h.casefold() for h in AIRLINE_CARE_ACCOUNTS)
# rule name -> (peer accounts, use the case's topics, similarity floor)
RULES: dict[str, tuple[Collection[str], bool, float]] = {
    "baseline (cosine >= 0.1)": ((), False, 0.1),
    "airline peers": (AIRLINE_CARE_ACCOUNTS, False, 0.1),
    "case topics": ((), True, 0.1),
    "peers + topics (new)": (AIRLINE_CARE_ACCOUNTS, True, 0.1),
    "peers + topics, cosine >= 0.2": (AIRLINE_CARE_ACCOUNTS, True, 0.2),
}


@dataclass
class Tally:
    suggestions: int = 0
    same_sector: int = 0
    topical_suggestions: int = 0  # suggestions for queries the keyword tagger gives a topic
    shares_topic: int = 0
    empty: int = 0

    def figures(self, queries: int) -> dict[str, Any]:
        return {"suggestions": self.suggestions, "per_query": self.suggestions / queries,
                "same_sector": self.same_sector / self.suggestions if self.suggestions else None,
                "shares_topic": self.shares_topic / self.topical_suggestions if self.topical_suggestions else None,
                "topical_suggestions": self.topical_suggestions, "empty": self.empty}


def evaluate(data_dir: Path | str | None = None) -> dict[str, Any]:
    start = time.perf_counter()
    posts = load_twcs(data_dir)
    customer_thread = {p.text: p.conversation_id or p.id for p in posts if p.author.id.isdigit()}
    full = ReplyIndex.from_threads(posts, care_handles(posts))
    threads = [customer_thread.get(q, q) for q, _, _ in full.pairs]
    queries = [i for i, (_, _, handle) in enumerate(full.pairs) if handle.casefold() in AIRLINES]
    texts = [full.pairs[i][0] for i in queries]
    case_topics = ModelTopicTagger().tag_many(texts, ["en"] * len(texts))
    tallies = {name: Tally() for name in RULES}
    for i, topics in zip(queries, case_topics, strict=True):
        text = full.pairs[i][0]
        own = [j for j in range(len(full.pairs)) if threads[j] == threads[i] or full.pairs[j][0] == text]
        index = full.without(own)
        query_kw = full.topics[i]
        for name, (peers, use_topics, floor) in RULES.items():
            tally = tallies[name]
            found = index.matches(text, K, floor, peers, topics if use_topics else ())
            tally.empty += not found
            for _, j, _ in found:
                tally.suggestions += 1
                tally.same_sector += index.pairs[j][2].casefold() in AIRLINES
                if query_kw:
                    tally.topical_suggestions += 1
                    tally.shares_topic += bool(query_kw & index.topics[j])
    return {"pairs": len(full.pairs), "queries": len(queries), "k": K, "seconds": time.perf_counter() - start,
            "rules": {name: t.figures(len(queries)) for name, t in tallies.items()}}


def _pct(x: float | None) -> str:
    return "n/a" if x is None else f"{x:.0%}"


def lines(report: dict[str, Any]) -> list[str]:
    out = [f"Similar past replies (TWCS, leave one thread out): {report['queries']} airline customers' messages "
           f"against {report['pairs']} pairs, top-{report['k']}",
           "  rule | suggestions/query | same sector | shares a keyword topic | queries with none"]
    for name, r in report["rules"].items():
        out.append(f"  {name} | {r['per_query']:.2f} | {_pct(r['same_sector'])} | {_pct(r['shares_topic'])} "
                   f"(of {r['topical_suggestions']}) | {r['empty']}/{report['queries']}")
    return out


if __name__ == "__main__":
    for line in lines(evaluate()):
        print(line)
