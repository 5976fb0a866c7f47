"""What matters to you: the Streamlit entry point. It only builds the navigation; pages live in engagement/ui/."""

import streamlit as st

st.set_page_config(page_title="What matters to you", page_icon=":material/favorite:", layout="wide")

# A flat list, not sections: Streamlit's sectioned sidebar renders list markup that fails axe (WCAG 1.3.1).
pages = [
    st.Page("engagement/ui/survey.py", title="Take the survey", icon=":material/edit_note:", default=True),
    st.Page("engagement/ui/paper_entry.py", title="Paper form entry", icon=":material/keyboard:"),
    st.Page("engagement/ui/dashboard.py", title="Dashboard", icon=":material/bar_chart:"),
    st.Page("engagement/ui/comments.py", title="Comments and themes", icon=":material/forum:"),
    st.Page("engagement/ui/export.py", title="Exports", icon=":material/download:"),
]
st.navigation(pages).run()
