"""Reading the public labelled data: what each file's columns are taken to mean."""

from pathlib import Path

import pandas as pd

from nlp.codebook import load_codebook
from nlp.public_data import read_phase1


def _phase1_file(tmp_path: Path, criticality: list[object]) -> Path:
    path = tmp_path / "phase1.csv"
    pd.DataFrame(
        {
            "code": ["x"] * len(criticality),
            "label": ["Staff"] * len(criticality),
            "subcategory": ["Staff attitude"] * len(criticality),
            "feedback": [f"comment {i}" for i in range(len(criticality))],
            "criticality": criticality,
            "organization": ["Trust B"] * len(criticality),
            "question": ["Trust B - Q1"] * len(criticality),
            "row_index": range(len(criticality)),
        }
    ).to_csv(path, index=False)
    return path


def test_phase1_criticality_zero_means_not_rated_not_neutral(tmp_path: Path) -> None:
    # Trust B left 2,556 comments at criticality 0, nearly all praise ("Staff are all nice on the ward"):
    # 0 is "not rated", and must neither teach nor score the neutral class.
    path = _phase1_file(tmp_path, [3, -2, 0, "-o", 4])
    sentiments = [record.sentiment for record in read_phase1(load_codebook("px"), path)]
    assert sentiments == ["positive", "negative", None, None, "positive"]
