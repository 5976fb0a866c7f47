"""Respondents' rights and the organisation's duties under UK GDPR: retention per survey, erasure and subject
access, all worked from the reference number a respondent is shown when they submit."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlmodel import Session

from engagement import audit
from engagement.forms import get_form
from engagement.models import (
    AnalystSentiment,
    AnalystThemeTag,
    Answer,
    DuplicateDecision,
    ModelThemeTag,
    RedactionLog,
    Response,
    SurveySetting,
    TextAnalysis,
    utc_now,
)
from survey_forms import FormFileError

# Question types whose answers the respondent wrote themselves, and so may name people or give contact details.
RESPONDENT_TEXT_TYPES = ("free_text", "text_list")
MAX_RETENTION_DAYS = 36_500


class UnknownReference(LookupError):
    """No response has this reference; nothing was changed."""

    def __init__(self, reference: str):
        super().__init__(f"No response has the reference '{reference}'. Nothing was changed.")


def normal_reference(reference: str) -> str:
    return reference.strip().upper()


def _response(session: Session, reference: str) -> Response:
    found = session.scalars(select(Response).where(Response.reference == normal_reference(reference))).first()
    if found is None:
        raise UnknownReference(reference.strip())
    return found


# ---- Retention ---------------------------------------------------------------------------------------------


def retention_days(session: Session, survey_slug: str) -> int | None:
    setting = session.get(SurveySetting, survey_slug)
    return setting.retention_days if setting else None


def set_retention_days(session: Session, survey_slug: str, days: int | None, *, actor: str, via: str) -> None:
    """Keep identifying answers for `days` after each response (None: keep until an administrator decides)."""
    if days is not None and not 1 <= days <= MAX_RETENTION_DAYS:
        raise ValueError(f"Retention period: {days} days is not allowed; give 1 to {MAX_RETENTION_DAYS} days")
    setting = session.get(SurveySetting, survey_slug) or SurveySetting(survey_slug=survey_slug)
    before = setting.retention_days
    setting.retention_days, setting.updated_at, setting.updated_by = days, utc_now(), actor
    session.add(setting)
    audit.record(session, "retention_changed", actor=actor, via=via, target_kind="survey", target_id=survey_slug,
                 before_days=before, after_days=days)
    session.commit()


@dataclass(frozen=True)
class SurveyPurge:
    """What a purge removed (or, on a dry run, would remove) from one survey."""

    survey: str
    retention_days: int
    cutoff: datetime
    responses: int  # responses older than the cutoff
    texts_replaced_by_redacted: int  # respondent-written answers now holding only their redacted text
    texts_removed: int  # respondent-written answers never analysed, so removed outright
    contact_details_removed: int

    def sentence(self, dry_run: bool) -> str:
        replace, remove = ("Would replace", "would remove") if dry_run else ("Replaced", "removed")
        return (
            f"{self.survey}: {self.responses:,} responses from before {self.cutoff:%d %B %Y} "
            f"(kept {self.retention_days} days). {replace} {self.texts_replaced_by_redacted:,} written answers "
            f"by their redacted text; {remove} {self.texts_removed:,} written answers not yet analysed and "
            f"{self.contact_details_removed:,} contact details."
        )


def _count(session: Session, query) -> int:
    return int(session.scalar(select(func.count()).select_from(query.subquery())) or 0)


def purge_expired(
    session: Session, *, actor: str, via: str, dry_run: bool = False, now: datetime | None = None
) -> list[SurveyPurge]:
    """For every survey with a retention period, take respondent-written text and contact details out of
    responses older than it. Redacted text, ratings, places and themes stay, so reports keep working."""
    now = now or utc_now()
    reports = []
    for setting in session.scalars(select(SurveySetting).where(SurveySetting.retention_days.is_not(None))).all():
        try:
            form = get_form(setting.survey_slug)
        except FormFileError:
            continue  # no form any more: its questions' types are unknown, so nothing is guessed at
        cutoff = now - timedelta(days=setting.retention_days)
        old = select(Response.id).where(Response.survey_slug == setting.survey_slug, Response.created_at < cutoff)
        text_ids = [q.id for q in form.questions if q.type in RESPONDENT_TEXT_TYPES and not q.contact_details]
        contact_ids = [q.id for q in form.questions if q.contact_details]
        in_old = Answer.response_id.in_(old)
        analysed = select(TextAnalysis.answer_id)
        redacted = select(TextAnalysis.redacted_text).where(TextAnalysis.answer_id == Answer.id).scalar_subquery()
        to_redact = select(Answer.id).where(
            in_old, Answer.question_id.in_(text_ids), Answer.id.in_(analysed), Answer.value != redacted
        )
        to_remove = select(Answer.id).where(in_old, Answer.question_id.in_(text_ids), Answer.id.not_in(analysed))
        contacts = select(Answer.id).where(in_old, Answer.question_id.in_(contact_ids))
        report = SurveyPurge(
            survey=setting.survey_slug, retention_days=setting.retention_days, cutoff=cutoff,
            responses=_count(session, old), texts_replaced_by_redacted=_count(session, to_redact),
            texts_removed=_count(session, to_remove), contact_details_removed=_count(session, contacts),
        )
        reports.append(report)
        if dry_run:
            continue
        session.execute(
            update(Answer).where(Answer.id.in_(to_redact)).values(value=redacted),
            execution_options={"synchronize_session": False},
        )
        doomed = Answer.id.in_(to_remove.union(contacts))
        for table in (TextAnalysis, ModelThemeTag, AnalystThemeTag, AnalystSentiment, RedactionLog):
            session.execute(delete(table).where(table.answer_id.in_(select(Answer.id).where(doomed))))
        session.execute(delete(Answer).where(doomed))
        details = {k: v for k, v in asdict(report).items() if k not in ("survey", "cutoff")}
        audit.record(session, "retention_purge", actor=actor, via=via, target_kind="survey",
                     target_id=setting.survey_slug, cutoff=report.cutoff.date().isoformat(), **details)
    session.commit()
    return reports


# ---- Erasure -----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Erasure:
    reference: str
    answers: int
    analyses: int
    theme_tags: int
    # Responses set aside as the same person as this one, which count again now that it is gone.
    counts_again: tuple[str, ...] = ()

    def sentences(self) -> list[str]:
        said = [f"Erased {self.reference}: {self.answers} answers, {self.analyses} analyses, {self.theme_tags} "
                "theme tags."]
        said += [f"{other} had been set aside as the same person as {self.reference}; it now counts in its place. "
                 f"If the person wants all their answers erased, erase {other} too." for other in self.counts_again]
        return said


def erase_response(session: Session, reference: str, *, actor: str, via: str) -> Erasure:
    """Remove one response and everything derived from it, including every duplicate decision about it; the
    audit log keeps only that it happened. Erasure never fails because of a decision: when the erased response
    was the one counted for a person, a response set aside as the same person counts again (so the person is
    still counted once, by the answers they did not ask to erase), and the erasure and its audit event say so."""
    from engagement.analysis.counted import not_counted_ids
    from engagement.duplicates import set_aside_pairs

    response = _response(session, reference)
    answer_ids = select(Answer.id).where(Answer.response_id == response.id)
    counts = {
        "answers": _count(session, answer_ids),
        "analyses": _count(session, select(TextAnalysis.id).where(TextAnalysis.answer_id.in_(answer_ids))),
        "theme_tags": _count(session, select(ModelThemeTag.id).where(ModelThemeTag.answer_id.in_(answer_ids)))
        + _count(session, select(AnalystThemeTag.id).where(AnalystThemeTag.answer_id.in_(answer_ids))),
    }
    pairs = set_aside_pairs().subquery()
    set_aside_for_it = select(pairs.c.response_id).where(pairs.c.kept_response_id == response.id)
    candidates = session.scalars(set_aside_for_it).all()
    for table in (TextAnalysis, ModelThemeTag, AnalystThemeTag, AnalystSentiment, RedactionLog):
        session.execute(delete(table).where(table.answer_id.in_(answer_ids)))
    session.execute(delete(DuplicateDecision).where(
        (DuplicateDecision.first_response_id == response.id) | (DuplicateDecision.second_response_id == response.id)))
    session.execute(delete(Answer).where(Answer.response_id == response.id))
    session.execute(delete(Response).where(Response.id == response.id))
    # Still not counted: set aside for another response too, or a paper sheet still waiting for its second keying.
    counts_again = tuple(session.scalars(select(Response.reference).where(
        Response.id.in_(candidates), Response.id.not_in(not_counted_ids())).order_by(Response.reference)).all())
    audit.record(session, "erasure", actor=actor, via=via, target_kind="response", target_id=response.reference,
                 survey=response.survey_slug, counts_again=list(counts_again), **counts)
    session.commit()
    return Erasure(response.reference, **counts, counts_again=counts_again)


# ---- Subject access ----------------------------------------------------------------------------------------


def response_answers(session: Session, response: Response) -> list[dict[str, Any]]:
    """Every answer of one response as the respondent would recognise it: question wording and answer label."""
    try:
        form = get_form(response.survey_slug)
        specs = {spec.id: spec for spec in form.questions}
    except FormFileError:
        specs = {}
    rows = session.execute(
        select(Answer.question_id, Answer.value).where(Answer.response_id == response.id)
        .order_by(Answer.question_id, Answer.position)
    ).all()
    answers = []
    for question_id, value in rows:
        spec = specs.get(question_id)
        answers.append({
            "question_id": question_id,
            "question": spec.text if spec else question_id,
            "answer": spec.label_for(value) if spec else value,
        })
    return answers


def subject_access(session: Session, reference: str, *, actor: str, via: str) -> dict[str, Any]:
    """One respondent's record, for a subject access request: what they told us and what they agreed to."""
    response = _response(session, reference)
    answers = response_answers(session, response)
    themes = session.execute(
        select(Answer.question_id, ModelThemeTag.theme_code)
        .join(ModelThemeTag, ModelThemeTag.answer_id == Answer.id)
        .where(Answer.response_id == response.id)
    ).all()
    record = {
        "reference": response.reference,
        "survey": response.survey_slug,
        "survey_version": response.survey_version,
        "submitted_at": response.created_at.isoformat(),
        "channel": response.channel,
        "consent": {
            "agreed_to": response.consent_text,
            "privacy_notice_version": response.privacy_notice_version,
            "given_at": response.consent_given_at.isoformat() if response.consent_given_at else None,
        },
        "answers": answers,
        "themes_found_in_written_answers": [{"question_id": q, "theme": t} for q, t in themes],
    }
    audit.record(session, "subject_access_export", actor=actor, via=via, target_kind="response",
                 target_id=response.reference, answers=len(answers))
    session.commit()
    return record
