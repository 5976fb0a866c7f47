"""Double-entry verification of paper forms: in a batch that requires it, a second volunteer keys the same
sheet; answers that disagree are listed side by side for a third person to settle, and a sheet counts only once
it is verified."""

from __future__ import annotations

import json
from typing import Any

import pandas as pd
from sqlalchemy import Select, select
from sqlalchemy.engine import Engine
from sqlmodel import Session

from engagement import audit
from engagement.entries import apply_correction, stored_values
from engagement.intake import check_answers
from engagement.models import Response, SecondEntry, VerifiedBatch, utc_now
from survey_forms import Form


class VerificationError(ValueError):
    """A verification step that is not allowed; the message says why."""


def require_verification(session: Session, survey_slug: str, batch: str, *, actor: str) -> None:
    if session.get(VerifiedBatch, (batch, survey_slug)) is None:
        session.add(VerifiedBatch(batch=batch, survey_slug=survey_slug, set_by=actor))
        session.commit()


def _first_entry(session: Session, form: Form, paper_reference: str) -> Response:
    response = session.scalars(select(Response).where(
        Response.survey_slug == form.slug, Response.paper_reference == paper_reference.strip())).first()
    if response is None:
        raise VerificationError(f"No paper form '{paper_reference.strip()}' has been keyed in yet for this survey.")
    return response


def key_second_entry(
    session: Session, form: Form, paper_reference: str, username: str, answers: dict[str, Any], *, via: str
) -> pd.DataFrame:
    """Store a second keying of a sheet and return the answers that disagree (empty: the sheet is verified)."""
    response = _first_entry(session, form, paper_reference)
    if response.entered_by == username:
        raise VerificationError("The second keying of a sheet must be done by a different volunteer.")
    if session.scalars(select(SecondEntry).where(SecondEntry.response_id == response.id)).first():
        raise VerificationError(f"Paper form '{paper_reference.strip()}' has already been keyed a second time.")
    second = check_answers(form, answers).values
    entry = SecondEntry(response_id=response.id, entered_by=username, answers=json.dumps(second), disagreements=0)
    table = _side_by_side(form, stored_values(session, response.id), second)
    entry.disagreements = len(table)
    if table.empty:  # both keyings agree: verified with no third person needed
        entry.resolved_by, entry.resolved_at = username, utc_now()
    session.add(entry)
    audit.record(session, "response_keyed_twice", actor=username, via=via,
                 target_kind="response", target_id=response.reference, disagreements=len(table))
    session.commit()
    return table


def _side_by_side(form: Form, first: dict[str, list[str]], second: dict[str, list[str]]) -> pd.DataFrame:
    rows = []
    for spec in form.questions:
        a, b = first.get(spec.id, []), second.get(spec.id, [])
        if a != b:
            rows.append({"question_id": spec.id, "question": spec.label,
                         "first keying": ", ".join(spec.label_for(c) for c in a) or "(blank)",
                         "second keying": ", ".join(spec.label_for(c) for c in b) or "(blank)"})
    return pd.DataFrame(rows, columns=["question_id", "question", "first keying", "second keying"])


def disagreements(session: Session, form: Form, paper_reference: str) -> pd.DataFrame:
    response = _first_entry(session, form, paper_reference)
    entry = session.scalars(select(SecondEntry).where(SecondEntry.response_id == response.id)).first()
    if entry is None:
        raise VerificationError(f"Paper form '{paper_reference.strip()}' has not been keyed a second time yet.")
    return _side_by_side(form, stored_values(session, response.id), json.loads(entry.answers))


def resolve(
    session: Session, form: Form, paper_reference: str, username: str, answers: dict[str, Any], *, via: str
) -> int | None:
    """A third person settles the sheet with the answers as they read it; kept as a new version if it changes."""
    response = _first_entry(session, form, paper_reference)
    entry = session.scalars(select(SecondEntry).where(SecondEntry.response_id == response.id)).first()
    if entry is None:
        raise VerificationError(f"Paper form '{paper_reference.strip()}' has not been keyed a second time yet.")
    if username in (response.entered_by, entry.entered_by):
        raise VerificationError("Disagreements are settled by a third person, not by either volunteer who keyed it.")
    entry.resolved_by, entry.resolved_at = username, utc_now()
    session.add(entry)
    version = apply_correction(session, form, response, username, answers, via=via)
    session.commit()
    return version


def unverified_ids(survey_slug: str | None = None) -> Select:
    """The ids of paper sheets in batches that require double entry and are not yet verified (of one survey,
    or of every survey): kept, but not counted until a second keying agrees or a third person settles it."""
    query = (
        select(Response.id)
        .join(VerifiedBatch, (VerifiedBatch.batch == Response.import_batch)
              & (VerifiedBatch.survey_slug == Response.survey_slug))
        .outerjoin(SecondEntry, SecondEntry.response_id == Response.id)
        .where(Response.channel == "paper", SecondEntry.resolved_by.is_(None))
    )
    return query if survey_slug is None else query.where(Response.survey_slug == survey_slug)


def unverified_responses(engine: Engine, survey_slug: str) -> pd.DataFrame:
    """Responses in batches that require double entry and are not yet verified: the dashboard leaves these out
    and says how many wait."""
    query = (
        select(Response.id, Response.reference, Response.paper_reference, Response.import_batch)
        .where(Response.id.in_(unverified_ids(survey_slug)))
    )
    with engine.connect() as connection:
        return pd.DataFrame(connection.execute(query).all(),
                            columns=["response_id", "reference", "paper_reference", "batch"])


def waiting_to_settle(session: Session, survey_slug: str, username: str) -> pd.DataFrame:
    """Sheets keyed twice that disagree and wait for a third person; never offered to either volunteer."""
    rows = session.execute(
        select(Response.paper_reference, Response.entered_by, SecondEntry.entered_by, SecondEntry.disagreements)
        .join(SecondEntry, SecondEntry.response_id == Response.id)
        .where(Response.survey_slug == survey_slug, SecondEntry.resolved_by.is_(None),
               Response.entered_by != username, SecondEntry.entered_by != username)
        .order_by(Response.paper_reference)
    ).all()
    return pd.DataFrame(rows, columns=["paper_reference", "first keyed by", "second keyed by", "disagreements"])


def settled_answers(session: Session, form: Form, paper_reference: str, choices: dict[str, str]) -> dict[str, Any]:
    """The sheet's answers with each disagreement settled as the third person chose ('first' or 'second')."""
    response = _first_entry(session, form, paper_reference)
    entry = session.scalars(select(SecondEntry).where(SecondEntry.response_id == response.id)).one()
    answers: dict[str, Any] = dict(stored_values(session, response.id))
    second = json.loads(entry.answers)
    for question_id, choice in choices.items():
        if choice == "second":
            answers[question_id] = second.get(question_id, [])
    return {qid: _as_answer(form, qid, codes) for qid, codes in answers.items()}


def _as_answer(form: Form, question_id: str, codes: list[str]) -> Any:
    """Stored codes back into what intake accepts for the question (a list for several values)."""
    kind = form.question(question_id).type
    if kind in ("multi_choice", "text_list"):
        return codes
    if kind == "consent":
        return bool(codes)
    return codes[0] if codes else None
