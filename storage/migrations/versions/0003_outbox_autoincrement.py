"""Index outbox numbers never reused (AUTOINCREMENT), so they also say how far the
project's edits have gone: the search index records the last one it holds.

Revision ID: 0003
Revises: 0002
"""

from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return  # other databases' sequences are never reused
    with op.batch_alter_table("index_outbox", recreate="always",
                              table_kwargs={"sqlite_autoincrement": True}):
        pass


def downgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    with op.batch_alter_table("index_outbox", recreate="always"):
        pass
