"""data revision counters: a per-survey counter kept by triggers, so the dashboard knows the data changed
without scanning every answer (0.9 s at 100,000 responses, on every page opening and every few clicks)

Comes after 0007 (a survey's own theme model).

What bumps a survey's counter: a response added, changed or deleted; an answer changed or deleted; a keyed-in
response corrected (a correction writes a response_correction row; it is also the only way answers are added to
a response that already exists, so answer inserts, 24 per response, need no trigger of their own).

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-29 12:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = '0008'
down_revision: str | None = '0007'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SQLITE_BUMP = (
    "INSERT INTO data_revision (survey_slug, revision) {source} "
    "ON CONFLICT (survey_slug) DO UPDATE SET revision = revision + 1;"
)
# (trigger name, event, table, how to find the survey's slug from the changed row)
SQLITE_TRIGGERS = [
    ("data_revision_response_insert", "INSERT", "response", ["VALUES (NEW.survey_slug, 1)"]),
    ("data_revision_response_update", "UPDATE", "response",
     ["VALUES (OLD.survey_slug, 1)", "SELECT NEW.survey_slug, 1 WHERE NEW.survey_slug IS NOT OLD.survey_slug"]),
    ("data_revision_response_delete", "DELETE", "response", ["VALUES (OLD.survey_slug, 1)"]),
    ("data_revision_answer_update", "UPDATE", "answer",
     ["SELECT survey_slug, 1 FROM response WHERE id = NEW.response_id"]),
    ("data_revision_answer_delete", "DELETE", "answer",
     ["SELECT survey_slug, 1 FROM response WHERE id = OLD.response_id"]),
    ("data_revision_correction_insert", "INSERT", "response_correction",
     ["SELECT survey_slug, 1 FROM response WHERE id = NEW.response_id"]),
]

POSTGRES_FUNCTIONS = """
CREATE FUNCTION data_revision_bump(slug varchar) RETURNS void LANGUAGE sql AS $$
    INSERT INTO data_revision (survey_slug, revision) VALUES (slug, 1)
    ON CONFLICT (survey_slug) DO UPDATE SET revision = data_revision.revision + 1
$$;
CREATE FUNCTION data_revision_of_response_row() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP <> 'DELETE' THEN PERFORM data_revision_bump(NEW.survey_slug); END IF;
    IF TG_OP <> 'INSERT' AND (TG_OP = 'DELETE' OR OLD.survey_slug IS DISTINCT FROM NEW.survey_slug) THEN
        PERFORM data_revision_bump(OLD.survey_slug);
    END IF;
    RETURN NULL;
END $$;
CREATE FUNCTION data_revision_of_answer_row() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM data_revision_bump(survey_slug) FROM response
        WHERE id = CASE WHEN TG_OP = 'DELETE' THEN OLD.response_id ELSE NEW.response_id END;
    RETURN NULL;
END $$;
"""
POSTGRES_TRIGGERS = [
    ("data_revision_response", "INSERT OR UPDATE OR DELETE", "response", "data_revision_of_response_row"),
    ("data_revision_answer", "UPDATE OR DELETE", "answer", "data_revision_of_answer_row"),
    ("data_revision_correction", "INSERT", "response_correction", "data_revision_of_answer_row"),
]


def upgrade() -> None:
    op.create_table('data_revision',
    sa.Column('survey_slug', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
    sa.Column('revision', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('survey_slug')
    )
    op.execute("INSERT INTO data_revision (survey_slug, revision) SELECT DISTINCT survey_slug, 1 FROM response")
    if op.get_bind().dialect.name == "postgresql":
        op.execute(POSTGRES_FUNCTIONS)
        for name, events, table, function in POSTGRES_TRIGGERS:
            op.execute(f"CREATE TRIGGER {name} AFTER {events} ON {table} FOR EACH ROW EXECUTE FUNCTION {function}()")
    else:
        for name, event, table, sources in SQLITE_TRIGGERS:
            body = " ".join(SQLITE_BUMP.format(source=source) for source in sources)
            op.execute(f"CREATE TRIGGER {name} AFTER {event} ON {table} BEGIN {body} END")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for name, _, table, _ in POSTGRES_TRIGGERS:
            op.execute(f"DROP TRIGGER {name} ON {table}")
        for function in ("data_revision_of_answer_row()", "data_revision_of_response_row()",
                         "data_revision_bump(varchar)"):
            op.execute(f"DROP FUNCTION {function}")
    else:
        for name, *_ in SQLITE_TRIGGERS:
            op.execute(f"DROP TRIGGER {name}")
    op.drop_table('data_revision')
