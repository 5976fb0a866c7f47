"""`engagement demo` on a survey it cannot make answers for says so in a sentence, never a traceback."""

from __future__ import annotations

from click.testing import CliRunner

from engagement.cli import main
from engagement.forms import easy_read_version


def test_demo_responses_for_an_easy_read_version_are_refused_in_plain_words(db_url, form):
    easy = easy_read_version(form.slug)
    result = CliRunner().invoke(main, ["demo", "--responses", "5", "--form", easy.slug])
    assert result.exit_code == 1 and isinstance(result.exception, SystemExit)  # a message, not a traceback
    assert (f"Demo responses are made with the standard survey's questions; '{easy.slug}' is its Easy Read "
            f"version. Add them to '{form.slug}' instead.") in result.output


def test_demo_data_can_have_easy_read_responses_with_written_answers(db_url, form, session):
    from sqlalchemy import func, select

    from engagement.models import Answer, Response

    easy = easy_read_version(form.slug)
    result = CliRunner().invoke(main, ["demo", "--responses", "60", "--easy-read", "20", "--seed", "3"])
    assert result.exit_code == 0, result.output
    by_survey = dict(session.execute(select(Response.survey_slug, func.count()).group_by(Response.survey_slug)).all())
    assert by_survey == {form.slug: 40, easy.slug: 20}
    written = session.scalar(select(func.count()).select_from(Answer).join(Response).where(
        Response.survey_slug == easy.slug, Answer.question_id == "what_matters"))
    assert written > 5
    too_many = CliRunner().invoke(main, ["demo", "--responses", "5", "--easy-read", "6"])
    assert too_many.exit_code == 2 and "6 is more than the 5 responses to add" in too_many.output
