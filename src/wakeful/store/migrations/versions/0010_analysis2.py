"""Urgency signals, the customer's deadline and legal-review flags on posts (issue 3: understand every post).

Revision ID: 0010_analysis2
Revises: 0001
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0010_analysis2'
down_revision: str | None = '0001'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column('posts', sa.Column('signals', sa.JSON(), server_default=sa.text("'[]'"), nullable=False))
    op.add_column('posts', sa.Column('deadline_minutes', sa.Integer(), nullable=True))
    op.add_column('posts', sa.Column('legal', sa.JSON(), server_default=sa.text("'[]'"), nullable=False))


def downgrade() -> None:
    op.drop_column('posts', 'legal')
    op.drop_column('posts', 'deadline_minutes')
    op.drop_column('posts', 'signals')
