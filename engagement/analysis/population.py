"""Who lives here: Census 2021 figures for the eight local authorities, and survey answers put into the
same categories so respondents can be compared with (and weighted to) the population.

The figures are read only from data/census/ (copied from published ONS tables; see data/census/README.md).
Each variable's shares come from ONE Census table, because the tables' totals differ slightly (ONS
perturbation): never mix counts from two tables in one share.
"""

from __future__ import annotations

from functools import cache
from zoneinfo import ZoneInfo

import pandas as pd

from engagement.analysis import demographics
from engagement.analysis.demographics import add_dimensions
from engagement.analysis.suppression import SuppressionRule, current_rule, shown_count, suppress
from engagement.config import DATA_DIR, DEFAULT_FORM_SLUG
from engagement.forms import get_form
from engagement.places import NOT_ANSWERED, PREFER_NOT_TO_SAY_LABEL, SOMEWHERE_ELSE, all_places
from survey_forms import Form

CENSUS_DIR = DATA_DIR / "census"

# The adult bands of Census table TS007 that the survey (aged 16 and over) is compared with.
AGE_BANDS: tuple[str, ...] = ("16-24", "25-34", "35-44", "45-54", "55-64", "65-74", "75+")
_AGE_EDGES = [16, 25, 35, 45, 55, 65, 75, 200]

SEX_CATEGORIES: tuple[str, ...] = ("Female", "Male")
DISABLED = "Disabled under the Equality Act"
NOT_DISABLED = "Not disabled under the Equality Act"

# Answers that are not a Census category: kept, counted, and left out of every share's denominator.
PREFER_NOT = PREFER_NOT_TO_SAY_LABEL
UNDER_16 = "Under 16"
NOT_COMPARED = (PREFER_NOT, NOT_ANSWERED, SOMEWHERE_ELSE, UNDER_16)

VARIABLE_LABELS: dict[str, str] = {
    "place": "Local authority",
    "age_band": "Age band",
    "sex": "Sex",
    "ethnic_group": "Ethnic group",
    "ethnic_group_detailed": "Ethnic group (detailed)",
    "disability": "Disability",
}

# What each Census share is a share of: the survey asks people aged 16+, but TS009/TS021/TS038 could only be
# read for all ages, so those three compare adults with residents of every age (each row says so).
POPULATION_BASIS: dict[str, str] = {
    "place": "usual residents aged 16+ (TS007)",
    "age_band": "usual residents aged 16+ (TS007)",
    "sex": "usual residents of all ages (TS009)",
    "ethnic_group": "usual residents of all ages (TS021)",
    "ethnic_group_detailed": "usual residents of all ages (TS021)",
    "disability": "usual residents of all ages (TS038)",
}

# The form's ethnic group answer codes, as the Census 2021 TS021 detailed groups and their high-level group.
ETHNIC_DETAILED: dict[str, str] = {
    "white_british": "White: English, Welsh, Scottish, Northern Irish or British",
    "white_irish": "White: Irish",
    "white_gypsy_traveller": "White: Gypsy or Irish Traveller",
    "white_roma": "White: Roma",
    "white_other": "White: Other White",
    "mixed_white_black_caribbean": "Mixed: White and Black Caribbean",
    "mixed_white_black_african": "Mixed: White and Black African",
    "mixed_white_asian": "Mixed: White and Asian",
    "mixed_other": "Mixed: Other Mixed or Multiple ethnic groups",
    "asian_indian": "Asian: Indian",
    "asian_pakistani": "Asian: Pakistani",
    "asian_bangladeshi": "Asian: Bangladeshi",
    "asian_chinese": "Asian: Chinese",
    "asian_other": "Asian: Other Asian",
    "black_caribbean": "Black: Caribbean",
    "black_african": "Black: African",
    "black_other": "Black: Other Black",
    "other_arab": "Other: Arab",
    "other_any": "Other: Any other ethnic group",
}
_HIGH_LEVEL_BY_PREFIX: dict[str, str] = {
    "White": "White",
    "Mixed": "Mixed or Multiple ethnic groups",
    "Asian": "Asian, Asian British or Asian Welsh",
    "Black": "Black, Black British, Black Welsh, Caribbean or African",
    "Other": "Other ethnic group",
}
ETHNIC_GROUPS: tuple[str, ...] = tuple(_HIGH_LEVEL_BY_PREFIX.values())


def _read(name: str) -> pd.DataFrame:
    return pd.read_csv(CENSUS_DIR / name, dtype={"area_code": str})


@cache
def census_counts(variable: str) -> pd.DataFrame:
    """Census 2021 counts for one variable: columns area_code, area_name, category, count, source."""
    if variable in ("place", "age_band"):
        table = _read("population_by_district_age.csv")
        if variable == "place":
            table = table[table["band_set"].eq("adult_base") & table["age_band"].eq("16+")].assign(
                category=lambda t: t["area_name"]
            )
        else:
            table = table[table["band_set"].eq("bands_16plus") & table["age_band"].isin(AGE_BANDS)].rename(
                columns={"age_band": "category"}
            )
    elif variable == "sex":
        table = _read("population_by_district_sex.csv").assign(category=lambda t: t["sex"].str.capitalize())
    elif variable in ("ethnic_group", "ethnic_group_detailed"):
        table = _read("population_by_district_ethnicity.csv")
        level = "high-level" if variable == "ethnic_group" else "detailed"
        table = table[table["level"].eq(level)].rename(columns={"ethnic_group": "category"})
    elif variable == "disability":
        table = _read("population_by_district_disability.csv").rename(columns={"disability": "category"})
    else:
        known = ", ".join(VARIABLE_LABELS)
        raise ValueError(f"'{variable}' has no Census 2021 figures here; known: {known}")
    return table[["area_code", "area_name", "category", "count", "source"]].reset_index(drop=True)


def population_shares_by_place(variable: str) -> pd.DataFrame:
    """One row per local authority (area_code), one column per category: shares that sum to 1 in each row."""
    counts = census_counts(variable).pivot(index="area_code", columns="category", values="count")
    return counts.div(counts.sum(axis=1), axis=0)


def population_shares(variable: str, area_codes: list[str] | None = None) -> pd.Series:
    """Each category's share of the population of the given areas (default: all eight)."""
    counts = census_counts(variable)
    if area_codes is not None:
        counts = counts[counts["area_code"].isin(area_codes)]
    totals = counts.groupby("category", sort=False)["count"].sum()
    return totals / totals.sum()


def census_categories(frame: pd.DataFrame, form: Form | None = None) -> pd.DataFrame:
    """The respondents' answers as Census categories, one column per variable, aligned to the frame.

    Takes a respondent frame with or without `add_dimensions` applied: the groups themselves (place, sex, ethnic
    group, Equality Act disability) are the stats layer's dimensions, renamed to the Census table's words here;
    age is banded into the Census adult bands from the answer itself, whatever bands the analyst chose.
    Answers with no Census counterpart keep their own label (Prefer not to say, Not answered, Somewhere else,
    Under 16) so they can be counted and left out of denominators.
    """
    dims = add_dimensions(frame, form or get_form(DEFAULT_FORM_SLUG))
    detailed = {label: ETHNIC_DETAILED[code] for code, label in _ethnic_option_labels(form).items()}
    out = pd.DataFrame(index=frame.index)
    out["place"] = _renamed(dims["place"], {p.name: p.name for p in all_places()}, keep=(SOMEWHERE_ELSE,))
    out["age_band"] = _age_band(frame)
    out["sex"] = _renamed(dims["sex"], {c: c for c in SEX_CATEGORIES})
    out["ethnic_group"] = _renamed(dims["ethnic_group"], _ETHNIC_GROUP_BY_FORM_GROUP)
    out["ethnic_group_detailed"] = _renamed(dims["ethnic_group_detailed"], detailed)
    out["disability"] = _renamed(
        dims["disability"], {demographics.DISABLED: DISABLED, demographics.NOT_DISABLED: NOT_DISABLED}
    )
    return out


# The form's five ethnic groups (GSS harmonised wording) as Census 2021 TS021 names them.
_ETHNIC_GROUP_BY_FORM_GROUP: dict[str, str] = {
    "White": "White",
    "Mixed or Multiple ethnic groups": "Mixed or Multiple ethnic groups",
    "Asian or Asian British": "Asian, Asian British or Asian Welsh",
    "Black, Black British, Caribbean or African": "Black, Black British, Black Welsh, Caribbean or African",
    "Other ethnic group": "Other ethnic group",
}


def _ethnic_option_labels(form: Form | None) -> dict[str, str]:
    question = (form or get_form(DEFAULT_FORM_SLUG)).question("ethnic_group")
    return {o.code: o.label for o in question.options if o.code in ETHNIC_DETAILED}


def _renamed(labels: pd.Series, census_names: dict[str, str], keep: tuple[str, ...] = ()) -> pd.Series:
    """Dimension labels as Census categories; Prefer not to say and (kept) others as they are; the rest as
    Not answered."""
    named = labels.map(census_names)
    for label in (PREFER_NOT, *keep):
        named = named.mask(labels.eq(label), label)
    return named.fillna(NOT_ANSWERED).astype(str)


def _age_band(frame: pd.DataFrame) -> pd.Series:
    if "age" not in frame:
        return pd.Series(NOT_ANSWERED, index=frame.index, dtype=object)
    age = pd.to_numeric(frame["age"], errors="coerce")
    bands = pd.cut(age, bins=_AGE_EDGES, right=False, labels=list(AGE_BANDS)).astype("object")
    bands = bands.mask(age.lt(16).fillna(False), UNDER_16)
    return bands.fillna(NOT_ANSWERED).astype(str)


# ---------------------------------------------------------------------------------------------------------------
# Respondents compared with the population

COMPARED_VARIABLES: tuple[str, ...] = ("place", "age_band", "sex", "ethnic_group", "disability")

# A group is called under-represented when its share of respondents is below this fraction of its share of the
# population (and the base is large enough to be shown). 0.8 is the "four-fifths" rule of thumb.
UNDER_REPRESENTED_BELOW = 0.8

_CATEGORY_ORDER: dict[str, tuple[str, ...]] = {
    "age_band": AGE_BANDS,
    "sex": SEX_CATEGORIES,
    "ethnic_group": ETHNIC_GROUPS,
    "ethnic_group_detailed": tuple(ETHNIC_DETAILED.values()),
    "disability": (DISABLED, NOT_DISABLED),
}


def ordered_population_shares(variable: str, area_codes: list[str] | None = None) -> pd.Series:
    """Census shares across the given areas (default all eight) in the order people read them (age bands
    ascending, White first, ...)."""
    shares = population_shares(variable, area_codes)
    order = _CATEGORY_ORDER.get(variable)
    return shares.reindex(list(order)) if order else shares


def representativeness(
    frame: pd.DataFrame,
    variables: tuple[str, ...] = COMPARED_VARIABLES,
    rule: SuppressionRule | None = None,
    area_codes: list[str] | None = None,
) -> pd.DataFrame:
    """Respondents against Census 2021 for each variable: one row per Census category, then one row for each
    answer left out of the comparison (Prefer not to say, Not answered, Somewhere else, Under 16) with its count.

    Columns: variable, variable_label, category, in_denominator, sample_n, base_n, sample_share,
    population_share, ratio (sample share / population share), under_represented, population_basis, then the
    suppression columns. sample_share uses only the people who gave a comparable answer (base_n).
    Every figure passes through the one suppression rule. For a frame filtered to some places, pass their
    `area_codes` so respondents are compared with the people who live there.
    """
    rule = rule or current_rule()
    categories = census_categories(frame)
    parts = []
    for variable in variables:
        counts = categories[variable].value_counts()
        population = ordered_population_shares(variable, area_codes)
        answered = counts.reindex(population.index, fill_value=0)
        base = int(answered.sum())
        compared = pd.DataFrame(
            {
                "category": population.index,
                "in_denominator": True,
                "sample_n": answered.to_numpy(),
                "base_n": base,
                "population_share": population.to_numpy(),
            }
        )
        compared["sample_share"] = compared["sample_n"] / base if base else float("nan")
        left_out = counts.reindex([c for c in NOT_COMPARED if c in counts.index])
        others = pd.DataFrame(
            {
                "category": left_out.index,
                "in_denominator": False,
                "sample_n": left_out.to_numpy(),
                "base_n": len(frame),
                "population_share": float("nan"),
                "sample_share": float("nan"),
            }
        )
        part = pd.concat([compared, others], ignore_index=True)
        part.insert(0, "variable_label", VARIABLE_LABELS[variable])
        part.insert(0, "variable", variable)
        part["population_basis"] = POPULATION_BASIS[variable]
        parts.append(part)
    table = pd.concat(parts, ignore_index=True)
    table["sample_n"] = table["sample_n"].astype(int)
    table["ratio"] = table["sample_share"] / table["population_share"]
    table["under_represented"] = (
        table["in_denominator"]
        & table["base_n"].ge(rule.min_base)
        & (table["sample_share"] < UNDER_REPRESENTED_BELOW * table["population_share"])
    )
    columns = [
        "variable", "variable_label", "category", "in_denominator", "sample_n", "base_n", "sample_share",
        "population_share", "ratio", "under_represented", "population_basis",
    ]
    # Within one variable, the compared categories add up to its base: a hidden count gets a second one hidden.
    shown = suppress(
        table[columns], base="base_n", counts=["sample_n"], derived=["sample_share", "ratio"], rule=rule,
        group_keys=["variable", "in_denominator"], linked={"sample_n": ["sample_share", "ratio"]},
    )
    # A flag on a row whose whole base is hidden would say more than the rule allows.
    shown["under_represented"] = shown["under_represented"] & shown["base_n"].ge(rule.min_base)
    return shown


_GROUP_WORDS: dict[str, dict[str, str]] = {
    "sex": {"Female": "women", "Male": "men"},
    "disability": {DISABLED: "disabled people", NOT_DISABLED: "people who are not disabled"},
    "ethnic_group": {
        "White": "White",
        "Mixed or Multiple ethnic groups": "Mixed or Multiple",
        "Asian, Asian British or Asian Welsh": "Asian",
        "Black, Black British, Black Welsh, Caribbean or African": "Black",
        "Other ethnic group": "Other",
    },
}


def _and(words: list[str]) -> str:
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


def _group_phrase(variable: str, categories: list[str]) -> list[str]:
    if variable == "place":
        return [f"people living in {_and(categories)}"]
    if variable == "age_band":
        return [f"people aged {_and(categories)}"]
    if variable in ("ethnic_group", "ethnic_group_detailed"):
        names = [_GROUP_WORDS["ethnic_group"].get(c, c) for c in categories]
        return [f"people from {_and(names)} ethnic group{'s' if len(names) > 1 else ''}"]
    return [_GROUP_WORDS[variable].get(c, c) for c in categories]


def caveat_sentence(table: pd.DataFrame, responses: int, received_by=None) -> str:
    """The board caveat, worded from a representativeness() table, for example: "Based on 612 responses
    received by 26 April 2019; compared with Census 2021, men and people aged 16-24 are under-represented." """
    if getattr(received_by, "tzinfo", None) is not None:  # a stored UTC time: the date people saw in the UK
        received_by = received_by.astimezone(ZoneInfo("Europe/London"))
    when = f" received by {received_by.day} {received_by:%B %Y}" if received_by is not None else ""
    shown = shown_count(responses)
    counted = f"fewer than {current_rule().min_cell} responses" if shown is None else (
        f"{shown:,.0f} response{'' if shown == 1 else 's'}")
    opening = f"Based on {counted}{when}"
    compared = table[table["in_denominator"]]
    if compared["sample_share"].isna().all():
        return f"{opening}; too few people have said who they are to compare them with the population yet."
    flagged = compared[compared["under_represented"].astype(bool)]
    phrases: list[str] = []
    for variable, rows in flagged.groupby("variable", sort=False):
        phrases.extend(_group_phrase(variable, rows["category"].tolist()))
    if not phrases:
        return f"{opening}; compared with Census 2021, no group is under-represented by more than a fifth."
    return f"{opening}; compared with Census 2021, {_and(phrases)} are under-represented."
