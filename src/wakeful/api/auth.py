"""API tokens scoped to one brand and one role. Only a token's SHA-256 is stored."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.orm import Session

from wakeful.store.models import ApiTokenRow

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
