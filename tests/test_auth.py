"""Passwords and sessions: stored only as hashes, checked in constant work, expiring and revocable."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from wakeful.api.auth import (
    SESSION_DAYS,
    Role,
    create_user,
    hash_password,
    session_principal,
    sign_in,
    sign_out,
    verify_password,
)
from wakeful.api.deps import Desk
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
