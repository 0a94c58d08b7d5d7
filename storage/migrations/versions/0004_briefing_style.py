"""Briefings choose a citation style, a memo language and portion markings; an item
may carry a trimmed quote.

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("briefings", sa.Column("style", sa.String(64), nullable=False, server_default="chicago"))
    op.add_column("briefings", sa.Column("language", sa.String(8), nullable=False, server_default="en"))
    op.add_column("briefings", sa.Column("portion_marking", sa.Text, nullable=False, server_default=""))
    op.add_column("briefing_items", sa.Column("quote", sa.Text, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("briefing_items") as b:
        b.drop_column("quote")
    with op.batch_alter_table("briefings") as b:
        b.drop_column("portion_marking")
        b.drop_column("language")
        b.drop_column("style")
