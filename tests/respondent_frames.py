"""Respondent frames built by hand, with the columns of respondent_frame() (see CONTRACTS.md)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from engagement.analysis.population import AGE_BANDS, ETHNIC_DETAILED
from engagement.places import all_places

PLACE_CODES = [p.code for p in all_places()]
AGE_IN_BAND = dict(zip(AGE_BANDS, ["20", "30", "40", "50", "60", "70", "80"], strict=True))


def respondent_frame(rows: list[dict], start: str = "2019-03-04") -> pd.DataFrame:
    """One row per response; each dict may set place_code/district, age, sex, ethnic_group, channel, ..."""
    frame = pd.DataFrame(rows)
    n = len(frame)
    defaults = {
        "response_id": np.arange(1, n + 1),
        "reference": [f"WMTY-{i:05d}" for i in range(1, n + 1)],
        "survey": "what-matters-to-you-2019",
        "channel": "online",
        "created_at": pd.Timestamp(start, tz="UTC"),
        "is_synthetic": False,
    }
    for column, value in defaults.items():
        if column not in frame:
            frame[column] = value
    for column in ("place_code", "district", "age", "sex", "ethnic_group", "long_term_condition",
                   "day_to_day_activities"):
        if column not in frame:
            frame[column] = None
    frame["district"] = frame["district"].where(frame["district"].notna(), frame["place_code"])
    frame["created_at"] = pd.to_datetime(frame["created_at"], utc=True)
    return frame.astype({"age": "object"})


def everyone_everywhere(per_cell: int = 2, seed: int = 0, uniform_ethnicity: bool = False) -> pd.DataFrame:
    """Respondents in every place × age band × sex cell (so raking can meet every margin), with a random
    ethnic group: mostly White as here, every group present (or uniform over the 19 groups if asked)."""
    rng = np.random.default_rng(seed)
    rows = []
    codes = list(ETHNIC_DETAILED)
    chances = np.array([0.62, 0.01, 0.005, 0.005, 0.06] + [0.02] * 12 + [0.03, 0.03])
    if uniform_ethnicity:
        chances = np.full(len(codes), 1 / len(codes))
    for place in PLACE_CODES:
        for band, age in AGE_IN_BAND.items():
            for sex in ("female", "male"):
                extra = int(rng.integers(0, 4)) + (3 if band == "75+" else 0)
                for _ in range(per_cell + extra):
                    rows.append({"place_code": place, "age": age, "sex": sex,
                                 "ethnic_group": str(rng.choice(codes, p=chances))})
    return respondent_frame(rows)
