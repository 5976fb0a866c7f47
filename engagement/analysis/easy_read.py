"""Easy Read responses joined to the standard survey's figures. The Easy Read form uses the standard form's
question ids and answer codes wherever the meaning is the same, and its `mapping` states every place where they
differ (another question id, or its answer codes counted as the standard form's); this applies that mapping."""

from __future__ import annotations

import pandas as pd
from sqlalchemy.engine import Engine

from engagement.analysis.respondents import respondent_frame
from engagement.forms import easy_read_version
from survey_forms import Form

VERSION_COLUMN = "form_version"
STANDARD, EASY_READ = "Standard", "Easy Read"
VERSIONS = {"both": "Both versions", "standard": "Standard version only", "easy_read": "Easy Read version only"}
VERSION_LABELS = {"standard": STANDARD, "easy_read": EASY_READ}


def as_standard(frame: pd.DataFrame, easy_read: Form) -> pd.DataFrame:
    """An Easy Read respondent frame in the standard form's question ids and answer codes."""
    mapped = frame.copy()
    renames = {}
    for entry in easy_read.definition.mapping:
        for question_id in entry.questions:
            if question_id not in mapped:
                continue  # free text, which the respondent frame leaves out
            if entry.answers:
                mapped[question_id] = mapped[question_id].astype(object).replace(entry.answers)
            if entry.standard_question:
                renames[question_id] = entry.standard_question
    return mapped.rename(columns=renames)


def with_easy_read(standard: pd.DataFrame, easy_read: pd.DataFrame, easy_read_form: Form) -> pd.DataFrame:
    """One frame of both versions' respondents in the standard form's terms, each marked with its version."""
    standard = standard.assign(**{VERSION_COLUMN: STANDARD})
    if easy_read.empty:
        return standard.astype({VERSION_COLUMN: "category"})
    mapped = as_standard(easy_read, easy_read_form).assign(**{VERSION_COLUMN: EASY_READ})
    # Questions only the standard form asks stay missing for Easy Read respondents: "not answered".
    mapped = mapped.reindex(columns=standard.columns)
    categorical = [c for c in standard.columns if isinstance(standard[c].dtype, pd.CategoricalDtype)]
    both = pd.concat([standard.astype(dict.fromkeys(categorical, object)),
                      mapped.astype(dict.fromkeys(categorical, object))], ignore_index=True)
    both["is_synthetic"] = both["is_synthetic"].astype(bool)
    return both.astype(dict.fromkeys([*categorical, VERSION_COLUMN], "category"))


def both_versions(engine: Engine, form: Form, include_synthetic: bool = True) -> pd.DataFrame:
    """The respondent frame of every counted response to `form` and to its Easy Read version (mapped to this
    form's answers, marked in `form_version`): what the dashboard, the exports and the commands count."""
    frame = respondent_frame(engine, form, include_synthetic=include_synthetic)
    if (easy := easy_read_version(form.slug)) is not None:
        frame = with_easy_read(frame, respondent_frame(engine, easy, include_synthetic=include_synthetic), easy)
    return frame
