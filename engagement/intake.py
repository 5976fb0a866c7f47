"""One way in for every channel: check answers against the form, resolve the place, store in one transaction."""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
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
MAX_LISTED_OPTIONS = 12


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

    @property
    def place_code(self) -> str | None:
        codes = self.values.get("district") or []
        return codes[0] if codes and place_by_code(codes[0]) else None


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


def _check_one(spec: AnswerSpec, value: Any) -> list[str]:
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
        try:
            number = float(str(value).strip())
        except ValueError:
            raise ValueError(f"'{value}' is not a number") from None
        if not number.is_integer():
            raise ValueError(f"'{value}' is not a whole number")
        low = spec.min if spec.min is not None else float("-inf")
        high = spec.max if spec.max is not None else float("inf")
        if not low <= number <= high:
            raise ValueError(f"{int(number)} is outside the allowed range {spec.min} to {spec.max}")
        return [str(int(number))]
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
            values = _check_one(spec, raw)
        except ValueError as exc:
            problems.append(AnswerProblem(spec.id, spec.label, str(exc)))
            continue
        if not values and spec.required:
            problems.append(AnswerProblem(spec.id, spec.label, "must be ticked"))
        elif values:
            checked.values[spec.id] = values
    if problems:
        raise IntakeError(problems)
    return checked


def new_reference() -> str:
    return "R-" + secrets.token_hex(5).upper()


def _new_response(form: Form, checked: CheckedResponse, provenance: Provenance) -> Response:
    created_at = provenance.created_at or utc_now()
    # What the respondent agreed to is the wording of every consent question they ticked, word for word.
    agreed = [spec.text for spec in form.questions if spec.type == "consent" and checked.values.get(spec.id)]
    return Response(
        reference=new_reference(),
        survey_slug=form.slug,
        survey_version=form.version,
        channel=provenance.channel,
        entered_by=provenance.entered_by,
        paper_reference=(provenance.paper_reference or "").strip() or None,
        import_batch=provenance.import_batch,
        place_code=checked.place_code,
        is_synthetic=provenance.is_synthetic,
        created_at=created_at,
        consent_text="\n".join(agreed) or None,
        privacy_notice_version=privacy_notice_version() if agreed else None,
        consent_given_at=created_at if agreed else None,
        submission_key=provenance.submission_key,
    )


def _store(session: Session, form: Form, rows: Sequence[tuple[CheckedResponse, Provenance]]) -> list[Response]:
    """Insert responses (one flush for the lot), then their answers in bulk; the caller commits."""
    responses = [_new_response(form, checked, provenance) for checked, provenance in rows]
    session.add_all(responses)
    session.flush()
    answers = [
        {"response_id": response.id, "question_id": question_id, "position": position, "value": value}
        for response, (checked, _) in zip(responses, rows, strict=True)
        for question_id, values in checked.values.items()
        for position, value in enumerate(values)
    ]
    if answers:
        session.execute(insert(Answer), answers)
    _audit_created(session, responses, [provenance for _, provenance in rows])
    return responses


def _audit_created(session: Session, responses: Sequence[Response], provenances: Sequence[Provenance]) -> None:
    """One event per response keyed in or submitted; one per batch for imports and demo data."""
    if len(responses) == 1:
        [response], [provenance] = responses, provenances
        audit.record(session, "response_created", actor=provenance.actor, via=provenance.recorded_via,
                     target_kind="response", target_id=response.reference, channel=response.channel)
    elif responses:
        first = provenances[0]
        audit.record(session, "responses_imported", actor=first.actor, via=first.recorded_via,
                     target_kind="survey", target_id=responses[0].survey_slug, count=len(responses),
                     channels=sorted({p.channel for p in provenances}),
                     batch=first.import_batch, synthetic=all(p.is_synthetic for p in provenances))


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
        if (existing := _already_stored(session, provenance.submission_key)) is not None:
            return existing
        try:
            [response] = _store(session, form, [(checked, provenance)])
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
) -> list[Response]:
    """Check a whole batch first and store it in one transaction: one bad row saves nothing."""
    checked_rows = []
    for row_number, (answers, provenance) in enumerate(batch, start=1):
        try:
            checked = check_answers(form, answers)
        except IntakeError as exc:
            raise IntakeError(provenance.problems() + exc.problems, row=row_number) from None
        if provenance.problems():
            raise IntakeError(provenance.problems(), row=row_number)
        checked_rows.append((checked, provenance))
    def store() -> list[Response]:
        responses = _store(session, form, checked_rows)
        session.commit()
        return responses

    return with_write_retries(session, store)
