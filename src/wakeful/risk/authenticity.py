"""Authenticity: is an account, a burst of posts or a jump in likes bought rather than real?

Click farms sell engagement by the thousand, and what they sell has a published shape (Cresci et al., "Fame for
sale", 2015; the Twitter/X platform-manipulation reports): accounts days old with the default profile and no
bio, following thousands and followed by nobody, acting within seconds of each other and posting copies of one
text with small edits. Every feature here is a field the platforms' APIs really return (X `user.fields`
created_at / public_metrics / description / default_profile_image, Mastodon `Account` created_at / counts / note /
avatar, Bluesky profile counts and indexedAt) or is computed from posts' times and texts; nothing needs a label.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from wakeful.core.models import Author

SUSPECT = 0.5
"""Scores at or above this count as suspected fake in evidence, shares and the evaluation's F1."""
MIN_BURST = 10
SYNC_SECONDS = 30.0
"""Acting within this many seconds of another account of the group is 'synchronised'."""
MAX_LIKES_PER_IMPRESSION = 0.25
"""Even a loved post rarely gets a like from more than one viewer in ten; beyond one in four, likes were bought."""
_WORD = re.compile(r"[a-z0-9#@]+")


@dataclass(frozen=True)
class AccountFeatures:
    """What marks an account as manufactured, each in 0..1 (1 = the farm's pattern)."""

    new: float
    default_profile: float
    no_bio: float
    follow_ratio: float
    no_audience: float

    @classmethod
    def of(cls, author: Author, at: datetime) -> AccountFeatures:
        age_days = (at - author.created_at).total_seconds() / 86_400 if author.created_at else 365.0
        ratio = math.log10((author.following + 1) / (author.followers + 1))
        return cls(
            new=max(0.0, 1.0 - math.log1p(max(age_days, 0.0)) / math.log1p(365.0)),
            default_profile=float(author.default_profile),
            no_bio=float(not (author.description or "").strip()),
            follow_ratio=min(max(ratio / 2.5, 0.0), 1.0),
            no_audience=max(0.0, 1.0 - math.log1p(author.followers) / math.log1p(50.0)),
        )


# Weights of the published pattern; the bias keeps one trait alone (a new account, an empty bio) below SUSPECT.
_WEIGHTS = {"new": 2.6, "default_profile": 1.4, "no_bio": 0.8, "follow_ratio": 1.8, "no_audience": 1.6}
_BIAS = -4.2
_CONTEXT_WEIGHTS = {"copied_text": 2.2, "synchronised": 1.6}


def _logistic(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-x))


def account_score(author: Author, at: datetime) -> float:
    """How much an account looks manufactured, from its profile alone (0 … 1)."""
    f = AccountFeatures.of(author, at)
    return _logistic(_BIAS + sum(w * getattr(f, k) for k, w in _WEIGHTS.items()))


@dataclass(frozen=True)
class Action:
    """One account acting (posting, replying, liking, reposting) at a time, with its text if it wrote one."""

    author: Author
    at: datetime
    text: str = ""


def _shingles(text: str) -> frozenset[str]:
    words = _WORD.findall(text.casefold())
    if len(words) < 2:
        return frozenset(words)
    return frozenset(" ".join(words[i:i + 2]) for i in range(len(words) - 1))


MAX_PAIRWISE = 400
"""Distinct texts compared pairwise at most; beyond that only exact copies count (a thread of thousands)."""


def _copied(texts: Sequence[str], threshold: float = 0.6) -> list[bool]:
    """Whether each text is a copy, or a near copy (word-pair Jaccard >= threshold), of another text in the group.

    Identical word-pair sets are grouped first, so a farm posting one text a thousand times costs one set."""
    groups: dict[frozenset[str], list[int]] = {}
    for i, t in enumerate(texts):
        sh = _shingles(t)
        if sh:
            groups.setdefault(sh, []).append(i)
    keys = list(groups)
    near = {k: len(groups[k]) > 1 for k in keys}
    for x, a in enumerate(keys[:MAX_PAIRWISE]):
        for b in keys[x + 1:MAX_PAIRWISE]:
            if len(a & b) / len(a | b) >= threshold:
                near[a] = near[b] = True
    out = [False] * len(texts)
    for k, members in groups.items():
        if near[k]:
            for i in members:
                out[i] = True
    return out


def _synchronised(times: Sequence[datetime], horizon: float = SYNC_SECONDS) -> list[float]:
    """Per action, how crowded its neighbourhood is: others within `horizon` s, saturating at five."""
    order = sorted(range(len(times)), key=lambda i: times[i])
    ts = [times[i].timestamp() for i in order]
    out = [0.0] * len(times)
    lo = hi = 0
    for rank, i in enumerate(order):
        while ts[lo] < ts[rank] - horizon:
            lo += 1
        while hi + 1 < len(ts) and ts[hi + 1] <= ts[rank] + horizon:
            hi += 1
        out[i] = min((hi - lo) / 5.0, 1.0)
    return out


def action_scores(actions: Sequence[Action]) -> list[float]:
    """Each action's fake score within its group: the account's profile, plus copied text and synchronised
    timing, which only count for accounts with little history (a real crowd also writes at once)."""
    copied = _copied([a.text for a in actions])
    sync = _synchronised([a.at for a in actions])
    scores = []
    for a, c, s in zip(actions, copied, sync, strict=True):
        f = AccountFeatures.of(a.author, a.at)
        low_history = max(f.new, f.no_audience)
        x = _BIAS + sum(w * getattr(f, k) for k, w in _WEIGHTS.items())
        x += low_history * (_CONTEXT_WEIGHTS["copied_text"] * c + _CONTEXT_WEIGHTS["synchronised"] * s)
        scores.append(_logistic(x))
    return scores


@dataclass(frozen=True)
class BurstVerdict:
    size: int
    suspected: int
    seconds: float
    evidence: list[str]

    @property
    def fake_share(self) -> float:
        return self.suspected / self.size if self.size else 0.0

    @property
    def flagged(self) -> bool:
        """Ten suspected fake accounts acting together is a farm, however much real traffic surrounds it."""
        return self.suspected >= MIN_BURST


def judge_burst(actions: Sequence[Action], scores: Sequence[float] | None = None) -> BurstVerdict:
    """A group of actions (e.g. posts about a brand in the last minutes) weighed together, with evidence.
    `scores`: `action_scores(actions)`, if the caller has them already."""
    if not actions:
        return BurstVerdict(0, 0, 0.0, [])
    scores = action_scores(actions) if scores is None else scores
    flagged = [a for a, s in zip(actions, scores, strict=True) if s >= SUSPECT]
    times = sorted(a.at for a in actions)
    seconds = (times[-1] - times[0]).total_seconds()
    evidence: list[str] = []
    if flagged:
        ages = sorted((a.at - a.author.created_at).days for a in flagged if a.author.created_at)
        default = sum(a.author.default_profile for a in flagged)
        copies = sum(_copied([a.text for a in flagged]))
        evidence.append(f"{len(flagged)} of {len(actions)} actions in {seconds / 60:.0f} min from suspected fake "
                        "accounts")
        if ages:
            evidence.append(f"accounts {ages[0]} to {ages[-1]} days old")
        evidence.append(f"{round(100 * default / len(flagged))}% default profiles")
        if copies:
            evidence.append(f"{copies} near-identical texts")
    return BurstVerdict(len(actions), len(flagged), seconds, evidence)


@dataclass(frozen=True)
class LikeJump:
    """Likes between two observations (or since the post was made) that the impressions cannot explain."""

    at: datetime
    likes: int
    impressions: int
    unexplained: int


Likes = Sequence[tuple[datetime, int, int | None]]
"""A post's (observed_at, likes, impressions) in time order; impressions None where not counted."""


def _jumps(series: Likes) -> list[tuple[int, LikeJump]]:
    """Each jump with the index of the first observation that holds its unexplained likes.

    The first counted observation is compared with the post's start, when nothing was liked or seen: a desk that
    first looks at a post after its likes were bought still judges them, and a real post, however viral, has
    already had the viewers its likes need."""
    out = []
    base, l0, i0 = -1, 0, 0
    for k, (t1, l1, i1) in enumerate(series):
        if i1 is None:
            continue
        gained, seen = l1 - l0, max(i1 - i0, 0)
        excess = gained - int(MAX_LIKES_PER_IMPRESSION * seen)
        if gained > 20 and excess > 0:
            first = next(m for m in range(base + 1, k + 1) if series[m][1] - l0 >= excess)
            out.append((first, LikeJump(t1, gained, seen, excess)))
        base, l0, i0 = k, l1, i1
    return out


def unexplained_likes(series: Likes) -> list[LikeJump]:
    """Likes gained beyond `MAX_LIKES_PER_IMPRESSION` of the new impressions, between consecutive counted observations
    and, for the first counted one, since the post was made.

    Observations without an impression count are passed over, since without one nothing says how many people could
    have liked by then; the likes they saw are judged at the next counted one. X fills impressions in minutes late,
    and a burst bought into that gap would otherwise never be judged at all.
    """
    return [jump for _, jump in _jumps(series)]


def bought_likes(series: Likes) -> list[int]:
    """How many of each observation's likes were bought, so that what the post's engagement says can leave them out.

    A jump's unexplained likes count from the first observation that holds them, not only from the counted one that
    proved them (a burst seen while impressions were pending was bought all the same). A later drop in likes takes
    bought ones first, as when a platform purges a farm's likes, so the genuine likes left are not discounted again.
    """
    arrived = [0] * len(series)
    for first, jump in _jumps(series):
        arrived[first] += jump.unexplained
    out: list[int] = []
    held = previous = 0
    for (_, likes, _), new in zip(series, arrived, strict=True):
        held += new - max(previous - likes, 0)
        held = min(max(held, 0), likes)
        out.append(held)
        previous = likes
    return out
