"""The survey form schema: what a form YAML file may say, checked once when the form is loaded."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

QuestionType = Literal[
    "likert_grid",
    "single_choice",
    "multi_choice",
    "free_text",
    "text_list",
    "bipolar",
    "place",
    "postcode_district",
    "number",
    "consent",
]

ID_PATTERN = r"^[a-z][a-z0-9_]*$"
# Question types whose answers are the respondent's own words.
RESPONDENT_TEXT_TYPES = ("free_text", "text_list")


class Option(BaseModel):
    model_config = ConfigDict(extra="forbid")

    code: str
    label: str
    group: str | None = None


class GridItem(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str = Field(pattern=ID_PATTERN)
    label: str
    text: str


class Question(BaseModel):
    """One question as written in the form file. A likert grid holds several items, each answered alone."""

    model_config = ConfigDict(extra="forbid")

    id: str = Field(pattern=ID_PATTERN)
    type: QuestionType
    text: str
    label: str | None = None  # a short name for messages and tables; defaults to the text
    help: str | None = None
    required: bool = False
    basis: str | None = None
    options: list[Option] | None = None
    scale: str | None = None
    items: list[GridItem] | None = None
    top_box: list[str] | None = None
    left: str | None = None
    right: str | None = None
    count: int | None = Field(default=None, ge=1, le=10)
    max_length: int | None = Field(default=None, ge=1)
    min: int | None = None
    max: int | None = None
    codebook: str | None = Field(default=None, pattern=r"^[a-z0-9_-]+$")
    contact_details: bool = False  # an email, phone number or address: removed when the retention period ends
    # Words the respondent wrote themselves: redacted wherever they are shown or exported, and shown as text,
    # never markup. Unset means "free_text and text_list questions do"; set it to say so for another question.
    respondent_text: bool | None = None

    @property
    def carries_respondent_text(self) -> bool:
        if self.respondent_text is not None:
            return self.respondent_text
        return self.type in RESPONDENT_TEXT_TYPES or self.contact_details

    @model_validator(mode="after")
    def _fields_fit_the_type(self) -> Question:
        if self.type == "likert_grid" and not self.items:
            raise ValueError("a likert_grid question needs 'items'")
        if self.type == "likert_grid" and not (self.scale or self.options):
            raise ValueError("a likert_grid question needs a 'scale' or 'options'")
        if self.type in ("single_choice", "multi_choice") and not (self.options or self.scale):
            raise ValueError(f"a {self.type} question needs 'options' or a 'scale'")
        if self.type == "bipolar" and not (self.left and self.right):
            raise ValueError("a bipolar question needs both 'left' and 'right'")
        if self.codebook and self.type != "free_text":
            raise ValueError("only free_text questions can name a 'codebook'")
        if self.respondent_text and self.type in ("likert_grid", "single_choice", "multi_choice", "bipolar", "place",
                                                   "consent"):
            raise ValueError(f"a {self.type} question holds chosen answers, not 'respondent_text'")
        if self.type == "text_list" and not self.count:
            raise ValueError("a text_list question needs 'count'")
        if self.type == "number" and self.min is not None and self.max is not None and self.min > self.max:
            raise ValueError("'min' is larger than 'max'")
        return self


class Section(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str = Field(pattern=ID_PATTERN)
    title: str
    description: str | None = None
    questions: list[Question] = Field(min_length=1)


class Target(BaseModel):
    """A campaign target: how many responses the team aims to collect, in all or through some channels."""

    model_config = ConfigDict(extra="forbid")

    id: str = Field(pattern=ID_PATTERN)
    label: str
    responses: int = Field(ge=1)
    channels: list[str] | None = None  # the channel codes that count; none given: every channel
    basis: str | None = None


class AnswerMapping(BaseModel):
    """How answers to an Easy Read question combine with the standard version's, where they are not the same."""

    model_config = ConfigDict(extra="forbid")

    questions: list[str] = Field(min_length=1)  # question ids in this form
    standard_question: str | None = None  # the standard form's question id, when it differs
    answers: dict[str, str] = Field(default_factory=dict)  # this form's code -> the standard form's code
    note: str


class FormFile(BaseModel):
    """The whole form file, before scales are resolved and grids are flattened."""

    model_config = ConfigDict(extra="forbid")

    slug: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$")
    version: int = Field(ge=1)
    title: str
    subtitle: str | None = None
    intro: str | None = None
    privacy_notice: str | None = None  # shown before the first question, with the consent question
    easy_read_of: str | None = None  # the slug of the standard version whose results these answers join
    mapping: list[AnswerMapping] = Field(default_factory=list)  # where this form's answers differ from it
    targets: list[Target] = Field(default_factory=list)
    scales: dict[str, list[Option]] = Field(default_factory=dict)
    sections: list[Section] = Field(min_length=1)

    @model_validator(mode="after")
    def _ids_unique_and_scales_known(self) -> FormFile:
        target_ids = [target.id for target in self.targets]
        for target_id in target_ids:
            if target_ids.count(target_id) > 1:
                raise ValueError(f"target id '{target_id}' is used twice; every target id must be unique")
        seen: set[str] = set()
        for section in self.sections:
            for question in section.questions:
                ids = [question.id] + [item.id for item in question.items or []]
                for qid in ids:
                    if qid in seen:
                        raise ValueError(f"question id '{qid}' is used twice; every id must be unique")
                    seen.add(qid)
                if question.scale and question.scale not in self.scales:
                    known = ", ".join(sorted(self.scales)) or "none defined"
                    raise ValueError(
                        f"question '{question.id}' uses scale '{question.scale}', which is not defined "
                        f"under 'scales' (defined: {known})"
                    )
        return self
