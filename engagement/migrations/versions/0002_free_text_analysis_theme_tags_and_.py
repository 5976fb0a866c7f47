"""free-text analysis, theme tags and redaction log

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22 23:44:43.255600
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = '0002'
down_revision: str | None = '0001'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('analyst_theme_tag',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('answer_id', sa.Integer(), nullable=False),
    sa.Column('codebook', sqlmodel.sql.sqltypes.AutoString(length=50), nullable=False),
    sa.Column('theme_code', sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
    sa.Column('decision', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
    sa.Column('analyst', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('decided_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['answer_id'], ['answer.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('answer_id', 'codebook', 'theme_code')
    )
    with op.batch_alter_table('analyst_theme_tag', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_analyst_theme_tag_answer_id'), ['answer_id'], unique=False)

    op.create_table('model_theme_tag',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('answer_id', sa.Integer(), nullable=False),
    sa.Column('codebook', sqlmodel.sql.sqltypes.AutoString(length=50), nullable=False),
    sa.Column('theme_code', sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
    sa.Column('score', sa.Float(), nullable=False),
    sa.Column('source', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('evidence', sa.Text(), nullable=False),
    sa.Column('sentiment', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.ForeignKeyConstraint(['answer_id'], ['answer.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('model_theme_tag', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_model_theme_tag_answer_id'), ['answer_id'], unique=False)

    op.create_table('redaction_log',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('answer_id', sa.Integer(), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=30), nullable=False),
    sa.Column('start', sa.Integer(), nullable=False),
    sa.Column('end', sa.Integer(), nullable=False),
    sa.Column('model_version', sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
    sa.Column('logged_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['answer_id'], ['answer.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('redaction_log', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_redaction_log_answer_id'), ['answer_id'], unique=False)

    op.create_table('text_analysis',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('answer_id', sa.Integer(), nullable=False),
    sa.Column('codebook', sqlmodel.sql.sqltypes.AutoString(length=50), nullable=False),
    sa.Column('model_version', sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
    sa.Column('redacted_text', sa.Text(), nullable=False),
    sa.Column('sentiment', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('sentiment_score', sa.Float(), nullable=False),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=30), nullable=False),
    sa.Column('analysed_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['answer_id'], ['answer.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('text_analysis', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_text_analysis_answer_id'), ['answer_id'], unique=True)
        batch_op.create_index(batch_op.f('ix_text_analysis_model_version'), ['model_version'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('text_analysis', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_text_analysis_model_version'))
        batch_op.drop_index(batch_op.f('ix_text_analysis_answer_id'))

    op.drop_table('text_analysis')
    with op.batch_alter_table('redaction_log', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_redaction_log_answer_id'))

    op.drop_table('redaction_log')
    with op.batch_alter_table('model_theme_tag', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_model_theme_tag_answer_id'))

    op.drop_table('model_theme_tag')
    with op.batch_alter_table('analyst_theme_tag', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_analyst_theme_tag_answer_id'))

    op.drop_table('analyst_theme_tag')
