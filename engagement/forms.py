"""The survey forms the product serves, loaded once with the place list filled in."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from engagement.places import place_options
from survey_forms import Form, list_forms, load_form, load_form_file


@cache
def get_form(slug: str) -> Form:
    return load_form(slug, place_options=place_options())


def check_form_file(path: Path | str) -> Form:
    """Load a form file as the app would; raises FormFileError naming the file and the field."""
    return load_form_file(path, place_options=place_options())


def available_forms() -> list[Form]:
    return [check_form_file(path) for path in list_forms()]
