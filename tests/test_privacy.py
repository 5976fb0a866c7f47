"""Consent, retention purge, erasure and subject access, as an information governance lead would check them."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
import yaml
from click.testing import CliRunner
from sqlalchemy import func, select

from engagement import privacy
from engagement.analysis.tidy import tidy_answers
from engagement.cli import main
from engagement.db import get_engine
from engagement.forms import check_form_file
from engagement.free_text.job import analyse_pending
from engagement.free_text.review import comments_for_review, set_analyst_themes
from engagement.free_text.themes import theme_summary
from engagement.intake import Provenance, submit_response
from engagement.models import AnalystThemeTag, Answer, AuditEvent, ModelThemeTag, Response, TextAnalysis, utc_now
from engagement.privacy import UnknownReference, erase_response, purge_expired, set_retention_days
from survey_forms.loader import form_path
from tests.conftest import valid_answers

ADMIN = {"actor": "ig lead", "via": "test"}
PII = "Dr Smith was rude to me, ring 07700 900123"


def count(session, table) -> int:
    return session.scalar(select(func.count()).select_from(table))


def test_consent_is_stored_with_what_was_agreed_and_the_privacy_notice_version(session, form, monkeypatch):
    monkeypatch.setenv("ENGAGEMENT_PRIVACY_NOTICE_VERSION", "ICS-PN-2019-03")
    response = submit_response(session, form, valid_answers())
    assert response.consent_text.startswith("I understand that my answers will be used")
    assert response.privacy_notice_version == "ICS-PN-2019-03"
    assert response.consent_given_at == response.created_at


@pytest.fixture
def form_with_contact(tmp_path, monkeypatch, form):
    """The shipped form plus an optional email question marked as contact details."""
    raw = yaml.safe_load(form_path(form.slug).read_text())
    raw["sections"][-1]["questions"].append(
        {"id": "contact_email", "type": "free_text", "text": "Your email, if you want updates",
         "contact_details": True}
    )
    path = tmp_path / f"{form.slug}.yaml"
    path.write_text(yaml.safe_dump(raw, sort_keys=False))
    with_contact = check_form_file(path)
    monkeypatch.setattr(privacy, "get_form", lambda slug: with_contact)
    return with_contact


def test_purge_removes_old_written_text_and_contact_details_and_the_reports_keep_working(
    session, form_with_contact, db_url
):
    form = form_with_contact
    engine = get_engine(db_url)
    old = submit_response(session, form, valid_answers(
        what_matters=PII, three_words=["Dr Smith", "07700 900123", "slow"], contact_email="jo@example.com"
    ), Provenance(created_at=utc_now() - timedelta(days=400)))
    recent = submit_response(session, form, valid_answers(what_matters=PII, contact_email="new@example.com"))
    analyse_pending(engine, form)
    set_retention_days(session, form.slug, 365, **ADMIN)

    [dry] = purge_expired(session, dry_run=True, **ADMIN)
    assert (dry.responses, dry.texts_replaced_by_redacted, dry.texts_removed, dry.contact_details_removed) == (
        1, 3, 0, 1)  # the three words are analysed (redacted) too: two of them needed redaction
    assert "Would replace 3 written answers" in dry.sentence(dry_run=True)
    stored = set(session.scalars(select(Answer.value)))
    assert {PII, "jo@example.com", "Dr Smith"} <= stored  # a dry run changes nothing

    [done] = purge_expired(session, **ADMIN)
    assert done.sentence(dry_run=True) == dry.sentence(dry_run=True)
    old_values = dict(session.execute(
        select(Answer.question_id, Answer.value).where(Answer.response_id == old.id)).all())
    assert "contact_email" not in old_values
    old_words = session.scalars(select(Answer.value).where(Answer.response_id == old.id,
                                                           Answer.question_id == "three_words")).all()
    assert "slow" in old_words and not any("Smith" in w or "07700" in w for w in old_words)
    assert "Smith" not in old_values["what_matters"] and "07700" not in old_values["what_matters"]
    assert old_values["top_urgent_care"] == "5"  # ratings stay
    recent_values = dict(session.execute(
        select(Answer.question_id, Answer.value).where(Answer.response_id == recent.id)).all())
    assert recent_values["contact_email"] == "new@example.com"  # within the retention period

    # The app keeps working on what remains: both responses still counted and themed.
    assert tidy_answers(engine, form)["response_reference"].nunique() == 2
    assert len(comments_for_review(engine, form, "what_matters")) == 2
    assert not theme_summary(engine, form, "what_matters").empty
    [again] = purge_expired(session, **ADMIN)
    assert (again.texts_replaced_by_redacted, again.texts_removed, again.contact_details_removed) == (0, 0, 0)
    purges = session.scalars(select(AuditEvent).where(AuditEvent.action == "retention_purge")).all()
    assert len(purges) == 2 and "Smith" not in (purges[0].details or "")


def test_retention_must_be_a_sensible_number_of_days(session, form):
    with pytest.raises(ValueError, match="Retention period: 0 days"):
        set_retention_days(session, form.slug, 0, **ADMIN)


def test_erasure_removes_the_response_and_everything_derived_and_audits_without_content(session, form, db_url):
    keep = submit_response(session, form, valid_answers(what_matters="Keep this one please"))
    gone = submit_response(session, form, valid_answers(what_matters=PII, three_words=["Dr Smith"]))
    analyse_pending(get_engine(db_url), form)
    answer_id = session.scalar(select(Answer.id).where(Answer.response_id == gone.id,
                                                       Answer.question_id == "what_matters"))
    set_analyst_themes(session, answer_id, "wmty", ["T99"], "analyst a")
    assert count(session, TextAnalysis) == 3  # two comments and the one word

    erased = erase_response(session, f" {gone.reference.lower()} ", **ADMIN)
    assert erased.reference == gone.reference and erased.answers >= 11 and erased.analyses == 2
    assert erased.theme_tags >= 1
    assert session.scalars(select(Response.reference)).all() == [keep.reference]
    assert count(session, TextAnalysis) == 1 and count(session, AnalystThemeTag) == 0
    assert session.scalars(select(ModelThemeTag).where(ModelThemeTag.answer_id == answer_id)).all() == []
    event = session.scalars(select(AuditEvent).where(AuditEvent.action == "erasure")).one()
    assert (event.actor, event.target_id) == ("ig lead", gone.reference)
    assert "Smith" not in (event.details or "")


def test_erasing_an_unknown_reference_says_so_and_changes_nothing(session, form, db_url):
    submit_response(session, form, valid_answers())
    before = (count(session, Response), count(session, Answer), count(session, AuditEvent))
    with pytest.raises(UnknownReference, match="No response has the reference 'R-NOTREAL'"):
        erase_response(session, "R-NOTREAL", **ADMIN)
    result = CliRunner().invoke(main, ["privacy", "erase", "R-NOTREAL"])
    assert result.exit_code == 1 and "Nothing was changed" in result.output and "Traceback" not in result.output
    assert (count(session, Response), count(session, Answer), count(session, AuditEvent)) == before


def test_cli_erase_and_subject_access_export_work_from_the_reference(session, form, db_url, tmp_path):
    response = submit_response(session, form, valid_answers(what_matters=PII, three_words=["kind", "slow"]))
    out = tmp_path / "sar.json"
    result = CliRunner().invoke(main, ["privacy", "export", response.reference, "--out", str(out)])
    assert result.exit_code == 0, result.output
    record = json.loads(out.read_text())
    assert record["reference"] == response.reference
    answers = {a["question_id"]: a["answer"] for a in record["answers"]}
    assert answers["what_matters"] == PII and answers["top_urgent_care"] == "Very important"
    assert [a["answer"] for a in record["answers"] if a["question_id"] == "three_words"] == ["kind", "slow"]
    assert record["consent"]["agreed_to"].startswith("I understand")
    result = CliRunner().invoke(main, ["privacy", "erase", response.reference])
    assert result.exit_code == 0 and f"Erased {response.reference}" in result.output
    assert count(session, Response) == 0
    missing = CliRunner().invoke(main, ["privacy", "export", response.reference, "--out", str(out)])
    assert missing.exit_code == 1 and "No response has the reference" in missing.output


def test_cli_purge_dry_run_reports_and_changes_nothing(session, form, db_url):
    submit_response(session, form, valid_answers(what_matters=PII),
                    Provenance(created_at=utc_now() - timedelta(days=40)))
    set_retention_days(session, form.slug, 30, **ADMIN)
    result = CliRunner().invoke(main, ["privacy", "purge", "--dry-run"])
    assert result.exit_code == 0 and "Would replace 0 written answers" in result.output
    assert "would remove 1 written answers not yet analysed" in result.output
    assert "Dry run: nothing was changed." in result.output
    assert PII in set(session.scalars(select(Answer.value)))
    result = CliRunner().invoke(main, ["privacy", "purge"])
    assert "removed 1 written answers" in result.output
    assert PII not in set(session.scalars(select(Answer.value)))
