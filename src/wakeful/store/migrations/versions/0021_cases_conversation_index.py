"""Every post an ingest batch stores looks up the cases of its thread by (platform, conversation id)
(`desk.cases.attach_post`, `cases_joined`): an index on those columns, so that lookup does not read every case the
desk has ever opened, once per post.

Revision ID: 0021_cases_conversation
Revises: 0019_case_merge
"""
from collections.abc import Sequence

from alembic import op

revision: str = '0021_cases_conversation'
down_revision: str | None = '0019_case_merge'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index('ix_cases_conversation', 'cases', ['platform', 'conversation_id'])


def downgrade() -> None:
    op.drop_index('ix_cases_conversation', table_name='cases')
