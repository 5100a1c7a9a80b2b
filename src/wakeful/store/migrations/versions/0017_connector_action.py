"""A connector's need for an operator gets its own columns: the kind of action and the line saying what to fix.

Until now it was only how `last_error` began ("credentials rejected …", "rule rejected …"), which the next passing
error (a timeout while the operator is still fixing it) overwrote. Rows whose last error begins so are carried
over; the downgrade puts a standing action back as the last error, where the older version looks for it.

Revision ID: 0017_connector_action
Revises: 0016_rejected_resolved
Depends on: 0009_connectors2 (connector_state is that branch's table)
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0017_connector_action'
down_revision: str | None = '0016_rejected_resolved'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = '0009_connectors2'

PREFIXES = {'credentials': 'credentials rejected', 'rule': 'rule rejected'}
"""Frozen here: the migration must mean the same whatever the code's wording becomes."""

state = sa.table('connector_state', sa.column('last_error', sa.Text()), sa.column('needs_action', sa.String(16)),
                 sa.column('action_message', sa.Text()))


def upgrade() -> None:
    with op.batch_alter_table('connector_state', schema=None) as batch_op:
        batch_op.add_column(sa.Column('needs_action', sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column('action_message', sa.Text(), nullable=True))
    for kind, prefix in PREFIXES.items():  # substr, not LIKE: SQLite's LIKE ignores case, the old check did not
        op.execute(state.update()
                   .where(sa.func.substr(state.c.last_error, 1, len(prefix)) == prefix)
                   .values(needs_action=kind, action_message=state.c.last_error))


def downgrade() -> None:
    op.execute(state.update().where(state.c.needs_action.is_not(None)).values(last_error=state.c.action_message))
    with op.batch_alter_table('connector_state', schema=None) as batch_op:
        batch_op.drop_column('action_message')
        batch_op.drop_column('needs_action')
