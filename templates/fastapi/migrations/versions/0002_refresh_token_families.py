"""Refresh tokens belong to a family: the chain of rotations from one sign-in.

A token recorded before this revision starts a family of its own (its family is its jti).

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("refresh_tokens") as batch_op:
        batch_op.add_column(sa.Column("family", sa.String(length=64), nullable=True))
    op.execute("UPDATE refresh_tokens SET family = jti")
    # Batch mode: SQLite cannot alter a column in place, so the table is copied.
    with op.batch_alter_table("refresh_tokens") as batch_op:
        batch_op.alter_column("family", existing_type=sa.String(length=64), nullable=False)
        batch_op.create_index(batch_op.f("ix_refresh_tokens_family"), ["family"])


def downgrade() -> None:
    with op.batch_alter_table("refresh_tokens") as batch_op:
        batch_op.drop_index(batch_op.f("ix_refresh_tokens_family"))
        batch_op.drop_column("family")
