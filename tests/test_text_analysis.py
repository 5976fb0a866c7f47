"""Free-text answers through the engine: stored analysis, redacted exports, theme summaries, analyst review."""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import delete, select

from engagement.analysis.suppression import SuppressionRule
from engagement.analysis.tidy import tidy_answers
from engagement.cli import main
from engagement.db import get_engine
from engagement.free_text.analyse import pending_answers
from engagement.free_text.job import analyse_pending
from engagement.free_text.review import analyst_training_examples, comments_for_review, set_analyst_themes
from engagement.free_text.themes import effective_theme_tags, theme_summary
from engagement.intake import Provenance, submit_many, submit_response
from engagement.models import RedactionLog, TextAnalysis
from tests.conftest import valid_answers

# The arithmetic of a few answers, with figures too small to publish left visible.
SHOW_ALL = SuppressionRule("show all", min_base=0, min_cell=0, secondary=False)

PII_COMMENT = "Ring me on 07700 900123 or email jo.bloggs@example.com, my NHS number is 943 476 5919."


def test_every_free_text_answer_is_analysed_once_per_model_version(session, form, db_url):
    submit_many(session, form, [
        (valid_answers(best_thing="Free at the point of use", what_matters="Not enough doctors and nurses"),
         Provenance()),
        (valid_answers(what_matters="Waiting times in A&E are far too long"), Provenance()),
    ])
    steps = []
    assert analyse_pending(get_engine(db_url), form, progress=lambda done, total: steps.append((done, total))) == 3
    assert steps[0] == (0, 3) and steps[-1] == (3, 3)
    assert pending_answers(session, form) == []
    assert analyse_pending(get_engine(db_url), form) == 0


def test_exports_and_analysts_see_only_redacted_text_and_the_redaction_is_logged(session, form, db_url):
    response = submit_response(session, form, valid_answers(what_matters=PII_COMMENT))
    analyse_pending(get_engine(db_url), form)
    tidy = tidy_answers(get_engine(db_url), form)
    text = tidy.loc[tidy.question_id == "what_matters", "answer_label"].iloc[0]
    for secret in ("07700 900123", "jo.bloggs@example.com", "943 476 5919"):
        assert secret not in tidy.to_csv()
    assert "[PHONE]" in text and "[EMAIL]" in text and "[NHS NUMBER]" in text
    kinds = set(session.scalars(select(RedactionLog.kind)))
    assert {"PHONE", "EMAIL", "NHS_NUMBER"} <= {k.upper().replace(" ", "_") for k in kinds}
    review = comments_for_review(get_engine(db_url), form, "what_matters")
    assert "jo.bloggs" not in review["redacted_text"].iloc[0]
    assert response.reference in set(review["response_reference"])


def test_export_redacts_answers_the_model_has_not_seen_yet(session, form, db_url):
    submit_response(session, form, valid_answers(best_thing="Email me at sam@example.org"))
    tidy = tidy_answers(get_engine(db_url), form)
    assert "sam@example.org" not in tidy.to_csv()


def test_theme_summary_counts_respondents_and_allows_more_than_100_percent(session, form, db_url):
    submit_many(session, form, [
        (valid_answers(what_matters="Not enough doctors and nurses, and A&E waits are far too long"), Provenance()),
        (valid_answers(what_matters="There are not enough nurses on the wards"), Provenance()),
    ])
    analyse_pending(get_engine(db_url), form)
    summary = theme_summary(get_engine(db_url), form, "what_matters", rule=SHOW_ALL).set_index("theme_code")
    assert summary.loc["T03", "respondents"] == 2
    assert summary.loc["T03", "pct_of_respondents"] == 100.0
    assert summary["pct_of_respondents"].sum() > 100.0
    assert summary.loc["T03", "theme"].startswith("Workforce")


def test_analyst_decisions_win_and_survive_reanalysis(session, form, db_url):
    submit_response(session, form, valid_answers(what_matters="Not enough doctors and nurses"))
    engine = get_engine(db_url)
    analyse_pending(engine, form)
    answer_id = int(comments_for_review(engine, form, "what_matters")["answer_id"].iloc[0])
    assert "T03" in set(effective_theme_tags(engine, form)["theme_code"])
    before = comments_for_review(engine, form, "what_matters").iloc[0]
    assert any("doctors" in word for word in before["evidence"]["T03"])  # the words that gave the theme away
    assert not before["reviewed"]
    set_analyst_themes(session, answer_id, "wmty", ["T06"], analyst="Analyst A")
    session.execute(delete(TextAnalysis))  # a new model version re-analyses everything
    session.commit()
    analyse_pending(engine, form)
    tags = effective_theme_tags(engine, form)
    assert set(tags["theme_code"]) == {"T06"}
    assert set(tags["source"]) == {"analyst"}
    assert comments_for_review(engine, form, "what_matters").iloc[0]["reviewed"]
    assert analyst_training_examples(session, "wmty") == [("Not enough doctors and nurses", ["T06"])]


def test_a_comment_counts_as_reviewed_even_when_the_analyst_removed_every_theme(session, form, db_url):
    submit_response(session, form, valid_answers(what_matters="Not enough doctors and nurses"))
    engine = get_engine(db_url)
    analyse_pending(engine, form)
    answer_id = int(comments_for_review(engine, form, "what_matters")["answer_id"].iloc[0])
    set_analyst_themes(session, answer_id, "wmty", [], analyst="Analyst D")
    review = comments_for_review(engine, form, "what_matters").iloc[0]
    assert review["themes"] == [] and review["reviewed"]


def test_analyst_cannot_add_a_theme_outside_the_codebook(session, form, db_url):
    submit_response(session, form, valid_answers(what_matters="Not enough doctors"))
    analyse_pending(get_engine(db_url), form)
    answer_id = int(comments_for_review(get_engine(db_url), form, "what_matters")["answer_id"].iloc[0])
    try:
        set_analyst_themes(session, answer_id, "wmty", ["T77"], analyst="A")
    except ValueError as exc:
        assert "T77" in str(exc)
    else:
        raise AssertionError("an unknown theme was accepted")


def test_cli_analyse_topics_and_predict(session, form, db_url, tmp_path):
    submit_many(session, form, [(valid_answers(what_matters=t), Provenance()) for t in [
        "Not enough doctors", "Waiting lists are too long", "GP appointments are impossible to get",
        "Waiting for my operation", "Need more nurses",
    ]])
    runner = CliRunner()
    result = runner.invoke(main, ["analyse"])
    assert result.exit_code == 0 and "Analysed 5 free-text answers" in result.output
    topics = runner.invoke(main, ["nlp", "topics", "--question", "what_matters", "--topics", "2"])
    assert topics.exit_code == 0 and "Topic 1" in topics.output
    # Found when this was tried: a question id that is not a written-answer question printed nothing, exit 0.
    for wrong in ("what_mattres", "age"):
        unknown = runner.invoke(main, ["nlp", "topics", "--question", wrong])
        assert unknown.exit_code == 1 and isinstance(unknown.exception, SystemExit), unknown.exception
        assert f"'{wrong}' is not a written-answer question" in unknown.output
        assert "best_thing, what_matters" in unknown.output
    source = tmp_path / "in.csv"
    source.write_text("id,comment\n1,Lovely staff\n")
    out = tmp_path / "out.csv"
    predict = ["nlp", "predict", "--codebook", "px", "--input", str(source), "--output", str(out)]
    missing = runner.invoke(main, predict)
    assert missing.exit_code != 0 and "'text'" in missing.output
    source.write_text("id,text\n1,The nurses were lovely and kind\n2,\n")
    done = runner.invoke(main, predict)
    assert done.exit_code == 0, done.output
    with open(out, newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert [r["id"] for r in rows] == ["1", "2"]
    assert rows[0]["Staff manner & personal attributes"] == "1"
    assert rows[1]["Labelling not possible"] == "1"
    assert json.loads(runner.invoke(main, ["stats", "--json"]).output)["responses"] == 5


# The pxtextmining v6 layout: 11 metadata columns, then one 0/1 column per label (a few of the 50 are enough).
V6_META = [
    "Comment ID", "Trust", "Respondent ID", "Date", "Service type 1", "Service type 2", "FFT categorical answer",
    "FFT question", "FFT answer", "Person identifiable info?", "Comment sentiment",
]
V6_LABELS = ["Staff manner & personal attributes", "Timeliness of care", "Positive experience & gratitude"]
# Invented comments: (text, sentiment 1 very positive .. 5 very negative, labels).
V6_COMMENTS = [
    ("The crew were kind and caring", 1, {"Staff manner & personal attributes"}),
    ("Waited four hours for the ambulance", 5, {"Timeliness of care"}),
    ("Thank you for everything, brilliant service", 1, {"Positive experience & gratitude"}),
    ("The call handler was rude and the wait was far too long", 5,
     {"Staff manner & personal attributes", "Timeliness of care"}),
    ("It was ok", 3, set()),
]


def test_cli_evaluate_scores_a_pxtextmining_v6_file(tmp_path):
    import pandas as pd

    rows = [
        {**dict.fromkeys(V6_META, ""), "Comment ID": f"c{i}", "Trust": "Test", "FFT question": "Why?",
         "FFT answer": text, "Comment sentiment": feeling, **{label: int(label in labels) for label in V6_LABELS}}
        for i, (text, feeling, labels) in enumerate(V6_COMMENTS * 4)
    ]
    data = tmp_path / "v6-sample.csv"
    pd.DataFrame(rows, columns=V6_META + V6_LABELS).to_csv(data, index=False)
    result = CliRunner().invoke(
        main, ["nlp", "evaluate", "--codebook", "px", "--data", str(data), "--format", "pxtextmining-v6", "--json"]
    )
    assert result.exit_code == 0, result.output
    scores = json.loads(result.output)
    text = json.dumps(scores)
    for key in ("micro", "macro", "samples", "accuracy", "negative"):
        assert key in text
    plain = CliRunner().invoke(main, ["nlp", "evaluate", "--data", str(data)])
    assert plain.exit_code == 0 and "micro" in plain.output.lower()


REPO_DATA = Path(__file__).resolve().parents[1] / "data"


@pytest.fixture
def data_dir(tmp_path, monkeypatch) -> Path:
    """A copy of the shipped codebooks and models, so training in a test never touches the shipped ones."""
    folder = tmp_path / "data"
    shutil.copytree(REPO_DATA / "codebooks", folder / "codebooks")
    shutil.copytree(REPO_DATA / "models", folder / "models")
    monkeypatch.setenv("ENGAGEMENT_DATA_DIR", str(folder))
    return folder


# Twenty invented answers: the fewest that training learns from (nlp.train.MIN_TRAINING_COMMENTS).
SURVEY_ANSWERS = [
    "Not enough doctors and nurses", "Waiting lists are far too long", "Free at the point of use",
    "I could never get a GP appointment", "The nurses were kind", "A&E was packed for hours",
    "The bus to the hospital takes two hours", "Mental health services for young people", "Parking costs too much",
    "Care for my mum at home", "Staff are overworked and underpaid", "Quick ambulance when I needed it",
    "Being listened to by my doctor", "Closer services in the town", "Good advice from the pharmacy",
    "My dad waited weeks for a home visit", "Dentists taking NHS patients", "Less paperwork between services",
    "Help to stay healthy and active", "Clear information about my operation",
]


def test_nlp_train_wmty_learns_from_analyst_decisions(session, form, db_url, tmp_path, monkeypatch, data_dir):
    monkeypatch.setenv("ENGAGEMENT_SHARED_DIR", str(tmp_path / "no-such-folder"))
    shipped = (REPO_DATA / "models" / "wmty-themes.skops").read_bytes()
    submit_response(session, form, valid_answers(what_matters="The bus to Kings Mill takes two hours"))
    engine = get_engine(db_url)
    analyse_pending(engine, form)
    answer_id = int(comments_for_review(engine, form, "what_matters")["answer_id"].iloc[0])
    set_analyst_themes(session, answer_id, "wmty", ["T05"], analyst="Analyst C")
    submit_many(session, form, [(valid_answers(what_matters=t), Provenance()) for t in SURVEY_ANSWERS[1:]])
    analyse_pending(engine, form)

    result = CliRunner().invoke(main, ["nlp", "train", "--codebook", "wmty"])
    assert result.exit_code == 0, result.output
    assert "(1 from analysts)" in result.output
    card = json.loads((data_dir / "models" / "wmty-themes.json").read_text())
    assert card["analyst_examples"] == 1
    assert (REPO_DATA / "models" / "wmty-themes.skops").read_bytes() == shipped  # shipped model untouched


def test_nlp_train_wmty_works_without_the_shared_datasets(session, form, db_url, tmp_path, monkeypatch, data_dir):
    nowhere = tmp_path / "no-such-folder"
    monkeypatch.setenv("ENGAGEMENT_SHARED_DIR", str(nowhere))
    trained = (data_dir / "models" / "wmty-themes.skops").read_bytes()
    submit_many(session, form, [(valid_answers(what_matters=t), Provenance()) for t in SURVEY_ANSWERS[:3]])
    analyse_pending(get_engine(db_url), form)
    too_few = CliRunner().invoke(main, ["nlp", "train", "--codebook", "wmty"])
    assert too_few.exit_code != 0 and "Traceback" not in too_few.output
    assert "3 comments" in too_few.output and "at least 20" in too_few.output and str(nowhere) in too_few.output
    assert (data_dir / "models" / "wmty-themes.skops").read_bytes() == trained  # the model in use is kept

    submit_many(session, form, [(valid_answers(what_matters=t), Provenance()) for t in SURVEY_ANSWERS[3:]])
    analyse_pending(get_engine(db_url), form)
    result = CliRunner().invoke(main, ["nlp", "train", "--codebook", "wmty"])
    assert result.exit_code == 0, result.output
    card = json.loads((data_dir / "models" / "wmty-themes.json").read_text())
    assert card["data_sources"] == ["phrase-pattern weak labels on 20 of this survey's answers"]
    px = CliRunner().invoke(main, ["nlp", "train", "--codebook", "px"])
    assert px.exit_code != 0 and "ENGAGEMENT_SHARED_DIR" in px.output


def test_each_theme_of_a_mixed_answer_is_stored_with_its_own_sentiment(session, form, db_url):
    submit_response(session, form, valid_answers(what_matters="The staff were lovely but the wait was awful"))
    analyse_pending(get_engine(db_url), form)
    said = effective_theme_tags(get_engine(db_url), form).set_index("theme_code")["theme_sentiment"]
    assert said["T02"] == "positive" and said["T07"] == "negative"


def test_theme_summary_hides_figures_about_too_few_people(session, form, db_url):
    submit_many(session, form, [
        (valid_answers(what_matters="The staff were lovely but the wait was awful"), Provenance()),
        (valid_answers(what_matters="Waiting times are far too long"), Provenance()),
    ])
    analyse_pending(get_engine(db_url), form)
    summary = theme_summary(get_engine(db_url), form, "what_matters").set_index("theme_code")
    assert summary.loc["T07", ["respondents", "pct_of_respondents", "negative", "negative_share"]].isna().all()
    assert summary.loc["T07", "how_it_was_said"] == "*"
    shown = theme_summary(get_engine(db_url), form, "what_matters", rule=SHOW_ALL).set_index("theme_code")
    assert shown.loc["T07", "negative_share"] == 100.0
    assert shown.loc["T07", "how_it_was_said"].startswith("100% negative")
