"""Empty, unanswered, emoji-only, non-English and very long comments get a sensible result, never a crash."""

import pytest

from nlp.analyse import analyse_comments


@pytest.mark.parametrize("text", ["", "   ", "Did not answer", "😀😀👍"])
def test_nothing_to_say_is_empty_and_gets_the_not_codeable_theme(text: str) -> None:
    wmty, px = next(analyse_comments([text], "wmty")), next(analyse_comments([text], "px"))
    assert wmty.status == px.status == "empty"
    assert [tag.code for tag in wmty.themes] == ["T99"]
    assert [tag.label for tag in px.themes] == ["Labelling not possible"]
    assert px.sentiment == "neutral"


def test_non_english_is_reported_and_not_coded() -> None:
    analysis = next(analyse_comments(["Muy buen servicio, gracias a todos los médicos y enfermeras"], "px"))
    assert analysis.status == "not_english"
    assert [tag.label for tag in analysis.themes] == ["Labelling not possible"]


def test_a_20000_character_comment_is_truncated_and_still_analysed() -> None:
    text = "The nurses were kind but the wait was long. " * 460
    analysis = next(analyse_comments([text], "wmty"))
    assert analysis.status == "too_long_truncated"
    assert analysis.themes


def test_results_come_back_one_per_input_in_order() -> None:
    texts = ["", "Not enough doctors", "Did not answer", "Free at the point of use"] * 3
    results = list(analyse_comments(texts, "wmty", batch_size=5))
    assert len(results) == len(texts)
    assert [r.status for r in results][:4] == ["empty", "ok", "empty", "ok"]
