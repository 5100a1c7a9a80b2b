"""Persistence: SQLAlchemy models, Alembic migrations, engines and sessions."""

from wakeful.store.db import Database, migrate

__all__ = ["Database", "migrate"]
