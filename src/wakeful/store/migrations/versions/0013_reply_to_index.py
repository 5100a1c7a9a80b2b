"""Index posts by the post they answer, so a customer post can find the brand's replies stored before it.

Revision ID: 0013_reply_to_index
Revises: 0010_analysis2
"""
from collections.abc import Sequence

from alembic import op

revision: str = '0013_reply_to_index'
down_revision: str | None = '0010_analysis2'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index('ix_posts_reply_to', 'posts', ['platform', 'reply_to_id'])


def downgrade() -> None:
    op.drop_index('ix_posts_reply_to', table_name='posts')
