"""Row-level answer files, and who may have which.

The full file (every column and every answer, as `engagement export --format csv` has always written it) is
for people whose job needs it: administrators and the command line (run by whoever administers the server).
A communications user's row-level file keeps what a story or a board paper needs and leaves out what would
let someone pick out a person in a small place: no response reference or time of day, age in bands instead of
years, and none of the "About you" answers except who they answered as, age band and sex; no postcode district
and no contact details (see ../shared/docs/uk-conventions.md on quasi-identifiers)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from engagement.analysis.counted import ANOTHER_RESPONSE, SET_ASIDE
from engagement.analysis.demographics import DEFAULT_AGE_BANDS, age_band_labels
from survey_forms import Form

FULL_ROW_LEVEL_ROLES = ("admin",)
# "About you" answers a comms file keeps: enough to say who a quote or a figure came from, in broad terms.
COMMS_KEEPS = ("respondent_type", "age", "sex")
AGE_QUESTION = "age"
ABOUT_YOU = "about_you"


def may_have_full_row_level(roles: frozenset[str] | set[str]) -> bool:
    return bool(set(roles) & set(FULL_ROW_LEVEL_ROLES))


def row_level_for(tidy: pd.DataFrame, form: Form, roles: frozenset[str] | set[str]) -> pd.DataFrame:
    """The row-level answers these roles may download: the full file, or the communications cut."""
    return tidy if may_have_full_row_level(roles) else comms_row_level(tidy, form)


def quasi_identifiers(form: Form) -> list[str]:
    """Questions a comms row-level file leaves out."""
    return [
        q.id for q in form.questions
        if q.type == "postcode_district" or q.contact_details or (q.section_id == ABOUT_YOU and q.id not in COMMS_KEEPS)
    ]


def comms_row_level(tidy: pd.DataFrame, form: Form) -> pd.DataFrame:
    """The tidy answers for a communications user: quasi-identifiers left out, age banded, the response
    reference replaced by a number that only groups the rows of one response in this file (a response set aside
    as a duplicate says so without naming the one that counts), and the time of a response cut to the week it
    came in."""
    frame = tidy[~tidy["question_id"].isin(quasi_identifiers(form))].copy()
    frame.insert(0, "respondent", pd.factorize(frame["response_reference"])[0] + 1)
    received = pd.to_datetime(frame["created_at"], utc=True)
    frame.insert(frame.columns.get_loc("created_at"), "week_received",
                 (received.dt.tz_convert(None).dt.normalize() - pd.to_timedelta(received.dt.weekday, unit="D")).dt.date)
    ages = frame["question_id"].eq(AGE_QUESTION)
    if ages.any():
        bands = _age_bands(frame.loc[ages, "answer_code"])
        frame.loc[ages, "answer_code"] = bands
        frame.loc[ages, "answer_label"] = bands
    if "counted" in frame:  # the response that counts instead is not named: this file has no references
        set_aside = frame["counted"].astype(str).str.startswith(SET_ASIDE)
        frame.loc[set_aside, "counted"] = SET_ASIDE + ANOTHER_RESPONSE
    return frame.drop(columns=["response_reference", "created_at"])


def _age_bands(codes: pd.Series) -> pd.Series:
    ages = pd.to_numeric(codes, errors="coerce")
    edges = [-np.inf, *(low for low, _ in DEFAULT_AGE_BANDS), np.inf]
    bands = pd.cut(ages, bins=edges, right=False, labels=list(age_band_labels(DEFAULT_AGE_BANDS)))
    return bands.astype(object).where(ages.notna(), "Not answered")

