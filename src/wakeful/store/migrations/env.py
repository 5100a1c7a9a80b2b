"""Alembic environment: runs migrations on the URL `wakeful.store.db.alembic_config` set."""

from alembic import context
from sqlalchemy import pool

from wakeful.store.db import make_engine
from wakeful.store.registry import Base

config = context.config
url = config.get_main_option("sqlalchemy.url")
assert url, "sqlalchemy.url must be set by wakeful.store.db.alembic_config"

if context.is_offline_mode():
    context.configure(url=url, target_metadata=Base.metadata, literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()
else:
    engine = make_engine(url, poolclass=pool.NullPool)
    with engine.connect() as connection:
        context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=True)
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()
