"""responses, answers and settings

Revision ID: 0001
Revises: (none)
Create Date: 2026-11-22 23:38:06.075689
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = '0001'
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('appsetting',
    sa.Column('key', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
    sa.Column('value', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('key')
    )
    op.create_table('response',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('reference', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('survey_slug', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
    sa.Column('survey_version', sa.Integer(), nullable=False),
    sa.Column('channel', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('entered_by', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
    sa.Column('paper_reference', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True),
    sa.Column('import_batch', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True),
    sa.Column('place_code', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=True),
    sa.Column('is_synthetic', sa.Boolean(), nullable=False),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('response', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_response_channel'), ['channel'], unique=False)
        batch_op.create_index(batch_op.f('ix_response_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_response_is_synthetic'), ['is_synthetic'], unique=False)
        batch_op.create_index(batch_op.f('ix_response_place_code'), ['place_code'], unique=False)
        batch_op.create_index(batch_op.f('ix_response_reference'), ['reference'], unique=True)
        batch_op.create_index(batch_op.f('ix_response_survey_slug'), ['survey_slug'], unique=False)

    op.create_table('answer',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('response_id', sa.Integer(), nullable=False),
    sa.Column('question_id', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('value', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['response_id'], ['response.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('answer', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_answer_question_id'), ['question_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_answer_response_id'), ['response_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('answer', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_answer_response_id'))
        batch_op.drop_index(batch_op.f('ix_answer_question_id'))

    op.drop_table('answer')
    with op.batch_alter_table('response', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_response_survey_slug'))
        batch_op.drop_index(batch_op.f('ix_response_reference'))
        batch_op.drop_index(batch_op.f('ix_response_place_code'))
        batch_op.drop_index(batch_op.f('ix_response_is_synthetic'))
        batch_op.drop_index(batch_op.f('ix_response_created_at'))
        batch_op.drop_index(batch_op.f('ix_response_channel'))

    op.drop_table('response')
    op.drop_table('appsetting')
