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
from wakeful.core.names import actor_name, name_key, same_name
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
    if row is None:
        return None
    disabled = select(UserRow.id).where(UserRow.name_key == name_key(row.name), UserRow.disabled_at.is_not(None))
    if session.scalars(disabled).first() is not None:  # a token named after a disabled user dies with them
        return None
    return Principal(row.name, row.brand, Role(row.role))


def revoke_token(session: Session, name: str, now: datetime) -> int:
    """Revoke every live token of this name, ignoring case as user names are (`same_name`), so revoking 'Ana'
    also ends a token issued as 'ana', as disabling her does; returns how many."""
    live = session.scalars(select(ApiTokenRow).where(ApiTokenRow.revoked_at.is_(None)))
    rows = [row for row in live if same_name(row.name, name)]
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


def check_username(username: str) -> str:
    """The name to store: spaces around it dropped (' ana' signs in as 'ana'); blank or unprintable is refused, and
    so is a name the desk's own actions are recorded as ('desk')."""
    return actor_name(username, "a username")


def check_password(password: str) -> None:
    """Spaces at either end do not count: ten spaces is no password."""
    if len(password.strip()) < MIN_PASSWORD:
        raise ValueError(f"a password needs at least {MIN_PASSWORD} characters, not counting spaces at either end")


def find_user(session: Session, username: str) -> UserRow | None:
    """The user of that name, ignoring case and spaces around it ('ANA' is 'ana'): names are unique that way, so
    nobody signs in as a look-alike of a colleague. The exact name wins where older data holds both."""
    name = username.strip()
    exact = session.scalars(select(UserRow).where(UserRow.username == name)).first()
    if exact is not None or not name:
        return exact
    return session.scalars(select(UserRow).where(UserRow.name_key == name_key(name)).order_by(UserRow.id)).first()


def create_user(session: Session, username: str, password: str, brand: str, role: Role, now: datetime) -> str:
    """Add a user; returns the name stored (stripped)."""
    name = check_username(username)
    check_password(password)
    if brand == ALL_BRANDS and role is not Role.ADMIN:
        raise ValueError("only an admin may span all brands ('*')")
    existing = find_user(session, name)
    if existing is not None:
        also = "" if existing.username == name else f" as {existing.username!r} (names ignore case)"
        raise ValueError(f"user {name!r} exists already{also}")
    session.add(UserRow(username=name, password_hash=hash_password(password), brand=brand, role=role.value,
                        created_at=now))
    return name


class UnknownUser(ValueError):
    """No user of that name."""


def _user(session: Session, username: str) -> UserRow:
    user = find_user(session, username)
    if user is None:
        raise UnknownUser(f"no user {username.strip()!r}")
    return user


def _end_sessions(session: Session, user: UserRow, now: datetime) -> int:
    rows = list(session.scalars(select(WebSessionRow).where(WebSessionRow.user_id == user.id,
                                                            WebSessionRow.revoked_at.is_(None))))
    for row in rows:
        row.revoked_at = now
    return len(rows)


def set_password(session: Session, username: str, password: str, now: datetime) -> int:
    """Change a user's password and sign them out everywhere (the old one may be why it changes); returns the
    sessions ended."""
    check_password(password)
    user = _user(session, username)
    user.password_hash = hash_password(password)
    return _end_sessions(session, user, now)


@dataclass(frozen=True)
class Disabled:
    username: str
    sessions: int
    """Browser sessions ended."""
    tokens: int
    """API tokens named after the user, revoked."""
    already: bool


def disable_user(session: Session, username: str, now: datetime) -> Disabled:
    """Lock a user out: no sign-in, their sessions ended and tokens in their name revoked (kept for the record)."""
    user = _user(session, username)
    already = user.disabled_at is not None
    if not already:
        user.disabled_at = now
    return Disabled(user.username, _end_sessions(session, user, now), revoke_token(session, user.username, now),
                    already)


def enable_user(session: Session, username: str) -> tuple[str, bool]:
    """Let a disabled user sign in again (revoked tokens stay revoked); returns their name and whether they were
    disabled."""
    user = _user(session, username)
    was = user.disabled_at is not None
    user.disabled_at = None
    return user.username, was


@dataclass(frozen=True)
class WebSession:
    cookie: str
    csrf: str


def sign_in(session: Session, username: str, password: str, now: datetime) -> WebSession | None:
    """A new browser session for valid credentials; None otherwise (the same answer for unknown users)."""
    user = find_user(session, username)
    if user is None or user.disabled_at is not None:
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


# --- the sign-in form's CSRF token (login CSRF: another site signing a browser into the attacker's account) -------

_PROCESS_KEY = secrets.token_bytes(32)
"""Signs sign-in forms where no `secret_key` is configured: drawn when the process starts, so one server needs no
secret (a form left open across a restart is refused once and served again with a fresh token)."""


def login_key(secret: str | None) -> bytes:
    """The key that signs sign-in forms: from the configured `secret_key`, the same in every server process behind
    one address (a form served by one and posted to another must pass), else this process's own."""
    return hashlib.sha256(b"wakeful sign-in form\0" + secret.encode()).digest() if secret else _PROCESS_KEY


def login_nonce() -> str:
    """The random value of the sign-in form's cookie."""
    return secrets.token_urlsafe(32)


def login_form_token(nonce: str, key: bytes) -> str:
    """The form's hidden token for the cookie's nonce: another site can neither read the cookie nor sign a value
    of its own, so it cannot send the pair."""
    return hmac.new(key, nonce.encode(), hashlib.sha256).hexdigest()


def login_token_ok(nonce: str, token: str, key: bytes) -> bool:
    """The form's token matches the cookie's nonce (bytes compared: a non-ASCII token is refused, not a 500)."""
    return bool(nonce) and hmac.compare_digest(token.encode(), login_form_token(nonce, key).encode())


def sign_out(session: Session, cookie: str, now: datetime) -> None:
    row = session.scalars(select(WebSessionRow).where(WebSessionRow.session_hash == _hash(cookie))).first()
    if row is not None:
        row.revoked_at = now


_DUMMY_HASH = hash_password(secrets.token_urlsafe(16))
