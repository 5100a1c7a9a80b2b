"""How an erasure finds the rows that may name the person (`desk/privacy_search.py`), on SQLite and PostgreSQL:
needles that are syntax to LIKE or to a regular expression are found literally, PostgreSQL's word lookup finds a
word after a JSON escape or a non-ASCII character and every row `Subject.scrub` would change, and on PostgreSQL an
erasure of someone with many posts does not read the other rows into the desk."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from sqlalchemy import event, select

from wakeful.api.deps import Desk
from wakeful.desk import privacy, privacy_search
from wakeful.desk.privacy_scrub import Subject
from wakeful.desk.privacy_search import candidates, rows_containing
from wakeful.store.db import Database, migrate
from wakeful.store.models import AuthorRow, PostRow
from wakeful.store.notify import NotificationRow

from tests import privacy_scenario as sc
from tests.factories import T0, make_post


@pytest.fixture
def db(database_url: str) -> Iterator[Database]:
    migrate(database_url)
    database = Database(database_url)
    yield database
    database.dispose()


def _keep(db: Database, rows: list[tuple[dict[str, Any], str | None]]) -> list[int]:
    """Notifications with these payloads (JSON) and errors (text); their ids."""
    with db.session() as session:
        kept = [NotificationRow(channel="ops", event="case.risk", payload=payload, status="dead", attempts=1,
                                last_error=error, created_at=T0) for payload, error in rows]
        session.add_all(kept)
        session.flush()
        return [row.id for row in kept]


SYNTAX = ["a.b", "(x", "[y]", "c+d", "e*", "f?", "g|h", "i{2}", "50%", "x_y", "back\\slash", "^s", "t$", "~*"]
"""Needles a regular expression or LIKE would read as syntax if they were not escaped."""
LITERAL = [f"and {n} too" for n in SYNTAX]
LOOKALIKE = ["aXb", "xx", "y", "cccd", "eee", "f", "g", "h", "ii", "50 percent", "xzy", "backslash", "s", "t", "~"]
"""What each needle would match were it syntax: `.` any character, `+` a repeat, `%` and `_` any text or character."""


@pytest.mark.parametrize("extra", [0, 30], ids=["few", "many"])
def test_needles_that_are_syntax_are_found_literally(db: Database, extra: int) -> None:
    """Few: a LIKE each on SQLite, a regular expression on PostgreSQL; many: SQLite's one pass."""
    ids = _keep(db, [({"text": t}, t) for t in LITERAL + LOOKALIKE])
    needles = SYNTAX + [f"17{n:017d}" for n in range(extra)]
    with db.session() as session:
        found = [row.id for row in rows_containing(session, NotificationRow, ("last_error",), needles)]
        assert found == ids[:len(LITERAL)]


def _subject() -> Subject:
    """Past LIKE_AT_MOST on SQLite and REGEX_AT_MOST on PostgreSQL, which looks for the ids and jane_doe99 as
    words, and for the Bluesky and Mastodon names and the did (five needles) with one regular expression."""
    s = Subject()
    for handle, pseudonym in (("jane_doe99", "erased-1"), ("jane.bsky.social", "erased-1"),
                              ("anna@mastodon.social", "erased-2")):
        s.add_handle(handle, pseudonym)
    s.add_id("did:plc:abc123xyz", "erased-1")
    for n in range(30):
        s.add_id(f"179{n:016d}", f"erased-post-{n}")
    return s


NAMED: list[tuple[dict[str, Any], str | None]] = [
    ({"text": "thanks\njane_doe99"}, None),  # JSON writes \n: the word after it is not glued to its n
    ({"text": "—jane_doe99 said so"}, None),  # and \u2014 for the dash
    ({"text": "C:\\jane_doe99"}, None),  # and \\ for a backslash
    ({"quoted": {"id": "1790000000000000007"}}, None),
    ({"text": "Ünd @Jane_Doe99!"}, None),
    ({}, "HTTP 400: C:\\1790000000000000003"),  # a backslash in plain text, no escape
    ({"text": "see https://bsky.app/profile/jane.bsky.social"}, None),
    ({"text": "https://mastodon.social/@anna"}, None),
    ({"author": "did:plc:abc123xyz"}, None),
]
UNNAMED: list[tuple[dict[str, Any], str | None]] = [
    ({"text": "xjane_doe99 and jane_doe999"}, None),
    ({"id": "17900000000000000071"}, "order 11790000000000000003"),
    ({"text": "janeXbsky.social, anna@chaos.social, did:plc:abc123xy"}, None),
    ({"text": "nothing here"}, "HTTP 500"),
]


JSON_TEXT = ("HTTP 400: {\"text\": \"hi\\njane_doe99\"}", "{\"text\": \"\\u2014jane_doe99\"}")
"""JSON kept as text (a refused record's payload, read as JSON when it is checked): the words after its escapes."""


def test_every_row_that_names_them_is_a_candidate(db: Database) -> None:
    """On PostgreSQL exactly those: an id inside a longer number, or a handle inside a longer word, names nobody."""
    s = _subject()
    named = _keep(db, NAMED)
    _keep(db, UNNAMED)
    as_json = _keep(db, [({}, text) for text in JSON_TEXT])
    with db.session() as session:
        rows = candidates(session, NotificationRow, ("payload", "last_error"), s)
        found = {r.id for r in rows} - set(as_json)
        truly = {r.id for r in rows if s.names(r.payload) or s.names(r.last_error)}
        dialect = session.get_bind().dialect.name
    assert truly == set(named)
    assert {r.id for r in rows} >= set(as_json)
    if dialect == "postgresql":
        assert found == set(named)
    else:
        assert found >= set(named)


@contextmanager
def _rows_read(desk: Desk) -> Iterator[list[int]]:
    """How many rows each SELECT sent returned (PostgreSQL's cursor counts them)."""
    seen: list[int] = []

    def count(conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, many: bool) -> None:
        if statement.lstrip().upper().startswith("SELECT"):
            seen.append(max(cursor.rowcount, 0))

    event.listen(desk.db.engine, "after_cursor_execute", count)
    try:
        yield seen
    finally:
        event.remove(desk.db.engine, "after_cursor_execute", count)


OTHERS = 300
THEIRS = [f"18000000000{i * 7919 % 10**8:08d}" for i in range(40)]
"""Her post ids, spread out as a platform's are."""


def test_on_postgresql_an_erasure_reads_the_rows_that_may_name_them_not_every_row(desk: Desk) -> None:
    """Before, past four needles PostgreSQL shipped every post (and every other scanned row) to the desk to match
    them there."""
    if desk.db.engine.dialect.name != "postgresql":
        pytest.skip("SQLite reads the rows once in the desk's process: no server to ship them from")
    desk.ingest.ingest([
        *(make_post(f"19{n:017d}", f"@AuroraAirways bag {n} still missing", author=f"customer_{n % 50}",
                    minutes=-900 + n) for n in range(OTHERS)),
        *(make_post(pid, f"@AuroraAirways my bag is still missing, day {i}", author="mira_k1985", minutes=-300 + i)
          for i, pid in enumerate(THEIRS)),
        make_post("1900000000000000999", f"@mira_k1985 same here\n{THEIRS[3]}", author="bob_b", minutes=-100),
    ])
    with desk.db.session() as session:
        quoted = session.scalars(select(PostRow.id).where(PostRow.platform_id == THEIRS[3])).one()
    with _rows_read(desk) as seen:
        privacy.request_erasure(desk.db, "x", handle="mira_k1985", account_id=None, requested_by="dpo",
                                now=desk.clock.now())
    assert len(THEIRS) > privacy_search.REGEX_AT_MOST
    assert sum(seen) < OTHERS, sum(seen)  # her 40 posts, the few naming her, her case's rows
    with desk.db.session() as session:
        mira = session.scalars(select(AuthorRow.id).where(AuthorRow.erased_at.is_not(None))).one()
        bob = session.scalars(select(PostRow).where(PostRow.platform_id == "1900000000000000999")).one()
        assert bob.text == f"@erased-{mira} same here\nerased-post-{quoted}"
        assert sc.traces(session, ("mira_k1985", *THEIRS)) == []
