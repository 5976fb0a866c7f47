"""The survey forms the product serves, loaded once with the place list filled in."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from engagement.config import DEFAULT_FORM_SLUG
from engagement.models import CHANNELS
from engagement.places import place_options
from survey_forms import Form, FormFileError, list_forms, load_form, load_form_file


@cache
def get_form(slug: str) -> Form:
    return _channels_known(load_form(slug, place_options=place_options()))


def check_form_file(path: Path | str) -> Form:
    """Load a form file as the app would; raises FormFileError naming the file and the field."""
    return _channels_known(load_form_file(path, place_options=place_options()))


def _channels_known(form: Form) -> Form:
    """A target may only count channels the product records (the form schema does not know them)."""
    problems = [
        f"targets: '{target.id}' counts channel '{channel}', which is not one of: {', '.join(CHANNELS)}"
        for target in form.definition.targets
        for channel in target.channels or []
        if channel not in CHANNELS
    ]
    if problems:
        raise FormFileError(form.path, problems)
    return form


def available_forms() -> list[Form]:
    """Every shipped form, the default survey first, then each with its Easy Read version after it."""
    return list(_shipped_forms())


@cache
def _shipped_forms() -> tuple[Form, ...]:
    # Loaded once per process like get_form: parsing the YAML on every page run cost a tenth of a second.
    forms = [check_form_file(path) for path in list_forms()]
    return tuple(sorted(forms, key=lambda form: ((form.definition.easy_read_of or form.slug) != DEFAULT_FORM_SLUG,
                                           form.definition.easy_read_of is not None)))


@cache
def reported_forms() -> list[Form]:
    """The surveys results are reported for: every shipped form but the Easy Read versions, whose responses are
    reported with the survey they belong to."""
    return [form for form in available_forms() if form.definition.easy_read_of is None]


def reported_form(slug: str) -> Form:
    """The survey `slug`, for a command that reports results. An Easy Read version is refused with a sentence
    naming the survey its responses are counted with."""
    form = get_form(slug)
    if (standard := form.definition.easy_read_of) is not None:
        raise ValueError(
            f"'{slug}' is the Easy Read version of '{standard}': its responses are counted with that survey. "
            f"Use --survey {standard} (the dashboard's \"Survey version\" filter shows one version alone)."
        )
    return form


def easy_read_version(slug: str) -> Form | None:
    """The Easy Read form whose results join the survey `slug`, if there is one."""
    return next((form for form in available_forms() if form.definition.easy_read_of == slug), None)


def versions_of(form: Form) -> list[Form]:
    """The forms whose responses are reported as this survey's: it, then its Easy Read version if it has one (an
    Easy Read form on its own is just itself)."""
    return [form, *([easy] if (easy := easy_read_version(form.slug)) else [])]


def reported_slug(form: Form) -> str:
    """The survey whose results hold this form's responses: itself, or for an Easy Read version the standard
    survey (whose theme model, review and analysis job its written answers share)."""
    return form.definition.easy_read_of or form.slug


def standard_question_ids(form: Form) -> dict[str, str]:
    """Question id in this form -> the standard form's question id, where its `mapping` says they differ."""
    return {question_id: entry.standard_question for entry in form.definition.mapping
            for question_id in entry.questions if entry.standard_question}


def combination_problems(easy_read: Form, standard: Form) -> list[str]:
    """Where an Easy Read form's answers would not combine with the standard form's: a question id or answer
    code the standard form does not have and that no `mapping` entry states."""
    mapped = {qid: entry for entry in easy_read.definition.mapping for qid in entry.questions}
    standard_ids = {spec.id: spec for spec in standard.questions}
    problems = []
    for spec in easy_read.questions:
        entry = mapped.get(spec.id)
        target_id = (entry.standard_question if entry and entry.standard_question else spec.id)
        target = standard_ids.get(target_id)
        if target is None:
            problems.append(f"{spec.id}: no question '{target_id}' in {standard.slug} and no mapping says where")
            continue
        if target.type != spec.type:
            problems.append(f"{spec.id}: is {spec.type} here but {target.type} in {standard.slug}")
        codes = {o.code for o in target.options}
        for option in spec.options:
            code = entry.answers.get(option.code, option.code) if entry else option.code
            if codes and code not in codes:
                problems.append(f"{spec.id}: answer '{option.code}' is not an answer in {standard.slug}")
    return problems
