"""Who last changed each briefing and tag; a briefing's version for detecting conflicting
edits on a server.

Revision ID: 0009
Revises: 0008
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("briefings", sa.Column("updated_by", sa.Text, nullable=True))
    op.add_column("briefings", sa.Column("version", sa.Integer, nullable=False, server_default="1"))
    op.add_column("tags", sa.Column("updated_by", sa.Text, nullable=True))


def downgrade() -> None:
    # Not a batch rebuild: it would drop the tags' expression index (SQLite has had
    # ALTER TABLE ... DROP COLUMN since 3.35).
    op.drop_column("tags", "updated_by")
    with op.batch_alter_table("briefings") as b:
        b.drop_column("version")
        b.drop_column("updated_by")
