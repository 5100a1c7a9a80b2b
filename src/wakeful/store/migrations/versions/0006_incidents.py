"""Incidents: detected spikes per brand and topic, with their holding statements.

Revision ID: 0006_incidents
Revises: 0001
Create Date: 2026-11-25 07:32:36.462050
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0006_incidents'
down_revision: str | None = '0001'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('incidents',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('brand', sa.String(length=64), nullable=False),
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('opened_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_seen_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('peak_score', sa.Float(), nullable=False),
    sa.Column('peak_observed', sa.Integer(), nullable=False),
    sa.Column('summary', sa.Text(), nullable=False),
    sa.Column('statement', sa.Text(), nullable=True),
    sa.Column('statement_by', sa.String(length=128), nullable=True),
    sa.Column('statement_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('incidents', schema=None) as batch_op:
        batch_op.create_index('ix_incidents_brand_open', ['brand', 'closed_at'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('incidents', schema=None) as batch_op:
        batch_op.drop_index('ix_incidents_brand_open')

    op.drop_table('incidents')
