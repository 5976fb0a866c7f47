"""Predicting a CSV file, and discovering topics in a small set of answers."""

import csv
from pathlib import Path

import pytest

from nlp.analyse import predict_file
from nlp.codebook import load_codebook
from nlp.topics import discover_topics


def test_predict_writes_every_id_with_sentiment_and_one_column_per_label(tmp_path: Path) -> None:
    source, out = tmp_path / "in.csv", tmp_path / "out.csv"
    source.write_text('id,text,question\n1,"Parking was a nightmare",How could we improve?\n2,,Why?\n')
    assert predict_file(source, out, "px") == 2
    rows = list(csv.DictReader(out.open()))
    labels = [theme.label for theme in load_codebook("px").themes]
    assert list(rows[0]) == ["id", "sentiment", *labels]
    assert [row["id"] for row in rows] == ["1", "2"]
    assert rows[0]["Parking"] == "1"
    assert rows[1]["Labelling not possible"] == "1"


@pytest.mark.parametrize("missing", ["id", "text"])
def test_a_missing_column_is_named(tmp_path: Path, missing: str) -> None:
    source = tmp_path / "input.csv"
    columns = [name for name in ("id", "text") if name != missing]
    source.write_text(",".join(columns) + "\n" + ",".join("x" for _ in columns) + "\n")
    with pytest.raises(ValueError, match=f"input.csv has no '{missing}' column; it needs 'id' and 'text'"):
        predict_file(source, tmp_path / "out.csv", "px")


def test_topics_on_a_small_set_have_terms_and_redacted_examples() -> None:
    texts = [
        "The waiting list for my operation is far too long",
        "Waiting list times are awful, months of waiting",
        "Long waiting list for a hip operation",
        "The car parking costs too much at the hospital",
        "Parking at the hospital is expensive, call me on 07700 900123",
        "No parking spaces at the hospital car park",
    ]
    topics = discover_topics(texts, n_topics=2)
    assert len(topics) == 2
    assert sum(topic.size for topic in topics) == len(texts)
    assert all(topic.terms and topic.examples for topic in topics)
    assert not any("07700" in example for topic in topics for example in topic.examples)


def test_fewer_texts_than_topics_does_not_fail() -> None:
    assert len(discover_topics(["Great staff", "Parking is bad"], n_topics=8)) <= 2
    assert discover_topics([], n_topics=8) == []
    assert discover_topics(["", "Did not answer"], n_topics=3) == []


def test_predict_file_agrees_with_the_full_analysis(tmp_path: Path) -> None:
    """predict_file skips redaction and sentence splitting for speed; labels and sentiment must not change."""
    from nlp.analyse import analyse_comments

    comments = [
        ("The ambulance crew were kind and quick, thank you", "What was good?"),
        ("Waited four hours for an ambulance and nobody called back. Call Jane on 07700 900123", "Why?"),
        ("Parking was a nightmare but the nurses were lovely", "How could we improve?"),
        ("", None),
        ("😀😀", None),
    ]
    source, out = tmp_path / "in.csv", tmp_path / "out.csv"
    with source.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "text", "question"])
        writer.writerows((i, text, question or "") for i, (text, question) in enumerate(comments))
    predict_file(source, out, "px")
    rows = list(csv.DictReader(out.open()))
    analyses = list(analyse_comments([t for t, _ in comments], "px", questions=[q or "" for _, q in comments]))
    for row, analysis in zip(rows, analyses, strict=True):
        assert row["sentiment"] == analysis.sentiment
        assert {k for k, v in row.items() if k != "id" and v == "1"} == {tag.label for tag in analysis.themes}


def test_plain_complaints_and_praise_get_the_right_sentiment(tmp_path: Path) -> None:
    source, out = tmp_path / "in.csv", tmp_path / "out.csv"
    source.write_text(
        "id,text\n"
        '1,"Nobody answered the phone for two hours, it was not good enough"\n'
        '2,"The staff were brilliant and caring, thank you so much"\n'
    )
    predict_file(source, out, "px")
    assert [row["sentiment"] for row in csv.DictReader(out.open())] == ["negative", "positive"]


def test_a_file_read_by_several_worker_processes_gives_the_same_rows_in_order(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from nlp import analyse

    monkeypatch.setattr(analyse, "PREDICT_CHUNK", 3)  # 11 rows: 4 chunks
    source = tmp_path / "in.csv"
    with source.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "text"])
        writer.writerows(
            (f"r{i}", text)
            for i, text in enumerate(
                [
                    "Waited four hours for an ambulance",
                    "Lovely caring staff",
                    "",
                    "Parking was a nightmare. " * 60,  # a long story
                    "GP appointments impossible to get",
                    "Not enough nurses on the ward",
                    "The food was cold",
                    "Thank you",
                    "Nobody explained my medication",
                    "Bus to the hospital takes two hours",
                    "Clean and tidy",
                ]
            )
        )
    predict_file(source, tmp_path / "one.csv", "px", workers=1)
    predict_file(source, tmp_path / "two.csv", "px", workers=2)
    assert (tmp_path / "two.csv").read_text() == (tmp_path / "one.csv").read_text()
    assert [row["id"] for row in csv.DictReader((tmp_path / "two.csv").open())] == [f"r{i}" for i in range(11)]
