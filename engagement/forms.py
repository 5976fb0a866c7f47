"""The survey forms the product serves, loaded once with the place list filled in."""

from __future__ import annotations

from functools import cache
from pathlib import Path

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
    return [check_form_file(path) for path in list_forms()]
