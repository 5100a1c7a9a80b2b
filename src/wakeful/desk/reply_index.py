"""Past care replies as drafts: an index of real customer messages and the care account's first answer to each
(the TWCS threads), searched by TF-IDF similarity, with names, handles, links and personal data cleaned out of
the reply before an agent sees it."""

from __future__ import annotations

import copy
import math
import re
from collections import Counter
from collections.abc import Callable, Collection, Iterable, Sequence
from datetime import timedelta

import numpy as np
import numpy.typing as npt
from scipy import sparse

from wakeful.analyze.pii import redact
from wakeful.analyze.sentiment import LinearSentiment
from wakeful.analyze.topics import KeywordTopicTagger, TopicTagger
from wakeful.core.models import Post

_TOKEN = re.compile(r"[a-z0-9']{2,}")
MENTION_RE = re.compile(r"(?<!\w)@\w+")
URL_RE = re.compile(r"https?://\S+")
_SIGNATURE = re.compile(r"(?:\^|\*|/|-|\u2013)\s?[A-Z][A-Za-z]{0,15}\s*$|\^\w+")  # "^JS", "-Teresa", "*TJF", "/BH"
_NAMED_GREETING = re.compile(r"^(Hi|Hello|Hey|Dear|Hallo|Bonjour)\s+[A-Z][a-z]+(?:\s[A-Z][a-z]+)?\s*([,!.])")
_NAME = r"(?!(?:There|Team|Tweet|Twitter|Everyone|All)\b)[A-Z][a-z]{1,14}"  # "Hi There" names nobody
_VOCATIVE_END = re.compile(rf",\s*{_NAME}(?=\s*[.!?)]|\s*$)")  # "... last flight, Kevin?"
_VOCATIVE_AFTER = re.compile(  # "Thanks Will!", "help Kevin.", "there for you Heather!", "Ty Andrew"
    rf"\b(Thanks|Thank you|Ty|Hey|Hi|Hello|Sorry|Dear|help|for you|to you|with you)\s+{_NAME}\b(?!\s*[A-Z&'-])")


# "1/2", "(2/2)", "3/3": a reply written as a numbered series of posts; one of them alone is a fragment.
_PART = re.compile(r"(?<![\w/])\(?([1-9])/([1-9])\)?(?![\w/])")
_ELLIPSIS = re.compile(r"^(?:\.{2,}|\u2026)\s*|\s*(?:\.{2,}|\u2026)$")
# A care reply that opens in lower case goes on from an earlier post ("caused. We're unable to...", "us your
# booking ref...") unless it opens with one of the words agents do start replies with in lower case.
_OPENERS = r"(?:please|pls|ok|okay|cheers|hi|hey|hello|thanks|thank|ty|sorry|yes|yep|no|oh|ah+|a+h+\w*|aw+|hmm+|we|i)\b"
_GOES_ON = re.compile(rf"^(?:\.{{2,}}|\u2026|(?!{_OPENERS})[a-z])")
_SERIES_WINDOW = timedelta(minutes=10)

ROUTINE_IN_REPLIES = frozenset({"booking", "customer_service"})
"""Topics a care reply names on any matter, so a reply naming one is not about another: asking for the confirmation
number or booking reference is how care finds the customer's trip, and "please see an agent" ends many replies."""

TopicRule = Callable[[frozenset[str], frozenset[str]], float]
"""How far a past message's topics suit the case's (those the index knows, never empty): 0 leaves the message out,
else its cosine is multiplied by it. A parameter so that `wakeful eval --section replies` compares rules on the
path the desk takes."""


def within_case(case: frozenset[str], past: frozenset[str]) -> float:
    """1 for a past message whose topics are all the case's, else 0. Sharing one topic is not enough: a message
    about two matters may have been answered about the one this customer never raised (a bag lost, then broken:
    the reply asks about the damage)."""
    return float(bool(past) and past <= case)


def _part(text: str) -> tuple[int, int] | None:
    """(n, of) where the text carries a series marker n/of, n <= of, of at least 2."""
    for match in _PART.finditer(text):
        n, of = int(match[1]), int(match[2])
        if 1 <= n <= of and of >= 2:
            return n, of
    return None


def whole_reply(replies: Sequence[Post]) -> str | None:
    """The care account's answer to one customer post, from its replies to it in time order: the first, or, when
    that is a part of a numbered series, every part joined in order (markers, ellipses and signatures out); None
    for a fragment (a part whose others the threads lack, or a post that goes on from one they lack)."""
    first = replies[0]
    mark = _part(first.text)
    if mark is None:
        return None if _GOES_ON.match(MENTION_RE.sub("", first.text).strip()) else first.text
    parts: dict[int, str] = {}
    for reply in replies:
        found = _part(reply.text)
        if (found is not None and found[1] == mark[1] and reply.author.handle == first.author.handle
                and abs(reply.created_at - first.created_at) <= _SERIES_WINDOW):
            parts.setdefault(found[0], reply.text)
    if len(parts) != mark[1]:
        return None
    pieces = [_SIGNATURE.sub("", _ELLIPSIS.sub("", _PART.sub("", MENTION_RE.sub("", parts[n])).strip())).strip()
              for n in sorted(parts)]
    return " ".join(_ELLIPSIS.sub("", piece).strip() for piece in pieces)


def _answered(reply: Post, by_id: dict[str, Post], care: set[str]) -> str | None:
    """The customer post a care reply answers, through the account's own earlier parts it may answer instead."""
    parent = by_id.get(reply.reply_to_id or "")
    for _ in range(10):
        if parent is None or parent.author.handle.casefold() not in care:
            return None if parent is None else parent.id
        if parent.author.handle != reply.author.handle:
            return None
        parent = by_id.get(parent.reply_to_id or "")
    return None


def _tokens(text: str) -> list[str]:
    return _TOKEN.findall(URL_RE.sub(" ", MENTION_RE.sub(" ", text.casefold())))


def clean_reply(text: str) -> str:
    """A past reply made safe to reuse: no @handles or first names (they named another customer: in a greeting,
    after a comma at the end of a clause, or after thanks and the like), no agent signature, no links, personal
    data redacted, whitespace tidied."""
    text = re.sub(r"\s+", " ", redact(URL_RE.sub("", MENTION_RE.sub("", text)))).strip()
    text = _SIGNATURE.sub("", text).strip()
    text = _NAMED_GREETING.sub(r"\1\2", text)
    return _VOCATIVE_AFTER.sub(r"\1", _VOCATIVE_END.sub("", text))


class ReplyIndex:
    """TF-IDF vectors of past customer messages, each paired with the care account's first reply to it, the
    message's topics under the keyword tagger (`topics[i]` for `pairs[i]`), the reply as offered (`replies[i]`,
    `clean_reply`'s) and the topics it names (`reply_topics[i]`), and, where known, the message's sentiment
    (`tones[i]`) and how cheerful the reply reads as offered (`cheer[i]`). Vectors are rows of one sparse matrix,
    so a query is one matrix-vector product, and `without` re-weighs the same counts for a smaller index. Replies
    are cleaned once, here: the topics, the cheer and every query read the same text."""

    def __init__(self, pairs: Sequence[tuple[str, str, str]], lang: str = "en",
                 tagger: TopicTagger | None = None, tones: Sequence[str] | None = None,
                 cheer: Sequence[float] | None = None) -> None:
        """`pairs` are (customer text, reply text, care account handle); `lang` is the replies' language; `tones`
        the customer messages' sentiment labels (empty strings where unknown); `cheer` the cleaned replies'
        sentiment scores, -1..1 (0 where unknown)."""
        self.pairs = list(pairs)
        self.lang = lang
        self.tones = list(tones) if tones is not None else [""] * len(self.pairs)
        self.cheer = list(cheer) if cheer is not None else [0.0] * len(self.pairs)
        if not len(self.tones) == len(self.cheer) == len(self.pairs):
            raise ValueError(f"{len(self.tones)} tones and {len(self.cheer)} cheer scores for {len(self.pairs)} "
                             "pairs")
        tagger = tagger or KeywordTopicTagger()
        self.topics = [frozenset(t) for t in tagger.tag_many([q for q, _, _ in self.pairs], [lang] * len(self.pairs))]
        self.replies = [clean_reply(r) for _, r, _ in self.pairs]
        self.reply_topics = [frozenset(t) - ROUTINE_IN_REPLIES
                             for t in tagger.tag_many(self.replies, [lang] * len(self.pairs))]
        self.vocabulary: dict[str, int] = {}
        rows: list[int] = []
        cols: list[int] = []
        values: list[float] = []
        for i, (q, _, _) in enumerate(self.pairs):
            for token, count in Counter(_tokens(q)).items():
                rows.append(i)
                cols.append(self.vocabulary.setdefault(token, len(self.vocabulary)))
                values.append(1 + math.log(count))
        self._tf = sparse.csr_matrix((values, (rows, cols)), shape=(len(self.pairs), len(self.vocabulary)),
                                     dtype=np.float64)
        self._weigh()

    def _weigh(self) -> None:
        self.known_topics: frozenset[str] = frozenset().union(*self.topics)
        n = self._tf.shape[0]
        df = np.bincount(self._tf.indices, minlength=self._tf.shape[1])
        self.idf = np.where(df > 0, np.log((1 + n) / (1 + df)) + 1, 0.0)  # a word no message has weighs nothing
        weighted = self._tf.multiply(self.idf[None, :]).tocsr()
        norms = np.sqrt(np.asarray(weighted.multiply(weighted).sum(axis=1)).ravel())
        self._vectors = sparse.diags(1 / np.where(norms > 0, norms, 1.0)) @ weighted

    def without(self, drop: Collection[int]) -> ReplyIndex:
        """The index of the other pairs (for leaving a thread out), weighed as if built from them alone."""
        dropped = set(drop)
        keep = [i for i in range(len(self.pairs)) if i not in dropped]
        other = copy.copy(self)  # the language and vocabulary are shared; the rows and their weights are not
        other.pairs = [self.pairs[i] for i in keep]
        other.topics = [self.topics[i] for i in keep]
        other.replies = [self.replies[i] for i in keep]
        other.reply_topics = [self.reply_topics[i] for i in keep]
        other.tones = [self.tones[i] for i in keep]
        other.cheer = [self.cheer[i] for i in keep]
        other._tf = self._tf[keep]
        other._weigh()
        return other

    def _query(self, text: str) -> npt.NDArray[np.float64]:
        q = np.zeros(len(self.vocabulary))
        for token, count in Counter(_tokens(text)).items():
            j = self.vocabulary.get(token)
            if j is not None:
                q[j] = (1 + math.log(count)) * self.idf[j]
        norm = math.sqrt(float(q @ q))
        return q / norm if norm else q

    @classmethod
    def from_threads(cls, posts: Iterable[Post], is_care: Iterable[str]) -> ReplyIndex:
        """Pairs each customer post with the answer to it by a care account (handles in `is_care`): its first
        reply, or a numbered series of replies joined (`whole_reply`; a later part may answer the earlier part
        rather than the customer). Each customer post's sentiment, and each reply's as offered, is read by the
        shipped model (the threads are English)."""
        care = {h.casefold() for h in is_care}
        posts = list(posts)
        by_id = {p.id: p for p in posts}
        answers: dict[str, list[Post]] = {}  # customer post id -> the care replies answering it, in order
        for p in sorted(posts, key=lambda p: p.created_at):
            if p.author.handle.casefold() in care and (asked := _answered(p, by_id, care)) is not None:
                answers.setdefault(asked, []).append(p)
        answers = {asked: [r for r in replies if r.author.handle == replies[0].author.handle]
                   for asked, replies in answers.items()}
        pairs = {asked: (by_id[asked].text, reply, replies[0].author.handle) for asked, replies in answers.items()
                 if (reply := whole_reply(replies)) is not None}
        texts = [q for q, _, _ in pairs.values()]
        model = LinearSentiment()
        tones = [label.value for label, _ in model.score_many(texts, ["en"] * len(texts))]
        index = cls(list(pairs.values()), tones=tones)
        index.cheer = [score for _, score in model.score_many(index.replies, ["en"] * len(index.replies))]
        return index

    def similar(self, text: str, k: int = 3, min_score: float = 0.1, accounts: Collection[str] = (),
                topics: Collection[str] | None = None, avoid_tones: Collection[str] = (),
                rule: TopicRule = within_case, other_matters: bool = False,
                max_cheer: float | None = None) -> list[tuple[float, str, str]]:
        """The `k` past replies whose customer message is closest to `text`: (cosine, reply, care handle), the
        cosine weighed by `rule` (see `matches`).

        Only replies by `accounts` when some are named (a brand's industry peers). `topics` are the case's (None:
        topics play no part): where one is a topic some past message is tagged with, only past messages whose
        topics are all among them (`rule`), and, whatever they are, none of them too, no reply whose own text names
        a topic outside them (`other_matters` keeps those, for comparison): a reply on another matter is no draft,
        as "did you report the damage within 7 days?" is none for a packed lounge. None to a message whose tone is
        in `avoid_tones`: thanks for praise is no answer to a complaint about the same crew; and no reply more
        cheerful than `max_cheer` ("Oh good! Happy to hear that." to a missed connection)."""
        return [(score, reply, self.pairs[i][2]) for score, i, reply in
                self.matches(text, k, min_score, accounts, topics, avoid_tones, rule, other_matters, max_cheer)]

    def matches(self, text: str, k: int = 3, min_score: float = 0.1, accounts: Collection[str] = (),
                topics: Collection[str] | None = None, avoid_tones: Collection[str] = (),
                rule: TopicRule = within_case, other_matters: bool = False,
                max_cheer: float | None = None) -> list[tuple[float, int, str]]:
        """`similar`, as (score, index into `pairs`, cleaned reply); the score is the cosine times `rule`'s weight
        (the cosine itself under `within_case`), and `min_score` bounds the cosine."""
        avoid = set(avoid_tones)
        allowed = {a.casefold() for a in accounts}
        case = frozenset(topics or ())
        wanted = self.known_topics & case
        same_matter = topics is not None and not other_matters
        cosine = self._vectors @ self._query(text) if self.pairs else np.zeros(0)
        scored: list[tuple[float, int]] = []
        for i in np.flatnonzero(cosine >= min_score).tolist():
            if (allowed and self.pairs[i][2].casefold() not in allowed) or self.tones[i] in avoid:
                continue
            if (same_matter and self.reply_topics[i] - case) or (max_cheer is not None and self.cheer[i] > max_cheer):
                continue
            weight = rule(wanted, self.topics[i]) if wanted else 1.0
            if weight > 0:
                scored.append((float(cosine[i]) * weight, i))
        scored.sort(key=lambda s: -s[0])
        out: list[tuple[float, int, str]] = []
        seen: set[str] = set()
        for score, i in scored:
            reply = self.replies[i]
            if reply and reply not in seen:
                seen.add(reply)
                out.append((score, i, reply))
            if len(out) == k:
                break
        return out
