"""The record of personal data the desk erased: each erasure request (GDPR Art. 17) and each retention purge.

An auditor asks "what did you erase, when, for whom, on whose say-so?". The row answers all but "for whom" in clear:
the data subject is kept only as salted SHA-256 hashes of their platform handle and account id, so the log of
erasures is not itself a list of the people who asked to be forgotten, yet the desk can confirm that a given
person's request was carried out (`subject_matches`). Kept in its own module (see `store/registry.py`).
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from wakeful.store.models import Base

REQUEST, RETENTION = "request", "retention"


class ErasureRow(Base):
    """One erasure: `kind` is 'request' (a data subject asked) or 'retention' (texts past the retention period).

    `counts` says how many rows of each kind were erased or anonymised (see `desk/privacy.py`); `cutoff` is the
    retention purge's: resolved cases and posts older than it were purged."""

    __tablename__ = "privacy_erasures"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime]
    kind: Mapped[str] = mapped_column(String(16))
    requested_by: Mapped[str] = mapped_column(String(256), doc="Who ran it: a user, a token's name, or 'retention'")
    reference: Mapped[str | None] = mapped_column(String(128), doc="The request's own reference, e.g. a DPO ticket")
    platform: Mapped[str | None] = mapped_column(String(16))
    salt: Mapped[str | None] = mapped_column(String(32))
    subject_hashes: Mapped[list[str]] = mapped_column(JSON, default=list)
    counts: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    cutoff: Mapped[datetime | None]


def new_salt() -> str:
    return secrets.token_hex(16)


def subject_hash(salt: str, platform: str, identifier: str) -> str:
    """The salted hash of a handle or account id on a platform; case-insensitive, as platforms treat handles."""
    value = f"{salt}:{platform}:{identifier.lstrip('@').casefold()}"
    return hashlib.sha256(value.encode()).hexdigest()


def subject_matches(row: ErasureRow, platform: str, identifier: str) -> bool:
    """Whether this erasure was for the person with this handle or account id on `platform`."""
    return (row.salt is not None and row.platform == platform
            and subject_hash(row.salt, platform, identifier) in (row.subject_hashes or []))
