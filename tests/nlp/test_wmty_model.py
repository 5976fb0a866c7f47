"""The shipped wmty theme model: a file that loads and tags invented comments sensibly, with or without ../shared;
and the two-stage fit learns from hand-coded comments."""

from __future__ import annotations

import json

import numpy as np
import pytest

from nlp.analyse import analyse_comments
from nlp.codebook import load_codebook
from nlp.models import ThemeModel, theme_model_path
from nlp.pipeline import build_pipeline


def codes_for(text: str, question: str | None = None) -> set[str]:
    analysis = next(analyse_comments([text], "wmty", questions=[question]))
    return {tag.code for tag in analysis.themes}


@pytest.fixture
def no_shared(tmp_path, monkeypatch):
    """As on a deployment without ../shared: the public data folder does not exist."""
    monkeypatch.setenv("ENGAGEMENT_SHARED_DIR", str(tmp_path / "no-shared-here"))
    build_pipeline.cache_clear()
    yield
    build_pipeline.cache_clear()


def test_shipped_model_is_a_file_for_the_codebooks_codes(no_shared) -> None:
    model = ThemeModel.load(theme_model_path("wmty"))
    assert model.codes == load_codebook("wmty").codes
    assert model.pattern_weight == 1.0  # phrase-pattern hits are features the hand-coded comments weighed


def test_no_gp_appointment_for_weeks_is_gp_access_and_waiting(no_shared) -> None:
    found = codes_for("Couldn't get a GP appointment for three weeks")
    assert {"T06", "T07"} <= found
    assert "T99" not in found


@pytest.mark.parametrize(
    ("comment", "theme"),
    [
        ("The paramedics who came out to my dad were calm and kind", "T08"),
        ("Far too few nurses on the ward at night, they were run off their feet", "T03"),
        ("Nobody told me what was happening or when the results would come", "T23"),
        ("The transport picked me up late and I missed my appointment", "T05"),
        ("Excellent care from start to finish, I can't fault them", "T04"),
        ("My counsellor helped me through a very dark time with my anxiety", "T09"),
    ],
)
def test_invented_comments_get_the_theme_a_reader_would_give(no_shared, comment: str, theme: str) -> None:
    assert theme in codes_for(comment)


def test_other_only_when_no_theme_fits(no_shared) -> None:
    assert codes_for("Nothing to add") == {"T99"}
    comments = [
        "Staff were lovely but I waited five hours",
        "very satisfied",
        "The food was cold",
        "Couldn't get through on the phone for days",
    ]
    for analysis in analyse_comments(comments, "wmty"):
        found = {tag.code for tag in analysis.themes}
        assert found and ("T99" not in found or found == {"T99"})


def test_card_records_the_leave_one_source_out_table() -> None:
    card = json.loads(theme_model_path("wmty").with_suffix(".json").read_text(encoding="utf-8"))
    table = card["leave_one_source_out"]
    assert len(table["sources"]) == 7
    assert sum(row["comments"] for row in table["sources"]) == table["pooled"]["comments"]
    assert 0 < table["pooled"]["micro_f1"] <= 1


def test_two_stage_fit_learns_from_hand_coded_comments_without_public_data() -> None:
    from nlp.train import Featurised, WmtyRecipe, featurise, fit_wmty_model

    codebook = load_codebook("wmty")
    coded = [
        ("the porter pushed me to the scan", {"T05"}),
        ("porter was quick to take me to the scan", {"T05", "T07"}),
        ("no porter so I walked to x-ray", {"T05"}),
        ("lovely receptionist", {"T02"}),
        ("the receptionist was kind", {"T02"}),
        ("receptionist smiled and was helpful", {"T02"}),
    ] * 4
    texts = [text for text, _ in coded]
    human = featurise(texts, [None] * len(texts), codebook)
    empty = Featurised([], human.hits[:0], codebook.codes)
    groups = [f"survey-{i % 3}" for i in range(len(coded))]
    model = fit_wmty_model(
        codebook, empty, [], human, [frozenset(c) for _, c in coded], groups, WmtyRecipe(), extra_vocabulary=texts
    )
    probe = featurise(["a porter took me to the scan", "the receptionist was lovely"], [None, None], codebook)
    scores = model.scores(probe.texts, probe.hits)
    t05, t02 = codebook.codes.index("T05"), codebook.codes.index("T02")
    assert scores[0, t05] >= model.thresholds[t05] > scores[1, t05]
    assert scores[1, t02] >= model.thresholds[t02] > scores[0, t02]
    assert np.all(scores[:, codebook.codes.index("T11")] < model.thresholds[codebook.codes.index("T11")])
