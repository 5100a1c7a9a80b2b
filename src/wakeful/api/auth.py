"""Who may do what: API tokens for integrations, users with passwords and sessions for the dashboard.

Both are scoped to one brand (or all, for admins) and one role. Only hashes of tokens, cookies and passwords are stored.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.orm import Session

from wakeful.core.clock import as_utc
from wakeful.store.models import ApiTokenRow
from wakeful.store.users import UserRow, WebSessionRow

ALL_BRANDS = "*"


class Role(StrEnum):
    AGENT = "agent"
    LEAD = "lead"
    ADMIN = "admin"

    @property
    def rank(self) -> int:
        return list(Role).index(self)


@dataclass(frozen=True)
class Principal:
    name: str
    brand: str
    role: Role
    csrf: str | None = None
    """Set for a browser session: writes must echo it in the X-CSRF-Token header."""

    @property
    def brands(self) -> set[str] | None:
        """The brands this caller may see; None means every brand (an admin token for '*')."""
        return None if self.brand == ALL_BRANDS else {self.brand}

    def at_least(self, role: Role) -> bool:
        return self.role.rank >= role.rank


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_token(session: Session, name: str, brand: str, role: Role, now: datetime) -> str:
    """Issue a token; the plain value is returned once and never stored."""
    if brand == ALL_BRANDS and role is not Role.ADMIN:
        raise ValueError("only an admin token may span all brands ('*')")
    token = "wk_" + secrets.token_urlsafe(32)
    session.add(ApiTokenRow(name=name, token_hash=_hash(token), brand=brand, role=role.value, created_at=now))
    return token


def authenticate(session: Session, token: str) -> Principal | None:
    if not token:
        return None
    row = session.scalars(
        select(ApiTokenRow).where(ApiTokenRow.token_hash == _hash(token), ApiTokenRow.revoked_at.is_(None))
    ).first()
    return Principal(row.name, row.brand, Role(row.role)) if row else None


def revoke_token(session: Session, name: str, now: datetime) -> int:
    rows = list(session.scalars(select(ApiTokenRow).where(ApiTokenRow.name == name, ApiTokenRow.revoked_at.is_(None))))
    for row in rows:
        row.revoked_at = now
    return len(rows)


# --- people signing in to the dashboard --------------------------------------------------------------------------

SESSION_DAYS = 7
_SCRYPT = {"n": 2**14, "r": 8, "p": 1}
MIN_PASSWORD = 10


def hash_password(password: str) -> str:
    """scrypt (memory-hard KDF, in the standard library) with a random salt, in a self-describing string."""
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, dklen=32, **_SCRYPT)
    return f"scrypt${_SCRYPT['n']}${_SCRYPT['r']}${_SCRYPT['p']}${salt.hex()}${digest.hex()}"


def verify_password(password: str, stored: str) -> bool:
    try:
        kind, n, r, p, salt, digest = stored.split("$")
    except ValueError:
        return False
    if kind != "scrypt":
        return False
    computed = hashlib.scrypt(password.encode(), salt=bytes.fromhex(salt), dklen=len(digest) // 2,
                              n=int(n), r=int(r), p=int(p))
    return hmac.compare_digest(computed.hex(), digest)


def create_user(session: Session, username: str, password: str, brand: str, role: Role, now: datetime) -> None:
    if len(password) < MIN_PASSWORD:
        raise ValueError(f"a password needs at least {MIN_PASSWORD} characters")
    if brand == ALL_BRANDS and role is not Role.ADMIN:
        raise ValueError("only an admin may span all brands ('*')")
    if session.scalars(select(UserRow).where(UserRow.username == username)).first() is not None:
        raise ValueError(f"user {username!r} exists already")
    session.add(UserRow(username=username, password_hash=hash_password(password), brand=brand, role=role.value,
                        created_at=now))


@dataclass(frozen=True)
class WebSession:
    cookie: str
    csrf: str


def sign_in(session: Session, username: str, password: str, now: datetime) -> WebSession | None:
    """A new browser session for valid credentials; None otherwise (the same answer for unknown users)."""
    user = session.scalars(select(UserRow).where(UserRow.username == username, UserRow.disabled_at.is_(None))).first()
    if user is None:
        verify_password(password, _DUMMY_HASH)  # same work either way, so timing does not reveal usernames
        return None
    if not verify_password(password, user.password_hash):
        return None
    cookie, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    session.add(WebSessionRow(session_hash=_hash(cookie), user_id=user.id, csrf=csrf, created_at=now,
                              expires_at=now + timedelta(days=SESSION_DAYS)))
    return WebSession(cookie, csrf)


def session_principal(session: Session, cookie: str, now: datetime) -> Principal | None:
    if not cookie:
        return None
    row = session.execute(
        select(WebSessionRow, UserRow)
        .join(UserRow, UserRow.id == WebSessionRow.user_id)
        .where(WebSessionRow.session_hash == _hash(cookie), WebSessionRow.revoked_at.is_(None),
               UserRow.disabled_at.is_(None))
    ).first()
    if row is None or as_utc(row[0].expires_at) <= now:
        return None
    web, user = row
    return Principal(user.username, user.brand, Role(user.role), csrf=web.csrf)


def sign_out(session: Session, cookie: str, now: datetime) -> None:
    row = session.scalars(select(WebSessionRow).where(WebSessionRow.session_hash == _hash(cookie))).first()
    if row is not None:
        row.revoked_at = now


_DUMMY_HASH = hash_password(secrets.token_urlsafe(16))
