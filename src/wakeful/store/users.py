"""People who sign in to the dashboard, and their sessions. Passwords are kept only as scrypt hashes."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, validates

from wakeful.core.names import MAX_NAME_KEY, name_key
from wakeful.store.models import Base


class UserRow(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(128), unique=True)
    name_key: Mapped[str] = mapped_column(String(MAX_NAME_KEY), index=True, server_default="")
    """`username` casefolded, kept in step by `_key`: signing in, checking a token and finding a team lead look a
    name up ignoring case with one indexed query instead of reading every user. Not unique: older desks may hold
    'Ana' and 'ana' both (`api.auth.find_user` says which wins)."""
    password_hash: Mapped[str] = mapped_column(String(256))
    brand: Mapped[str] = mapped_column(String(64))
    role: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime]
    disabled_at: Mapped[datetime | None]

    @validates("username")
    def _key(self, _field: str, username: str) -> str:
        self.name_key = name_key(username)
        return username


class WebSessionRow(Base):
    """A signed-in browser: the cookie holds a random id; only its SHA-256 is stored, with the CSRF secret."""

    __tablename__ = "web_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    session_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    csrf: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]
