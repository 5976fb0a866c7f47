""""You said, we did" register of public actions

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-29 07:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = '0004'
down_revision: str | None = '0003'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('public_action',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('survey_slug', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
    sa.Column('you_said', sa.Text(), nullable=False),
    sa.Column('we_did', sa.Text(), nullable=False),
    sa.Column('themes', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
    sa.Column('places', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
    sa.Column('people', sa.Integer(), nullable=True),
    sa.Column('quotes', sa.Text(), nullable=True),
    sa.Column('owner', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('published', sa.Boolean(), nullable=False),
    sa.Column('updated_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('updated_by', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('public_action', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_public_action_survey_slug'), ['survey_slug'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('public_action', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_public_action_survey_slug'))
    op.drop_table('public_action')
