"""Highlight–tag links indexed by tag, for a tag's highlights and its subtree's counts.

Revision ID: 0005
Revises: 0004
"""

from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_annotation_tags_tag", "annotation_tags", ["tag_id", "annotation_id"])


def downgrade() -> None:
    op.drop_index("ix_annotation_tags_tag", table_name="annotation_tags")
