"""The notification log becomes an outbox: rows are written `pending` before delivery, claimed with a time.

Revision ID: 0012_notify_outbox
Revises: 0004_notify
Create Date: 2026-11-25 12:30:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0012_notify_outbox'
down_revision: str | None = '0004_notify'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.add_column(sa.Column('claimed_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.alter_column('finished_at', existing_type=sa.DateTime(timezone=True), nullable=True)


def downgrade() -> None:
    # the old log holds only finished rows: what was still waiting goes to the dead-letter log, not away
    op.execute("UPDATE notifications SET status = 'dead', finished_at = created_at, "
               "last_error = 'not sent before the outbox was downgraded' WHERE finished_at IS NULL")
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.alter_column('finished_at', existing_type=sa.DateTime(timezone=True), nullable=False)
        batch_op.drop_column('claimed_at')
