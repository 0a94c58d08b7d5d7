"""A document keeps its earlier versions and the page furniture set aside on import; a
highlight that a new version could not place is an orphan.

Revision ID: 0006
Revises: 0005
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("documents", sa.Column("version", sa.Integer, nullable=False, server_default="1"))
    op.add_column("documents", sa.Column("set_aside", sa.Text, nullable=True))
    op.add_column("annotations", sa.Column("orphaned", sa.Boolean, nullable=False,
                                           server_default=sa.false()))
    op.create_table(
        "document_versions",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("document_id", sa.Integer, sa.ForeignKey("documents.id", ondelete="CASCADE"),
                  nullable=False, index=True),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("title", sa.Text, nullable=False),
        sa.Column("format", sa.String(16), nullable=False),
        sa.Column("published", sa.String(32), nullable=True),
        sa.Column("imported_at", sa.DateTime, nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False, index=True),
        sa.Column("original", sa.LargeBinary, nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("structure", sa.JSON, nullable=False),
        sa.UniqueConstraint("document_id", "version"),
    )


def downgrade() -> None:
    op.drop_table("document_versions")
    with op.batch_alter_table("annotations") as b:
        b.drop_column("orphaned")
    with op.batch_alter_table("documents") as b:
        b.drop_column("set_aside")
        b.drop_column("version")
