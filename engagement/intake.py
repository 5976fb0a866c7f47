"""One way in for every channel: check answers against the form, resolve the place, store in one transaction."""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from itertools import islice
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from engagement import audit
from engagement.config import privacy_notice_version
from engagement.db import with_write_retries
from engagement.models import CHANNELS, Answer, Response, utc_now
from engagement.places import place_by_code
from survey_forms import AnswerSpec, Form

POSTCODE_DISTRICT = re.compile(r"^[A-Z]{1,2}[0-9][A-Z0-9]?$")
WHOLE_NUMBER = re.compile(r"^[+-]?[0-9]+(\.0*)?$")
MAX_LISTED_OPTIONS = 12
CHUNK_ROWS = 2_000  # rows checked and written at a time, so memory stays flat however long the batch


@dataclass(frozen=True)
class AnswerProblem:
    question_id: str
    question: str
    message: str

    def __str__(self) -> str:
        return f"{self.question_id} ({self.question}): {self.message}"


class IntakeError(ValueError):
    """Answers that cannot be saved; each problem names the question and what is allowed."""

    def __init__(self, problems: Sequence[AnswerProblem], row: int | None = None):
        self.problems = list(problems)
        self.row = row
        where = f"Row {row}: " if row is not None else ""
        count = len(self.problems)
        noun = "answer needs" if count == 1 else "answers need"
        super().__init__(f"{where}{count} {noun} attention: " + "; ".join(str(p) for p in self.problems))


@dataclass
class Provenance:
    """Where a response came from. Channel is an analysis dimension, so it is always set."""

    channel: str = "online"
    entered_by: str | None = None
    paper_reference: str | None = None
    import_batch: str | None = None
    is_synthetic: bool = False
    created_at: datetime | None = None
    via: str | None = None  # the page or command, for the audit log; defaults to the channel's usual way in
    # One key per filled-in form (the page makes it): the same form sent twice (a double click, a retry after a
    # lost connection) stores one response.
    submission_key: str | None = None

    @property
    def actor(self) -> str:
        return self.entered_by or ("respondent" if self.channel == "online" else f"{self.channel} intake")

    @property
    def recorded_via(self) -> str:
        return self.via or {"online": "page: Take the survey", "paper": "page: Paper form entry"}.get(
            self.channel, f"channel: {self.channel}"
        )

    def problems(self) -> list[AnswerProblem]:
        found = []
        if self.channel not in CHANNELS:
            allowed = ", ".join(CHANNELS)
            found.append(AnswerProblem("channel", "Channel", f"'{self.channel}' is not one of: {allowed}"))
        if self.channel == "paper" and not (self.paper_reference or "").strip():
            found.append(
                AnswerProblem("paper_reference", "Paper form reference", "a paper form needs its reference")
            )
        return found


@dataclass
class CheckedResponse:
    """Answers that passed every check: code values ready to store, one list per question."""

    values: dict[str, list[str]] = field(default_factory=dict)
    place_code: str | None = None  # the local authority answered to the form's place question, if one


def _is_blank(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    if isinstance(value, list | tuple | set):
        return all(_is_blank(v) for v in value)
    return False


def _allowed(spec: AnswerSpec) -> str:
    shown = [f"'{o.label}'" if o.label == o.code else f"{o.code} ('{o.label}')" for o in spec.options]
    if len(shown) > MAX_LISTED_OPTIONS:
        shown = shown[:MAX_LISTED_OPTIONS] + [f"… {len(spec.options) - MAX_LISTED_OPTIONS} more"]
    return ", ".join(shown)


def _option_code(spec: AnswerSpec, value: Any) -> str:
    """Accept an option's code or its label (any case), as paper forms and imports give either."""
    text = str(value).strip()
    for option in spec.options:
        if text == option.code:
            return option.code
    for option in spec.options:
        if text.casefold() == option.label.casefold():
            return option.code
    raise ValueError(f"'{text}' is not one of the allowed answers: {_allowed(spec)}")


def _whole_number(value: Any) -> int:
    """Digits only (a spreadsheet's 42.0 too): Python's float() would also take '1e2', '1_00' and 'inf'."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    text = str(value).strip()
    if WHOLE_NUMBER.match(text):
        return int(text.split(".")[0])
    try:
        float(text)
    except ValueError:
        raise ValueError(f"'{value}' is not a number") from None
    raise ValueError(f"'{value}' is not a whole number written in digits (for example 42)")


def check_value(spec: AnswerSpec, value: Any) -> list[str]:
    """The stored values of one answer, or ValueError saying what is allowed."""
    kind = spec.type
    if kind in ("likert", "single_choice", "bipolar", "place"):
        return [_option_code(spec, value)]
    if kind == "multi_choice":
        values = value if isinstance(value, list | tuple | set) else [value]
        return [_option_code(spec, v) for v in values if not _is_blank(v)]
    if kind == "free_text":
        text = str(value).strip()
        if spec.max_length and len(text) > spec.max_length:
            raise ValueError(f"is {len(text)} characters long; at most {spec.max_length} are allowed")
        return [text]
    if kind == "text_list":
        values = value if isinstance(value, list | tuple) else [value]
        texts = [str(v).strip() for v in values if not _is_blank(v)]
        if spec.count and len(texts) > spec.count:
            raise ValueError(f"has {len(texts)} entries; at most {spec.count} are allowed")
        for text in texts:
            if spec.max_length and len(text) > spec.max_length:
                raise ValueError(f"'{text[:20]}…' is too long; each entry may have {spec.max_length} characters")
        return texts
    if kind == "number":
        number = _whole_number(value)
        low = spec.min if spec.min is not None else float("-inf")
        high = spec.max if spec.max is not None else float("inf")
        if not low <= number <= high:
            raise ValueError(f"{number} is outside the allowed range {spec.min} to {spec.max}")
        return [str(number)]
    if kind == "postcode_district":
        text = str(value).strip().upper().replace(" ", "")
        if not POSTCODE_DISTRICT.match(text):
            raise ValueError(f"'{value}' is not the first half of a UK postcode (for example NG7 or S80)")
        return [text]
    if kind == "consent":
        if value is True or str(value).strip().casefold() in ("yes", "true", "1", "y"):
            return ["yes"]
        if value is False or str(value).strip().casefold() in ("no", "false", "0", "n"):
            return []
        raise ValueError(f"'{value}' is not yes or no")
    raise ValueError(f"question type '{kind}' cannot be answered")


def check_answers(form: Form, answers: Mapping[str, Any]) -> CheckedResponse:
    """Check every answer against the form; raise IntakeError listing every problem, not just the first."""
    problems: list[AnswerProblem] = []
    known = {spec.id for spec in form.questions}
    for question_id in answers:
        if question_id not in known:
            problems.append(
                AnswerProblem(question_id, question_id, f"is not a question on the form '{form.slug}'")
            )
    checked = CheckedResponse()
    for spec in form.questions:
        raw = answers.get(spec.id)
        if _is_blank(raw) or (spec.type == "consent" and raw is False):
            if spec.required:
                need = "must be ticked" if spec.type == "consent" else "an answer is required"
                problems.append(AnswerProblem(spec.id, spec.label, need))
            continue
        try:
            values = check_value(spec, raw)
        except ValueError as exc:
            problems.append(AnswerProblem(spec.id, spec.label, str(exc)))
            continue
        if not values and spec.required:
            problems.append(AnswerProblem(spec.id, spec.label, "must be ticked"))
        elif values:
            checked.values[spec.id] = values
            if spec.type == "place" and place_by_code(values[0]):
                checked.place_code = values[0]
    if problems:
        raise IntakeError(problems)
    return checked


def new_reference() -> str:
    return "R-" + secrets.token_hex(5).upper()


def _response_row(form: Form, checked: CheckedResponse, provenance: Provenance) -> dict[str, Any]:
    created_at = provenance.created_at or utc_now()
    # What the respondent agreed to is the wording of every consent question they ticked, word for word.
    agreed = [spec.text for spec in form.questions if spec.type == "consent" and checked.values.get(spec.id)]
    return {
        "reference": new_reference(),
        "survey_slug": form.slug,
        "survey_version": form.version,
        "channel": provenance.channel,
        "entered_by": provenance.entered_by,
        "paper_reference": (provenance.paper_reference or "").strip() or None,
        "import_batch": provenance.import_batch,
        "place_code": checked.place_code,
        "is_synthetic": provenance.is_synthetic,
        "created_at": created_at,
        "consent_text": "\n".join(agreed) or None,
        "privacy_notice_version": privacy_notice_version() if agreed else None,
        "consent_given_at": created_at if agreed else None,
        "submission_key": provenance.submission_key,
    }


def _answer_rows(response_id: int, checked: CheckedResponse) -> list[dict[str, Any]]:
    return [
        {"response_id": response_id, "question_id": question_id, "position": position, "value": value}
        for question_id, values in checked.values.items()
        for position, value in enumerate(values)
    ]


def store_checked(session: Session, form: Form, rows: Sequence[tuple[CheckedResponse, Provenance]]) -> None:
    """Insert checked rows with two bulk statements and no ORM objects, so nothing piles up in the session;
    the caller audits and commits."""
    # Core statements on the tables: the ORM's bulk path spends most of its time building per-row commands.
    connection = session.connection()
    responses = Response.__table__
    ids = connection.execute(
        insert(responses).returning(responses.c.id, sort_by_parameter_order=True),
        [_response_row(form, checked, provenance) for checked, provenance in rows],
    ).scalars().all()
    answers = [row for response_id, (checked, _) in zip(ids, rows, strict=True)
               for row in _answer_rows(response_id, checked)]
    if answers:
        connection.execute(insert(Answer.__table__), answers)


def _checked_row(form: Form, row_number: int, answers: Mapping[str, Any], provenance: Provenance) -> CheckedResponse:
    try:
        checked = check_answers(form, answers)
    except IntakeError as exc:
        raise IntakeError(provenance.problems() + exc.problems, row=row_number) from None
    if provenance.problems():
        raise IntakeError(provenance.problems(), row=row_number)
    return checked


def _paper_reference_taken(session: Session, form: Form, provenance: Provenance) -> list[AnswerProblem]:
    """A paper form is keyed in once per survey; a second entry names the first so it can be checked."""
    paper_reference = (provenance.paper_reference or "").strip()
    if not paper_reference:
        return []
    first = session.scalars(
        select(Response).where(Response.survey_slug == form.slug, Response.paper_reference == paper_reference)
    ).first()
    if first is None:
        return []
    return [AnswerProblem(
        "paper_reference", "Paper form reference",
        f"'{paper_reference}' was already entered as {first.reference} on {first.created_at:%d %b %Y}; "
        "open that entry to correct it rather than keying the form again",
    )]


def _already_stored(session: Session, submission_key: str | None) -> Response | None:
    if not submission_key:
        return None
    return session.scalar(select(Response).where(Response.submission_key == submission_key))


def submit_response(
    session: Session, form: Form, answers: Mapping[str, Any], provenance: Provenance | None = None
) -> Response:
    """Check and store one response. Nothing is written unless every answer passes. A form sent again with the
    same submission key returns the response already stored. A busy or briefly unreachable database is retried;
    if the write still fails, DatabaseUnavailable says plainly that nothing was saved."""
    provenance = provenance or Provenance()
    provenance_problems = provenance.problems()
    try:
        checked = check_answers(form, answers)
    except IntakeError as exc:
        raise IntakeError(provenance_problems + exc.problems) from None
    if provenance_problems:
        raise IntakeError(provenance_problems)

    def store() -> Response:
        # Reads too are inside the retried write: the database may go away between showing and sending the form.
        if (existing := _already_stored(session, provenance.submission_key)) is not None:
            return existing  # before the paper-reference check: a double-clicked paper form is not "keyed twice"
        if taken := _paper_reference_taken(session, form, provenance):
            raise IntakeError(taken)
        try:
            response = Response(**_response_row(form, checked, provenance))
            session.add(response)
            session.flush()
            if checked.values:
                session.execute(insert(Answer), _answer_rows(response.id, checked))
            audit.record(session, "response_created", actor=provenance.actor, via=provenance.recorded_via,
                         target_kind="response", target_id=response.reference, channel=response.channel)
            session.commit()
        except IntegrityError:
            session.rollback()
            # The same form arrived twice at the same moment: the other copy won, and it is this response.
            if (existing := _already_stored(session, provenance.submission_key)) is not None:
                return existing
            raise
        session.refresh(response)
        return response

    return with_write_retries(session, store)


def submit_many(
    session: Session, form: Form, batch: Iterable[tuple[Mapping[str, Any], Provenance]]
) -> int:
    """Check and store a batch of any length in one transaction, a chunk at a time: memory stays flat, and one
    bad row saves nothing (the error names its row). Returns how many responses were stored."""
    stored = 0
    channels: set[str] = set()
    first: Provenance | None = None
    synthetic = True
    rows = enumerate(batch, start=1)
    try:
        while chunk := [(_checked_row(form, n, answers, provenance), provenance)
                        for n, (answers, provenance) in islice(rows, CHUNK_ROWS)]:
            store_checked(session, form, chunk)
            stored += len(chunk)
            first = first or chunk[0][1]
            channels.update(provenance.channel for _, provenance in chunk)
            synthetic = synthetic and all(provenance.is_synthetic for _, provenance in chunk)
    except BaseException:
        session.rollback()
        raise
    if first is not None:
        audit.record(session, "responses_imported", actor=first.actor, via=first.recorded_via,
                     target_kind="survey", target_id=form.slug, count=stored, channels=sorted(channels),
                     batch=first.import_batch, synthetic=synthetic)
    session.commit()
    return stored
