"""`engagement nlp suggest`: the comments an analyst should code first are ones the model is unsure about and
that differ from each other; the same input gives the same suggestions."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner
from sklearn.metrics.pairwise import cosine_similarity

from engagement.cli import main
from nlp.adapt import shipped_theme_model
from nlp.codebook import load_codebook
from nlp.comment_files import read_comments
from nlp.suggest import suggest_comments, uncertainty
from nlp.train import featurise

PLACES = ["Bulwell", "Clifton", "Mansfield", "Newark", "Hucknall", "Arnold", "Beeston", "Retford", "Worksop",
          "Carlton", "Sherwood", "Radford", "Lenton", "Basford", "Mapperley", "Bingham", "Cotgrave", "Eastwood"]
# Many near-copies of a few clear comments, and a spread of vaguer, varied ones.
CLEAR = ["The staff at {place} were kind and caring", "Waiting lists at {place} are far too long",
         "Could not get a GP appointment in {place}"]
VARIED = ["Something about {place} transport and getting there", "The way {place} handled my mum's discharge",
          "Letters from {place} arrive after the appointment", "Money wasted on managers at {place}",
          "Help for carers in {place} is hard to find", "Not sure, {place} is fine I suppose",
          "Food and housing matter more than hospitals in {place}", "Young people in {place} need somewhere to go"]


@pytest.fixture
def comments_csv(tmp_path: Path) -> Path:
    texts = [template.format(place=place) for place in PLACES for template in CLEAR * 3]
    texts += [template.format(place=place) for place in PLACES[:6] for template in VARIED]
    texts += ["-", "..."]
    path = tmp_path / "comments.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "text", "question"])
        writer.writerows([f"r{i:03d}", text, "What matters most to you?"] for i, text in enumerate(texts))
    return path


def run(*args: str | Path):
    return CliRunner().invoke(main, [str(arg) for arg in args])


def suggested_ids(path: Path) -> list[str]:
    with path.open(newline="", encoding="utf-8") as handle:
        return [row["id"] for row in csv.DictReader(handle)]


def test_suggested_comments_are_less_certain_and_more_varied_than_random_ones(comments_csv):
    codebook, model = load_codebook("wmty"), shipped_theme_model("wmty")
    comments = read_comments(comments_csv)
    chosen = suggest_comments("wmty", comments, 20, model)
    features = featurise(comments.texts, comments.questions, codebook)
    doubt = uncertainty(model.scores(features.texts, features.hits), model.thresholds)
    words = model.vectorizer.transform(features.texts)
    index = {row_id: i for i, row_id in enumerate(comments.ids)}

    def spread(rows: list[int]) -> tuple[float, float]:
        similar = cosine_similarity(words[rows])
        return float(doubt[rows].mean()), float(similar[np.triu_indices(len(rows), 1)].mean())

    picked = spread([index[row_id] for row_id in chosen])
    usable = [i for i, text in enumerate(comments.texts) if text not in ("-", "...")]
    randoms = [spread(list(np.random.RandomState(seed).choice(usable, 20, replace=False))) for seed in range(20)]
    assert picked[0] > max(doubt_ for doubt_, _ in randoms)  # more uncertain than any of 20 random picks
    assert picked[1] < min(similar for _, similar in randoms)  # less alike than any of them
    assert not {"r" + f"{len(comments.ids) - 2:03d}", "r" + f"{len(comments.ids) - 1:03d}"} & set(chosen)


def test_the_same_input_gives_the_same_suggestions(comments_csv, tmp_path):
    first, second = tmp_path / "first.csv", tmp_path / "second.csv"
    for out in (first, second):
        result = run("nlp", "suggest", "--codebook", "wmty", "--input", comments_csv, "--n", "15", "--output", out)
        assert result.exit_code == 0, result.output
        assert "Wrote 15 suggested comments" in result.output
    assert suggested_ids(first) == suggested_ids(second)
    assert len(set(suggested_ids(first))) == 15
    assert first.read_text().splitlines()[0] == "id,rank"


def test_asking_for_more_comments_than_there_are_suggests_every_codeable_one(comments_csv, tmp_path):
    out = tmp_path / "out.csv"
    result = run("nlp", "suggest", "--codebook", "wmty", "--input", comments_csv, "--n", "1000", "--output", out)
    assert result.exit_code == 0, result.output
    total = len(read_comments(comments_csv).ids)
    assert len(suggested_ids(out)) == total - 2  # all but "-" and "..."
    assert f"the input has {total - 2:,} comments to code" in result.output


def test_comments_already_coded_are_not_suggested_again(comments_csv, tmp_path):
    from tests.nlp.test_adapt import coded_file

    first, second = tmp_path / "first.csv", tmp_path / "second.csv"
    run("nlp", "suggest", "--codebook", "wmty", "--input", comments_csv, "--n", "10", "--output", first)
    coded = coded_file(tmp_path / "coded.csv")
    with coded.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    wanted = set(suggested_ids(first))
    texts = dict(zip(read_comments(comments_csv).ids, read_comments(comments_csv).texts, strict=True))
    pairs = zip(sorted(wanted), rows[1:], strict=False)
    kept = [rows[0]] + [[row_id, texts[row_id], *row[2:]] for row_id, row in pairs]
    with coded.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows(kept)
    result = run("nlp", "suggest", "--codebook", "wmty", "--input", comments_csv, "--n", "10", "--output", second,
                 "--adapt", coded)
    assert result.exit_code == 0, result.output
    assert not wanted & set(suggested_ids(second))


@pytest.mark.parametrize("missing", ["id", "text"])
def test_a_missing_column_is_named(tmp_path, missing):
    source = tmp_path / "input.csv"
    source.write_text(",".join(c for c in ("id", "text", "question") if c != missing) + "\nx,y\n")
    result = run("nlp", "suggest", "--codebook", "wmty", "--input", source, "--n", "5", "--output", tmp_path / "o.csv")
    assert result.exit_code == 1
    assert f"input.csv has no '{missing}' column; it needs 'id' and 'text'" in result.output
    assert "Traceback" not in result.output
