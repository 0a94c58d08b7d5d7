"""Who made and last changed each highlight, and its version for detecting conflicting
edits on a server.

Revision ID: 0007
Revises: 0006
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("annotations", sa.Column("created_by", sa.Text, nullable=True))
    op.add_column("annotations", sa.Column("updated_by", sa.Text, nullable=True))
    op.add_column("annotations", sa.Column("version", sa.Integer, nullable=False, server_default="1"))


def downgrade() -> None:
    with op.batch_alter_table("annotations") as b:
        b.drop_column("version")
        b.drop_column("updated_by")
        b.drop_column("created_by")
