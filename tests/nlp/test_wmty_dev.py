"""The wmty development set: hand labels on real comments resolve to texts and the evaluation reports every theme."""

from __future__ import annotations

from collections import Counter

import pytest

from nlp.codebook import load_codebook
from nlp.wmty_dev import LABELS_CSV, DevSetError, read_labels, sample_dev_set, score, shared_dir_default

SHARED = shared_dir_default() / "datasets" / "patient-feedback"
needs_shared = pytest.mark.skipif(
    not SHARED.is_dir(), reason=f"shared patient-feedback datasets not found at {SHARED} (texts are not in the repo)"
)
CODES = {theme.code for theme in load_codebook("wmty").themes}


def test_labels_use_codebook_codes_and_both_splits() -> None:
    rows = read_labels()
    assert len(rows) >= 250
    assert {row["split"] for row in rows} == {"tune", "test"}
    for row in rows:
        codes = row["codes"].split(";")
        assert codes and set(codes) <= CODES, row
        assert "T99" not in codes or codes == ["T99"], row
    assert len({(row["source_file"], row["row_key"]) for row in rows}) == len(rows)


def test_labels_file_holds_no_comment_text() -> None:
    assert LABELS_CSV.read_text(encoding="utf-8").splitlines()[0] == "source_file,row_key,split,codes"


def test_missing_shared_dir_gives_a_clear_error(tmp_path) -> None:
    from nlp.wmty_dev import load_dev_set

    with pytest.raises(DevSetError, match="patient-feedback"):
        load_dev_set(tmp_path)


def test_score_counts_precision_and_recall() -> None:
    evaluation = score([["T02", "T07"], ["T99"]], [["T02"], ["T07"]], "unit")
    by_code = evaluation.by_code()
    assert by_code["T02"].precision == 1.0 and by_code["T02"].recall == 1.0
    assert by_code["T07"].precision == 0.0 and by_code["T07"].support == 1
    assert set(by_code) == CODES


@needs_shared
def test_every_row_key_resolves_and_sample_is_reproducible() -> None:
    from nlp.wmty_dev import load_dev_set

    rows = load_dev_set()
    assert len(rows) == len(read_labels())
    assert all(text.strip() for text, _, _ in rows)
    labelled = [(row["source_file"], row["row_key"], row["split"]) for row in read_labels()]
    assert sample_dev_set() == labelled


@needs_shared
def test_evaluation_runs_and_reports_each_theme_with_support() -> None:
    from nlp.wmty_dev import evaluate_wmty

    evaluation = evaluate_wmty("test")
    assert evaluation.comments > 0
    assert {theme.code for theme in evaluation.themes} == CODES
    assert sum(theme.support for theme in evaluation.themes) > evaluation.comments
    assert 0.0 < evaluation.micro_f1 <= 1.0
    text = evaluation.to_text()
    assert "support" in text and "T07" in text and "micro" in text


def test_second_set_keys_are_separate_from_the_first_and_span_sources() -> None:
    from nlp.wmty_dev import DEV2_KEYS_CSV, read_dev2_keys

    assert DEV2_KEYS_CSV.read_text(encoding="utf-8").splitlines()[0] == "source_file,row_key,source,question"
    keys = read_dev2_keys()
    assert len(keys) >= 600
    pairs = {(row["source_file"], row["row_key"]) for row in keys}
    assert len(pairs) == len(keys)
    assert not pairs & {(row["source_file"], row["row_key"]) for row in read_labels()}
    by_source = Counter(row["source"] for row in keys)
    assert len(by_source) >= 4 and min(by_source.values()) >= 50, by_source
    assert {row["source_file"] for row in keys} == {
        "v6_framework_neas.csv",
        "phase1_single_label.csv",
        "historical_2020_single_label.csv",
    }


@needs_shared
def test_second_set_is_reproducible_with_long_comments_and_no_repeats(tmp_path) -> None:
    from nlp.wmty_dev import read_dev2_keys, sample_dev_set_v2, write_coding_pack

    items = sample_dev_set_v2()
    assert [(i.source_file, i.row_key, i.source, i.question) for i in items] == [
        (row["source_file"], row["row_key"], row["source"], row["question"]) for row in read_dev2_keys()
    ]
    assert sum(len(item.text.split()) >= 60 for item in items) >= 60
    assert len({" ".join(item.text.lower().split()) for item in items}) == len(items)
    write_coding_pack(tmp_path, items)
    header, first = (tmp_path / "items.csv").read_text(encoding="utf-8").splitlines()[:2]
    assert header == "item,question,text" and first.startswith("1,")


def test_training_set_never_overlaps_the_scored_sets() -> None:
    """Set 3 teaches the model; a comment in it that is also scored (set 1 or 2) would flatter every figure."""
    from nlp.wmty_dev import TRAIN3_KEYS_CSV, read_dev2_keys

    training = read_dev2_keys(TRAIN3_KEYS_CSV)
    pairs = {(row["source_file"], row["row_key"]) for row in training}
    assert len(pairs) == len(training) == 3000
    assert not pairs & {(row["source_file"], row["row_key"]) for row in read_labels()}
    assert not pairs & {(row["source_file"], row["row_key"]) for row in read_dev2_keys()}


@needs_shared
def test_training_set_is_reproducible_and_shares_no_text_with_scored_sets() -> None:
    from nlp.wmty_dev import TRAIN3_KEYS_CSV, read_dev2_keys, sample_dev_set_v2, sample_training_set_v3

    items = sample_training_set_v3()
    assert [(i.source_file, i.row_key, i.source, i.question) for i in items] == [
        (row["source_file"], row["row_key"], row["source"], row["question"]) for row in read_dev2_keys(TRAIN3_KEYS_CSV)
    ]
    scored = {" ".join(item.text.lower().split()) for item in sample_dev_set_v2()}
    assert not {" ".join(item.text.lower().split()) for item in items} & scored
