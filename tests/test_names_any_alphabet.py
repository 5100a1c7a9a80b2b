"""Names with letters outside ASCII ignore case like any other: SQLite's own lower() and PostgreSQL's under the C
locale fold ASCII letters only, so 'Özlem' in lower case stayed 'Özlem' in SQL while Python made it 'özlem'."""

from __future__ import annotations

import logging
import uuid

import pytest
from sqlalchemy import func, select

from wakeful.api.app import build_desk
from wakeful.api.auth import Role, authenticate, create_token, create_user, disable_user
from wakeful.api.deps import Desk
from wakeful.core.models import Author
from wakeful.core.settings import Settings
from wakeful.desk.agents import known_person
from wakeful.desk.service import QueueFilters, list_cases
from wakeful.store.db import ASCII_ONLY_FOLDING, Database, folds_every_alphabet

from tests.factories import T0, make_post
from tests.pg import PostgresServer

PW = "a long enough password"
LOST = "@AuroraAirways you lost my bag on AU 2213, nobody answers. Still waiting for my suitcase!"


def test_a_disabled_users_tokens_die_whatever_the_case_of_her_name(desk: Desk) -> None:
    """Before, on either database, disabling Özlem revoked no token and her tokens kept signing in."""
    with desk.db.session() as s:
        create_user(s, "Özlem", PW, "aurora", Role.AGENT, T0)
        tokens = [create_token(s, name, "aurora", Role.AGENT, T0) for name in ("Özlem", "ÖZLEM", "özlem ")]
    with desk.db.session() as s:
        assert all(authenticate(s, t) is not None for t in tokens)
        assert known_person(s, "aurora", "özlem") == "Özlem"
        assert disable_user(s, "özlem", T0).tokens == 3
    with desk.db.session() as s:
        assert [authenticate(s, t) for t in tokens] == [None, None, None]
        assert known_person(s, "aurora", "ÖZLEM") is None  # disabled: pages nobody


def test_customer_search_ignores_case_in_any_alphabet(desk: Desk) -> None:
    post = make_post("a1", LOST, author="oezlem_y")
    post = post.model_copy(update={"author": Author(id="id-oe", handle="oezlem_y", display_name="Özlem Çelik",
                                                    followers=120)})
    desk.ingest.ingest([post, make_post("a2", LOST, author="bo")])
    with desk.db.session() as s:
        assert s.scalar(select(func.lower("ÄÉÖ"))) == "äéö"
        for needle in ("özlem", "ÖZLEM", "çelik", "ÇELIK"):
            found = list_cases(s, {"aurora"}, T0, desk.settings, QueueFilters(customer=needle))
            assert [c.author.handle for c in found] == ["oezlem_y"], needle


@pytest.mark.postgres
def test_the_desk_warns_at_start_when_postgresql_folds_ascii_only(
        pg_server: PostgresServer, caplog: pytest.LogCaptureFixture) -> None:
    name = f"c_{uuid.uuid4().hex}"
    with pg_server.connect() as conn:
        conn.execute(f"CREATE DATABASE {name} LC_CTYPE 'C' LC_COLLATE 'C' TEMPLATE template0")
    db, utf8 = Database(pg_server.url(name)), Database(pg_server.url())
    try:
        assert (folds_every_alphabet(db.engine), folds_every_alphabet(utf8.engine)) == (False, True)
        with caplog.at_level(logging.WARNING, logger="wakeful.api.app"):
            build_desk(Settings(database_url=pg_server.url()), db=utf8)
            assert ASCII_ONLY_FOLDING not in caplog.text
            build_desk(Settings(database_url=pg_server.url(name)), db=db)
        assert ASCII_ONLY_FOLDING in caplog.text
    finally:
        db.dispose()
        utf8.dispose()
        pg_server.drop_database(name)
