"""Load and check survey form files, and flatten them into the questions a respondent answers one by one."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from survey_forms.schema import FormFile, Option, Question, Section

FORMS_DIR = Path(__file__).resolve().parent


class FormFileError(ValueError):
    """A form file that cannot be used; the message names the file and the field."""

    def __init__(self, path: Path | str, problems: list[str]):
        self.path = str(path)
        self.problems = problems
        super().__init__(f"{self.path}: " + "; ".join(problems))


@dataclass(frozen=True)
class AnswerSpec:
    """One answerable question: a plain question, or one item of a likert grid."""

    id: str
    type: str
    text: str
    required: bool
    section_id: str
    label: str
    options: tuple[Option, ...] = ()
    group_id: str | None = None
    help: str | None = None
    top_box: tuple[str, ...] = ()
    left: str | None = None
    right: str | None = None
    count: int | None = None
    max_length: int | None = None
    min: int | None = None
    max: int | None = None
    codebook: str | None = None
    contact_details: bool = False
    respondent_text: bool = False  # the respondent's own words: redacted wherever shown or exported

    def label_for(self, code: str) -> str:
        for option in self.options:
            if option.code == code:
                return option.label
        return code

    def as_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "id": self.id,
            "type": self.type,
            "text": self.text,
            "required": self.required,
            "options": [{"code": o.code, "label": o.label} for o in self.options],
        }
        if self.group_id:
            data["group"] = self.group_id
        return data


@dataclass
class Form:
    """A checked form: the file as written plus its flattened questions."""

    definition: FormFile
    path: Path
    place_options: tuple[Option, ...] = field(default_factory=tuple)

    @property
    def slug(self) -> str:
        return self.definition.slug

    @property
    def version(self) -> int:
        return self.definition.version

    @property
    def title(self) -> str:
        return self.definition.title

    @property
    def sections(self) -> list[Section]:
        return self.definition.sections

    def options_for(self, question: Question) -> tuple[Option, ...]:
        if question.type == "place":
            return self.place_options
        if question.type == "bipolar":
            return _bipolar_options(question)
        if question.scale:
            return tuple(self.definition.scales[question.scale])
        return tuple(question.options or ())

    @cached_property
    def questions(self) -> list[AnswerSpec]:
        specs: list[AnswerSpec] = []
        for section in self.sections:
            for question in section.questions:
                options = self.options_for(question)
                common = {
                    "required": question.required,
                    "section_id": section.id,
                    "options": options,
                    "help": question.help,
                }
                if question.type == "likert_grid":
                    for item in question.items or []:
                        specs.append(
                            AnswerSpec(
                                id=item.id, type="likert", text=item.text, label=item.label,
                                group_id=question.id, top_box=tuple(question.top_box or ()), **common,
                            )
                        )
                else:
                    specs.append(
                        AnswerSpec(
                            id=question.id, type=question.type, text=question.text,
                            label=question.label or question.text,
                            left=question.left, right=question.right, count=question.count,
                            max_length=question.max_length, min=question.min, max=question.max,
                            codebook=question.codebook, contact_details=question.contact_details,
                            respondent_text=question.carries_respondent_text,
                            **common,
                        )
                    )
        return specs

    def question(self, question_id: str) -> AnswerSpec:
        for spec in self.questions:
            if spec.id == question_id:
                return spec
        raise KeyError(f"form '{self.slug}' has no question '{question_id}'")

    def likert_questions(self) -> list[AnswerSpec]:
        return [q for q in self.questions if q.type == "likert"]

    def respondent_text_questions(self) -> list[AnswerSpec]:
        """Every question whose answers are the respondent's own words (marked once, in the form schema)."""
        return [q for q in self.questions if q.respondent_text]

    def free_text_questions(self) -> list[AnswerSpec]:
        return [q for q in self.questions if q.type == "free_text"]

    def as_json(self) -> dict[str, Any]:
        return {
            "slug": self.slug,
            "version": self.version,
            "title": self.title,
            "questions": [q.as_json() for q in self.questions],
        }


def _bipolar_options(question: Question) -> tuple[Option, ...]:
    return (
        Option(code="1", label=f"Strongly: {question.left}"),
        Option(code="2", label=f"Leaning: {question.left}"),
        Option(code="3", label="Both equally"),
        Option(code="4", label=f"Leaning: {question.right}"),
        Option(code="5", label=f"Strongly: {question.right}"),
    )


def _field_path(loc: tuple[Any, ...], raw: Any) -> str:
    """Turn a pydantic error location into 'sections[2].questions[0] (id 'x').type'."""
    parts: list[str] = []
    node = raw
    for step in loc:
        if isinstance(step, int):
            label = f"[{step}]"
            if isinstance(node, list) and step < len(node):
                node = node[step]
                if isinstance(node, dict) and "id" in node:
                    label += f" (id '{node['id']}')"
            else:
                node = None
            if parts:
                parts[-1] += label
            else:
                parts.append(label)
        else:
            parts.append(str(step))
            node = node.get(step) if isinstance(node, dict) else None
    return ".".join(parts) or "(top level)"


def load_form_file(path: Path | str, place_options: tuple[Option, ...] = ()) -> Form:
    """Read and check one form file; a broken file raises FormFileError naming the file and the field."""
    path = Path(path)
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise FormFileError(path, ["file not found"]) from exc
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        raise FormFileError(path, [f"{where}not valid YAML ({getattr(exc, 'problem', exc)})"]) from exc
    if not isinstance(raw, dict):
        raise FormFileError(path, ["the file must be a mapping with slug, version, title and sections"])
    try:
        definition = FormFile.model_validate(raw)
    except ValidationError as exc:
        problems = [f"{_field_path(err['loc'], raw)}: {err['msg']}" for err in exc.errors()]
        raise FormFileError(path, problems) from exc
    return Form(definition=definition, path=path, place_options=tuple(place_options))


def list_forms(directory: Path = FORMS_DIR) -> list[Path]:
    return sorted(directory.glob("*.yaml"))


def form_path(slug: str, directory: Path = FORMS_DIR) -> Path:
    for path in list_forms(directory):
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        if isinstance(data, dict) and data.get("slug") == slug:
            return path
    known = ", ".join(p.stem for p in list_forms(directory))
    raise FormFileError(directory, [f"no form with slug '{slug}' (known: {known})"])


def load_form(slug: str, place_options: tuple[Option, ...] = (), directory: Path = FORMS_DIR) -> Form:
    return load_form_file(form_path(slug, directory), place_options=place_options)
