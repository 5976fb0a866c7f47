"""Coverage while fieldwork runs: responses against the campaign's targets, responses by channel and place week
by week, and how many people from each seldom-heard group answered in each place, so gaps show in time.

Every count passes through the one suppression rule, the totals against each target too: filtered to a group
or a place they are counts of people in it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd

from engagement.analysis.demographics import SELDOM_HEARD, SELDOM_HEARD_PREFIX, add_dimensions
from engagement.analysis.suppression import SuppressionRule, current_rule, shown_count, suppress
from engagement.models import CHANNELS
from engagement.places import all_places
from survey_forms import Form

ALL_AREAS = "All areas"
LONDON = "Europe/London"


@dataclass
class Coverage:
    targets: pd.DataFrame  # target_id, label, channels, target, responses, percent_of_target, still_needed
    weekly: pd.DataFrame  # week_start, dimension (channel / place), group, responses, week_responses, suppressed
    seldom_heard: pd.DataFrame  # place, group, responses, place_responses, percent, suppressed, suppression_note
    responses: int
    synthetic: int

    def as_json(self) -> dict[str, Any]:
        return {
            "responses": shown_count(self.responses),
            "synthetic": self.synthetic,
            "targets": json_records(self.targets),
            "seldom_heard": json_records(self.seldom_heard),
            "weekly": json_records(self.weekly.assign(week_start=self.weekly["week_start"].astype(str))),
        }


def coverage(frame: pd.DataFrame, form: Form, rule: SuppressionRule | None = None) -> Coverage:
    """Coverage of the responses in `frame` (a respondent frame, with or without add_dimensions applied)."""
    rule = rule or current_rule()
    dims = add_dimensions(frame, form)
    # Targets name channel codes; add_dimensions puts each channel's label in their place.
    codes = {label: code for code, label in CHANNELS.items()}
    return Coverage(
        targets=target_progress(frame.assign(channel=frame["channel"].astype(object).replace(codes)), form, rule),
        weekly=weekly_responses(dims, rule),
        seldom_heard=seldom_heard_by_place(dims, rule),
        responses=len(frame),
        synthetic=int(frame["is_synthetic"].sum()) if "is_synthetic" in frame else 0,
    )


def target_progress(frame: pd.DataFrame, form: Form, rule: SuppressionRule | None = None) -> pd.DataFrame:
    """One row per target in the form file: how many responses count towards it and how many are still needed,
    through the suppression rule (a count of 1 to 4 hidden with what would reveal it)."""
    rows = []
    by_channel = frame["channel"].value_counts()
    for target in form.definition.targets:  # channel codes were checked when the form was loaded
        responses = int(by_channel.reindex(target.channels).fillna(0).sum()) if target.channels else len(frame)
        rows.append(
            {
                "target_id": target.id,
                "label": target.label,
                "channels": ", ".join(CHANNELS[c] for c in target.channels) if target.channels else "Every channel",
                "target": target.responses,
                "responses": responses,
                "percent_of_target": round(100 * responses / target.responses, 1),
                "still_needed": max(target.responses - responses, 0),
            }
        )
    columns = ["target_id", "label", "channels", "target", "responses", "percent_of_target", "still_needed"]
    return suppress(pd.DataFrame(rows, columns=columns), base="target", counts=["responses"],
                    linked={"responses": ["percent_of_target", "still_needed"]}, rule=rule or current_rule())


def weekly_responses(dims: pd.DataFrame, rule: SuppressionRule) -> pd.DataFrame:
    """Responses per week (weeks start on Monday, UK time), by channel and by place. A week with fewer responses
    than the rule's base shows no breakdown; small counts within a week are hidden."""
    columns = ["week_start", "dimension", "group", "responses", "week_responses"]
    if dims.empty:
        return pd.DataFrame(columns=[*columns, "suppressed", "suppression_note"])
    local = pd.to_datetime(dims["created_at"], utc=True).dt.tz_convert(LONDON)
    week = (local.dt.normalize() - pd.to_timedelta(local.dt.day_of_week, unit="D")).dt.date.rename("week_start")
    week_total = week.value_counts().rename("week_responses")
    parts = []
    for dimension in ("channel", "place"):
        counts = (
            pd.DataFrame({"week_start": week, "group": dims[dimension]})
            .value_counts()
            .rename("responses")
            .reset_index()
            .assign(dimension=dimension)
        )
        counts = counts.join(week_total, on="week_start")[columns].sort_values(["week_start", "group"])
        parts.append(
            suppress(counts, base="week_responses", counts=["responses"], rule=rule, group_keys=["week_start"])
        )
    return pd.concat(parts, ignore_index=True).sort_values(["week_start", "dimension"], kind="stable")


def seldom_heard_by_place(dims: pd.DataFrame, rule: SuppressionRule) -> pd.DataFrame:
    """For each seldom-heard group, how many respondents are in it in each place and in all areas, and what
    percentage of that place's respondents that is. A person can be in several groups."""
    members = dims[[f"{SELDOM_HEARD_PREFIX}{g}" for g in SELDOM_HEARD]].astype(int)
    members.columns = list(SELDOM_HEARD)
    by_place = members.groupby(dims["place"]).sum()
    place_totals = dims["place"].value_counts()
    order = [ALL_AREAS] + [p.name for p in sorted(all_places(), key=lambda p: p.name)]
    order += sorted(set(by_place.index) - set(order))
    by_place.loc[ALL_AREAS] = members.sum()
    place_totals.loc[ALL_AREAS] = len(dims)
    table = (
        by_place.reindex(order, fill_value=0)
        .rename_axis("place")
        .reset_index()
        .melt(id_vars="place", var_name="group", value_name="responses")
        .assign(place_responses=lambda t: t["place"].map(place_totals).fillna(0).astype(int))
    )
    table["percent"] = (100 * table["responses"] / table["place_responses"]).where(table["place_responses"] > 0)
    # The all-areas row is each group's total over places, so it is checked on its own; the place rows of one
    # group together add up to it, so a count hidden alone among them gets a second one hidden.
    is_total = table["place"].eq(ALL_AREAS)
    options = {"base": "place_responses", "counts": ["responses"], "derived": ["percent"], "rule": rule,
               "linked": {"responses": ["percent"]}}
    shown = [suppress(table[is_total], **options), suppress(table[~is_total], group_keys=["group"], **options)]
    return pd.concat(shown).loc[table.index]


def json_records(table: pd.DataFrame) -> list[dict[str, Any]]:
    """Rows as plain JSON values: hidden figures become null."""
    return [
        {key: (None if _missing(value) else _plain(value)) for key, value in row.items()}
        for row in table.to_dict(orient="records")
    ]


def _missing(value: Any) -> bool:
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def _plain(value: Any) -> Any:
    if hasattr(value, "item"):
        return value.item()
    return value
