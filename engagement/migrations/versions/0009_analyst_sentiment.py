"""analyst sentiment: an analyst's reading of a comment's overall sentiment, decided with its themes, and the
survey's own sentiment model adapted to those decisions

Comes after 0008 (data revision counters). Plain tables and a nullable column: the same on SQLite and
PostgreSQL.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-29 15:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = '0009'
down_revision: str | None = '0008'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('analyst_sentiment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('answer_id', sa.Integer(), nullable=False),
    sa.Column('sentiment', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('model_sentiment', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('analyst', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('decided_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['answer_id'], ['answer.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('analyst_sentiment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_analyst_sentiment_answer_id'), ['answer_id'], unique=True)
    with op.batch_alter_table('survey_theme_model', schema=None) as batch_op:
        batch_op.add_column(sa.Column('sentiment_model', sa.LargeBinary(), nullable=True))
        batch_op.add_column(sa.Column('sentiment_agreement', sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('survey_theme_model', schema=None) as batch_op:
        batch_op.drop_column('sentiment_agreement')
        batch_op.drop_column('sentiment_model')
    with op.batch_alter_table('analyst_sentiment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_analyst_sentiment_answer_id'))
    op.drop_table('analyst_sentiment')
