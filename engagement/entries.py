"""A volunteer's own paper entries: they may look back at what they keyed in, and at nothing else; they may
correct it, and each correction is kept as a new version (who, when, what changed)."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import pandas as pd
from sqlalchemy import delete, func, insert, select
from sqlalchemy.engine import Engine
from sqlmodel import Session

from engagement import audit
from engagement.intake import check_answers
from engagement.models import Answer, Response, ResponseCorrection, utc_now
from engagement.privacy import normal_reference, response_answers
from survey_forms import Form

NOT_YOURS = "You have not entered a paper form with that reference."


def own_entry(session: Session, reference: str, username: str) -> Response | None:
    """A paper form `username` keyed in; None for any other reference, whether or not it exists, so a volunteer
    learns nothing about responses they did not enter."""
    return session.scalars(
        select(Response).where(
            Response.reference == normal_reference(reference),
            Response.entered_by == username,
            Response.channel == "paper",
        )
    ).first()


def own_entry_answers(session: Session, reference: str, username: str, *, via: str) -> list[dict[str, Any]] | None:
    response = own_entry(session, reference, username)
    if response is None:
        return None
    audit.record(session, "response_viewed", actor=username, via=via, target_kind="response",
                 target_id=response.reference)
    session.commit()
    return response_answers(session, response)


def stored_values(session: Session, response_id: int) -> dict[str, list[str]]:
    """The stored codes of one response, question by question, in the order given."""
    values: dict[str, list[str]] = {}
    rows = session.execute(
        select(Answer.question_id, Answer.value).where(Answer.response_id == response_id)
        .order_by(Answer.question_id, Answer.position)
    )
    for question_id, value in rows:
        values.setdefault(question_id, []).append(value)
    return values


def correct_entry(
    session: Session, form: Form, reference: str, username: str, answers: dict[str, Any], *, via: str
) -> int | None:
    """Check the corrected answers, replace only the answers that changed, and keep what they were as a new
    version. Returns the new version number, or None when nothing changed. Raises IntakeError (nothing saved)
    for bad answers and LookupError for a form this volunteer did not enter."""
    response = own_entry(session, reference, username)
    if response is None:
        raise LookupError(NOT_YOURS)
    return apply_correction(session, form, response, username, answers, via=via)


def apply_correction(
    session: Session, form: Form, response: Response, username: str, answers: dict[str, Any], *, via: str
) -> int | None:
    """Replace the answers that changed and keep what they were as a new version; commits. None: no change."""
    checked = check_answers(form, answers)
    after = checked.values
    before = stored_values(session, response.id)
    changed = {qid: [before.get(qid, []), after.get(qid, [])] for qid in sorted(set(before) | set(after))
               if before.get(qid, []) != after.get(qid, [])}
    if not changed:
        return None
    session.execute(delete(Answer).where(Answer.response_id == response.id, Answer.question_id.in_(list(changed))))
    rows = [{"response_id": response.id, "question_id": qid, "position": position, "value": value}
            for qid, (_, values) in changed.items() for position, value in enumerate(values)]
    if rows:
        session.execute(insert(Answer), rows)
    latest = session.scalar(select(func.max(ResponseCorrection.version))
                            .where(ResponseCorrection.response_id == response.id)) or 1
    session.add(ResponseCorrection(response_id=response.id, version=latest + 1, corrected_by=username,
                                   corrected_at=utc_now(), changes=json.dumps(changed, ensure_ascii=False)))
    response.place_code = checked.place_code
    audit.record(session, "response_edited", actor=username, via=via, target_kind="response",
                 target_id=response.reference, questions=sorted(changed), version=latest + 1)
    session.commit()
    return latest + 1


def entry_history(session: Session, form: Form, response_id: int) -> pd.DataFrame:
    """Every version of a keyed-in response, newest first: version, who, when and what changed, in words."""
    response = session.get(Response, response_id)
    labels = {spec.id: spec for spec in form.questions}

    def shown(qid: str, codes: list[str]) -> str:
        spec = labels.get(qid)
        return ", ".join(spec.label_for(code) if spec else code for code in codes) or "(blank)"

    rows = [
        {"version": c.version, "by": c.corrected_by, "when": c.corrected_at,
         "what changed": "; ".join(
             f"{labels[qid].label if qid in labels else qid}: {shown(qid, old)} → {shown(qid, new)}"
             for qid, (old, new) in json.loads(c.changes).items())}
        for c in session.scalars(select(ResponseCorrection).where(ResponseCorrection.response_id == response_id)
                                 .order_by(ResponseCorrection.version.desc()))
    ]
    rows.append({"version": 1, "by": response.entered_by, "when": response.created_at, "what changed": "First entered"})
    return pd.DataFrame(rows)


def batch_label(event: str, held_on: date | str) -> str:
    """The batch a paper form belongs to (the event and its date), kept on each response it holds."""
    return f"{str(held_on)[:10]} {' '.join(event.split())}"[:100]


def batch_tally(engine: Engine, batch: str) -> int:
    with engine.connect() as connection:
        return connection.scalar(
            select(func.count()).select_from(Response).where(Response.import_batch == batch,
                                                             Response.channel == "paper"))
