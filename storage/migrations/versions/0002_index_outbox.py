"""Search-index outbox: index work recorded in the same transaction as the edit.

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "index_outbox",
        sa.Column("seq", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("object_id", sa.Integer, nullable=False),
    )
    # Everything already in an older project still has to reach the index.
    op.execute(
        "INSERT INTO index_outbox (kind, object_id) SELECT 'document', id FROM documents"
    )
    op.execute(
        "INSERT INTO index_outbox (kind, object_id) SELECT 'annotation', id FROM annotations"
    )


def downgrade() -> None:
    op.drop_table("index_outbox")
