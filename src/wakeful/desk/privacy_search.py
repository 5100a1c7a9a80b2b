"""Finding the rows that may name a person, for an erasure, without reading every row once more per needle.

A needle is a handle, account id, post id or profile link of theirs, lower-cased (`privacy_scrub.Subject`); no
index serves a search for a substring, so each search reads every row of a table. How, by database and count:

- Up to `LIKE_AT_MOST` needles: one LIKE (ILIKE on PostgreSQL) per needle, in the database's own C.
- More, on SQLite: `_one_pass` reads the rows once, a batch per statement, and matches every needle with one
  compiled pattern (`alternation`), for about what 30 LIKEs cost, however many needles.
- More, on PostgreSQL, the search stays in the database, so the rows are not shipped to the desk's process (a
  customer's raw payloads are kilobytes each) to be matched there. Up to `REGEX_AT_MOST` needles: one
  case-insensitive regular expression, the needles as an escaped trie (`alternation`). Beyond, a needle of word
  characters only (`WORD`: post and account ids, most handles; nearly all of a person's needles) is looked up by
  hash among each row's words (`_by_words`): one split of each row, however many needles. Every place
  `Subject.scrub` replaces such a needle is a whole word (each of its patterns is bounded by non-word characters),
  so a row holding it only inside a longer word (1790..01 inside 11790..012) is never one to change, and need not
  be found. The other needles (a Mastodon link or user@instance, a dotted handle, a Bluesky id, a JSON-escaped
  name), few, are matched as substrings as above. Not the regular expression for all: PostgreSQL's engine slows
  with every alternative that begins with a digit in text full of digits (200 spread-out post ids over 100k posts
  took 4.6 s, 1,000 took 14 s, where the word lookup takes 1.4 s for any number; `benchmarks/bench_privacy.py`).
  On a server beside the desk the word lookup costs about twice what reading the rows into the process and
  matching them there (`_one_pass`, what 35c550d did) costs; it sends back hundreds of rows instead of every one.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable
from typing import TYPE_CHECKING, Any

from sqlalchemy import JSON, ColumnElement, Text, any_, case, cast, func, literal_column, or_, select, true
from sqlalchemy.orm import InstrumentedAttribute, Session

from wakeful.store.models import Base

if TYPE_CHECKING:
    from wakeful.desk.privacy_scrub import Subject

LIKE_AT_MOST = {"sqlite": 24, "postgresql": 1}
"""Needles up to which a search runs one LIKE (ILIKE) per needle, each a scan of every row in the database's own C
(on 100k posts about 0.02 s on SQLite, 0.1 s on PostgreSQL, where one regular expression for two needles already
costs less). Above it, SQLite's `_one_pass` costs about what 30 LIKEs do (`benchmarks/bench_privacy.py`)."""
REGEX_AT_MOST = 24
"""PostgreSQL: needles up to which one regular expression looks for a person (0.2-0.4 s over 100k posts for 2 to
24), beyond which the word lookup does (1.4 s, whatever the count)."""
PASS_ROWS = 2000
"""Rows read per statement by `_one_pass`."""
LOAD = 500
"""Row ids per statement when the rows found are read."""
WORD = re.compile(r"[0-9a-z_]+")
"""A needle PostgreSQL finds among a row's words (lower-cased ASCII letters, digits, underscore)."""
NOT_WORD = "[^0-9a-z_]+"
"""What splits a row's lower-cased text into words: anything else, so every non-ASCII character too (where
`Subject.scrub` reads a word boundary, this one splits at least)."""
JSON_ESCAPE = r"\\(u[0-9a-f]{4}|.)"
"""A JSON escape (\\n, \\u2014, \\\\): replaced by a space before the split, so the word after one is not glued to
its letters ("\\njane_doe99" holds the word jane_doe99)."""


def prune(needles: Iterable[str]) -> list[str]:
    """The needles, sorted, less those holding another: a substring search for the other finds their rows."""
    out = set(needles)
    lengths = sorted({len(n) for n in out})  # each needle's substrings of those lengths: linear in the count

    def holds_another(n: str) -> bool:
        return any(n[i:i + k] in out for k in lengths if k < len(n) for i in range(len(n) - k + 1))

    return sorted(n for n in out if not holds_another(n))


def alternation(words: Iterable[str]) -> str:
    """A pattern matching any of `words` literally, written as a trie (`17(?:90(?:01|23)|12)`): the regex engine
    then follows one branch per character, where an alternation of the words themselves is tried word by word at
    every position of the text. Escaped by `re.escape`, a backslash before each character that is syntax and none
    before a letter or digit, which PostgreSQL's regular expressions read the same way."""
    trie: dict[str, Any] = {}
    for word in words:
        node = trie
        for char in word:
            node = node.setdefault(char, {})
        node[""] = {}  # a word ends here
    return _branches(trie)


def _branches(node: dict[str, Any]) -> str:
    parts = []
    for char in sorted(k for k in node if k):
        literal, child = re.escape(char), node[char]
        while len(child) == 1 and "" not in child:  # a chain with no branch or end: one literal
            (char, child), = child.items()
            literal += re.escape(char)
        parts.append(literal + _branches(child))
    if not parts:
        return ""
    body = parts[0] if len(parts) == 1 else f"(?:{'|'.join(parts)})"
    return f"(?:{body})?" if "" in node else body


def containing(columns: Iterable[InstrumentedAttribute[Any]], needles: list[str], dialect: str) -> ColumnElement[bool]:
    """Rows where any of `columns` (text, or JSON read as its text) contains any needle (lower-cased),
    case-insensitively: ILIKE on PostgreSQL, LIKE on SQLite (which ignores ASCII case, as far as its lower() goes),
    `%`, `_` and `\\` escaped. Not LIKE over lower(column): that is computed again for every needle, and took 4x as
    long for a hundred."""
    texts = [cast(column, Text) for column in columns]
    if dialect == "postgresql":
        return or_(*(t.icontains(n, autoescape=True) for t in texts for n in needles))
    return or_(*(t.contains(n, autoescape=True) for t in texts for n in needles))


def _one_pass(session: Session, primary: ColumnElement[Any], columns: list[InstrumentedAttribute[Any]],
              needles: list[str]) -> list[Any]:
    """The keys of rows where any of `columns` contains any needle, case-insensitively (casefolded: as LIKE does for
    ASCII, and beyond it), reading every row once in key order, a batch per statement."""
    pattern = re.compile(alternation(n.casefold() for n in needles))
    texts = [cast(column, Text) for column in columns]
    keys: list[Any] = []
    after: Any = None
    while True:
        stmt = select(primary, *texts).order_by(primary).limit(PASS_ROWS)
        rows = session.execute(stmt if after is None else stmt.where(primary > after)).all()
        keys.extend(key for key, *values in rows if any(v and pattern.search(v.casefold()) for v in values))
        if len(rows) < PASS_ROWS:
            return keys
        after = rows[-1][0]


def _keys_containing(session: Session, primary: ColumnElement[Any], columns: list[InstrumentedAttribute[Any]],
                     needles: list[str]) -> list[Any]:
    """The keys of rows where any of `columns` contains any needle as a substring, case-insensitively."""
    if not needles:
        return []
    dialect = session.get_bind().dialect.name
    if len(needles) <= LIKE_AT_MOST.get(dialect, 0):
        return list(session.scalars(select(primary).where(containing(columns, needles, dialect))))
    if dialect == "postgresql":
        pattern = alternation(needles)
        return list(session.scalars(select(primary).where(or_(*(cast(c, Text).op("~*")(pattern)
                                                                  for c in columns)))))
    return _one_pass(session, primary, columns, needles)


def _words_of(column: InstrumentedAttribute[Any]) -> ColumnElement[str]:
    """A column's lower-cased text, ready to split into words: JSON with its escapes undone; text as it is and, where
    it holds a backslash (a refused record keeps its payload as JSON text; a post may say C:\\tom_r77), both ways."""
    text = func.lower(cast(column, Text))
    unescaped = func.regexp_replace(text, JSON_ESCAPE, " ", "g")
    if isinstance(column.type, JSON):
        return unescaped
    return case((func.strpos(text, "\\") > 0, func.concat_ws(" ", text, unescaped)), else_=text)


def _by_words(session: Session, primary: ColumnElement[Any], columns: list[InstrumentedAttribute[Any]],
              words: Collection[str]) -> list[Any]:
    """PostgreSQL: the keys of rows where one of `words` is a word of any of `columns`, looked up by hash.

    The words are written into the statement, not bound: with a bound array, PostgreSQL's generic plan (taken after
    five runs of the same statement) compares each word of each row with every needle in turn, 22 s instead of 1.3
    s for 1,000 needles over 100k posts. Only `WORD`s are written, which need no quoting."""
    if not words:
        return []
    if not all(WORD.fullmatch(w) for w in words):
        raise ValueError("only words of [0-9a-z_] are looked up by hash")
    split = func.regexp_split_to_table(func.concat_ws(" ", *(_words_of(c) for c in columns)), NOT_WORD)
    found = split.table_valued("word").render_derived(name="words")
    needles: ColumnElement[Any] = literal_column("'{" + ",".join(sorted(words)) + "}'::text[]")
    return list(session.scalars(select(primary).join(found, true()).where(found.c.word == any_(needles))
                                .distinct()))


def _load(session: Session, model: type[Base], primary: ColumnElement[Any], keys: Iterable[Any]) -> list[Any]:
    ordered = sorted(set(keys))
    found: list[Any] = []
    for start in range(0, len(ordered), LOAD):
        found.extend(session.scalars(select(model).where(primary.in_(ordered[start:start + LOAD])).order_by(primary)))
    return found


def rows_containing(session: Session, model: type[Base], columns: Iterable[str], needles: list[str]) -> list[Any]:
    """Rows of `model` where any of `columns` contains any needle (lower-cased) as a substring, case-insensitively,
    in key order: by one LIKE per needle when they are few (`LIKE_AT_MOST`); else by one pass over the rows on
    SQLite, one regular expression on PostgreSQL (`candidates` looks for many ids by word instead)."""
    primary = model.__mapper__.primary_key[0]
    return _load(session, model, primary, _keys_containing(session, primary, [getattr(model, c) for c in columns],
                                                           needles))


def candidates(session: Session, model: type[Base], columns: Iterable[str], subject: Subject) -> list[Any]:
    """Rows of `model` whose `columns` may name the person (checked row by row afterwards), in key order: those
    holding one of their needles, on PostgreSQL beyond `REGEX_AT_MOST` a needle that is a `WORD` as a whole word."""
    needles = subject.needles()
    if session.get_bind().dialect.name != "postgresql" or len(needles) <= REGEX_AT_MOST:
        return rows_containing(session, model, columns, needles)
    words, others = subject.word_needles()
    primary = model.__mapper__.primary_key[0]
    attrs = [getattr(model, c) for c in columns]
    return _load(session, model, primary, [*_by_words(session, primary, attrs, words),
                                           *_keys_containing(session, primary, attrs, others)])
