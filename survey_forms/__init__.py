"""Survey definitions as data: YAML form files, their schema and the loader."""

from survey_forms.loader import (
    AnswerSpec,
    Form,
    FormFileError,
    form_path,
    list_forms,
    load_form,
    load_form_file,
)

__all__ = [
    "AnswerSpec",
    "Form",
    "FormFileError",
    "form_path",
    "list_forms",
    "load_form",
    "load_form_file",
]
