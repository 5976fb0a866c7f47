"""The audit log for administrators: who did what, when, from which page or command. It holds no answers."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import streamlit as st

from engagement.audit import ACTIONS, audit_csv_bytes, audit_events
from engagement.ui.access import record, require_roles
from engagement.ui.shared import engine

SHOWN = 500

user = require_roles("admin")
st.title("Audit log")
st.caption("Every sign-in, change, export, erasure and purge. Answers are never written here.")

left, middle, right = st.columns(3)
actor = left.text_input("Who (username, exactly)").strip() or None
actions = middle.multiselect("What", list(ACTIONS), format_func=ACTIONS.get)
today = datetime.now(UTC).date()
dates = right.date_input("When", value=(today - timedelta(days=30), today), max_value=today, format="DD/MM/YYYY")
target = st.text_input("Target (response reference, username or survey)").strip() or None

start, end = (dates[0], dates[-1]) if isinstance(dates, tuple) and dates else (None, None)
events = audit_events(
    engine(), actor=actor, actions=actions, target_id=target,
    since=datetime.combine(start, time.min, tzinfo=UTC) if start else None,
    until=datetime.combine(end + timedelta(days=1), time.min, tzinfo=UTC) if end else None,
)
st.write(f"{len(events):,} events; showing the newest {min(len(events), SHOWN):,}.")
st.dataframe(events.head(SHOWN).drop(columns=["action"]), hide_index=True)
st.download_button(
    f"Download these {len(events):,} events (CSV)", data=audit_csv_bytes(events), file_name="audit-log.csv",
    mime="text/csv", on_click=record, args=(user, "export", "Audit log"),
    kwargs={"target_kind": "audit log", "rows": len(events)},
)
