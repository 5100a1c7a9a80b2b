"""A reproducible day of social traffic about the fictional Aurora Airways, with known incidents in it.

The desk needs traffic to be demonstrated, tested and evaluated on without real people's data, and the traffic
must hold the situations the desk exists for: ordinary complaints and questions in three languages, a
complaint that goes viral the way British Airways' lost-bag tweet did in 2013 (a promoted post from a ~300
follower account, tens of thousands of impressions before any reply), and a burst of fake engagement. Every
post carries its ground truth in `raw["scenario"]`. Same seed and start → the same posts, byte for byte.
"""

from __future__ import annotations

import itertools
import math
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from wakeful.core.models import Author, Engagement, Platform, Post
from wakeful.ingest import scenario_text as tx

DEFAULT_START = datetime(2026, 3, 2, tzinfo=UTC)
_X_EPOCH_MS = 1288834974657
_FIXED_WORKER = 1023  # ids below are built on this worker number, which generated posts never use


def _snowflake(at: datetime, worker: int, seq: int) -> str:
    """An X-style id: milliseconds since X's epoch, worker and sequence, so ids sort roughly by time."""
    ms = int(at.timestamp() * 1000) - _X_EPOCH_MS
    return str((ms << 22) | (worker << 12) | seq)


# Fixed across seeds and starts so tests and demos can find these posts.
INCIDENT_AUTHOR_HANDLE = "mira_castell"
INCIDENT_POST_ID = _snowflake(DEFAULT_START + timedelta(hours=9), _FIXED_WORKER, 0)
INCIDENT_FOLLOWUP_ID = _snowflake(DEFAULT_START + timedelta(hours=15), _FIXED_WORKER, 1)
SPAM_TARGET_POST_ID = _snowflake(DEFAULT_START + timedelta(hours=14, minutes=50), _FIXED_WORKER, 2)
LIKE_SPIKE_POST_ID = _snowflake(DEFAULT_START + timedelta(hours=14, minutes=30), _FIXED_WORKER, 3)
FAKE_BURST_SIZE = 150
FAKE_BURST_POST_IDS: tuple[str, ...] = tuple(
    _snowflake(DEFAULT_START + timedelta(hours=15), _FIXED_WORKER, 100 + i) for i in range(FAKE_BURST_SIZE)
)

REGULAR_POSTS_PER_DAY = 2600
# Relative posting volume by UTC hour (the audience is European): quiet at night, peaks morning and evening.
HOURLY = (0.15, 0.08, 0.05, 0.04, 0.05, 0.12, 0.35, 0.75, 1.0, 1.0, 0.85, 0.75,
          0.75, 0.7, 0.65, 0.65, 0.7, 0.85, 1.0, 1.05, 0.95, 0.7, 0.45, 0.28)
LANG_WEIGHTS = (0.57, 0.27, 0.16)  # en, de, fr before the (English) incident and burst add theirs
KINDS = {"complaint": 40, "question": 20, "praise": 17, "neutral": 10, "unrelated": 7, "spam": 6}
COMPLAINT_WEIGHTS = (16, 6, 20, 12, 12, 7, 10, 7, 10)  # in tx.COMPLAINT_TOPICS order
PLATFORMS = {Platform.X: 75, Platform.MASTODON: 15, Platform.BLUESKY: 10}
INSTANCES = ("mastodon.social", "chaos.social", "mastodon.online", "norden.social", "piaille.fr", "troet.cafe")
NOTABLES = (  # handle, display name, bio, followers, language: verified journalists and celebrities
    ("marta_reports", "Marta Lindqvist", "Travel correspondent @TheDailyLedger. DMs open", 184_000, "en"),
    ("anne_dufresne", "Anne Dufresne", "Journaliste transports @LeQuotidien", 96_000, "fr"),
    ("kai_reisen", "Kai Brenner", "Reisejournalist | Podcast 'Abflug'", 132_000, "de"),
    ("jbcooks", "Jamie Bell", "Chef. TV. Cookbooks.", 1_250_000, "en"),
    ("thetravelguy", "Ravi Menon", "Points, miles & airline news", 410_000, "en"),
)
_B32 = "234567abcdefghijklmnopqrstuvwxyz"


def _at_hour(start: datetime, hour: int, rng: random.Random, jitter_min: tuple[float, float]) -> datetime:
    """`hour`:00 on the start's day (or the next, if already past) plus a jitter in minutes."""
    at = start.replace(hour=hour, minute=0, second=0, microsecond=0)
    if at < start:
        at += timedelta(days=1)
    return at + timedelta(minutes=rng.uniform(*jitter_min))


@dataclass
class _Gen:
    rng: random.Random
    seed: int
    start: datetime
    end: datetime
    posts: list[Post] = field(default_factory=list)
    ids: set[str] = field(default_factory=set)
    handles: set[str] = field(default_factory=set)
    seq: int = 0

    def followers(self) -> int:
        """Heavy-tailed: most accounts have about a hundred, some thousands, a very few six figures."""
        u = self.rng.random()
        if u < 0.93:
            return int(self.rng.lognormvariate(math.log(110), 1.25))
        if u < 0.9985:
            return int(1500 * self.rng.paretovariate(1.2))
        return self.rng.randint(100_000, 400_000)

    def handle(self, first: str, last: str, style: int | None = None) -> str:
        r = self.rng
        base = "".join(ch for ch in f"{first}{r.choice(('', '_', '.'))}{last}" if ch.isascii())
        for _ in range(50):
            style_ = r.randrange(4) if style is None else style
            h = [base.lower(), f"{first}{last[:1]}{r.randint(1, 99)}", f"{base}{r.randint(70, 2005)}",
                 f"{first}{r.randint(10_000_000, 99_999_999)}"][style_]
            h = "".join(ch for ch in h if ch.isascii()).replace("..", ".").strip("._")[:15]
            if h not in self.handles:
                self.handles.add(h)
                return h
        raise RuntimeError("could not find a free handle")  # pragma: no cover

    def author(self, lang: str, platform: Platform, at: datetime, **over: Any) -> Author:
        r = self.rng
        first, last = r.choice(tx.FIRST[lang]), r.choice(tx.LAST[lang])
        handle = over.pop("handle", None) or self.handle(first, last)
        aid = str(r.randint(10**7, 10**18))
        while platform is not Platform.X:  # reshape the handle for the platform; still unique after that
            if platform is Platform.MASTODON:
                aid, handle = str(r.randint(10**5, 10**17)), f"{handle.replace('.', '_')}@{r.choice(INSTANCES)}"
            else:
                aid = "did:plc:" + "".join(r.choice(_B32) for _ in range(24))
                handle = f"{handle.replace('_', '').replace('.', '').lower()}.bsky.social"
            if handle not in self.handles:
                self.handles.add(handle)
                break
            handle = self.handle(first, last)
        values: dict[str, Any] = {
            "id": aid, "handle": handle, "display_name": r.choice((f"{first} {last}", first, f"{first} {last[0]}.")),
            "followers": self.followers(), "following": int(r.lognormvariate(math.log(300), 0.9)),
            "created_at": at - timedelta(days=r.uniform(30, 6300)), "default_profile": r.random() < 0.05,
            "description": r.choice(tx.BIOS) if r.random() < 0.7 else None,
        }
        values.update(over)
        return Author(**values)

    def new_id(self, platform: Platform, at: datetime, author: Author) -> tuple[str, str]:
        """A platform-shaped id and URL for a post by `author` at `at`."""
        while True:
            self.seq += 1
            seq = self.seq % 4096
            if platform is Platform.X:
                pid = _snowflake(at, self.rng.randrange(1000), seq)
                url = f"https://x.com/{author.handle}/status/{pid}"
            elif platform is Platform.MASTODON:
                pid = str((int(at.timestamp() * 1000) << 16) | (seq * 16 + self.rng.randrange(16)))
                user, instance = author.handle.split("@")
                url = f"https://{instance}/@{user}/{pid}"
            else:
                tid = (int(at.timestamp() * 1_000_000) << 10) | self.rng.randrange(1024)
                rkey = "".join(_B32[(tid >> (5 * i)) & 31] for i in reversed(range(13)))
                pid = f"at://{author.id}/app.bsky.feed.post/{rkey}"
                url = f"https://bsky.app/profile/{author.handle}/post/{rkey}"
            if pid not in self.ids:
                self.ids.add(pid)
                return pid, url

    def add(self, platform: Platform, author: Author, text: str, at: datetime, labels: dict[str, Any],
            pid: str | None = None, reply_to: Post | None = None, conversation: str | None = None,
            promoted: bool = False) -> Post | None:
        """Create a post with its first (empty) engagement observation; None when it falls outside the day."""
        if not self.start <= at < self.end:
            return None
        if pid is None:
            pid, url = self.new_id(platform, at, author)
        else:
            self.ids.add(pid)
            url = f"https://x.com/{author.handle}/status/{pid}"
        truth = labels["lang"]
        r = self.rng.random()
        lang = truth if r < 0.93 else (None if platform is not Platform.MASTODON else "en")
        root = conversation or (reply_to.conversation_id or reply_to.id if reply_to else None)
        post = Post(
            platform=platform, id=pid, author=author, text=text, created_at=at, lang=lang,
            reply_to_id=reply_to.id if reply_to else None,
            conversation_id=root or (pid if platform is Platform.X else None),
            engagement=Engagement(observed_at=at, impressions=0 if platform is Platform.X else None),
            promoted=promoted, url=url,
            raw={"scenario": {"seed": self.seed, "brand": "aurora", "pii": [], "role": "regular", **labels}},
        )
        self.posts.append(post)
        return post

    def observe(self, post: Post, at: datetime, likes: int, reposts: int = 0, replies: int = 0, quotes: int = 0,
                impressions: int | None = None) -> None:
        """Another record of the same post with newer counters, as a poller would deliver it."""
        if not post.created_at < at < self.end:
            return
        imp = impressions if post.platform is Platform.X else None
        eng = Engagement(observed_at=at, likes=likes, reposts=reposts, replies=replies, quotes=quotes,
                         impressions=imp)
        self.posts.append(post.model_copy(update={"engagement": eng}))

    def times(self, n_per_day: int) -> list[datetime]:
        """Post times following the diurnal curve over [start, end)."""
        buckets: list[tuple[datetime, float, float]] = []
        t = self.start
        while t < self.end:
            nxt = min(t.replace(minute=0, second=0, microsecond=0) + timedelta(hours=1), self.end)
            buckets.append((t, (nxt - t).total_seconds(), HOURLY[t.hour] * (nxt - t).total_seconds() / 3600))
            t = nxt
        n = round(n_per_day * sum(b[2] for b in buckets) / sum(HOURLY))
        chosen = self.rng.choices(buckets, weights=[b[2] for b in buckets], k=n)
        return sorted(b[0] + timedelta(seconds=self.rng.uniform(0, b[1])) for b in chosen)

    def reobserve_organic(self, post: Post, rate: float) -> None:
        """Modest, saturating engagement for an ordinary post: the many that never go viral."""
        r = self.rng
        reach = post.author.followers * r.uniform(0.05, 0.35) + r.uniform(20, 200)
        like_rate = r.uniform(0.004, 0.03) * rate
        for minutes in sorted(r.sample((25, 60, 90, 180, 360, 600), r.randint(1, 2))):
            imp = int(reach * (1 - math.exp(-minutes / 120)))
            likes = int(imp * like_rate)
            self.observe(post, post.created_at + timedelta(minutes=minutes, seconds=r.uniform(0, 59)), likes,
                         likes // 8, likes // 10, likes // 40, imp)

    # --- the ordinary day -----------------------------------------------------------------------------------
    def regular(self) -> list[Post]:
        r = self.rng
        roots: list[Post] = []
        for at in self.times(REGULAR_POSTS_PER_DAY):
            lang = r.choices(tx.LANGS, LANG_WEIGHTS)[0]
            kind = r.choices(list(KINDS), list(KINDS.values()))[0]
            if kind == "complaint":
                topic = r.choices(tx.COMPLAINT_TOPICS, COMPLAINT_WEIGHTS)[0]
            elif kind == "question":
                topic = r.choice(tx.QUESTION_TOPICS)
            elif kind == "spam":
                topic = r.choice(("crypto", "followers")) if lang == "en" else "crypto"
            else:
                topic = {"praise": "service", "neutral": "travel", "unrelated": "aurora_borealis"}[kind]
            platform = Platform.X if kind == "spam" else r.choices(list(PLATFORMS), list(PLATFORMS.values()))[0]
            over: dict[str, Any] = {}
            if kind == "spam":
                over = {"followers": r.randint(0, 60), "following": r.randint(800, 5000), "description": None,
                        "created_at": at - timedelta(days=r.uniform(1, 90)), "default_profile": r.random() < 0.6}
            author = self.author(lang, platform, at, **over)
            text = tx.render(r, r.choice(tx.T[(kind, topic, lang)]), kind, topic, lang, platform.value)
            labels: dict[str, Any] = {"kind": kind, "topic": topic, "lang": lang}
            if kind == "unrelated":
                labels["brand"] = None
            if kind in ("complaint", "question") and r.random() < 0.09:
                first, last = (author.display_name or "a b").split(" ")[0], r.choice(tx.LAST[lang])
                sentence, pii_kind = tx.pii(r, lang, (first, last))
                text, labels["pii"] = f"{text} {sentence}", [pii_kind]
            post = self.add(platform, author, text, at, labels)
            if post is None:
                continue
            if kind == "complaint":
                roots.append(post)
            if r.random() < 0.08:
                self.reobserve_organic(post, 1.0)
        return roots

    def repeat_customers(self, complaints: list[Post], n: int = 70) -> None:
        """Customers who get no answer post again, one to three more times, as replies in their own thread."""
        r = self.rng
        for root in r.sample(complaints, min(n, len(complaints))):
            label = root.raw["scenario"]
            prev, at = root, root.created_at
            for _ in range(r.randint(1, 3)):
                at += timedelta(minutes=r.uniform(25, 150))
                hours = max(1, round((at - root.created_at).total_seconds() / 3600))
                template = r.choice(tx.T[("followup", "any", label["lang"])])
                text = tx.render(r, template, "followup", "any", label["lang"], root.platform.value, h=str(hours))
                labels = {"kind": "complaint", "topic": label["topic"], "lang": label["lang"], "role": "repeat"}
                post = self.add(root.platform, root.author, text, at, labels, reply_to=prev)
                if post is None:
                    break
                prev = post

    def notables(self) -> None:
        """Verified journalists and celebrities: few posts, large audiences."""
        r = self.rng
        for handle, *_, lang in NOTABLES[2:]:
            at = self.start + timedelta(hours=r.uniform(7, 21))
            kind = r.choice(("complaint", "praise", "neutral"))
            topic = r.choice(tx.COMPLAINT_TOPICS) if kind == "complaint" else (
                "service" if kind == "praise" else "travel")
            author = self.notable(handle)
            text = tx.render(r, r.choice(tx.T[(kind, topic, lang)]), kind, topic, lang, "x")
            post = self.add(Platform.X, author, text, at, {"kind": kind, "topic": topic, "lang": lang})
            if post is not None:
                self.reobserve_organic(post, 1.0)

    def notable(self, handle: str) -> Author:
        _, name, bio, followers, _ = next(n for n in NOTABLES if n[0] == handle)
        self.handles.add(handle)
        return Author(id=str(10**7 + sum(map(ord, handle)) * 7919), handle=handle, display_name=name,
                      followers=followers, following=300 + 41 * len(handle), verified=True,
                      created_at=datetime(2010, 5, 4, tzinfo=UTC), description=bio)

    # --- the viral complaint --------------------------------------------------------------------------------
    def incident(self) -> None:
        """The BA-2013 pattern: a promoted lost-bag complaint from a small account, re-observed every ~10 min."""
        r = self.rng
        t0 = _at_hour(self.start, 9, r, (-8, 12))
        labels = {"kind": "complaint", "topic": "lost_luggage", "lang": "en", "role": "incident"}
        author = Author(id="2230617845", handle=INCIDENT_AUTHOR_HANDLE, display_name="Mira Castell",
                        followers=r.randint(280, 330), following=r.randint(250, 420),
                        created_at=datetime(2013, 11, 2, 18, 4, tzinfo=UTC), description="Lisbon → London. Tea.")
        self.handles.add(INCIDENT_AUTHOR_HANDLE)
        post = self.add(Platform.X, author, tx.INCIDENT_TEXT.format(f=f"AU {r.randint(1100, 1999)}"), t0, labels,
                        pid=INCIDENT_POST_ID, promoted=True)
        if post is None:
            return
        curve = impressions_curve(r)
        replies = self.incident_replies(post, curve)
        follow_at = t0 + timedelta(hours=r.uniform(5.5, 6.5))
        hours = round((follow_at - t0).total_seconds() / 3600)
        self.add(Platform.X, author, tx.INCIDENT_FOLLOWUP.format(h=hours), follow_at,
                 {**labels, "role": "incident_followup"}, pid=INCIDENT_FOLLOWUP_ID, reply_to=post)
        like_rate, repost_rate = r.uniform(0.010, 0.014), r.uniform(0.0035, 0.0045)
        for k in range(1, 24 * 6):
            at = t0 + timedelta(minutes=10 * k, seconds=r.uniform(-40, 40))
            imp = curve[min(int((at - t0).total_seconds() // 60), len(curve) - 1)]
            seen = [p for p in replies if p.created_at <= at]
            quotes = sum(1 for p in seen if p.raw["scenario"]["role"] == "incident_quote")
            self.observe(post, at, int(imp * like_rate), int(imp * repost_rate),
                         len(seen) - quotes + int(imp * 0.0006), quotes + int(imp * 0.0002), imp)

    def incident_replies(self, post: Post, curve: list[int]) -> list[Post]:
        """~40 replies and quotes from strangers, arriving as the post spreads, plus two journalists."""
        r = self.rng
        gains = [b - a for a, b in itertools.pairwise(curve[10:721])]
        picks = r.choices(range(len(gains)), weights=gains, k=r.randint(34, 42))
        minutes = sorted(10 + m + r.random() for m in picks)
        out: list[Post] = []
        for m in minutes:
            at = post.created_at + timedelta(minutes=m)
            lang = r.choices(tx.LANGS, (0.82, 0.1, 0.08))[0]
            _, kind, quote, template = r.choice([t for t in tx.INCIDENT_REPLIES if t[0] == lang])
            text = tx.render(r, template, kind, "lost_luggage", lang, "x", m=post.author.handle,
                             u=post.url or "", h=str(max(1, round(m / 60))))
            role = "incident_quote" if quote else "incident_reply"
            parent = r.choice(out) if out and not quote and r.random() < 0.15 else post
            labels = {"kind": kind, "topic": "lost_luggage", "lang": lang, "role": role}
            reply = self.add(Platform.X, self.author(lang, Platform.X, at), text, at, labels, reply_to=parent,
                             conversation=post.id)
            if reply is not None:
                out.append(reply)
        for handle, template, lang, hours in (("marta_reports", tx.JOURNALIST_QUOTE, "en", r.uniform(4.5, 5.5)),
                                             ("anne_dufresne", tx.JOURNALIST_QUOTE_FR, "fr", r.uniform(6, 8))):
            at = post.created_at + timedelta(hours=hours)
            text = template.format(n=curve[int(hours * 60)] // 1000, u=post.url)
            labels = {"kind": "neutral", "topic": "lost_luggage", "lang": lang, "role": "incident_quote"}
            quote_post = self.add(Platform.X, self.notable(handle), text, at, labels, reply_to=post,
                                  conversation=post.id)
            if quote_post is not None:
                out.append(quote_post)
                self.reobserve_organic(quote_post, 1.5)
        return out

    # --- the fake burst -------------------------------------------------------------------------------------
    def crisis(self, n: int = 45) -> None:
        """The Frankfurt baggage system fails at ~18:00: complaints about missing bags pile up for 40 minutes."""
        r = self.rng
        t0 = _at_hour(self.start, 18, r, (-5, 5))
        flights = [str(r.randint(300, 2999)) for _ in range(5)]
        for i in range(n):
            lang = r.choices(("en", "de", "fr"), weights=(0.55, 0.3, 0.15))[0]
            at = t0 + timedelta(minutes=40 * (i / n) + r.uniform(0, 1))
            platform = r.choices(list(PLATFORMS), weights=list(PLATFORMS.values()))[0]
            text = r.choice(tx.CRISIS[lang]).format(n=r.choice(flights))
            self.add(platform, self.author(lang, platform, at), text, at,
                     {"kind": "complaint", "topic": "lost_luggage", "lang": lang, "role": "crisis"})

    def fake_burst(self) -> None:
        """~150 posts in two minutes from day-old, follower-less default profiles, and a like spike."""
        r = self.rng
        tb = _at_hour(self.start, 15, r, (-3, 3))
        spammer = self.author("en", Platform.X, tb, followers=41, following=3120, description=None,
                              created_at=tb - timedelta(days=19), default_profile=True)
        target = self.add(Platform.X, spammer, tx.SPAM_TARGET.format(u=tx.SPAM_LINKS[1]),
                          tb - timedelta(minutes=r.uniform(8, 15)),
                          {"kind": "spam", "topic": "crypto", "lang": "en", "role": "spam_target"},
                          pid=SPAM_TARGET_POST_ID)
        liked_author = self.author("en", Platform.X, tb, followers=r.randint(200, 900))
        liked = self.add(Platform.X, liked_author, tx.render(r, r.choice(tx.T[("praise", "service", "en")]),
                         "praise", "service", "en", "x"), tb - timedelta(minutes=r.uniform(20, 40)),
                         {"kind": "praise", "topic": "service", "lang": "en", "role": "like_spike"},
                         pid=LIKE_SPIKE_POST_ID)
        offsets = sorted(r.uniform(0, 120) for _ in range(FAKE_BURST_SIZE))
        boosts = 0
        for pid, offset in zip(FAKE_BURST_POST_IDS, offsets, strict=True):
            at = tb + timedelta(seconds=offset)
            fresh = self.author("en", Platform.X, at, followers=r.randint(0, 3), following=r.randint(150, 4000),
                                default_profile=True, description=None,
                                created_at=at - timedelta(days=r.uniform(0, 5)),
                                handle=self.handle(r.choice(tx.FIRST["en"]), "x", style=3))
            boost = target is not None and r.random() < 0.34
            boosts += boost
            text = near_copy(r, tx.FAKE_BOOST if boost else tx.FAKE_PRAISE)
            labels = {"kind": "fake_engagement", "topic": "spam_boost" if boost else "praise", "lang": "en",
                      "role": "fake_burst"}
            self.add(Platform.X, fresh, text, at, labels, pid=pid, reply_to=target if boost else None)
        if target is not None:
            self.observe(target, tb + timedelta(minutes=3), 380 + boosts, 290, boosts, 4, 2400)
            self.observe(target, tb + timedelta(minutes=12), 410 + boosts, 305, boosts + 3, 5, 3100)
        if liked is not None:
            base = r.randint(6, 15)
            jump = base + r.randint(950, 1100)
            self.observe(liked, tb - timedelta(seconds=30), base, 1, 1, 0, r.randint(500, 700))
            self.observe(liked, tb + timedelta(seconds=30), jump, 2, 1, 0, r.randint(720, 800))
            self.observe(liked, tb + timedelta(minutes=10), jump + r.randint(5, 20), 3, 2, 0, r.randint(820, 900))


def near_copy(rng: random.Random, text: str) -> str:
    """Copied text with the small edits bot farms use to dodge exact-duplicate filters."""
    edits: tuple[Callable[[str], str], ...] = (
        lambda s: s + " " + rng.choice(("🔥", "✈️", "❤️", "💯", "👏")),
        lambda s: s.replace("!", "!!", 1),
        lambda s: s.replace("Best", rng.choice(("Greatest", "Top", "best"))),
        lambda s: s.replace("#flyaurora", "#AuroraAirways"),
        lambda s: s.replace("legit", "LEGIT"),
        lambda s: s.replace("got", "i got"),
    )
    for edit in rng.sample(edits, rng.choice((0, 0, 1, 1, 2))):
        text = edit(text)
    return text.strip()


def impressions_curve(rng: random.Random, minutes: int = 24 * 60) -> list[int]:
    """Cumulative impressions per minute after posting: promoted delivery seeds a self-exciting, saturating
    spread (dI/dt = p(t) + r*I*(1 - I/K)); noisy increments are rescaled so the curve passes 27.5k-30k at 6 h
    and 52k-57.5k at 12 h, the 2013 figures, whatever the seed. Never decreases."""
    promo, tau, growth, cap = 2200.0, 4.0, 0.45, 62_000.0
    mean, level = [0.0], 0.0
    for m in range(1, minutes + 1):
        h = m / 60
        level += (promo * math.exp(-h / tau) + growth * level * (1 - level / cap)) / 60
        mean.append(level)
    inc = [(b - a) * rng.lognormvariate(0, 0.4) for a, b in itertools.pairwise(mean)]
    at6, at12 = rng.uniform(27_500, 30_000), rng.uniform(52_000, 57_500)
    s1, s2 = at6 / sum(inc[:360]), (at12 - at6) / sum(inc[360:720])
    out, total = [0], 0.0
    for i, x in enumerate(inc):
        total += x * (s1 if i < 360 else s2)
        out.append(int(total))
    return out


def generate_scenario(seed: int = 7, start: datetime | None = None, hours: float = 24.0) -> list[Post]:
    """A day (or `hours`) of Aurora Airways traffic from `start` (default 2026-03-02T00:00Z), sorted by
    observation time; re-observed posts appear once per observation with the same id and newer counters."""
    start = DEFAULT_START if start is None else start
    if start.tzinfo is None:
        raise ValueError("start must be timezone-aware")
    start = start.astimezone(UTC)
    gen = _Gen(random.Random(seed), seed, start, start + timedelta(hours=hours))
    for handle, *_ in NOTABLES[:2]:
        gen.handles.add(handle)
    gen.repeat_customers(gen.regular())
    gen.notables()
    gen.incident()
    gen.fake_burst()
    gen.crisis()
    return sorted(gen.posts, key=lambda p: (p.observed_at(), p.platform.value, p.id))
