"""Finding one person outside their own rows: where a brand's reply, another customer's post, a raw payload, a
notification or a case's audit trail names them, and replacing what names them with their pseudonym.

What names a person: their handle as a mention (`@someone`) or in a link (`/someone`, `/@someone`), their account id
or one of their posts' ids as a token (not inside a longer id), and any string that is wholly one of their handles,
ids, names, descriptions or post texts (a quoted post in another post's raw payload carries those whole).

A handle without its @ in running text ("thanks to jane_doe99 for the tip") is looked for, as a whole word, only
when it is `distinctive`: "help", "anna" or "QX4821" would also be other people's words and codes. A Mastodon handle
is stored as `user@instance`: it is also found as `@user@instance`, as `user@instance` in prose, and in the profile
links `https://instance/@user` and `https://instance/users/user` (the instance's own HTML and ActivityPub ids); the
bare `user` (or `@user`, as a post's text shows a mention) only when `user` is distinctive, since someone else may
be `user` on another instance.

Which rows are read to look for them, on each database: `desk/privacy_search.py`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from wakeful.desk.privacy_search import WORD, candidates, prune
from wakeful.store.connectors import OutboundReplyRow
from wakeful.store.models import Base, CaseEventRow, PostEditRow, PostRow
from wakeful.store.notify import NotificationRow
from wakeful.store.risk import CaseRiskRow

ERASED_TEXT = "[erased at the customer's request]"
RETENTION_TEXT = "[removed after the retention period]"
MARKERS = frozenset({ERASED_TEXT, RETENTION_TEXT})
MIN_TOKEN = 4
"""An account or post id shorter than this is matched only as a whole string: "42" is in too many other numbers."""
MIN_TEXT = 12
"""A text of theirs shorter than this is erased in their own rows only."""
MIN_BARE = 6
"""A handle shorter than this is never looked for without its @."""
CHUNK = 100
"""Ids per IN list, so a customer with hundreds of posts is not one enormous statement."""

SCANNED: dict[type[Base], tuple[str, ...]] = {
    PostRow: ("text", "raw"),
    PostEditRow: ("text",),
    CaseEventRow: ("text", "data"),
    NotificationRow: ("payload", "last_error"),
    CaseRiskRow: ("summary", "factors"),
    OutboundReplyRow: ("text", "last_error"),
}
"""Free text and payloads any customer's data can reach, searched for the person after their own rows are erased
(a refused record naming them is erased whole in `desk/privacy.py`)."""

CUSTOMER_TABLES = frozenset({"authors", "posts", "post_edits", "engagement", "cases", "case_posts", "case_events",
                             "case_risk", "outbound_replies", "notifications", "rejected_records"})
"""Tables that hold customers' data or point at it; `desk/privacy.py` says what of each is erased and what kept."""
REMAPPED = frozenset({
    "authors.platform_id", "authors.handle", "authors.display_name", "authors.description", "posts.platform_id",
    "posts.url", "posts.reply_to_id", "posts.conversation_id", "cases.conversation_id", "outbound_replies.in_reply_to",
    "rejected_records.payload", "rejected_records.error"})
"""Text columns of customer tables that `desk/privacy.py` erases in the person's own rows or remaps by their ids."""
CODES = frozenset({
    "authors.platform", "posts.platform", "posts.platform_lang", "posts.lang", "posts.sentiment", "posts.topics",
    "posts.brands", "posts.pii", "posts.signals", "posts.legal", "posts.erased", "cases.brand", "cases.platform",
    "cases.state", "cases.lang", "cases.topics", "cases.assignee", "case_events.kind", "case_events.actor",
    "notifications.channel", "notifications.event", "notifications.status", "outbound_replies.brand",
    "outbound_replies.platform", "outbound_replies.actor", "outbound_replies.state",
    "outbound_replies.platform_reply_id", "rejected_records.source", "rejected_records.field",
    "rejected_records.fingerprint", "rejected_records.resolution", "rejected_records.resolved_by"})
"""Text columns of customer tables holding codes, labels, hashes, the brand's ids and staff names, never a
customer's words: an erasure leaves them. The columns of customer tables that are not text (numbers, times, flags,
row ids such as `cases.merged_into_id`) cannot carry words and name nobody outside the desk."""
NO_CUSTOMER_DATA = {
    "agents": "the brand's staff", "teams": "the brand's staff", "agent_shifts": "staff rotas",
    "oncall_rota": "staff rotas", "sla_policies": "the brand's targets", "users": "staff sign-ins",
    "web_sessions": "staff sessions", "api_tokens": "hashed credentials", "brand_settings": "brand configuration",
    "reply_templates": "lines a lead approved, refused when they hold personal data",
    "incidents": "counts per topic and the brand's own statement",
    "connector_state": "platform cursors and connector errors, not about any one customer",
    "privacy_erasures": "the record of erasures, the person only as salted hashes",
}
"""The other tables, and why an erasure leaves them alone; a new table must be put in one of the two."""


def _boundary(alternatives: Iterable[str], before: str, after: str = r"(?![\w-]|\.\w)") -> re.Pattern[str] | None:
    """One pattern for many literal strings, longest first, not continued by a word, hyphen or domain part."""
    ordered = sorted(set(alternatives), key=len, reverse=True)
    if not ordered:
        return None
    return re.compile(rf"{before}(?P<hit>{'|'.join(map(re.escape, ordered))}){after}", re.IGNORECASE)


_LETTERS = re.compile(r"[^\W\d_]{4}")
_INNER = re.compile(r"\w[_.]\w")


def _replace_hits(pattern: re.Pattern[str], table: Mapping[str, str], value: str) -> str:
    """Each match's `hit` replaced by what `table` gives for it, what the pattern matched before it kept."""
    return pattern.sub(lambda m: m.group(0)[: m.start("hit") - m.start()] + table[m.group("hit").casefold()], value)


def distinctive(name: str) -> bool:
    """Whether a handle written without its @ in someone else's prose is still surely this person.

    Yes for one of at least MIN_BARE characters holding a letter and either an underscore or an inner dot (prose and
    codes have none: `jane_doe99`, `jane.bsky.social`), or a digit and a run of four letters (`jane1985`). No for
    letters alone (`help`, `anna`, `heathrow`: a word or a name, in any of the desk's languages, that no list here
    could rule out) and for codes (`QX4821`, `AU3110`, `A380`, all digits: a booking, a flight, an aircraft, an
    order). The cost of a wrong yes (`covid19`) is a word of someone else's replaced by a pseudonym; of a wrong no,
    the person left named in someone's thanks."""
    name = name.lstrip("@")
    if len(name) < MIN_BARE or not any(c.isalpha() for c in name):
        return False
    return bool(_INNER.search(name)) or (any(c.isdigit() for c in name) and bool(_LETTERS.search(name)))


@dataclass
class Subject:
    """Everything that identifies one person, with what replaces it.

    `replace` maps a handle, account id or post id (casefolded) to its pseudonym; `handles` are those of `replace`
    that are handles (found as mentions and in links); `words` those also found bare in prose (`distinctive`, and
    Mastodon's `user@instance`); `links` maps a Mastodon profile link's `instance/@user` (and `instance/users/user`)
    to the same link to the pseudonym; `texts` are whole strings of theirs (posts, names)."""

    replace: dict[str, str] = field(default_factory=dict)
    handles: set[str] = field(default_factory=set)
    words: set[str] = field(default_factory=set)
    links: dict[str, str] = field(default_factory=dict)
    texts: set[str] = field(default_factory=set)
    _patterns: list[tuple[re.Pattern[str], Mapping[str, str]]] = field(default_factory=list, init=False, repr=False)
    _compiled_for: tuple[int, int] = field(default=(-1, -1), init=False, repr=False)

    def add_handle(self, handle: str, pseudonym: str) -> None:
        key = handle.strip().lstrip("@").casefold()
        if not key:
            return
        self.replace[key] = pseudonym
        self.handles.add(key)
        user, at, instance = key.partition("@")
        if at and user and instance:  # Mastodon's user@instance
            self.words.add(key)
            for path in ("@", "users/"):
                self.links[f"{instance}/{path}{user}"] = f"{instance}/{path}{pseudonym}"
            if distinctive(user):
                self.replace[user] = pseudonym
                self.words.add(user)
        elif distinctive(key):
            self.words.add(key)

    def add_id(self, value: str, pseudonym: str) -> None:
        """An account or post id; one shorter than MIN_TOKEN is left to the rows that hold it as an id."""
        if len(value) >= MIN_TOKEN:
            self.replace[value.casefold()] = pseudonym

    def add_text(self, value: str | None) -> None:
        """A whole string of theirs; short ones ("Thanks!") are too common to erase wherever they occur."""
        if value and len(value.strip()) >= MIN_TEXT and value not in MARKERS:
            self.texts.add(value.strip().casefold())

    def needles(self) -> list[str]:
        """What a row must contain (lower-cased) to be worth reading: each handle, id and link, as stored text and
        as JSON writes it (non-ASCII escaped); one holding another is left out, as the other finds its rows."""
        return prune(_forms(self.replace.keys() | self.links.keys()))

    def word_needles(self) -> tuple[list[str], list[str]]:
        """The needles as PostgreSQL looks for them (`privacy_search`): the handles, ids and links that are a `WORD`,
        found as whole words, and the needles of the others, found as substrings, less those with a word among
        them (jane_doe99@mastodon.social wherever `scrub` replaces it holds the word jane_doe99)."""
        keys = {k.lower() for k in (*self.replace, *self.links)}
        words = {k for k in keys if WORD.fullmatch(k)}
        return sorted(words), prune(_forms(k for k in keys - words if words.isdisjoint(WORD.findall(k))))

    def _compile(self) -> None:
        if self._compiled_for == (len(self.replace), len(self.words)):
            return
        tokens = (k for k in self.replace if k not in self.handles and k not in self.words and len(k) >= MIN_TOKEN)
        found = [
            (_boundary(self.links, r"(?<![\w.-])"), self.links),
            (_boundary(self.handles, r"(?:(?<![\w@])@|(?<=/)@?)"), self.replace),
            (_boundary(tokens, r"(?<![\w-])"), self.replace),
            # bare, or as a Mastodon post shows a mention (@user); not in a link, a hashtag or an address's domain,
            # nor followed by another instance (user@elsewhere is someone else)
            (_boundary(self.words, r"(?<![\w@#./-])@?", r"(?![\w-]|[.@]\w)"), self.replace),
        ]
        self._patterns = [(pattern, table) for pattern, table in found if pattern is not None]
        self._compiled_for = (len(self.replace), len(self.words))

    def scrub_text(self, value: str) -> str:
        """`value` with every mention, link and id of the person replaced; a string wholly theirs is erased."""
        whole = value.strip().casefold()
        if len(whole) >= MIN_TOKEN and whole in self.replace:
            return self.replace[whole]
        if whole in self.texts:
            return ERASED_TEXT
        self._compile()
        for pattern, table in self._patterns:
            value = _replace_hits(pattern, table, value)
        return value

    def scrub(self, value: Any) -> Any:
        """A JSON value with every string in it scrubbed (keys too: a payload may be keyed by post id)."""
        if isinstance(value, str):
            return self.scrub_text(value)
        if isinstance(value, list):
            return [self.scrub(v) for v in value]
        if isinstance(value, dict):
            return {self.scrub_text(k): self.scrub(v) for k, v in value.items()}
        return value

    def names(self, value: Any) -> bool:
        """Whether the person is named anywhere in `value`."""
        return bool(self.replace or self.texts) and self.scrub(value) != value


def _forms(keys: Iterable[str]) -> set[str]:
    """Each key lower-cased, as stored text and as JSON writes it (non-ASCII escaped)."""
    return {form for key in keys for form in (key.lower(), json.dumps(key)[1:-1].lower())}


def chunks(items: list[str], size: int = CHUNK) -> Iterator[list[str]]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


def scrub_rows(session: Session, subject: Subject, tables: Mapping[type[Base], tuple[str, ...]] = SCANNED) -> int:
    """Replace the person wherever `tables` name them; how many rows changed."""
    if not subject.replace:
        return 0
    changed = 0
    for model, columns in tables.items():
        for row in candidates(session, model, columns, subject):
            touched = False
            for column in columns:
                old = getattr(row, column)
                new = subject.scrub(old)
                if new != old:
                    setattr(row, column, new)  # a new object, so a JSON column's change is saved
                    touched = True
            changed += touched
    return changed
