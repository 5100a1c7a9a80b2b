"""A rejected record is kept once: a fingerprint of its source, place, field and payload, unique.

Replaying the same file used to store all its bad records again on every run. Rows kept twice already are merged
into the first (the oldest refusal), so the unique index can be built on an existing desk.

Revision ID: 0014_rejected_once
Revises: 0001
"""
import hashlib
import json
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0014_rejected_once'
down_revision: str | None = '0001'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _fingerprint(source: str, record: int, field: str | None, payload: str) -> str:
    """As `wakeful.ingest.service.rejected_values` computes it (copied: a migration must not change with the app)."""
    return hashlib.sha256(json.dumps([source, record, field, payload]).encode()).hexdigest()


def upgrade() -> None:
    op.add_column('rejected_records', sa.Column('fingerprint', sa.String(length=64), nullable=True))
    rows = sa.table('rejected_records', sa.column('id', sa.Integer()), sa.column('source', sa.String()),
                    sa.column('record', sa.Integer()), sa.column('field', sa.String()),
                    sa.column('payload', sa.Text()), sa.column('fingerprint', sa.String()))
    conn = op.get_bind()
    seen: set[str] = set()
    duplicates: list[int] = []
    for row in conn.execute(sa.select(rows.c.id, rows.c.source, rows.c.record, rows.c.field, rows.c.payload)
                            .order_by(rows.c.id)):
        fingerprint = _fingerprint(row.source, row.record, row.field, row.payload)
        if fingerprint in seen:
            duplicates.append(row.id)
            continue
        seen.add(fingerprint)
        conn.execute(sa.update(rows).where(rows.c.id == row.id).values(fingerprint=fingerprint))
    for start in range(0, len(duplicates), 500):
        conn.execute(sa.delete(rows).where(rows.c.id.in_(duplicates[start:start + 500])))
    with op.batch_alter_table('rejected_records', schema=None) as batch_op:
        batch_op.alter_column('fingerprint', existing_type=sa.String(length=64), nullable=False)
        batch_op.create_index('uq_rejected_records_fingerprint', ['fingerprint'], unique=True)


def downgrade() -> None:
    with op.batch_alter_table('rejected_records', schema=None) as batch_op:
        batch_op.drop_index('uq_rejected_records_fingerprint')
        batch_op.drop_column('fingerprint')
