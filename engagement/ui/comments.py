"""Comments and themes: what people said in their own words, coded with the codebook, and analyst review."""

from __future__ import annotations

import streamlit as st
from sqlmodel import Session

import nlp
from engagement.analysis.easy_read import EASY_READ, VERSIONS
from engagement.forms import easy_read_version
from engagement.free_text.analyse import codebook_questions
from engagement.free_text.comments_view import (
    CommentsView,
    answers_waiting,
    question_read,
    responses_counted,
    topics_if_found,
)
from engagement.free_text.job import job_progress, start_background_analysis
from engagement.free_text.learning import (
    MIN_FOR_AGREEMENT,
    REFRESH_AFTER,
    REFRESH_EVERY,
    refresh_due,
    start_background_refresh,
    survey_model,
)
from engagement.free_text.review import (
    ReviewOrder,
    order_to_show,
    review_page,
    review_queue,
    set_analyst_themes,
    with_details,
)
from engagement.free_text.stored import AnalysesVersion, analyses_version
from engagement.free_text.survey_sentiment import MIN_FOR_SENTIMENT_AGREEMENT
from engagement.reports.charts import theme_chart
from engagement.ui.access import require_roles
from engagement.ui.shared import current_form, engine, synthetic_notice
from engagement.ui.text import escape_markdown
from nlp.adapt import MIN_EVIDENCE_EACH_WAY, MIN_SENTIMENT_EACH
from nlp.codebook import guide
from nlp.models import SENTIMENTS

user = require_roles("analyst", "admin")


form = current_form()
st.title("Comments and themes")
notice = st.container()  # the synthetic-data notice, drawn once the counts are read below


@st.fragment(run_every=3)
def analysis_progress() -> AnalysesVersion:
    """The background job's stored progress (it may be running in another app instance); the page reloads
    itself once the job has finished so the new answers appear. Returns the data's fingerprint it read, so the
    full run reads everything for it without asking again (each ask scans the analysis tables' indexes)."""
    analyses = analyses_version(engine(), form)
    progress, left = job_progress(engine(), form), answers_waiting(engine(), form, analyses)
    if progress.running or left:
        st.session_state["analysis_was_running"] = True
        done, total = (progress.done, progress.total) if progress.running else (0, left)
        st.progress(done / total if total else 0.0,
                    text=f"Analysing new answers in the background: {done:,} of {total:,}. What you see "
                         "below covers the answers analysed so far.")
        if progress.state == "failed":
            st.warning("The last analysis of new answers stopped before it finished; it starts again by itself.")
    elif st.session_state.pop("analysis_was_running", False):
        st.rerun(scope="app")
    return analyses


analyses = analysis_progress()
if answers_waiting(engine(), form, analyses):
    start_background_analysis(engine(), form)
counts = responses_counted(engine(), form, analyses)
with notice:
    synthetic_notice(counts["synthetic"], counts["responses"])

questions = codebook_questions(form)
question_id = st.selectbox(
    "Question", list(questions), format_func=lambda qid: form.question(qid).text, key="comments_question"
)
codebook = nlp.load_codebook(questions[question_id])
labels = {theme.code: theme.label for theme in codebook.themes}
include_synthetic = st.toggle("Include synthetic demo responses", value=True) if counts["synthetic"] else True
# Easy Read respondents' answers count with this survey's, as on the dashboard, whose filter this is.
form_version = st.selectbox("Survey version", list(VERSIONS), format_func=VERSIONS.get,
                            key="comments_version") if easy_read_version(form.slug) else "both"

view = CommentsView(question_id, include_synthetic, form_version)
with st.spinner("Reading the comments…"):
    read = question_read(engine(), form, view, analyses)
answered, summary, all_comments = read.answered, read.summary, read.comments
st.header("Themes", divider="blue")
st.caption(
    "% of respondents who answered this question and mentioned the theme. One answer can mention several "
    "themes, so the percentages can add up to more than 100%. Personal details are removed from every comment."
)
st.altair_chart(theme_chart(summary))
with st.expander("Themes as a table"):
    st.dataframe(summary.round(1), hide_index=True)

st.header("What the codebook may miss", divider="blue")


def codebook_misses() -> None:
    """Topics in the answers, once found: the rest of the page does not wait for them."""
    topics = topics_if_found(engine(), form, view, analyses, patience=0)
    if topics is None:
        st.caption("Looking for topics in the background: they appear here when found.")
        return
    if not topics:
        st.write("Not enough answers yet to find topics.")
    for topic in topics:
        with st.expander(f"{', '.join(topic.terms[:6])} ({topic.size:,} answer{'' if topic.size == 1 else 's'})"):
            for example in topic.examples:
                st.text(example)  # respondent text is data, never markup


# Asks again every two seconds only while the topics are still being found.
found = topics_if_found(engine(), form, view, analyses) is not None
st.fragment(run_every=None if found else 2)(codebook_misses)()

st.header("Review comments", divider="blue")
st.caption("Your decisions are kept apart from the model's and always win. After every few decisions the model "
           "learns from them in the background and re-tags the comments nobody has reviewed.")
st.caption(f"Decisions are recorded as made by {user.username}.")


def codebook_guide() -> None:
    """What each theme means, from the codebook the coders used: the rules analysts code to."""
    with st.expander(f"The {codebook.name} codebook: what each theme means and when to use it"):
        themes = {entry["code"]: entry for entry in guide(codebook)}
        chosen = st.selectbox("Theme", list(themes), key="guide_theme",
                              format_func=lambda code: f"{code} {themes[code]['label']}")
        entry = themes[chosen]
        lines = [entry["definition"], ""]
        lines += ["Code it when:", *(f"  - {rule}" for rule in entry["include"]), ""]
        lines += ["Not when:", *(
            f"  - {rule['rule']}" + (f" (code {rule['instead']} {rule['instead_label']} instead)"
                                     if rule["instead"] else "")
            for rule in entry["exclude"]
        ), ""]
        if entry["typical_phrases"]:
            lines.append("Typical phrases: " + "; ".join(entry["typical_phrases"]))
        lines += [f"Example: \"{ex['text']}\" -> {', '.join(ex['codes'])}" for ex in entry["examples"]]
        st.text("\n".join(lines))


codebook_guide()
if due := refresh_due(engine(), form):
    start_background_refresh(engine(), form, due)
learnt = survey_model(engine(), form, codebook.slug)


def model_agreement() -> None:
    """How well this survey's model agrees with its analysts so far, and the themes it still gets wrong."""
    if learnt is None or learnt.agreement is None:
        reviewed = learnt.reviewed if learnt else 0
        st.caption(f"Review at least {MIN_FOR_AGREEMENT} comments to see how well the model agrees with your "
                   f"analysts ({reviewed} reviewed when the model was last updated).")
        return
    found = learnt.agreement
    st.write(
        f"The model agrees with your analysts on {found.micro_f1:.0%} of theme decisions (micro-F1, "
        f"{found.folds}-fold cross-validation, {found.comments:,} reviewed comments); the model as shipped agreed "
        f"on {found.shipped_micro_f1:.0%} of them."
    )
    wrong = found.themes.assign(errors=found.themes["missed"] + found.themes["wrongly_tagged"])
    wrong = wrong[wrong["errors"] > 0].sort_values(["errors", "code"], ascending=[False, True]).head(6)
    if not wrong.empty:
        st.caption("Themes it still gets wrong most often (in the cross-validation):")
        st.dataframe(
            wrong.assign(theme=wrong["code"].map(labels))[["theme", "reviewed_with", "missed", "wrongly_tagged"]]
            .rename(columns={"theme": "Theme", "reviewed_with": "Chosen by analysts", "missed": "Missed",
                             "wrongly_tagged": "Tagged wrongly"}),
            hide_index=True,
        )
    own = found.themes[found.themes["learnt"]]["code"] if "learnt" in found.themes else []
    st.caption(
        ("This survey's own model is used for " + ", ".join(labels[code] for code in own) + ". " if len(own) else
         "The model as shipped is still used for every theme. ")
        + f"A theme switches to what your analysts taught it once at least {MIN_EVIDENCE_EACH_WAY} reviewed "
        "comments have it and as many do not, and it then agrees with your analysts better than the shipped model."
    )


model_agreement()


def sentiment_agreement() -> None:
    """How well the sentiment the survey uses matches its analysts' sentiment decisions."""
    found = learnt.sentiment if learnt else None
    if found is None:
        st.caption(f"Decide the sentiment of at least {MIN_FOR_SENTIMENT_AGREEMENT} comments to see how well the "
                   "model reads sentiment as your analysts do.")
        return
    if found.folds:
        st.write(
            f"It reads the sentiment of {found.decisions:,} reviewed comments as your analysts did "
            f"{found.accuracy:.0%} of the time (macro-F1 {found.macro_f1:.2f}, {found.folds}-fold cross-validation); "
            f"the model as shipped: {found.shipped_accuracy:.0%} (macro-F1 {found.shipped_macro_f1:.2f})."
        )
    else:  # no model of the survey's own yet: its figures are the shipped model's, said once
        st.write(
            f"The model as shipped reads the sentiment of {found.decisions:,} reviewed comments as your analysts did "
            f"{found.shipped_accuracy:.0%} of the time (macro-F1 {found.shipped_macro_f1:.2f})."
        )
    counts = ", ".join(f"{count:,} {name}" for name, count in found.counts.items())
    st.caption(
        ("This survey's own sentiment model is used. " if found.used else "The sentiment model as shipped is still "
         "used. ")
        + f"It switches to what your analysts taught it once they have decided at least {MIN_SENTIMENT_EACH} "
        f"comments of each sentiment (so far {counts}) and it then reads them better than the shipped model "
        "(higher macro-F1, accuracy no lower)."
    )


sentiment_agreement()
# Always one line, so the cards below do not move when a refresh starts or ends.
st.caption("Updating the model with the latest decisions in the background…" if learnt is not None and
           learnt.refreshing else f"The model learns from your decisions every {REFRESH_EVERY} of them, or from fewer "
           f"once {REFRESH_AFTER.seconds // 60} minutes have passed since it last learnt.")
theme_filter = st.selectbox(
    "Show comments tagged with", [None, *labels], format_func=lambda c: "Any theme" if c is None else labels[c]
)
unreviewed_only = st.toggle("Only comments not yet reviewed", key="review_unreviewed_only")
comments = read.tagged_with(theme_filter) if theme_filter else all_comments
order_key = f"review_order_{codebook.slug}"
latest = ReviewOrder(learnt.model_changed_at, tuple(learnt.suggested)) if learnt else ReviewOrder(None, ())
shown, another_order = order_to_show(st.session_state.get(order_key), latest)
st.session_state[order_key] = shown
if another_order:
    st.button(another_order, on_click=lambda: st.session_state.update({order_key: latest}))
queue = review_queue(comments, unreviewed_only=unreviewed_only, suggested=shown.suggested)
pages = review_page(queue, 1).pages
if st.session_state.get("review_page", 1) > pages:  # the queue shrank (a filter, or the last comments reviewed)
    st.session_state["review_page"] = pages
page = review_page(queue, int(st.number_input("Page", min_value=1, max_value=pages, step=1, key="review_page")))
st.caption(
    f"Comments {page.first}–{page.last} of {page.total:,}" + (" not yet reviewed" if unreviewed_only else "")
    + f" · page {page.number} of {page.pages}. Comments not yet reviewed that the model would learn most from "
    "come first."
)


def review_card(row) -> None:  # noqa: ANN001 - a row of the review queue (pandas itertuples)
    """One comment with the model's themes and why, and the analyst's choice of themes and sentiment to save."""
    with st.form(f"review_{row.answer_id}"):
        said = row.sentiment if row.sentiment == row.model_sentiment else (
            f"{row.sentiment} (the model said {row.model_sentiment})")
        st.markdown(f"**{row.response_reference}** · {said}" + (" · reviewed" if row.reviewed else "")
                    + (f" · {EASY_READ}" if row.form_version == EASY_READ else ""))
        st.text(row.redacted_text)  # respondent text is data, never markup
        if row.evidence:
            reasons = [f"{labels.get(code, code)} ← “{'”, “'.join(words)}”" for code, words in row.evidence.items()]
            st.text("Why: " + "; ".join(reasons))
        if row.theme_sentiments:
            said = [f"{labels.get(code, code)}: {feeling}" for code, feeling in row.theme_sentiments.items()]
            st.text("How each theme was said: " + "; ".join(said))
        # Keyed by the comment, so the choice stays with it when the page reruns under the analyst (a re-tag
        # finishing, the queue moving) and the save records what they chose for the comment they were reading.
        chosen = st.multiselect("Themes", list(labels), default=row.themes, format_func=labels.get,
                                key=f"themes_{codebook.slug}_{row.answer_id}")
        sentiment = st.selectbox("Sentiment of the whole comment", SENTIMENTS, index=SENTIMENTS.index(row.sentiment),
                                 key=f"sentiment_{codebook.slug}_{row.answer_id}")
        if st.form_submit_button("Save themes and sentiment"):
            try:
                with Session(engine()) as session:
                    set_analyst_themes(session, row.answer_id, codebook.slug, chosen, user.username,
                                       sentiment=sentiment)
            except ValueError as exc:
                st.error(escape_markdown(str(exc)))
            else:
                st.toast(f"Saved themes and sentiment for {row.response_reference}")
                st.rerun()


# Only the comments shown get their evidence and theme sentiments (objects per comment, too slow for them all).
for row in with_details(engine(), page.comments, answered.tags).itertuples():
    review_card(row)
