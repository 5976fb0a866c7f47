"""survey theme model: a survey's own adapted theme model, its agreement with analysts and review queue

Comes after 0006 (likely-duplicate decisions).

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-29 09:45:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = '0007'
down_revision: str | None = '0006'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('survey_theme_model',
    sa.Column('survey_slug', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
    sa.Column('codebook', sqlmodel.sql.sqltypes.AutoString(length=50), nullable=False),
    sa.Column('model', sa.LargeBinary(), nullable=True),
    sa.Column('base_version', sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
    sa.Column('reviewed', sa.Integer(), nullable=False),
    sa.Column('agreement', sa.Text(), nullable=True),
    sa.Column('suggested', sa.Text(), nullable=False),
    sa.Column('model_changed_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('refreshing_since', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.PrimaryKeyConstraint('survey_slug', 'codebook')
    )


def downgrade() -> None:
    op.drop_table('survey_theme_model')
