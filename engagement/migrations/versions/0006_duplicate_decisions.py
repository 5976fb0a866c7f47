"""duplicate decisions: a person's decision on two responses flagged as likely the same person

Comes after 0005 (imports, quarantine, corrections and double entry).

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-29 09:06:35.170310
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = '0006'
down_revision: str | None = '0005'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('duplicate_decision',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('survey_slug', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
    sa.Column('first_response_id', sa.Integer(), nullable=False),
    sa.Column('second_response_id', sa.Integer(), nullable=False),
    sa.Column('decision', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('kept_response_id', sa.Integer(), nullable=True),
    sa.Column('similarity', sa.Float(), nullable=False),
    sa.Column('decided_by', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('decided_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['first_response_id'], ['response.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['kept_response_id'], ['response.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['second_response_id'], ['response.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('duplicate_decision', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_duplicate_decision_first_response_id'), ['first_response_id'],
                              unique=False)
        batch_op.create_index(batch_op.f('ix_duplicate_decision_second_response_id'), ['second_response_id'],
                              unique=False)
        batch_op.create_index(batch_op.f('ix_duplicate_decision_survey_slug'), ['survey_slug'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('duplicate_decision', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_duplicate_decision_survey_slug'))
        batch_op.drop_index(batch_op.f('ix_duplicate_decision_second_response_id'))
        batch_op.drop_index(batch_op.f('ix_duplicate_decision_first_response_id'))

    op.drop_table('duplicate_decision')
