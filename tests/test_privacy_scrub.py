"""What counts as naming a person outside their own rows, the pattern that looks for many needles at once, which
tables an erasure must consider, and the schema change's migration (undone without touching the posts' other
rows)."""

from __future__ import annotations

import random
import re
from datetime import UTC, datetime

import pytest
from alembic import command
from sqlalchemy import JSON, Integer, String, Text, create_engine, inspect, text

from wakeful.desk.fairness import band_of
from wakeful.desk.privacy import band_floor
from wakeful.desk.privacy_scrub import (
    CODES,
    CUSTOMER_TABLES,
    ERASED_TEXT,
    NO_CUSTOMER_DATA,
    REMAPPED,
    SCANNED,
    Subject,
    distinctive,
)
from wakeful.desk.privacy_search import alternation
from wakeful.store.db import Database, alembic_config, migrate
from wakeful.store.models import AuthorRow, PostEditRow, PostRow
from wakeful.store.registry import Base


def _jonas() -> Subject:
    s = Subject()
    s.add_handle("@Jonas_K84", "erased-7")
    s.add_id("1612345678901234567", "erased-7")
    s.add_id("1790000000000000001", "erased-post-3")
    s.add_text("Mein Koffer ist seit drei Tagen verschwunden")
    s.add_text("Danke!")
    return s


def test_mentions_links_and_ids_are_replaced_and_lookalikes_are_not() -> None:
    s = _jonas()
    assert s.scrub_text("comme @jonas_k84, je n'ai rien. cc @JONAS_K84.") == \
        "comme @erased-7, je n'ai rien. cc @erased-7."
    assert s.scrub_text("https://x.com/jonas_k84/status/1790000000000000001") == \
        "https://x.com/erased-7/status/erased-post-3"
    assert s.scrub_text("https://mastodon.social/@jonas_k84") == "https://mastodon.social/@erased-7"
    untouched = ["@jonas_k845 and @jonas_k84_fan", "mail@jonas_k84", "#jonas_k84 is a hashtag", "jonas_k84@gmx.de",
                 "17900000000000000012", "id 1612345678901234567-b", "@jonas_k84.bsky.social"]
    assert [s.scrub_text(t) for t in untouched] == untouched


def test_a_distinctive_handle_is_found_without_its_at_in_other_peoples_prose() -> None:
    s = _jonas()
    assert s.scrub_text("thanks to Jonas_K84 for the tip (jonas_k84's idea).") == \
        "thanks to erased-7 for the tip (erased-7's idea)."
    assert s.scrub({"user": {"username": "JONAS_K84"}}) == {"user": {"username": "erased-7"}}


@pytest.mark.parametrize(("handle", "prose"), [
    ("help", "can someone help me"), ("anna", "anna said so"), ("heathrow", "stuck at heathrow again"),
    ("QX4821", "booking qx4821 cancelled"), ("AU3110", "flight au3110 delayed"), ("a380", "the a380 was full"),
    ("b737max", "a b737max again"), ("12345678", "order 12345678 lost"), ("jo_b", "jo_b here"),
])
def test_a_handle_that_is_a_word_or_a_code_is_not_hunted_for_without_its_at(handle: str, prose: str) -> None:
    s = _jonas()
    s.add_handle(handle, "erased-1")
    assert not distinctive(handle)
    assert s.scrub_text(f"{prose}, thanks jonas_k84") == f"{prose}, thanks erased-7"
    assert s.scrub_text(f"cc @{handle}!") == "cc @erased-1!"  # as a mention it is still theirs


@pytest.mark.parametrize("handle", ["jane_doe99", "jane.bsky.social", "jane1985", "@Mira_M"])
def test_handles_with_an_underscore_an_inner_dot_or_digits_beside_a_name_are_distinctive(handle: str) -> None:
    s = Subject()
    s.add_handle(handle, "erased-1")
    assert s.scrub_text(f"thanks {handle.lstrip('@').upper()}, for the tip") == "thanks erased-1, for the tip"


def test_a_mastodon_handle_is_found_in_its_profile_links_and_full_mentions() -> None:
    s = Subject()
    s.add_handle("Jane_Doe99@Mastodon.Social", "erased-5")
    assert s.scrub_text("see https://mastodon.social/@jane_doe99 and https://MASTODON.social/@Jane_Doe99/1123") == \
        "see https://mastodon.social/@erased-5 and https://mastodon.social/@erased-5/1123"
    assert s.scrub_text("https://mastodon.social/users/jane_doe99") == "https://mastodon.social/users/erased-5"
    assert s.scrub_text("cc @jane_doe99@mastodon.social, mail jane_doe99@mastodon.social") == \
        "cc @erased-5, mail erased-5"
    assert s.scrub_text("cc @jane_doe99 (as a post shows it), thanks jane_doe99") == \
        "cc @erased-5 (as a post shows it), thanks erased-5"
    elsewhere = ["https://other.social/@jane_doe99", "https://notmastodon.social/@jane_doe99",
                 "@jane_doe99@other.social", "https://mastodon.social/@jane_doe999"]
    assert [s.scrub_text(t) for t in elsewhere] == elsewhere
    assert s.needles() == ["jane_doe99"]


def test_a_mastodon_user_with_a_common_name_is_found_only_with_their_instance() -> None:
    s = Subject()
    s.add_handle("anna@mastodon.social", "erased-6")
    assert s.scrub_text("https://mastodon.social/@anna, @anna@mastodon.social") == \
        "https://mastodon.social/@erased-6, @erased-6"
    assert s.scrub_text("@anna and anna, https://chaos.social/@anna") == "@anna and anna, https://chaos.social/@anna"
    assert s.needles() == ["anna@mastodon.social", "mastodon.social/@anna", "mastodon.social/users/anna"]


def test_whole_strings_of_theirs_are_erased_in_payloads_and_short_ones_are_left() -> None:
    s = _jonas()
    raw = {"data": {"author_id": "1612345678901234567", "text": "Danke!"},
           "includes": {"users": [{"username": "Jonas_K84", "name": "someone else"}],
                        "tweets": [{"id": "1790000000000000001", "text": " Mein Koffer ist seit drei Tagen "
                                                                         "verschwunden"}]},
           "1790000000000000001": [42, None, True]}
    assert s.scrub(raw) == {"data": {"author_id": "erased-7", "text": "Danke!"},
                            "includes": {"users": [{"username": "erased-7", "name": "someone else"}],
                                         "tweets": [{"id": "erased-post-3", "text": ERASED_TEXT}]},
                            "erased-post-3": [42, None, True]}
    assert s.names(raw) and not s.names({"text": "Danke!", "n": 1})


def test_a_short_id_is_not_hunted_for_in_other_peoples_text() -> None:
    s = Subject()
    s.add_handle("jo", "erased-1")
    s.add_id("42", "erased-1")
    assert s.scrub_text("@jo flight 42 at gate 42") == "@erased-1 flight 42 at gate 42"
    assert s.scrub_text("jo") == "jo"  # a two-letter value in a payload may be anything (a language code)
    assert s.needles() == ["jo"]


def test_one_pattern_finds_exactly_the_strings_holding_one_of_many_needles() -> None:
    """The one pass's pattern, a trie of the needles: a needle that begins another, shared prefixes, characters a
    pattern reads as syntax."""
    rng = random.Random(7)
    needles = [*(f"17900{rng.randrange(10**13):013d}" for _ in range(300)), "jane_doe99", "jane_doe", "a.b(c)*",
               "mastodon.social/@anna", "\\u00fc"]
    pattern = re.compile(alternation(needles))
    texts = [*(f"x {n} y" for n in needles), *(f"id {n[:-1]}" for n in needles), "jane_do", "a.b(c)", "ab(c)*",
             *(f"17900{rng.randrange(10**13):013d}" for _ in range(300))]
    assert [bool(pattern.search(t)) for t in texts] == [any(n in t for n in needles) for t in texts]
    assert all(pattern.fullmatch(n) for n in needles)


def test_the_follower_count_keeps_only_its_reach_band() -> None:
    for followers in (0, 999, 1_000, 12_345, 99_999, 100_000, 4_000_000):
        assert band_of(band_floor(followers)) == band_of(followers)
    assert band_floor(12_345) == 10_000


def test_every_table_is_either_handled_by_an_erasure_or_said_to_hold_no_customer_data() -> None:
    tables = {t.name for t in Base.metadata.sorted_tables}
    assert not CUSTOMER_TABLES & set(NO_CUSTOMER_DATA)
    assert tables == CUSTOMER_TABLES | set(NO_CUSTOMER_DATA), "put a new table in privacy_scrub's lists"


def test_every_text_column_of_a_customer_table_is_scanned_erased_or_said_to_hold_codes() -> None:
    """A new column (say, a merge's) must be placed: one that holds words is scanned or erased, or says why not."""
    scanned = {f"{model.__tablename__}.{c}" for model, columns in SCANNED.items() for c in columns}
    assert not scanned & REMAPPED and not scanned & CODES and not REMAPPED & CODES
    words, other = set(), set()
    for table in Base.metadata.sorted_tables:
        if table.name in CUSTOMER_TABLES:
            for column in table.columns:
                kind = words if isinstance(column.type, String | Text | JSON) else other
                kind.add(f"{table.name}.{column.name}")
    assert words == scanned | REMAPPED | CODES, "put a new text column in SCANNED, REMAPPED or CODES"
    assert "cases.merged_into_id" in other  # a case's row id, kept: it names nobody
    assert isinstance(Base.metadata.tables["cases"].c.merged_into_id.type, Integer)
    # the merge's undo record is event data: scanned, and holding only ids (tests/test_privacy_merge.py)
    assert "case_events.data" in scanned


def test_the_migration_is_undone_without_losing_the_posts_history(database_url: str) -> None:
    """Dropping the posts' new columns must not copy the table: SQLite would cascade its drop into post_edits."""
    migrate(database_url)
    at = datetime(2026, 3, 2, tzinfo=UTC)
    db = Database(database_url)
    with db.session() as session:
        author = AuthorRow(platform="x", platform_id="1", handle="a", updated_at=at)
        session.add(author)
        session.flush()
        post = PostRow(platform="x", platform_id="p", author_id=author.id, text="now", created_at=at,
                       ingested_at=at, sentiment="neutral", sentiment_score=0.0, complaint=False, complaint_p=0.0,
                       severity=0, erased="retention")
        session.add(post)
        session.flush()
        session.add(PostEditRow(post_id=post.id, version_at=at, text="before", recorded_at=at))
    db.dispose()
    engine = create_engine(database_url)
    try:
        command.downgrade(alembic_config(database_url), "0017_connector_action")
        assert "privacy_erasures" not in inspect(engine).get_table_names()
        assert "erased" not in {c["name"] for c in inspect(engine).get_columns("posts")}
        with engine.connect() as conn:
            assert conn.execute(text("SELECT text FROM post_edits")).scalars().all() == ["before"]
        migrate(database_url)
        assert "erased_at" in {c["name"] for c in inspect(engine).get_columns("authors")}
    finally:
        engine.dispose()
