"""Property-based: whatever the cells, encodings and shapes, intake and import never crash and never lose a row."""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select
from sqlmodel import Session

from engagement.db import get_engine, upgrade_database
from engagement.forms import get_form
from engagement.importer import ImportFileError, import_file, template_columns
from engagement.intake import IntakeError, check_answers
from engagement.models import ImportBatch, RejectedRow, Response

FORM = get_form("what-matters-to-you-2019")
COLUMNS = template_columns(FORM)
CELL = st.one_of(
    st.text(max_size=12),
    st.sampled_from(["5", "Very important", "v important", "yes", "no", "Nottingham", "1e2", "42", "=1+1", "",
                     "HW-1", "HW-2", "A&E", "nan", "NULL", "  ", "0x10", "2019-03-14", "31/02/2019"]),
)


@pytest.fixture(scope="module")
def engine(tmp_path_factory):
    url = f"sqlite:///{tmp_path_factory.mktemp('prop') / 'p.db'}"
    upgrade_database(url)
    return get_engine(url)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    columns=st.lists(st.sampled_from(COLUMNS), min_size=1, max_size=12, unique=True),
    rows=st.integers(min_value=1, max_value=6),
    cells=st.lists(CELL, min_size=72, max_size=72),
    encoding=st.sampled_from(["utf-8", "utf-8-sig", "cp1252"]),
)
def test_any_cells_any_shape_never_crash_and_every_row_is_counted_once(engine, columns, rows, cells, encoding):
    frame = pd.DataFrame([[cells[(r * len(columns) + c) % 72] for c in range(len(columns))] for r in range(rows)],
                         columns=columns)
    data = frame.to_csv(index=False).encode(encoding, errors="replace")
    with Session(engine) as session:
        before = session.scalar(select(func.count()).select_from(Response))
        quarantined_before = session.scalar(select(func.count()).select_from(RejectedRow))
        try:
            result = import_file(session, FORM, data, "p.csv", actor="prop", via="test")
        except ImportFileError as exc:
            assert str(exc)  # a plain message, and nothing saved
            assert session.scalar(select(func.count()).select_from(Response)) == before
            return
        assert result.rows == result.imported + result.rejected + result.duplicates
        assert session.scalar(select(func.count()).select_from(Response)) == before + result.imported
        assert session.scalar(select(func.count()).select_from(RejectedRow)) == quarantined_before + result.rejected
        assert session.get(ImportBatch, result.batch_id).rows == result.rows


@settings(max_examples=150, deadline=None)
@given(answers=st.dictionaries(st.sampled_from([s.id for s in FORM.questions] + ["other"]),
                               st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), CELL,
                                         st.lists(CELL, max_size=4))))
def test_checking_any_answers_either_passes_or_names_each_problem(answers):
    try:
        checked = check_answers(FORM, answers)
    except IntakeError as exc:
        assert exc.problems and all(problem.message for problem in exc.problems)
    else:
        assert all(isinstance(v, str) for values in checked.values.values() for v in values)
