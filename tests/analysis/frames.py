"""Respondent frames built by hand, in the shape of engagement.analysis.respondents.respondent_frame."""

from __future__ import annotations

import pandas as pd

from survey_forms import Form


def respondent_frame_of(form: Form, rows: list[dict]) -> pd.DataFrame:
    """One row per response: the fixed columns, then one column per answerable non-free-text question."""
    questions = [q.id for q in form.questions if q.type not in ("free_text", "text_list")]
    records = []
    for number, answers in enumerate(rows, start=1):
        record = {
            "response_id": number,
            "reference": f"R{number:05d}",
            "survey": form.slug,
            "channel": answers.get("channel", "online"),
            "created_at": pd.Timestamp("2019-06-01", tz="UTC"),
            "is_synthetic": False,
            "place_code": None,
        }
        record.update({q: answers.get(q) for q in questions})
        records.append(record)
    return pd.DataFrame(records, columns=[*record.keys()] if records else None)
