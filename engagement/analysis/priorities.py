"""Priority ratings: the share rating each item Important or Very important, with a confidence interval."""

from __future__ import annotations

import pandas as pd
from statsmodels.stats.proportion import proportion_confint

from survey_forms import Form

CONFIDENCE = 0.95


def priority_ratings(tidy: pd.DataFrame, form: Form) -> pd.DataFrame:
    """One row per rated item: counts and % per scale point, and '% Important or Very important' with a
    95% Wilson interval. Items nobody has rated yet are kept, with n = 0."""
    rows = []
    for spec in form.likert_questions():
        answers = tidy.loc[tidy["question_id"] == spec.id, "answer_code"] if not tidy.empty else pd.Series()
        n = int(answers.size)
        row: dict[str, object] = {
            "question_id": spec.id,
            "group_id": spec.group_id,
            "item": spec.label,
            "question_text": spec.text,
            "n": n,
        }
        for option in spec.options:
            count = int((answers == option.code).sum())
            row[f"count_{option.code}"] = count
            row[f"pct_{option.code}"] = 100.0 * count / n if n else float("nan")
        top = int(answers.isin(spec.top_box).sum())
        row["top_box_n"] = top
        if n:
            low, high = proportion_confint(top, n, alpha=1 - CONFIDENCE, method="wilson")
            row.update(pct_top_box=100.0 * top / n, ci_low=100.0 * low, ci_high=100.0 * high)
        else:
            row.update(pct_top_box=float("nan"), ci_low=float("nan"), ci_high=float("nan"))
        rows.append(row)
    return pd.DataFrame(rows)
