"""Erasure on request and retention: posts and authors say whether and when their personal data was erased, and
privacy_erasures records each erasure for an auditor (the data subject only as salted hashes).

Revision ID: 0018_privacy
Revises: 0017_connector_action
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0018_privacy'
down_revision: str | None = '0017_connector_action'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # plain ALTER TABLE, as 0015: a batch copy of posts would drop the old table, and SQLite's foreign keys would
    # cascade that into engagement, post_edits and case_posts
    op.add_column('posts', sa.Column('erased', sa.String(length=16), nullable=True))
    op.add_column('posts', sa.Column('erased_at', sa.DateTime(timezone=True), nullable=True))
    op.add_column('authors', sa.Column('erased_at', sa.DateTime(timezone=True), nullable=True))
    op.create_table(
        'privacy_erasures',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('kind', sa.String(length=16), nullable=False),
        sa.Column('requested_by', sa.String(length=256), nullable=False),
        sa.Column('reference', sa.String(length=128), nullable=True),
        sa.Column('platform', sa.String(length=16), nullable=True),
        sa.Column('salt', sa.String(length=32), nullable=True),
        sa.Column('subject_hashes', sa.JSON(), nullable=False),
        sa.Column('counts', sa.JSON(), nullable=False),
        sa.Column('cutoff', sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint('id'),
    )


def downgrade() -> None:
    op.drop_table('privacy_erasures')
    op.drop_column('authors', 'erased_at')
    op.drop_column('posts', 'erased_at')
    op.drop_column('posts', 'erased')
