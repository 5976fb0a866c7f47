"""The ways a breakdown can split respondents: by place (three schemes), channel and the "about you" groups,
including the seldom-heard groups the 2019 campaign named (a respondent can be in several).

"Prefer not to say" and "Not answered" are always kept apart from each other and from the real categories:
their counts are reported, but they are never part of a rate's denominator or tested against the rest.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from engagement.config import DEFAULT_FORM_SLUG
from engagement.forms import get_form
from engagement.models import CHANNELS
from engagement.places import (
    NOT_ANSWERED,
    OUTSIDE_AREA,
    PLACE_QUESTION_ID,
    PREFER_NOT_TO_SAY,
    PREFER_NOT_TO_SAY_LABEL,
    SOMEWHERE_ELSE,
    all_places,
)
from survey_forms import Form

NOT_STATED = (PREFER_NOT_TO_SAY_LABEL, NOT_ANSWERED)
AgeBands = Sequence[tuple[int, int | None]]
DEFAULT_AGE_BANDS: AgeBands = ((16, 24), (25, 34), (35, 44), (45, 54), (55, 64), (65, 74), (75, None))
BASSETLAW_2019 = "Bassetlaw (outside the 2019 footprint)"
SELDOM_HEARD_PREFIX = "seldom_heard:"
SELDOM_HEARD = (
    "Deaf people",
    "LGBT+ people",
    "People with a learning disability",
    "Carers",
    "Students",
    "Men aged 20-40",
)
LGBT = "LGBT+"
NOT_LGBT = "Not LGBT+"
DISABLED = "Disabled (Equality Act)"
NOT_DISABLED = "Not disabled"
CARER = "Unpaid carer"
NOT_CARER = "Not an unpaid carer"
TRANS = "Gender not the same as sex registered at birth"
NOT_TRANS = "Gender the same as sex registered at birth"


@dataclass(frozen=True)
class Dimension:
    """One way to split respondents. `categories` are the labels that can be shown, in reading order
    ("Prefer not to say" and "Not answered" last). `multi`: a respondent can be in several categories."""

    name: str
    label: str
    categories: tuple[str, ...]
    multi: bool = False


def age_band_labels(age_bands: AgeBands = DEFAULT_AGE_BANDS) -> tuple[str, ...]:
    under = f"Under {age_bands[0][0]}"
    return (under, *(f"{low}+" if high is None else f"{low}-{high}" for low, high in age_bands))


def _answer(frame: pd.DataFrame, question_id: str) -> pd.Series:
    """The stored answer codes of one question (missing where unanswered, or where the form lacks it)."""
    if question_id not in frame.columns:
        return pd.Series(pd.NA, index=frame.index, dtype=object)
    return frame[question_id].astype(object).where(frame[question_id].notna(), None)


def _labelled(codes: pd.Series, labels: dict[str, str]) -> pd.Series:
    named = codes.map(labels)
    return named.fillna(codes).fillna(NOT_ANSWERED).astype(object)


def _option_labels(form: Form, question_id: str) -> dict[str, str]:
    try:
        return {o.code: o.label for o in form.question(question_id).options}
    except KeyError:
        return {PREFER_NOT_TO_SAY: PREFER_NOT_TO_SAY_LABEL}


def _option_categories(form: Form, question_id: str) -> tuple[str, ...]:
    labels = [label for label in _option_labels(form, question_id).values() if label not in NOT_STATED]
    return (*labels, *NOT_STATED)


def _place(frame: pd.DataFrame, scheme: str) -> pd.Series:
    codes = _answer(frame, PLACE_QUESTION_ID)
    labels = {OUTSIDE_AREA: SOMEWHERE_ELSE, PREFER_NOT_TO_SAY: PREFER_NOT_TO_SAY_LABEL}
    for place in all_places():
        if scheme == "place":
            labels[place.code] = place.name
        elif scheme == "icp_2019":
            labels[place.code] = place.icp_2019 or f"{place.name} (outside the 2019 footprint)"
        else:
            labels[place.code] = place.pbp_2023
    return _labelled(codes, labels)


def _place_categories(scheme: str) -> tuple[str, ...]:
    places = all_places()
    if scheme == "place":
        names = sorted(p.name for p in places)
    elif scheme == "icp_2019":
        names = sorted({p.icp_2019 for p in places if p.icp_2019})
        names += sorted(f"{p.name} (outside the 2019 footprint)" for p in places if not p.icp_2019)
    else:
        names = sorted({p.pbp_2023 for p in places})
    return (*names, SOMEWHERE_ELSE, *NOT_STATED)


def _ages(frame: pd.DataFrame) -> pd.Series:
    return pd.to_numeric(_answer(frame, "age"), errors="coerce")


def _age_band(frame: pd.DataFrame, age_bands: AgeBands) -> pd.Series:
    ages = _ages(frame)
    labels = age_band_labels(age_bands)
    edges = [-np.inf, *(low for low, _ in age_bands), np.inf]
    bands = pd.cut(ages, bins=edges, right=False, labels=list(labels))
    return bands.astype(object).where(ages.notna(), NOT_ANSWERED)


def _from_codes(question_id: str, mapping: dict[str, str]) -> Callable[[pd.DataFrame, Form], pd.Series]:
    def derive(frame: pd.DataFrame, form: Form) -> pd.Series:
        return _labelled(_answer(frame, question_id), {**mapping, PREFER_NOT_TO_SAY: PREFER_NOT_TO_SAY_LABEL})

    return derive


def _lgbt(frame: pd.DataFrame, form: Form) -> pd.Series:
    """LGBT+ when either answer says so (an orientation other than straight, or gender not the same as sex
    registered at birth); otherwise "Prefer not to say" if either was declined; "Not LGBT+" if at least one
    was answered; else "Not answered"."""
    orientation = _answer(frame, "sexual_orientation")
    same_gender = _answer(frame, "gender_same_as_sex_at_birth")
    positive = orientation.isin(["gay_or_lesbian", "bisexual", "other"]) | same_gender.eq("no")
    declined = orientation.eq(PREFER_NOT_TO_SAY) | same_gender.eq(PREFER_NOT_TO_SAY)
    answered = orientation.notna() | same_gender.notna()
    return pd.Series(
        np.select([positive, declined, answered], [LGBT, PREFER_NOT_TO_SAY_LABEL, NOT_LGBT], NOT_ANSWERED),
        index=frame.index, dtype=object,
    )


def _ethnic_group(frame: pd.DataFrame, form: Form) -> pd.Series:
    groups = {o.code: o.group for o in form.question("ethnic_group").options if o.group}
    return _labelled(_answer(frame, "ethnic_group"), {**groups, PREFER_NOT_TO_SAY: PREFER_NOT_TO_SAY_LABEL})


def _ethnic_groups(form: Form) -> tuple[str, ...]:
    groups = dict.fromkeys(o.group for o in form.question("ethnic_group").options if o.group)
    return (*groups, *NOT_STATED)


def _disability(frame: pd.DataFrame, form: Form) -> pd.Series:
    """Equality Act 2010 definition (GSS harmonised, uk-conventions §5): a condition lasting 12 months or more
    that reduces day-to-day activities a lot or a little."""
    condition = _answer(frame, "long_term_condition")
    limited = _answer(frame, "day_to_day_activities")
    with_condition = condition.eq("yes")
    return pd.Series(
        np.select(
            [
                with_condition & limited.isin(["yes_a_lot", "yes_a_little"]),
                condition.eq("no") | (with_condition & limited.eq("not_at_all")),
                condition.eq(PREFER_NOT_TO_SAY) | (with_condition & limited.eq(PREFER_NOT_TO_SAY)),
            ],
            [DISABLED, NOT_DISABLED, PREFER_NOT_TO_SAY_LABEL],
            NOT_ANSWERED,
        ),
        index=frame.index, dtype=object,
    )


def _carer(frame: pd.DataFrame, form: Form) -> pd.Series:
    care = _answer(frame, "unpaid_carer")
    return _labelled(care.where(~care.fillna("").str.startswith("yes_"), "yes"),
                     {"yes": CARER, "no": NOT_CARER, PREFER_NOT_TO_SAY: PREFER_NOT_TO_SAY_LABEL})


def _single(question_id: str) -> Callable[[pd.DataFrame, Form], pd.Series]:
    def derive(frame: pd.DataFrame, form: Form) -> pd.Series:
        return _labelled(_answer(frame, question_id), _option_labels(form, question_id))

    return derive


def _channel(frame: pd.DataFrame, form: Form) -> pd.Series:
    return _labelled(frame["channel"].astype(object) if "channel" in frame else _answer(frame, "channel"), CHANNELS)


def _seldom_heard(frame: pd.DataFrame, form: Form, lgbt: pd.Series, carer: pd.Series) -> dict[str, pd.Series]:
    ages = _ages(frame)
    members = {
        "Deaf people": _answer(frame, "deaf").isin(["deaf_bsl", "deaf_no_bsl"]),
        "LGBT+ people": lgbt.eq(LGBT),
        "People with a learning disability": _answer(frame, "learning_disability").eq("yes"),
        "Carers": carer.eq(CARER),
        "Students": _answer(frame, "student").eq("yes"),
        "Men aged 20-40": _answer(frame, "sex").eq("male") & ages.between(20, 40),
    }
    return {f"{SELDOM_HEARD_PREFIX}{name}": members[name].astype(bool) for name in SELDOM_HEARD}


_DERIVED: dict[str, Callable[[pd.DataFrame, Form], pd.Series]] = {
    "channel": _channel,
    "sex": _single("sex"),
    "gender_identity": _from_codes("gender_same_as_sex_at_birth", {"yes": NOT_TRANS, "no": TRANS}),
    "sexual_orientation": _single("sexual_orientation"),
    "lgbt": _lgbt,
    "ethnic_group": _ethnic_group,
    "ethnic_group_detailed": _single("ethnic_group"),
    "disability": _disability,
    "religion": _single("religion"),
    "carer": _carer,
    "respondent_type": _single("respondent_type"),
    "deaf": _single("deaf"),
    "learning_disability": _single("learning_disability"),
    "student": _single("student"),
}


def dimensions_for(form: Form, age_bands: AgeBands = DEFAULT_AGE_BANDS) -> dict[str, Dimension]:
    """Every dimension a breakdown of this form can use, keyed by the name the command line accepts."""
    answered = NOT_STATED
    return {
        "place": Dimension("place", "Local authority area", _place_categories("place")),
        "icp_2019": Dimension("icp_2019", "Integrated care partnership (2019)", _place_categories("icp_2019")),
        "pbp_2023": Dimension("pbp_2023", "Place-based partnership (2023)", _place_categories("pbp_2023")),
        "channel": Dimension("channel", "How the response came in", (*CHANNELS.values(), NOT_ANSWERED)),
        "age_band": Dimension("age_band", "Age band", (*age_band_labels(age_bands), NOT_ANSWERED)),
        "sex": Dimension("sex", "Sex", _option_categories(form, "sex")),
        "gender_identity": Dimension("gender_identity", "Gender identity", (NOT_TRANS, TRANS, *answered)),
        "sexual_orientation": Dimension(
            "sexual_orientation", "Sexual orientation", _option_categories(form, "sexual_orientation")
        ),
        "lgbt": Dimension("lgbt", "LGBT+", (LGBT, NOT_LGBT, *answered)),
        "ethnic_group": Dimension("ethnic_group", "Ethnic group (5 groups)", _ethnic_groups(form)),
        "ethnic_group_detailed": Dimension(
            "ethnic_group_detailed", "Ethnic group (19 groups)", _option_categories(form, "ethnic_group")
        ),
        "disability": Dimension("disability", "Disability (Equality Act)", (DISABLED, NOT_DISABLED, *answered)),
        "religion": Dimension("religion", "Religion", _option_categories(form, "religion")),
        "carer": Dimension("carer", "Unpaid carer", (CARER, NOT_CARER, *answered)),
        "respondent_type": Dimension("respondent_type", "Answering as", _option_categories(form, "respondent_type")),
        "deaf": Dimension("deaf", "Deaf or hard of hearing", _option_categories(form, "deaf")),
        "learning_disability": Dimension(
            "learning_disability", "Learning disability", _option_categories(form, "learning_disability")
        ),
        "student": Dimension("student", "Student in full-time education", _option_categories(form, "student")),
        "seldom_heard": Dimension("seldom_heard", "Seldom-heard groups", SELDOM_HEARD, multi=True),
    }


DIMENSIONS: dict[str, Dimension] = dimensions_for(get_form(DEFAULT_FORM_SLUG))


def add_dimensions(frame: pd.DataFrame, form: Form, age_bands: AgeBands = DEFAULT_AGE_BANDS) -> pd.DataFrame:
    """A copy of a respondent frame with one column per dimension (category labels) and, for the seldom-heard
    groups, one boolean column `seldom_heard:<group>` each. Where a dimension shares its name with a question
    (sex, religion, ...), the label replaces the code. On a frame that already has them, only the age bands
    are redrawn."""
    out = frame.copy()
    if f"{SELDOM_HEARD_PREFIX}{SELDOM_HEARD[0]}" in out.columns:
        out["age_band"] = _age_band(out, age_bands)
        return out
    added: dict[str, pd.Series] = {scheme: _place(frame, scheme) for scheme in ("place", "icp_2019", "pbp_2023")}
    added["age_band"] = _age_band(frame, age_bands)
    for name, derive in _DERIVED.items():
        added[name] = derive(frame, form)
    added.update(_seldom_heard(frame, form, added["lgbt"], added["carer"]))
    return out.drop(columns=[c for c in added if c in out.columns]).assign(**added)


def group_members(frame: pd.DataFrame, dimension: str, category: str) -> pd.Series:
    """Who is in one category of a dimension (a frame from `add_dimensions`)."""
    if dimension == "seldom_heard":
        return frame[f"{SELDOM_HEARD_PREFIX}{category}"].astype(bool)
    return frame[dimension].eq(category)


def groups_present(frame: pd.DataFrame, dimension: str, form: Form | None = None) -> list[str]:
    """The categories of a dimension that anyone in the frame is in, in reading order."""
    dims = dimensions_for(form) if form is not None else DIMENSIONS
    if dimension == "seldom_heard":
        return [g for g in SELDOM_HEARD if frame[f"{SELDOM_HEARD_PREFIX}{g}"].any()]
    present = set(frame[dimension].dropna().unique())
    ordered = [c for c in dims[dimension].categories if c in present and c not in NOT_STATED]
    # Categories outside the standard list (age bands the analyst chose): "Under N" first, then by number.
    extra = sorted(present - set(ordered) - set(NOT_STATED), key=_reading_order)
    return ordered + extra + [c for c in NOT_STATED if c in present]


def _reading_order(label: object) -> tuple[int, float, str]:
    text = str(label)
    digits = "".join(c for c in text.split("-")[0].split("+")[0] if c.isdigit())
    return (0 if text.startswith("Under") else 1 if digits else 2, float(digits or "inf"), text)
