"""Cases an agent merged: the source case keeps its row (links and reports do not break) and names the case it
was merged into, so later posts that would have joined it join that one, and reports count the matter once.

Revision ID: 0019_case_merge
Revises: 0018_privacy
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0019_case_merge'
down_revision: str | None = '0018_privacy'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # plain ALTER TABLE, as 0015 and 0018: a batch copy of cases would drop the old table, and SQLite's foreign keys
    # would cascade that into case_posts, case_events, case_risk and outbound_replies. No foreign key for the same
    # reason (SQLite cannot add one to a table in place); cases are never deleted, and desk/merge.py writes it.
    op.add_column('cases', sa.Column('merged_into_id', sa.Integer(), nullable=True))
    op.create_index('ix_cases_merged_into', 'cases', ['merged_into_id'])


def downgrade() -> None:
    op.drop_index('ix_cases_merged_into', table_name='cases')
    op.drop_column('cases', 'merged_into_id')
