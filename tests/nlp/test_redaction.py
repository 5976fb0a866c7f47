"""Personal data is redacted, and look-alikes (invalid NHS numbers, "NHS", places, roles) are left alone."""

import pytest

from nlp.analyse import analyse_comments
from nlp.redaction import find_pattern_pii, nhs_number_is_valid


def redact(text: str) -> str:
    return next(analyse_comments([text], "wmty")).redacted_text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Email me at jo.bloggs@example.org please", "Email me at [EMAIL] please"),
        ("Ring 07700 900123 any time", "Ring [PHONE] any time"),
        ("The surgery is on 0115 969 1169", "The surgery is on [PHONE]"),
        ("My NHS number is 943 476 5919", "My NHS number is [NHS NUMBER]"),
        ("I live at NG7 2UH", "I live at [POSTCODE]"),
        ("Dr Patel was very kind", "Dr [NAME] was very kind"),
        ("Thanks to nurse Jo on ward 3", "Thanks to nurse [NAME] on ward 3"),
    ],
)
def test_each_kind_of_personal_data_is_replaced_by_a_placeholder(text: str, expected: str) -> None:
    assert redact(text) == expected


def test_the_log_says_what_and_where_but_not_the_value() -> None:
    analysis = next(analyse_comments(["Call 07700 900123"], "wmty"))
    assert [(r.kind, r.start, r.end) for r in analysis.redactions] == [("PHONE", 5, 17)]
    assert "07700" not in repr(analysis.redactions)


def test_an_nhs_number_with_a_wrong_check_digit_is_not_redacted() -> None:
    assert not nhs_number_is_valid("9434765918")
    assert find_pattern_pii("reference 943 476 5918") == []


@pytest.mark.parametrize(
    "text",
    [
        "The NHS is the best thing about this country",
        "My GP in Nottingham was brilliant",
        "The paramedic and the nurse were kind",
        "Called 111 and then 999, seen at 2pm",
    ],
)
def test_services_places_roles_and_short_numbers_are_not_personal_data(text: str) -> None:
    assert redact(text) == text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Her Huntington's diagnosis was handled well", "Her Huntington's diagnosis was handled well"),
        ("Victoria Centre pharmacy had my prescription", "Victoria Centre pharmacy had my prescription"),
        ("Frank conversation with the surgeon", "Frank conversation with the surgeon"),
        ("The nurse practitioner was great", "The nurse practitioner was great"),
        ("my daughter doesnt go to nursery", "my daughter doesnt go to nursery"),
        ("Dr. Patel's clinic runs late", "Dr. [NAME]'s clinic runs late"),
        ("dr rachel was kind", "dr [NAME] was kind"),
        ("Priya on reception always helps", "[NAME] on reception always helps"),
        ("Thanks to Dr Ifeoma Nwosu and the team", "Thanks to Dr [NAME] and the team"),
        ("Please pass my thanks to Priya and Tom", "Please pass my thanks to [NAME] and [NAME]"),
        ("Kind regards, Carl Jenkins", "Kind regards, [NAME]"),
    ],
)
def test_name_cues_and_look_alikes(text: str, expected: str) -> None:
    assert redact(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # Found by a new-user review: the name reached the comms CSV.
        ("call Jane Doe 07700 900123", "call [NAME] [PHONE]"),
        ("Please ring Mary Smith about my appointment", "Please ring [NAME] about my appointment"),
        ("contact Tom Hughes if you need more", "contact [NAME] if you need more"),
        ("Ask for Jane Doe at the desk", "Ask for [NAME] at the desk"),
        ("call NHS 111 first", "call NHS 111 first"),
        ("contact Healthwatch Nottingham", "contact Healthwatch Nottingham"),
        ("ring Social Services", "ring Social Services"),
        ("Call Boots Pharmacy for repeats", "Call Boots Pharmacy for repeats"),
        ("Maybe contact Sheffield Children's Hospital", "Maybe contact Sheffield Children's Hospital"),
    ],
)
def test_a_full_name_after_call_ring_or_contact_is_a_name(text: str, expected: str) -> None:
    assert redact(text) == expected


def test_a_number_written_with_plus_44_and_a_bracketed_zero_is_a_phone_number() -> None:
    assert redact("Ring +44 (0)115 496 0123 please") == "Ring [PHONE] please"


def test_the_name_model_is_read_from_its_folder_without_running_its_package_code(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import sys

    from nlp import redaction

    monkeypatch.delitem(sys.modules, redaction.NER_PACKAGE, raising=False)
    finder = redaction.NameFinder()
    # A name with no cue word before it: only the English NER model finds it.
    names = finder.find_names(["Sarah and Tom looked after us"])
    assert [(r.kind, r.start, r.end) for r in names[0]] == [("NAME", 0, 5), ("NAME", 10, 13)]
    assert redaction.NER_PACKAGE not in sys.modules


def test_a_missing_name_model_stops_redaction_with_a_clear_message(monkeypatch: pytest.MonkeyPatch) -> None:
    from nlp import redaction
    from nlp.pipeline import build_pipeline

    monkeypatch.setattr(redaction, "NER_PACKAGE", "no_such_ner_model")
    build_pipeline.cache_clear()
    try:
        with pytest.raises(redaction.NerModelMissing, match="not installed.*requirements-ner.txt"):
            next(analyse_comments(["Sarah and Tom looked after us"], "wmty"))
    finally:
        build_pipeline.cache_clear()
