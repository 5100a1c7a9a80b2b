"""Passwords and sessions: stored only as hashes, checked in constant work, expiring and revocable."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from wakeful.api.auth import (
    SESSION_DAYS,
    Role,
    authenticate,
    create_token,
    create_user,
    disable_user,
    enable_user,
    hash_password,
    login_form_token,
    login_key,
    login_nonce,
    login_token_ok,
    revoke_token,
    session_principal,
    set_password,
    sign_in,
    sign_out,
    verify_password,
)
from wakeful.api.deps import Desk
from wakeful.store.models import ApiTokenRow
from wakeful.store.users import UserRow, WebSessionRow

PW = "a long enough password"


def test_password_hashes_are_salted_scrypt_and_verify() -> None:
    one, two = hash_password(PW), hash_password(PW)
    assert one != two and one.startswith("scrypt$") and PW not in one
    assert verify_password(PW, one) and not verify_password(PW + "x", one)
    assert not verify_password(PW, "md5$whatever")


def test_sign_in_session_expiry_and_sign_out(desk: Desk) -> None:
    now = desk.clock.now()
    with desk.db.session() as s:
        create_user(s, "ana", PW, "aurora", Role.AGENT, now)
        with pytest.raises(ValueError, match="exists"):
            create_user(s, "ana", PW, "aurora", Role.AGENT, now)
        with pytest.raises(ValueError, match="at least"):
            create_user(s, "bo", "short", "aurora", Role.AGENT, now)
        assert sign_in(s, "ana", "wrong password!", now) is None
        assert sign_in(s, "nobody", PW, now) is None
        web = sign_in(s, "ana", PW, now)
        assert web is not None
        who = session_principal(s, web.cookie, now)
        assert who is not None and (who.name, who.brand, who.role, who.csrf) == ("ana", "aurora", Role.AGENT, web.csrf)
        assert s.scalars(select(WebSessionRow.session_hash)).one() != web.cookie
        assert session_principal(s, web.cookie, now + timedelta(days=SESSION_DAYS, seconds=1)) is None
        sign_out(s, web.cookie, now)
        assert session_principal(s, web.cookie, now) is None
        s.scalars(select(UserRow)).one().disabled_at = now
        assert sign_in(s, "ana", PW, now) is None


@pytest.mark.parametrize(("name", "password", "said"), [
    ("", PW, "must not be blank"), ("   ", PW, "must not be blank"), ("a\x00b", PW, "printable"),
    ("x" * 129, PW, "at most 128"), ("bo", " " * 10, "at least 10 characters"),
    ("bo", "  short   ", "not counting spaces at either end"),
])
def test_blank_or_unprintable_names_and_blank_passwords_are_refused(
        desk: Desk, name: str, password: str, said: str) -> None:
    with desk.db.session() as s:
        with pytest.raises(ValueError, match=said):
            create_user(s, name, password, "aurora", Role.AGENT, desk.clock.now())
        assert s.scalars(select(UserRow)).all() == []


def test_names_are_stripped_and_unique_ignoring_case_and_sign_in_ignores_case_too(desk: Desk) -> None:
    now = desk.clock.now()
    with desk.db.session() as s:
        assert create_user(s, " ana ", PW, "aurora", Role.AGENT, now) == "ana"
        for twin in ("ana", "ANA", " Ana"):
            with pytest.raises(ValueError, match="exists already"):
                create_user(s, twin, PW, "aurora", Role.AGENT, now)
        assert s.scalars(select(UserRow.username)).all() == ["ana"]
        web = sign_in(s, "ANA", PW, now)
        assert web is not None
        who = session_principal(s, web.cookie, now)
        assert who is not None and who.name == "ana"  # the stored name: a case's assignee matches it


def test_a_disabled_user_loses_sign_in_sessions_and_tokens_until_enabled(desk: Desk) -> None:
    now = desk.clock.now()
    with desk.db.session() as s:
        create_user(s, "ana", PW, "aurora", Role.AGENT, now)
        web = sign_in(s, "ana", PW, now)
        token = create_token(s, "ana", "aurora", Role.AGENT, now)
        other = create_token(s, "ingest-bot", "aurora", Role.AGENT, now)
        assert web is not None and authenticate(s, token) is not None
        done = disable_user(s, "Ana", now)
        assert (done.username, done.sessions, done.tokens, done.already) == ("ana", 1, 1, False)
        assert sign_in(s, "ana", PW, now) is None
        assert session_principal(s, web.cookie, now) is None
        assert authenticate(s, token) is None
        assert authenticate(s, other) is not None  # someone else's token is untouched
        assert disable_user(s, "ana", now).already
        late = create_token(s, "ana", "aurora", Role.AGENT, now)  # a token issued after leaving does not work
        assert authenticate(s, late) is None
        assert enable_user(s, "ana") == ("ana", True)
        assert sign_in(s, "ana", PW, now) is not None
        assert authenticate(s, token) is None  # revoked for good, not merely suspended
        assert authenticate(s, late) is not None
        assert sorted(s.scalars(select(ApiTokenRow.name).where(ApiTokenRow.revoked_at.is_(None)))) == [
            "ana", "ingest-bot"]
        with pytest.raises(ValueError, match="no user 'ghost'"):
            disable_user(s, "ghost", now)


def test_revoking_a_token_ignores_case_as_disabling_its_user_does(desk: Desk) -> None:
    """`wakeful token revoke Ana` matched the name exactly and left a token issued as 'ana' working, where
    disabling Ana ended it."""
    now = desk.clock.now()
    with desk.db.session() as s:
        mine = create_token(s, "ana", "aurora", Role.AGENT, now)
        other = create_token(s, "ingest-bot", "aurora", Role.AGENT, now)
        assert revoke_token(s, "ANA", now) == 1
        assert authenticate(s, mine) is None and authenticate(s, other) is not None
        assert revoke_token(s, "Ana", now) == 0  # already revoked: nothing live of that name


def test_a_new_password_replaces_the_old_and_signs_the_user_out(desk: Desk) -> None:
    now = desk.clock.now()
    new = "another long password"
    with desk.db.session() as s:
        create_user(s, "ana", PW, "aurora", Role.AGENT, now)
        web = sign_in(s, "ana", PW, now)
        assert web is not None
        with pytest.raises(ValueError, match="at least 10"):
            set_password(s, "ana", " " * 12, now)
        assert set_password(s, "ANA", new, now) == 1
        assert session_principal(s, web.cookie, now) is None
        assert sign_in(s, "ana", PW, now) is None and sign_in(s, "ana", new, now) is not None


def test_a_login_form_token_fits_only_its_own_nonce() -> None:
    """The sign-in form's token is the server's signature of the browser's login nonce: another nonce's token, a
    guess, no nonce or a non-ASCII token (which would raise in a str comparison: a 500) are refused."""
    key = login_key(None)
    nonce, other = login_nonce(), login_nonce()
    assert nonce != other and len(nonce) >= 40
    token = login_form_token(nonce, key)
    assert token != nonce and nonce not in token and login_token_ok(nonce, token, key)
    for sent_nonce, sent_token in ((other, token), (nonce, login_form_token(other, key)), (nonce, ""), ("", token),
                                   ("", login_form_token("", key)), (nonce, token[:-1] + "\u00e9")):
        assert not login_token_ok(sent_nonce, sent_token, key), (sent_nonce, sent_token)


def test_the_configured_secret_signs_alike_in_every_process() -> None:
    """Two server processes share the key only through `secret_key`; without one each signs with its own."""
    nonce = login_nonce()
    token = login_form_token(nonce, login_key("s3cret-shared"))
    assert login_key("s3cret-shared") == login_key("s3cret-shared") != login_key("another")
    assert login_token_ok(nonce, token, login_key("s3cret-shared"))
    assert not login_token_ok(nonce, token, login_key("another")) and not login_token_ok(nonce, token, login_key(None))
