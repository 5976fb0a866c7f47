""""You said, we did": analysts and communications staff keep the register of actions, and publish it."""

from __future__ import annotations

import pandas as pd
import streamlit as st
from sqlmodel import Session

import nlp
from engagement.places import all_places, place_name
from engagement.reports.report import to_pdf, you_said_we_did_html
from engagement.ui.access import require_roles
from engagement.ui.shared import current_form, engine
from engagement.ui.text import escape_markdown
from engagement.you_said_we_did import STATUSES, ActionError, ActionInput, quote_choices, register, save_action

user = require_roles("analyst", "comms", "admin")
form = current_form()
st.title("You said, we did")
st.markdown("What was done about what people told us: each action with the themes, places and quotes behind it.")

codebooks = {q.codebook for q in form.free_text_questions() if q.codebook}
themes = {t.code: t.label for slug in sorted(codebooks) for t in nlp.load_codebook(slug).themes}
actions = register(engine(), form.slug)
choices = {"new": "A new action", **{str(r.id): f"#{r.id}: {r.we_did[:60]}" for r in actions.itertuples()}}
picked = st.selectbox("Action", list(choices), format_func=choices.get, key="ysd:action")
current = actions[actions["id"].astype(str).eq(picked)].iloc[0] if picked != "new" else None

chosen_themes = st.multiselect("Themes it answers", list(themes), format_func=themes.get,
                               default=current["themes"] if current is not None else [], key=f"ysd:themes:{picked}")
offered = quote_choices(engine(), form, chosen_themes)
with st.form(f"ysd:form:{picked}"):
    you_said = st.text_area("You said (public wording)", current["you_said"] if current is not None else "")
    we_did = st.text_area("We did (public wording)", current["we_did"] if current is not None else "")
    owner = st.text_input("Owner", current["owner"] if current is not None else "")
    status = st.selectbox("Status", list(STATUSES), format_func=STATUSES.get,
                          index=list(STATUSES).index(current["status"]) if current is not None else 0)
    places = st.multiselect("Places", [p.code for p in all_places()], format_func=place_name,
                            default=current["places"] if current is not None else [])
    people = st.number_input("People who raised it (as shown in the report)", min_value=0, step=1,
                             value=int(current["people"]) if current is not None and pd.notna(current["people"])
                             else 0)
    quotes = st.multiselect("Quotes (redacted answers of people who agreed to be quoted)", offered,
                            default=[q for q in (current["quotes"] if current is not None else []) if q in offered])
    published = st.checkbox("Published", value=bool(current["published"]) if current is not None else False)
    saved = st.form_submit_button("Save", type="primary")
if saved:
    action = ActionInput(you_said, we_did, owner, status, chosen_themes, places, int(people) or None, quotes,
                         published)
    try:
        with Session(engine()) as session:
            save_action(session, form.slug, action, user.username, set(offered),
                        None if picked == "new" else int(picked))
    except ActionError as exc:
        st.error(escape_markdown(str(exc)))
    else:
        st.session_state["ysd:saved"] = True
        st.rerun()
if st.session_state.pop("ysd:saved", False):
    st.success("Saved.")

st.header("The register", divider="blue")
st.dataframe(actions.drop(columns=["survey_slug"]), hide_index=True)
public = register(engine(), form.slug, published_only=True)
for label, easy in (("public page", False), ("Easy Read page", True)):
    html = you_said_we_did_html(public, form.title, themes, easy_read=easy)
    name = f"{form.slug}-you-said-we-did{'-easy-read' if easy else ''}"
    st.download_button(f"Download the {label} (HTML)", html.encode(), f"{name}.html", "text/html",
                       key=f"ysd:html:{easy}")
    st.download_button(f"Download the {label} (PDF)", to_pdf(html), f"{name}.pdf", "application/pdf",
                       key=f"ysd:pdf:{easy}")
