"""A rejected record can be resolved: replayed once it reads, or dismissed by an operator, and by whom.

Revision ID: 0016_rejected_resolved
Revises: 0014_rejected_once
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0016_rejected_resolved'
down_revision: str | None = '0014_rejected_once'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column('rejected_records', sa.Column('resolved_at', sa.DateTime(timezone=True), nullable=True))
    op.add_column('rejected_records', sa.Column('resolution', sa.String(length=32), nullable=True))
    op.add_column('rejected_records', sa.Column('resolved_by', sa.String(length=256), nullable=True))


def downgrade() -> None:
    op.drop_column('rejected_records', 'resolved_by')
    op.drop_column('rejected_records', 'resolution')
    op.drop_column('rejected_records', 'resolved_at')
