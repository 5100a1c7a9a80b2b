"""Notifications are read by event and time (`store.notify.accepted`: whether the morning report for a day went
out, asked on every scheduler tick by every server process): an index on (event, created_at), so that read does not
scan a delivery log that grows by every event the desk has sent.

Revision ID: 0020_notifications_event
Revises: 0012_notify_outbox
"""
from collections.abc import Sequence

from alembic import op

revision: str = '0020_notifications_event'
down_revision: str | None = '0012_notify_outbox'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index('ix_notifications_event', 'notifications', ['event', 'created_at'])


def downgrade() -> None:
    op.drop_index('ix_notifications_event', table_name='notifications')
