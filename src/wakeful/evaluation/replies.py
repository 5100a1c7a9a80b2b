"""Relevance of the "similar past replies" the case page suggests, measured on the TWCS sample (real threads
between customers and brands' care accounts; nobody here wrote them).

Leave one thread out: each customer message an airline's care account answered is a query, retrieved against the
index of every other thread's pairs, weighed as if built from them alone (`ReplyIndex.without`; the query's own
thread is left out, so a customer's follow-up cannot find its own answer). The query's case topics are what the desk
would have put on the case: the default topic tagger (the trained model plus keywords, English). Per retrieval rule,
over the top-3 of every query: `same_sector` (share of suggestions by an airline's care account), `shares_topic`
(share whose customer message shares a topic with the query under the keyword tagger, counted over queries the
keyword tagger gives a topic: for the others no suggestion can share one), `empty` (queries given no suggestion),
`another_matter` (share of suggestions whose own reply text, as offered, names a topic under the keyword tagger that
the query under the same tagger lacks: a reply about the damage to a customer who only lost a bag).
Rules, all in the same run: the baseline (cosine only), peers only, topics only, and, with peers, (a) a past message
sharing one case topic (the desk's rule until the damage reply was offered for a lost bag), (b) a past message whose
topics are all the case's (`reply_index.within_case`; the desk's rule until the demo offered "the damage must be
assessed in person" for a packed lounge), (c) (a) ranked by cosine times the Jaccard overlap of the two topic sets,
(d) (a) without replies that name a topic the case lacks where the case has one the index knows, (e) (b) without
replies whose text names a topic outside the case's, whatever they are, none included, and, to a complaint (the
shipped complaint model on the query), none to a past message the model reads as positive (what `suggest` did
before), (f) (e) and, to a complaint, no reply more cheerful than `replies.MAX_CHEER_FOR_COMPLAINTS` (what `suggest`
now does). `cheerful` is the share of the suggestions to complaints that read more cheerful than that.
Run: `wakeful eval --section replies`.
"""

from __future__ import annotations

import time
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from wakeful.analyze.complaint import LinearComplaintClassifier
from wakeful.analyze.sentiment import LinearSentiment
from wakeful.analyze.topics import KeywordTopicTagger, ModelTopicTagger
from wakeful.core.settings import AIRLINE_CARE_ACCOUNTS
from wakeful.desk.metrics import care_handles
from wakeful.desk.replies import MAX_CHEER_FOR_COMPLAINTS
from wakeful.desk.reply_index import ReplyIndex, TopicRule, within_case
from wakeful.ingest.datasets import load_twcs

K = 3
AIRLINES = frozenset(h.casefold() for h in AIRLINE_CARE_ACCOUNTS)


def shares_one(case: frozenset[str], past: frozenset[str]) -> float:
    """Rule (a): any past message sharing a case topic, ranked by cosine alone."""
    return float(bool(case & past))


def jaccard(case: frozenset[str], past: frozenset[str]) -> float:
    """Rule (c): as (a), the cosine weighed by the overlap of the two topic sets."""
    return len(case & past) / len(case | past)


@dataclass(frozen=True)
class Rule:
    """One way of choosing suggestions; the desk's own (`within_case`) unless the rule is one compared with it."""

    peers: Collection[str] = ()
    use_topics: bool = False
    floor: float = 0.1
    topic_rule: TopicRule = within_case
    drop_other_matters: bool = False  # (d): leave out replies whose text names a topic the case lacks
    same_matter: bool = False  # (e): the index leaves out replies naming a topic outside the case's (`matches`)
    no_cheer: bool = False  # (f): nothing more cheerful than MAX_CHEER_FOR_COMPLAINTS to a complaint
    no_praise: bool = False  # (e), (f): to a complaint, no past message the model reads as positive (`suggest`)


PEERS = AIRLINE_CARE_ACCOUNTS
RULES: dict[str, Rule] = {
    "baseline (cosine >= 0.1)": Rule(),
    "airline peers": Rule(PEERS),
    "case topics": Rule(use_topics=True),
    "(a) peers + a shared topic (before)": Rule(PEERS, True, topic_rule=shares_one),
    "(b) peers + topics all the case's (before)": Rule(PEERS, True),
    "(c) peers + a shared topic, x Jaccard": Rule(PEERS, True, topic_rule=jaccard),
    "(d) (a) minus replies on another topic": Rule(PEERS, True, topic_rule=shares_one, drop_other_matters=True),
    "(b), cosine >= 0.2": Rule(PEERS, True, 0.2),
    "(e) (b) minus replies naming another matter (before)": Rule(PEERS, True, same_matter=True, no_praise=True),
    "(f) (e) and nothing cheerful to a complaint (new)": Rule(PEERS, True, same_matter=True, no_cheer=True,
                                                              no_praise=True),
}


@dataclass
class Tally:
    suggestions: int = 0
    same_sector: int = 0
    topical_suggestions: int = 0  # suggestions for queries the keyword tagger gives a topic
    shares_topic: int = 0
    empty: int = 0
    another_matter: int = 0
    to_complaints: int = 0  # suggestions to queries the complaint model flags
    cheerful: int = 0  # of those, replies more cheerful than MAX_CHEER_FOR_COMPLAINTS

    def figures(self, queries: int) -> dict[str, Any]:
        return {"suggestions": self.suggestions, "per_query": self.suggestions / queries,
                "same_sector": self.same_sector / self.suggestions if self.suggestions else None,
                "shares_topic": self.shares_topic / self.topical_suggestions if self.topical_suggestions else None,
                "topical_suggestions": self.topical_suggestions, "empty": self.empty,
                "another_matter": self.another_matter / self.suggestions if self.suggestions else None,
                "another_matter_n": self.another_matter,
                "cheerful": self.cheerful / self.to_complaints if self.to_complaints else None,
                "cheerful_n": self.cheerful}


def evaluate(data_dir: Path | str | None = None) -> dict[str, Any]:
    start = time.perf_counter()
    posts = load_twcs(data_dir)
    customer_thread = {p.text: p.conversation_id or p.id for p in posts if p.author.id.isdigit()}
    full = ReplyIndex.from_threads(posts, care_handles(posts))
    threads = [customer_thread.get(q, q) for q, _, _ in full.pairs]
    queries = [i for i, (_, _, handle) in enumerate(full.pairs) if handle.casefold() in AIRLINES]
    texts = [full.pairs[i][0] for i in queries]
    case_topics = [frozenset(t) for t in ModelTopicTagger().tag_many(texts, ["en"] * len(texts))]
    complaints = [c for c, _ in LinearComplaintClassifier().predict_many(
        texts, ["en"] * len(texts), [score for _, score in LinearSentiment().score_many(texts, ["en"] * len(texts))])]
    cleaned = sorted(set(full.replies))
    keywords = KeywordTopicTagger()
    reply_topics = dict(zip(cleaned, (frozenset(t) for t in keywords.tag_many(cleaned, ["en"] * len(cleaned))),
                            strict=True))
    tallies = {name: Tally() for name in RULES}
    for i, topics, complaint in zip(queries, case_topics, complaints, strict=True):
        text = full.pairs[i][0]
        own = [j for j in range(len(full.pairs)) if threads[j] == threads[i] or full.pairs[j][0] == text]
        index = full.without(own)
        query_kw = full.topics[i]
        for name, rule in RULES.items():
            tally = tallies[name]
            wanted = rule.use_topics and bool(index.known_topics & topics)
            found = index.matches(text, len(index.pairs) if rule.drop_other_matters else K, rule.floor, rule.peers,
                                  topics if rule.use_topics else None, rule=rule.topic_rule,
                                  other_matters=not rule.same_matter,
                                  avoid_tones=("positive",) if rule.no_praise and complaint else (),
                                  max_cheer=MAX_CHEER_FOR_COMPLAINTS if rule.no_cheer and complaint else None)
            if rule.drop_other_matters:
                found = [f for f in found if not (wanted and reply_topics[f[2]] - topics)][:K]
            tally.empty += not found
            for _, j, reply in found:
                tally.suggestions += 1
                tally.same_sector += index.pairs[j][2].casefold() in AIRLINES
                tally.another_matter += bool(reply_topics[reply] - query_kw)
                tally.to_complaints += complaint
                tally.cheerful += complaint and index.cheer[j] > MAX_CHEER_FOR_COMPLAINTS
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
           "  rule | suggestions/query | same sector | shares a keyword topic | queries with none | cheerful to a "
           "complaint | on another matter"]
    for name, r in report["rules"].items():
        out.append(f"  {name} | {r['per_query']:.2f} | {_pct(r['same_sector'])} | {_pct(r['shares_topic'])} "
                   f"(of {r['topical_suggestions']}) | {r['empty']}/{report['queries']} | "
                   f"{_pct(r['cheerful'])} ({r['cheerful_n']}) | {_pct(r['another_matter'])} ({r['another_matter_n']})")
    return out


if __name__ == "__main__":
    for line in lines(evaluate()):
        print(line)
