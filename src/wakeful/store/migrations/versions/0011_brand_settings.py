"""Brand settings edited by leads, one row per saved version.

Revision ID: 0011_brand_settings
Revises: 0001
Create Date: 2026-11-25 09:20:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0011_brand_settings'
down_revision: str | None = '0001'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('brand_settings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('brand', sa.String(length=64), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('config', sa.JSON(), nullable=False),
    sa.Column('changed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('changed_by', sa.String(length=128), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('brand', 'version')
    )
    with op.batch_alter_table('brand_settings', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_brand_settings_brand'), ['brand'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('brand_settings', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_brand_settings_brand'))
    op.drop_table('brand_settings')
