"""assignment.asked: the question last delivered to the respondent's chat

Revision ID: 0004
Revises: 0001
Create Date: 2026-12-05
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # A chat message is an answer only while the question it answers is the one the
    # respondent last received (services.chat, bot.flows.respondent).
    with op.batch_alter_table("assignment") as batch:
        batch.add_column(sa.Column("asked", sa.String(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("assignment") as batch:
        batch.drop_column("asked")
