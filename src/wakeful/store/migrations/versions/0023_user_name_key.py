"""Users' names casefolded beside them (`users.name_key`), indexed: a name is looked up ignoring case in one query.

Since names were compared in Python (a27d200: SQL's lower() may fold ASCII letters only), every API request read the
name of every disabled user, and a sign-in under another case, a team lead or an on-call slot read every user. The
key is filled here for the users a desk already has; the app keeps it in step from then on.

Revision ID: 0023_user_name_key
Revises: 0005_users
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0023_user_name_key'
down_revision: str | None = '0005_users'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

users = sa.table('users', sa.column('id', sa.Integer()), sa.column('username', sa.String()),
                 sa.column('name_key', sa.String()))


def _key(name: str) -> str:
    """As `wakeful.core.names.name_key` folds (copied: a migration must mean the same whatever the code becomes)."""
    return name.strip().casefold()


def upgrade() -> None:
    op.add_column('users', sa.Column('name_key', sa.String(length=384), server_default='', nullable=False))
    conn = op.get_bind()
    for row in conn.execute(sa.select(users.c.id, users.c.username)).all():
        conn.execute(users.update().where(users.c.id == row.id).values(name_key=_key(row.username)))
    op.create_index('ix_users_name_key', 'users', ['name_key'])


def downgrade() -> None:
    op.drop_index('ix_users_name_key', table_name='users')
    op.drop_column('users', 'name_key')
