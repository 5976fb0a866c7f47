"""Insight dashboard: responses by place and channel, and the priority ratings."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from engagement.analysis.counts import response_counts
from engagement.analysis.priorities import priority_ratings
from engagement.analysis.tidy import channel_label, tidy_answers
from engagement.reports.charts import count_by_place_chart, likert_chart
from engagement.ui.access import require_roles
from engagement.ui.shared import current_form, engine, synthetic_notice

user = require_roles("analyst", "comms", "admin")
form = current_form()
st.title("Insight dashboard")
st.caption(form.title)

counts = response_counts(engine(), form.slug)
synthetic_notice(counts["synthetic"], counts["responses"])
include_synthetic = True
if counts["synthetic"]:
    include_synthetic = st.toggle("Include synthetic demo responses", value=True)
st.info(
    "Not yet representative of the overall population: these are the people who chose to answer. "
    "Compare who answered with who lives here before drawing conclusions.",
    icon=":material/info:",
)

tidy = tidy_answers(engine(), form, include_synthetic=include_synthetic, redact_free_text=False)
shown = tidy["response_reference"].nunique() if not tidy.empty else 0

left, right = st.columns(2)
left.metric("Responses", f"{shown:,}")
by_channel = (
    tidy.drop_duplicates("response_reference")["channel"].map(channel_label).value_counts()
    if not tidy.empty
    else pd.Series(dtype=int)
)
right.markdown("**By channel**  \n" + "  \n".join(f"{k}: {v:,}" for k, v in by_channel.items()))

st.header("Responses by place", divider="blue")
by_place = (
    tidy.drop_duplicates("response_reference")["place"].value_counts().to_dict() if not tidy.empty else {}
)
if by_place:
    st.altair_chart(count_by_place_chart(by_place))
    st.dataframe(
        pd.DataFrame({"Place": list(by_place), "Responses": list(by_place.values())}), hide_index=True
    )
else:
    st.write("No responses yet.")

ratings = priority_ratings(tidy, form)
for section in form.sections:
    grids = [q for q in section.questions if q.type == "likert_grid"]
    for grid in grids:
        st.header(section.title, divider="blue")
        st.caption(f"“{grid.text}” — % Important or Very important, with 95% confidence interval")
        group = ratings[ratings["group_id"] == grid.id]
        st.altair_chart(likert_chart(group, form))
        table = group[["item", "n", "pct_top_box", "ci_low", "ci_high"]].rename(
            columns={
                "item": "Priority",
                "n": "Respondents",
                "pct_top_box": "% Important or Very important",
                "ci_low": "95% CI from",
                "ci_high": "95% CI to",
            }
        )
        st.dataframe(table.round(1), hide_index=True)
