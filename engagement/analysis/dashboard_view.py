"""What the analyst chose to look at on the dashboard (survey, dates, channels, places, a group, the breakdown,
the section), read from and written to the page address so a view can be shared and opened again.

Nothing here knows about Streamlit: the page hands over its query parameters as a mapping of lists.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, timedelta

import pandas as pd

from engagement.analysis.demographics import DIMENSIONS, group_members
from engagement.analysis.easy_read import VERSION_COLUMN, VERSION_LABELS, VERSIONS
from engagement.models import CHANNELS

LONDON = "Europe/London"
PLACE_SCHEMES = ("place", "icp_2019", "pbp_2023")
SECTIONS = {
    "priorities": "Priorities",
    "people": "Who answered",
    "coverage": "Coverage and targets",
    "themes": "Comments: themes",
}


@dataclass(frozen=True)
class DashboardView:
    """One view of the dashboard. Frozen (hashable) so it can key cached results."""

    survey: str
    section: str = "priorities"
    date_from: date | None = None
    date_to: date | None = None
    channels: tuple[str, ...] = ()
    place_scheme: str = "place"
    places: tuple[str, ...] = ()
    group: str | None = None
    group_values: tuple[str, ...] = ()
    breakdown: str | None = None
    include_synthetic: bool = True
    weighted: bool = False
    form_version: str = "both"  # both, standard or easy_read (see easy_read.VERSIONS)
    problems: tuple[str, ...] = field(default=(), compare=False)

    @property
    def filters(self) -> DashboardView:
        """The part that decides which respondents count (not how they are shown)."""
        return replace(self, section="priorities", breakdown=None, weighted=False, problems=())

    @property
    def is_filtered(self) -> bool:
        return bool(self.date_from or self.date_to or self.channels or self.places or self.group_values
                    or self.form_version != "both")


def _one(params: Mapping[str, Sequence[str]], key: str) -> str | None:
    values = params.get(key) or []
    return values[-1] if values else None


def _date(params: Mapping[str, Sequence[str]], key: str, problems: list[str]) -> date | None:
    text = _one(params, key)
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        problems.append(f"The link's '{key}' date '{text}' is not a date like 2019-03-04, so it was left out.")
        return None


def view_from_query(params: Mapping[str, Sequence[str]], surveys: Sequence[str], default_survey: str) -> DashboardView:
    """The view a page address asks for. Anything the dashboard does not offer is left out with a plain
    sentence in `problems`, never an error."""
    problems: list[str] = []
    survey = _one(params, "survey") or default_survey
    if survey not in surveys:
        problems.append(f"The link asks for survey '{survey}', which is not here; showing '{default_survey}'.")
        survey = default_survey
    section = _one(params, "view") or "priorities"
    if section not in SECTIONS:
        problems.append(f"The link asks for a section '{section}' the dashboard does not have; showing priorities.")
        section = "priorities"
    channels = tuple(c for c in params.get("channel", []) if c in CHANNELS)
    if len(channels) != len(params.get("channel", [])):
        problems.append(f"Only these channels can be chosen: {', '.join(CHANNELS)}; the others were left out.")
    scheme = _one(params, "scheme") or "place"
    if scheme not in PLACE_SCHEMES:
        problems.append(f"Places can be grouped by {', '.join(PLACE_SCHEMES)}, not '{scheme}'; using 'place'.")
        scheme = "place"
    places = _known(params.get("place", []), DIMENSIONS[scheme].categories, "place", problems)
    group = _one(params, "group")
    group_values: tuple[str, ...] = ()
    if group and group not in DIMENSIONS:
        problems.append(f"'{group}' is not a group the dashboard knows, so the group filter was left out.")
        group = None
    if group:
        group_values = _known(params.get("in", []), DIMENSIONS[group].categories, "group", problems)
    form_version = _one(params, "version") or "both"
    if form_version not in VERSIONS:
        problems.append(f"The link asks for survey version '{form_version}'; there are: {', '.join(VERSIONS)}. "
                        "Showing both.")
        form_version = "both"
    breakdown = _one(params, "by")
    if breakdown and breakdown not in DIMENSIONS:
        problems.append(f"'{breakdown}' is not a breakdown the dashboard offers; showing the whole area only.")
        breakdown = None
    return DashboardView(
        survey=survey,
        section=section,
        date_from=_date(params, "from", problems),
        date_to=_date(params, "to", problems),
        channels=channels,
        place_scheme=scheme,
        places=places,
        group=group,
        group_values=group_values,
        breakdown=breakdown,
        include_synthetic=_one(params, "synthetic") != "0",
        weighted=_one(params, "weighted") == "1",
        form_version=form_version,
        problems=tuple(problems),
    )


def _known(values: Sequence[str], allowed: Sequence[str], what: str, problems: list[str]) -> tuple[str, ...]:
    kept = tuple(v for v in values if v in allowed)
    if len(kept) != len(values):
        unknown = ", ".join(f"'{v}'" for v in values if v not in allowed)
        problems.append(f"The link names a {what} the dashboard does not know ({unknown}), so it was left out.")
    return kept


def view_to_query(view: DashboardView, default_survey: str) -> dict[str, str | list[str]]:
    """The page address parameters for a view; defaults are left out so a plain link stays short."""
    query: dict[str, str | list[str]] = {}
    if view.survey != default_survey:
        query["survey"] = view.survey
    if view.section != "priorities":
        query["view"] = view.section
    if view.date_from:
        query["from"] = view.date_from.isoformat()
    if view.date_to:
        query["to"] = view.date_to.isoformat()
    if view.channels:
        query["channel"] = list(view.channels)
    if view.place_scheme != "place":
        query["scheme"] = view.place_scheme
    if view.places:
        query["place"] = list(view.places)
    if view.group:
        query["group"] = view.group
        if view.group_values:
            query["in"] = list(view.group_values)
    if view.breakdown:
        query["by"] = view.breakdown
    if not view.include_synthetic:
        query["synthetic"] = "0"
    if view.weighted:
        query["weighted"] = "1"
    if view.form_version != "both":
        query["version"] = view.form_version
    return query


def filter_respondents(frame: pd.DataFrame, view: DashboardView) -> pd.DataFrame:
    """The respondents the view's filters keep (a frame from add_dimensions). Dates are UK dates, inclusive."""
    keep = pd.Series(True, index=frame.index)
    if not view.include_synthetic:
        keep &= ~frame["is_synthetic"].astype(bool)
    # Day boundaries in UK time, compared as timestamps (no per-row date objects).
    if view.date_from:
        keep &= frame["created_at"] >= pd.Timestamp(view.date_from, tz=LONDON)
    if view.date_to:
        keep &= frame["created_at"] < pd.Timestamp(view.date_to + timedelta(days=1), tz=LONDON)
    if view.form_version != "both" and VERSION_COLUMN in frame:
        keep &= (frame[VERSION_COLUMN] == VERSION_LABELS[view.form_version]).to_numpy()
    if view.channels:
        # add_dimensions has put the channel's label in place of its code.
        keep &= frame["channel"].isin([CHANNELS[c] for c in view.channels] + list(view.channels)).to_numpy()
    if view.places:
        keep &= frame[view.place_scheme].isin(view.places).to_numpy()
    if view.group and view.group_values:
        chosen = pd.Series(False, index=frame.index)
        for value in view.group_values:
            chosen |= group_members(frame, view.group, value)
        keep &= chosen
    return frame[keep]


def describe_filters(view: DashboardView) -> str:
    """The filters in words, for the caption under the title ("" when nothing is filtered)."""
    parts = []
    if view.date_from or view.date_to:
        start = view.date_from.strftime("%-d %B %Y") if view.date_from else "the start"
        end = view.date_to.strftime("%-d %B %Y") if view.date_to else "today"
        parts.append(f"answered from {start} to {end}")
    if view.channels:
        parts.append("through " + " or ".join(CHANNELS[c].lower() for c in view.channels))
    if view.places:
        parts.append("in " + " or ".join(view.places))
    if view.group and view.group_values:
        parts.append(f"{DIMENSIONS[view.group].label.lower()}: " + " or ".join(view.group_values))
    if view.form_version != "both":
        parts.append(f"who answered the {VERSION_LABELS[view.form_version]} version")
    return "Respondents " + "; ".join(parts) if parts else ""
