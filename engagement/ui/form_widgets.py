"""Draw a survey form as Streamlit widgets and read the answers back (survey and paper entry share it)."""

from __future__ import annotations

from html import escape
from typing import Any

import streamlit as st

from engagement.ui.text import escape_markdown
from survey_forms import AnswerSpec, Form

RADIO_MAX_OPTIONS = 10


def _key(prefix: str, question_id: str, part: int | None = None) -> str:
    return f"{prefix}:{question_id}" + (f":{part}" if part is not None else "")


def _label(spec: AnswerSpec) -> str:
    return spec.text + (" (required)" if spec.required else "")


def _choice(spec: AnswerSpec, prefix: str) -> None:
    codes = [o.code for o in spec.options]
    labels = {o.code: o.label for o in spec.options}
    common = {
        "label": _label(spec),
        "options": codes,
        "format_func": labels.get,
        "index": None,
        "key": _key(prefix, spec.id),
        "help": spec.help,
    }
    if len(codes) <= RADIO_MAX_OPTIONS or spec.type in ("likert", "bipolar"):
        st.radio(horizontal=spec.type in ("likert", "bipolar"), **common)
    else:
        st.selectbox(placeholder="Choose an answer", **common)


def _widget(spec: AnswerSpec, prefix: str) -> None:
    if spec.type in ("likert", "single_choice", "bipolar", "place"):
        _choice(spec, prefix)
    elif spec.type == "multi_choice":
        st.multiselect(
            _label(spec), [o.code for o in spec.options], format_func=spec.label_for, key=_key(prefix, spec.id)
        )
    elif spec.type == "free_text":
        st.text_area(_label(spec), max_chars=spec.max_length, key=_key(prefix, spec.id), help=spec.help)
    elif spec.type == "text_list":
        st.markdown(f"**{_label(spec)}**")
        columns = st.columns(spec.count or 1)
        for index, column in enumerate(columns):
            column.text_input(
                f"Word or phrase {index + 1}", max_chars=spec.max_length, key=_key(prefix, spec.id, index)
            )
    elif spec.type == "number":
        st.number_input(
            _label(spec), min_value=spec.min, max_value=spec.max, value=None, step=1,
            key=_key(prefix, spec.id), help=spec.help,
        )
    elif spec.type == "postcode_district":
        st.text_input(_label(spec), max_chars=4, key=_key(prefix, spec.id), help=spec.help)
    elif spec.type == "consent":
        st.checkbox(_label(spec), key=_key(prefix, spec.id))


def answer_widgets(form: Form, prefix: str, errors: dict[str, str]) -> None:
    """Every section and question of the form, with any error shown beside its question."""
    by_section: dict[str, list[AnswerSpec]] = {}
    for spec in form.questions:
        by_section.setdefault(spec.section_id, []).append(spec)
    for section in form.sections:
        st.header(section.title, divider="blue")
        if section.description:
            st.markdown(section.description)
        shown_groups: set[str] = set()
        for spec in by_section[section.id]:
            if spec.group_id and spec.group_id not in shown_groups:
                shown_groups.add(spec.group_id)
                grid = next(q for q in section.questions if q.id == spec.group_id)
                st.markdown(f"**{grid.text}**" + (" (required)" if grid.required else ""))
            _widget(spec, prefix)
            if spec.id in errors:
                st.error(escape_markdown(f"{spec.label}: {errors[spec.id]}"), icon=":material/error:")


def problem_summary(form: Form, errors: dict[str, str], heading: str) -> None:
    """An error summary at the top of the page (GOV.UK pattern); each problem is repeated beside its question."""
    if not errors:
        return
    known = {spec.id: spec.label for spec in form.questions}
    lines = [f"- {escape_markdown(known.get(key, key.replace('_', ' ').capitalize()))}: {escape_markdown(message)}"
             for key, message in errors.items()]
    st.error(f"{heading}\n\n" + "\n".join(lines), icon=":material/error:")


def show_outcome_first(submission: str) -> None:
    """After "Send" is pressed at the bottom of a long form, scroll to the message drawn above at the top of the
    page (saved with its reference, or the problem list) and move the keyboard focus to it, as the GOV.UK error
    summary does; otherwise the person sees the bottom of the form and nothing that says what happened. Draw it
    on the one run after a submission, so later clicks do not move the page. `submission` (the form's
    submission key) makes each submission's script new, so the browser runs it again for a second press."""
    st.html(
        f"""<script data-submission="{escape(submission)}">
        (() => {{
          // Wait until the page has stopped changing (the rest of the run drawn), then move: a move made while
          // the form below is still being redrawn can be undone by it.
          const main = document.querySelector("[data-testid='stMain']");
          const started = Date.now();
          let last = Date.now();
          const watcher = new MutationObserver(() => {{ last = Date.now(); }});
          watcher.observe(main, {{subtree: true, childList: true, attributes: true}});
          const move = () => {{
            if (Date.now() - last < 400 && Date.now() - started < 10000) {{ setTimeout(move, 100); return; }}
            watcher.disconnect();
            const message = main.querySelector("[data-testid='stAlert']");
            if (message) {{
              message.setAttribute("tabindex", "-1");
              message.style.scrollMarginTop = "4rem";
              message.scrollIntoView({{block: "start"}});
              message.focus({{preventScroll: true}});
            }}
          }};
          setTimeout(move, 100);
        }})();
        </script>""",
        unsafe_allow_javascript=True,
    )


def collect_answers(form: Form, prefix: str) -> dict[str, Any]:
    answers: dict[str, Any] = {}
    for spec in form.questions:
        if spec.type == "text_list":
            answers[spec.id] = [st.session_state.get(_key(prefix, spec.id, i)) for i in range(spec.count or 1)]
        else:
            answers[spec.id] = st.session_state.get(_key(prefix, spec.id))
    return answers


def _forget_answers(prefix: str) -> None:
    for key in [k for k in st.session_state if str(k).startswith(f"{prefix}:")]:
        del st.session_state[key]


def _empty_value(spec: AnswerSpec | None) -> Any:
    if spec is None or spec.type in ("free_text", "text_list", "postcode_district"):
        return ""  # text boxes, and the page's own (the paper form reference)
    return {"multi_choice": [], "consent": False}.get(spec.type)


def clear_answers(prefix: str) -> None:
    """Empty the form once it is stored. Its widgets were drawn in this run and cannot be changed now, and
    deleting their keys leaves every answer showing in the browser (and sent again with the next press), so
    they are emptied on the next run, by `answers_emptied_if_stored` before the form is drawn."""
    st.session_state[f"{prefix}_empty_next_run"] = True


def answers_emptied_if_stored(form: Form, prefix: str) -> None:
    """Call before drawing the form: after a stored response, every widget under `prefix` is set empty."""
    if not st.session_state.pop(f"{prefix}_empty_next_run", False):
        return
    specs = {spec.id: spec for spec in form.questions}
    for key in [k for k in st.session_state if str(k).startswith(f"{prefix}:")]:
        st.session_state[key] = _empty_value(specs.get(str(key).split(":")[1]))


def fill_answers(form: Form, prefix: str, values: dict[str, list[str]]) -> None:
    """Put stored answers (codes) into the widgets, so a keyed-in form can be opened and corrected."""
    _forget_answers(prefix)
    for spec in form.questions:
        codes = values.get(spec.id, [])
        if spec.type == "text_list":
            for index in range(spec.count or 1):
                st.session_state[_key(prefix, spec.id, index)] = codes[index] if index < len(codes) else ""
        elif spec.type == "multi_choice":
            st.session_state[_key(prefix, spec.id)] = codes
        elif spec.type == "consent":
            st.session_state[_key(prefix, spec.id)] = bool(codes)
        elif spec.type == "number":
            st.session_state[_key(prefix, spec.id)] = int(codes[0]) if codes else None
        elif codes:
            st.session_state[_key(prefix, spec.id)] = codes[0]
