"""Respondent-written text: marked once in the form schema, redacted wherever it is shown or exported, and
theme percentages over the same answers in numerator and denominator."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from engagement.analysis.suppression import SuppressionRule
from engagement.analysis.tidy import tidy_answers
from engagement.cli import main
from engagement.db import get_engine
from engagement.free_text.job import analyse_pending
from engagement.free_text.themes import theme_summary
from engagement.intake import Provenance, submit_many, submit_response
from survey_forms.schema import Question
from tests.conftest import valid_answers

# The arithmetic of a few answers, with figures too small to publish left visible.
SHOW_ALL = SuppressionRule("show all", min_base=0, min_cell=0, secondary=False)

THREE_WORDS = ["Dr Smith rude", "07700 900123", "slow"]
SECRETS = ("Smith", "07700 900123")


def test_every_question_with_respondent_written_text_is_marked_in_the_form(form):
    marked = {q.id for q in form.respondent_text_questions()}
    assert {"best_thing", "what_matters", "three_words"} <= marked
    assert "district" not in marked and "top_urgent_care" not in marked
    assert Question(id="nick", type="single_choice", text="?", options=[{"code": "a", "label": "A"}]
                    ).carries_respondent_text is False
    assert Question(id="x", type="number", text="?", respondent_text=True).carries_respondent_text
    with pytest.raises(ValueError, match="respondent_text"):
        Question(id="y", type="single_choice", text="?", options=[{"code": "a", "label": "A"}], respondent_text=True)


@pytest.mark.parametrize("analysed_first", [False, True], ids=["not analysed yet", "analysed"])
def test_three_words_are_redacted_in_the_tidy_frame_and_the_csv(session, form, db_url, tmp_path, analysed_first):
    submit_response(session, form, valid_answers(three_words=THREE_WORDS))
    if analysed_first:
        analyse_pending(get_engine(db_url), form)
    tidy = tidy_answers(get_engine(db_url), form)
    words = tidy.loc[tidy.question_id == "three_words", "answer_label"].tolist()
    assert len(words) == 3 and "slow" in words
    for secret in SECRETS:
        assert secret not in tidy.to_csv()
    out = tmp_path / "answers.csv"
    result = CliRunner().invoke(main, ["export", "--format", "csv", "--out", str(out)])
    assert result.exit_code == 0, result.output
    exported = out.read_text(encoding="utf-8-sig")
    assert "slow" in exported
    for secret in SECRETS:
        assert secret not in exported


def test_export_page_preview_shows_three_words_redacted(session, form, db_url):
    from tests.pages import open_page

    submit_response(session, form, valid_answers(three_words=THREE_WORDS))
    app = open_page("export", roles=("comms",))
    shown = app.dataframe[0].value.to_csv()
    for secret in SECRETS:
        assert secret not in shown


def test_not_codeable_answers_are_in_neither_numerator_nor_denominator(session, form, db_url):
    texts = ["-", "n/a", "Did not answer", "...", "Not enough nurses on the wards", "Waiting times are far too long"]
    submit_many(session, form, [(valid_answers(what_matters=text), Provenance()) for text in texts])
    analyse_pending(get_engine(db_url), form)
    summary = theme_summary(get_engine(db_url), form, "what_matters", rule=SHOW_ALL).set_index("theme_code")
    assert (summary["pct_of_respondents"] <= 100.0).all(), summary
    assert summary.loc["T03", "pct_of_respondents"] == pytest.approx(100 / 3)
    if "T99" in summary.index:
        assert summary.loc["T99", "respondents"] == 1  # "n/a": screened as text, coded not codeable
