"""Replies sent through the platforms (outbound_replies) and connector brands (issue 7: connectors, part 2).

Revision ID: 0009_connectors2
Revises: 0001
Depends on: 0002_connectors (adds a column to its table)
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0009_connectors2'
down_revision: str | None = '0001'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = '0002_connectors'


def upgrade() -> None:
    op.add_column('connector_state', sa.Column('brands', sa.JSON(), nullable=True))
    op.create_table('outbound_replies',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=True),
    sa.Column('brand', sa.String(length=64), nullable=False),
    sa.Column('platform', sa.String(length=16), nullable=False),
    sa.Column('in_reply_to', sa.String(length=256), nullable=True),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('actor', sa.String(length=128), nullable=False),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('next_attempt_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('platform_reply_id', sa.String(length=256), nullable=True),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['event_id'], ['case_events.id'], ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_outbound_replies_due', 'outbound_replies', ['state', 'next_attempt_at'], unique=False)
    op.create_index(op.f('ix_outbound_replies_case_id'), 'outbound_replies', ['case_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_outbound_replies_case_id'), table_name='outbound_replies')
    op.drop_index('ix_outbound_replies_due', table_name='outbound_replies')
    op.drop_table('outbound_replies')
    op.drop_column('connector_state', 'brands')
