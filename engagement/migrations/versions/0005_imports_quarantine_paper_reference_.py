"""imports, quarantine, paper reference unique per survey, corrections

Comes after 0004 (the "You said, we did" register).

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-29 06:25:53.915136
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = '0005'
down_revision: str | None = '0004'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('import_batch',
    sa.Column('id', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('survey_slug', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
    sa.Column('channel', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('file_name', sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
    sa.Column('sheet', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True),
    sa.Column('file_sha256', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('rows', sa.Integer(), nullable=False),
    sa.Column('imported', sa.Integer(), nullable=False),
    sa.Column('rejected', sa.Integer(), nullable=False),
    sa.Column('duplicates', sa.Integer(), nullable=False),
    sa.Column('imported_by', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('imported_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('import_batch', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_import_batch_file_sha256'), ['file_sha256'], unique=False)
        batch_op.create_index(batch_op.f('ix_import_batch_survey_slug'), ['survey_slug'], unique=False)

    op.create_table('rejected_row',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('batch_id', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('row_number', sa.Integer(), nullable=False),
    sa.Column('raw', sa.Text(), nullable=False),
    sa.Column('reasons', sa.Text(), nullable=False),
    sa.Column('resolved_by_batch', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=True),
    sa.ForeignKeyConstraint(['batch_id'], ['import_batch.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('rejected_row', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_rejected_row_batch_id'), ['batch_id'], unique=False)

    op.create_table('response_correction',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('response_id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('corrected_by', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('corrected_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('changes', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['response_id'], ['response.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('response_correction', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_response_correction_response_id'), ['response_id'], unique=False)

    op.create_table('verified_batch',
    sa.Column('batch', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
    sa.Column('survey_slug', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
    sa.Column('set_by', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('set_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('batch', 'survey_slug')
    )
    op.create_table('second_entry',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('response_id', sa.Integer(), nullable=False),
    sa.Column('entered_by', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('entered_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('answers', sa.Text(), nullable=False),
    sa.Column('disagreements', sa.Integer(), nullable=False),
    sa.Column('resolved_by', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
    sa.Column('resolved_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['response_id'], ['response.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('second_entry', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_second_entry_response_id'), ['response_id'], unique=True)

    # An index rather than a constraint: no rebuild of `response`, which on SQLite would cascade-delete answers.
    op.create_index('uq_response_paper_reference', 'response', ['survey_slug', 'paper_reference'], unique=True)



def downgrade() -> None:
    with op.batch_alter_table('second_entry', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_second_entry_response_id'))
    op.drop_table('second_entry')
    op.drop_table('verified_batch')
    op.drop_index('uq_response_paper_reference', table_name='response')

    with op.batch_alter_table('response_correction', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_response_correction_response_id'))

    op.drop_table('response_correction')
    with op.batch_alter_table('rejected_row', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_rejected_row_batch_id'))

    op.drop_table('rejected_row')
    with op.batch_alter_table('import_batch', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_import_batch_survey_slug'))
        batch_op.drop_index(batch_op.f('ix_import_batch_file_sha256'))

    op.drop_table('import_batch')
