"""Draw a survey form as Streamlit widgets and read the answers back (survey and paper entry share it)."""

from __future__ import annotations

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


def collect_answers(form: Form, prefix: str) -> dict[str, Any]:
    answers: dict[str, Any] = {}
    for spec in form.questions:
        if spec.type == "text_list":
            answers[spec.id] = [st.session_state.get(_key(prefix, spec.id, i)) for i in range(spec.count or 1)]
        else:
            answers[spec.id] = st.session_state.get(_key(prefix, spec.id))
    return answers


def clear_answers(form: Form, prefix: str) -> None:
    for key in [k for k in st.session_state if str(k).startswith(f"{prefix}:")]:
        del st.session_state[key]


def fill_answers(form: Form, prefix: str, values: dict[str, list[str]]) -> None:
    """Put stored answers (codes) into the widgets, so a keyed-in form can be opened and corrected."""
    clear_answers(form, prefix)
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
