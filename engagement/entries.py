"""A volunteer's own paper entries: they may look back at what they keyed in, and at nothing else."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlmodel import Session

from engagement import audit
from engagement.models import Response
from engagement.privacy import normal_reference, response_answers


def own_entry_answers(session: Session, reference: str, username: str, *, via: str) -> list[dict[str, Any]] | None:
    """The answers of a paper form `username` keyed in; None for any other reference, whether or not it
    exists, so a volunteer learns nothing about responses they did not enter."""
    response = session.scalars(
        select(Response).where(
            Response.reference == normal_reference(reference),
            Response.entered_by == username,
            Response.channel == "paper",
        )
    ).first()
    if response is None:
        return None
    audit.record(session, "response_viewed", actor=username, via=via, target_kind="response",
                 target_id=response.reference)
    session.commit()
    return response_answers(session, response)
