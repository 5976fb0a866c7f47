""""You said, we did": the register of what was done in response to what people told us, kept by analysts and
communications staff and published for the public ("playing back how feedback has been taken into account").

Each action links to the themes and places that justify it, how many people raised it and a few chosen quotes.
Quotes must be the stored redacted text of an answer (chosen from the Quotes sheet or the report), never text
typed in here, so the register cannot publish personal details a respondent wrote."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field

import pandas as pd
from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlmodel import Session

from engagement import audit
from engagement.analysis.suppression import current_rule
from engagement.models import PublicAction, utc_now
from engagement.places import all_places

STATUSES = {"planned": "Planned", "in_progress": "In progress", "done": "Done"}
MAX_QUOTES = 3


class ActionError(ValueError):
    """A plain sentence naming the field and what is allowed."""


@dataclass
class ActionInput:
    you_said: str
    we_did: str
    owner: str
    status: str = "planned"
    themes: Sequence[str] = ()
    places: Sequence[str] = ()
    people: int | None = None
    quotes: Sequence[str] = field(default_factory=list)
    published: bool = False


def check_action(action: ActionInput, allowed_quotes: set[str]) -> None:
    """Every problem with an action, as one error naming the fields; nothing is saved if there is one."""
    problems = []
    if not action.you_said.strip():
        problems.append("You said: write what people told us, in public wording")
    if not action.we_did.strip():
        problems.append("We did: write what was done or is planned, in public wording")
    if not action.owner.strip():
        problems.append("Owner: name the person or team responsible")
    if action.status not in STATUSES:
        problems.append(f"Status: '{action.status}' is not allowed; use one of {', '.join(STATUSES.values())}")
    codes = {p.code for p in all_places()}
    if unknown := [p for p in action.places if p not in codes]:
        problems.append(f"Places: {', '.join(unknown)} are not places in this area")
    if action.people is not None and 0 < action.people < current_rule().min_base:
        problems.append(f"People: fewer than {current_rule().min_base} would identify people; leave it empty")
    if len(action.quotes) > MAX_QUOTES:
        problems.append(f"Quotes: choose at most {MAX_QUOTES}")
    if [q for q in action.quotes if q not in allowed_quotes]:
        problems.append("Quotes: choose quotes from the redacted answers offered; typed text cannot be published")
    if problems:
        raise ActionError("; ".join(problems) + ".")


def save_action(session: Session, survey_slug: str, action: ActionInput, actor: str, allowed_quotes: set[str],
                action_id: int | None = None, via: str = "page: You said, we did") -> PublicAction:
    check_action(action, allowed_quotes)
    row = session.get(PublicAction, action_id) if action_id else PublicAction(survey_slug=survey_slug,
                                                                              updated_by=actor, owner="",
                                                                              you_said="", we_did="")
    if row is None:
        raise ActionError(f"Action {action_id} does not exist (it may have been deleted).")
    row.you_said, row.we_did, row.owner = action.you_said.strip(), action.we_did.strip(), action.owner.strip()
    row.status, row.published, row.people = action.status, action.published, action.people
    row.themes, row.places = "|".join(action.themes), "|".join(action.places)
    row.quotes = json.dumps(list(action.quotes))
    row.updated_at, row.updated_by = utc_now(), actor
    session.add(row)
    session.flush()
    audit.record(session, "public_action_saved", actor=actor, via=via, target_kind="public_action",
                 target_id=str(row.id), status=row.status, published=row.published)
    session.commit()
    return row


def register(engine: Engine, survey_slug: str, published_only: bool = False) -> pd.DataFrame:
    """The register as a table: id, you_said, we_did, themes (list), places (list), people, quotes (list),
    owner, status, published, updated_at, updated_by."""
    query = select(PublicAction).where(PublicAction.survey_slug == survey_slug).order_by(PublicAction.id)
    if published_only:
        query = query.where(PublicAction.published.is_(True))
    with Session(engine) as session:
        rows = [row.model_dump() for row in session.scalars(query)]
    frame = pd.DataFrame(rows, columns=list(PublicAction.model_fields))
    for column in ("themes", "places"):
        frame[column] = frame[column].map(lambda text: [v for v in (text or "").split("|") if v])
    frame["quotes"] = frame["quotes"].map(lambda text: json.loads(text) if text else [])
    return frame


def quote_choices(engine: Engine, form, themes: Sequence[str], limit: int = 20) -> list[str]:
    """Redacted answers carrying any of these themes, from respondents who agreed to be quoted: the only text
    an action may quote. Longest first (they say most), each text once."""
    from engagement.forms import versions_of
    from engagement.models import Response
    from engagement.reports.summary import coded_answers

    if not themes:
        return []
    answers, tags = coded_answers(engine, form, include_synthetic=True)
    with engine.connect() as connection:
        agreed = set(connection.scalars(select(Response.reference).where(
            Response.survey_slug.in_([version.slug for version in versions_of(form)]),
            Response.consent_given_at.is_not(None))))
    chosen = answers[answers["answer_id"].isin(tags.loc[tags["theme_code"].isin(themes), "answer_id"])
                     & answers["response_reference"].isin(agreed)]
    texts = chosen["redacted_text"].dropna().drop_duplicates()
    return texts.loc[texts.str.len().sort_values(ascending=False).index].head(limit).tolist()
