"""Response counts by channel and by place: the progress figures the board asks for."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.engine import Engine

from engagement.models import Answer, Response
from engagement.places import PLACE_QUESTION_ID, place_label, place_name


def response_counts(engine: Engine, survey_slug: str | Sequence[str] | None = None) -> dict[str, Any]:
    """Total responses, how many are synthetic demo data, and counts by channel and by place name; of one
    survey, of several (a survey and its Easy Read version), or of all."""
    surveys = [survey_slug] if isinstance(survey_slug, str) else survey_slug

    def grouped(column) -> dict[str, int]:
        query = select(column, func.count()).group_by(column)
        if surveys:
            query = query.where(Response.survey_slug.in_(surveys))
        with engine.connect() as connection:
            return {key: count for key, count in connection.execute(query)}

    by_synthetic = grouped(Response.is_synthetic)
    # The place as answered, not the resolved place_code: "Somewhere else" and "Prefer not to say" stay apart.
    place_answer = (
        select(Answer.value, func.count())
        .select_from(Response)
        .outerjoin(Answer, (Answer.response_id == Response.id) & (Answer.question_id == PLACE_QUESTION_ID))
        .group_by(Answer.value)
    )
    if surveys:
        place_answer = place_answer.where(Response.survey_slug.in_(surveys))
    by_place: dict[str, int] = {}
    with engine.connect() as connection:
        for code, count in connection.execute(place_answer):
            name = place_label(code)
            by_place[name] = by_place.get(name, 0) + count
    return {
        "responses": sum(by_synthetic.values()),
        "synthetic": by_synthetic.get(True, 0),
        "by_channel": dict(sorted(grouped(Response.channel).items())),
        "by_place": dict(sorted(by_place.items())),
    }


def entries_by(engine: Engine, entered_by: str, since: datetime) -> list[dict[str, Any]]:
    """What one volunteer keyed in since a time: reference, paper reference, place and when."""
    query = (
        select(Response.reference, Response.paper_reference, Response.place_code, Response.created_at)
        .where(Response.entered_by == entered_by, Response.created_at >= since)
        .order_by(Response.created_at.desc())
    )
    with engine.connect() as connection:
        return [
            {
                "reference": row.reference,
                "paper reference": row.paper_reference,
                "place": place_name(row.place_code),
                "entered at": row.created_at,
            }
            for row in connection.execute(query)
        ]
