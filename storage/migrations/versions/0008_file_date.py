"""A document keeps its file's own date (a PDF's creation date) apart from its
publication date.

Revision ID: 0008
Revises: 0007
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("documents", sa.Column("file_date", sa.String(32), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("documents") as b:
        b.drop_column("file_date")
