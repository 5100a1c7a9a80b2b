"""Posts edited or deleted by their authors: when, on the post, and each earlier text in post_edits.

Revision ID: 0015_post_edits
Revises: 0013_reply_to_index
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0015_post_edits'
down_revision: str | None = '0013_reply_to_index'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column('posts', sa.Column('edited_at', sa.DateTime(timezone=True), nullable=True))
    op.add_column('posts', sa.Column('deleted_at', sa.DateTime(timezone=True), nullable=True))
    op.create_table(
        'post_edits',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('post_id', sa.Integer(), nullable=False),
        sa.Column('version_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('text', sa.Text(), nullable=False),
        sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['post_id'], ['posts.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('post_id', 'version_at', name='uq_post_edit_version'),
    )
    op.create_index(op.f('ix_post_edits_post_id'), 'post_edits', ['post_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_post_edits_post_id'), table_name='post_edits')
    op.drop_table('post_edits')
    op.drop_column('posts', 'deleted_at')
    op.drop_column('posts', 'edited_at')
