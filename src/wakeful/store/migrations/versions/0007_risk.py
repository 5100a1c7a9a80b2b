"""Risk: each case's latest risk score, forecast and authenticity.

Revision ID: 0007_risk
Revises: 0001
Create Date: 2026-11-25 09:30:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0007_risk'
down_revision: str | None = '0001'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('case_risk',
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('score', sa.Float(), nullable=False),
    sa.Column('summary', sa.Text(), nullable=False),
    sa.Column('factors', sa.JSON(), nullable=False),
    sa.Column('promoted', sa.Boolean(), nullable=False),
    sa.Column('forecast_6h', sa.BigInteger(), nullable=True),
    sa.Column('forecast_6h_low', sa.BigInteger(), nullable=True),
    sa.Column('forecast_6h_high', sa.BigInteger(), nullable=True),
    sa.Column('forecast_24h', sa.BigInteger(), nullable=True),
    sa.Column('fake_share', sa.Float(), nullable=False),
    sa.Column('genuine_reach', sa.BigInteger(), nullable=False),
    sa.Column('computed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('alerted_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('case_id')
    )


def downgrade() -> None:
    op.drop_table('case_risk')
