"""The places we serve: Nottingham and the seven Nottinghamshire districts, with their place groupings."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache

from engagement.config import DATA_DIR
from survey_forms.schema import Option

PLACE_QUESTION_ID = "district"  # the form question answered with place_options()
OUTSIDE_AREA = "outside_area"
PREFER_NOT_TO_SAY = "prefer_not_to_say"


@dataclass(frozen=True)
class Place:
    code: str
    name: str
    council_type: str
    county: str
    icp_2019: str | None
    pbp_2023: str
    population_2021: int
    note: str | None

    @property
    def in_2019_footprint(self) -> bool:
        return bool(self.icp_2019)


@cache
def all_places() -> tuple[Place, ...]:
    with open(DATA_DIR / "places.csv", newline="", encoding="utf-8") as handle:
        return tuple(
            Place(
                code=row["code"],
                name=row["name"],
                council_type=row["council_type"],
                county=row["county"],
                icp_2019=row["icp_2019"] or None,
                pbp_2023=row["pbp_2023"],
                population_2021=int(row["population_2021"]),
                note=row["note"] or None,
            )
            for row in csv.DictReader(handle)
        )


def place_by_code(code: str) -> Place | None:
    return next((p for p in all_places() if p.code == code), None)


SOMEWHERE_ELSE = "Somewhere else"
PREFER_NOT_TO_SAY_LABEL = "Prefer not to say"
NOT_ANSWERED = "Not answered"


def place_name(code: str | None) -> str:
    if code is None:
        return "Not stated or outside the area"
    place = place_by_code(code)
    return place.name if place else code


def place_label(answer: str | None) -> str:
    """The answer to 'Which area do you live in?' in the users' words. "Somewhere else", "Prefer not to say"
    and no answer are three different things, and are reported apart."""
    if answer is None or answer != answer:  # None or NaN: the question was left blank
        return NOT_ANSWERED
    if answer == OUTSIDE_AREA:
        return SOMEWHERE_ELSE
    if answer == PREFER_NOT_TO_SAY:
        return PREFER_NOT_TO_SAY_LABEL
    return place_name(answer)


def place_options() -> tuple[Option, ...]:
    """The answers to 'Which area do you live in?': the eight areas, then somewhere else, then prefer not to say."""
    options = [Option(code=p.code, label=p.name) for p in sorted(all_places(), key=lambda p: p.name)]
    options.append(Option(code=OUTSIDE_AREA, label=SOMEWHERE_ELSE))
    options.append(Option(code=PREFER_NOT_TO_SAY, label=PREFER_NOT_TO_SAY_LABEL))
    return tuple(options)
