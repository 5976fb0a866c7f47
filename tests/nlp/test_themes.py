"""Themes come with evidence in the public's own words; a comment can carry several; sentiment has direction."""

from nlp.analyse import analyse_comments


def themes(text: str, codebook: str = "wmty") -> dict[str, list[str]]:
    analysis = next(analyse_comments([text], codebook))
    return {tag.code: tag.evidence for tag in analysis.themes}


def test_not_enough_doctors_and_nurses_is_workforce_with_evidence() -> None:
    found = themes("There are not enough doctors and nurses")
    assert "T03" in found
    assert any("not enough doctors" in evidence.lower() for evidence in found["T03"])


def test_bounced_between_specialists_and_gp_is_a_referral_theme() -> None:
    found = themes("I was bounced back and forth between specialists and their GP")
    assert "bounced back and forth" in [evidence.lower() for evidence in found["T14"]]


def test_free_at_the_point_of_use_is_nhs_principles() -> None:
    assert "T01" in themes("It is free at the point of use")


def test_a_comment_can_carry_several_themes() -> None:
    found = themes("Free at the point of use, but the waiting list for A&E is far too long")
    assert {"T01", "T07", "T08"} <= set(found)


def test_each_theme_tag_says_where_it_came_from_and_how_sure() -> None:
    tag = next(analyse_comments(["not enough nurses"], "wmty")).themes[0]
    assert tag.source in {"pattern", "model", "both"}
    assert 0.0 <= tag.score <= 1.0


def test_px_labels_use_the_framework_names() -> None:
    analysis = next(analyse_comments(["The ambulance took three hours to arrive"], "px"))
    assert "Timeliness of care" in {tag.label for tag in analysis.themes}


def test_sentiment_direction_on_clear_comments() -> None:
    good, bad = analyse_comments(
        ["The staff were wonderful and kind, thank you so much", "Rude staff, I waited hours and nobody told me"],
        "px",
    )
    assert good.sentiment == "positive" and good.sentiment_score > 0
    assert bad.sentiment == "negative" and bad.sentiment_score < 0


def test_theme_mentions_get_the_sentiment_of_their_own_sentence() -> None:
    analysis = next(
        analyse_comments(["The staff were amazing. I waited hours and nobody told me anything, awful."], "wmty")
    )
    by_code = {tag.code: tag.sentiment for tag in analysis.themes}
    assert by_code["T02"] == "positive"
    assert by_code["T07"] == "negative"


BEST_THING = "What do you think is the best thing about the NHS?"


def test_answers_to_a_praise_question_read_as_praise_unless_they_complain() -> None:
    # Out of context "being there when you need it" and "never have to worry" sound like trouble; as answers to
    # "the best thing about the NHS" they are praise. A complaint given there still reads as a complaint.
    answers = [
        "Being there when you need it most",
        "That you never have to worry about paying when you are ill",
        "Not much these days, the waiting lists are terrible",
    ]
    found = [a.sentiment for a in analyse_comments(answers, "wmty", questions=[BEST_THING] * len(answers))]
    assert found == ["positive", "positive", "negative"]


def test_only_questions_that_ask_for_praise_alone_count_as_praise() -> None:
    from nlp.features import praise_only

    assert praise_only(BEST_THING)
    assert praise_only("What was good about your care?")
    assert praise_only("What did we do well?")
    assert not praise_only(
        "Please describe any things about the 111 service that you were particularly satisfied and/or dissatisfied with"
    )
    assert not praise_only("How could we improve?")
    assert not praise_only("FFT Why?")
    assert not praise_only("What was good, and what could have been better?")
    assert not praise_only(None)
