"""`engagement nlp predict --adapt`: a model adapted to the comments an analyst coded, on top of the shipped one."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from click.testing import CliRunner

from engagement.cli import main
from nlp.codebook import load_codebook

WMTY = load_codebook("wmty")
LABELS = [theme.label for theme in WMTY.themes]
COMMUNITY = WMTY.theme("T18").label  # Care closer to home, community & social care
STAFF = WMTY.theme("T02").label  # Staff: praise & compassion
PLACES = ["Bulwell", "Clifton", "Mansfield", "Newark", "Hucknall", "Arnold", "Beeston", "Retford", "Worksop",
          "Carlton", "Sherwood", "Radford", "Lenton", "Basford", "Mapperley"]
# The local "hub" is this survey's word for a community health centre, which the shipped model never saw used so.
HUB = [
    "The hub in {place} is where I go for everything now",
    "Keep the hub open in {place} please",
    "Going to the hub at {place} saves a trip into town",
    "More hubs like the one in {place}",
]
OTHER = [
    "I think the {place} bus route should run later",
    "Nothing else to say about {place}",
]


def _write(path: Path, header: list[str], rows: list[list]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def coded_file(path: Path, hub_label: str = COMMUNITY) -> Path:
    """50 coded comments: hub comments coded as community care, the rest as Other; no staff comment at all."""
    rows = []
    for n, place in enumerate(PLACES[:10]):
        for k, template in enumerate(HUB):
            text = template.format(place=place)
            rows.append([f"c{n}-{k}", text, "What matters most to you?", "neutral",
                         *(int(label == hub_label) for label in LABELS)])
        rows.append([f"o{n}", OTHER[n % 2].format(place=place), "", "",
                     *(int(label == WMTY.not_codeable_theme.label) for label in LABELS)])
    return _write(path, ["id", "text", "question", "sentiment", *LABELS], rows)


def predicted(path: Path) -> dict[str, set[str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return {row["id"]: {label for label in LABELS if row[label] == "1"} for row in csv.DictReader(handle)}


@pytest.fixture
def new_comments(tmp_path: Path) -> Path:
    rows = [[f"h{n}", f"The hub at {place} is a lifeline"] for n, place in enumerate(PLACES[10:])]
    rows += [[f"s{n}", text] for n, text in enumerate([
        "The staff were kind and caring",
        "Lovely nurses, so compassionate and helpful",
        "Dedicated staff who go above and beyond",
    ])]
    return _write(tmp_path / "new.csv", ["id", "text"], rows)


def run(*args: str | Path):
    return CliRunner().invoke(main, [str(arg) for arg in args])


def test_adapting_moves_predictions_towards_the_analysts_coding(tmp_path, new_comments):
    shipped, adapted = tmp_path / "shipped.csv", tmp_path / "adapted.csv"
    assert run("nlp", "predict", "--codebook", "wmty", "--input", new_comments, "--output", shipped).exit_code == 0
    result = run("nlp", "predict", "--codebook", "wmty", "--input", new_comments, "--output", adapted,
                 "--adapt", coded_file(tmp_path / "coded.csv"))
    assert result.exit_code == 0, result.output
    assert "Adapted" in result.output and "50 coded comments" in result.output
    before, after = predicted(shipped), predicted(adapted)
    hub_ids = [row_id for row_id in before if row_id.startswith("h")]
    assert sum(COMMUNITY in before[row_id] for row_id in hub_ids) < len(hub_ids) / 2
    assert all(COMMUNITY in after[row_id] for row_id in hub_ids), after


def test_a_label_absent_from_the_coded_comments_is_not_forgotten(tmp_path, new_comments):
    shipped, adapted = tmp_path / "shipped.csv", tmp_path / "adapted.csv"
    run("nlp", "predict", "--codebook", "wmty", "--input", new_comments, "--output", shipped)
    run("nlp", "predict", "--codebook", "wmty", "--input", new_comments, "--output", adapted,
        "--adapt", coded_file(tmp_path / "coded.csv"))
    before, after = predicted(shipped), predicted(adapted)
    staff_ids = [row_id for row_id in before if row_id.startswith("s")]
    assert all(STAFF in before[row_id] for row_id in staff_ids)
    assert all(STAFF in after[row_id] for row_id in staff_ids), "no coded comment mentioned staff"


def test_an_adapted_label_keeps_the_shipped_scores_where_the_analysts_add_nothing(tmp_path):
    """The adapted model starts from the shipped one: a label the analysts left alone scores exactly as shipped."""
    from nlp.adapt import adapt_to_coded_comments, shipped_theme_model
    from nlp.comment_files import read_coded_comments
    from nlp.train import featurise

    adaptation = adapt_to_coded_comments("wmty", read_coded_comments(coded_file(tmp_path / "c.csv"), WMTY))
    staff = WMTY.codes.index("T02")
    assert not adaptation.adapted[staff] and adaptation.adapted[WMTY.codes.index("T18")]
    features = featurise(["The staff were kind and caring", "Parking was awful"], [None, None], WMTY)
    shipped = shipped_theme_model("wmty").scores(features.texts, features.hits)
    assert adaptation.model.scores(features.texts, features.hits)[:, staff] == pytest.approx(shipped[:, staff])


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda rows: [row[:4] + row[5:] for row in rows], f"has no '{LABELS[0]}' column"),
        (lambda rows: [rows[0] + ["Parking"]] + [row + ["0"] for row in rows[1:]],
         "column 'Parking' is not a label of codebook 'wmty'"),
        (lambda rows: rows[:3] + [rows[3][:6] + ["yes"] + rows[3][7:]] + rows[4:],
         f"row 4 (id 'c0-2'), column '{LABELS[2]}': 'yes' is not 0 or 1"),
        (lambda rows: rows[:2] + [rows[2][:3] + ["cross"] + rows[2][4:]] + rows[3:],
         "row 3 (id 'c0-1'), column 'sentiment': 'cross' is not one of positive, neutral, negative"),
        (lambda rows: [[c for c in row if c != row[1]] if i == 0 else row[:1] + row[2:] for i, row in enumerate(rows)],
         "has no 'text' column"),
    ],
    ids=["missing label column", "unknown label column", "not 0 or 1", "bad sentiment", "no text"],
)
def test_a_bad_coded_file_is_named_with_its_column_and_row(tmp_path, new_comments, change, message):
    good = coded_file(tmp_path / "good.csv")
    with good.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    bad = _write(tmp_path / "coded.csv", rows[0], [])
    with bad.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows(change(rows))
    out = tmp_path / "out.csv"
    result = run("nlp", "predict", "--codebook", "wmty", "--input", new_comments, "--output", out, "--adapt", bad)
    assert result.exit_code == 1
    assert "coded.csv" in result.output and message in result.output, result.output
    assert "Traceback" not in result.output
    assert not out.exists()  # nothing half-written


MOVED = "The clinic in {place} moved to {street}"
STREETS = ["Station Road", "the High Street", "Church Lane", "Mill Road", "Park Avenue", "Victoria Street",
           "Market Place", "Queens Road", "King Street", "London Road", "Forest Road", "Main Street"]
PRAISE = ["The staff at {p} were kind and caring", "Good service at {p} on the whole",
          "The app is handy for repeat prescriptions in {p}", "My GP in {p} listens to me",
          "Quick appointment at {p} this time, thank you", "The nurses at {p} explained everything"]
COMPLAINTS = ["Rude receptionist at {p} and an awful wait", "Parking at {p} is a nightmare",
              "Getting through on the phone in {p} takes ages", "I waited three weeks for a call back from {p}",
              "Nobody at {p} listened to me", "The walk-in centre in {p} closed and nothing replaced it"]


def sentiment_coded_file(path: Path) -> Path:
    """This survey's analysts read "the clinic moved" as plain news (neutral), and praise and complaints as the
    shipped model does."""
    no_label = [0] * len(LABELS)
    rows = [[f"m{n}", MOVED.format(place=place, street=STREETS[n]), "", "neutral", *no_label]
            for n, place in enumerate(PLACES[:8])]
    rows += [[f"p{n}", text.format(p=PLACES[n]), "", "positive", *no_label] for n, text in enumerate(PRAISE)]
    rows += [[f"n{n}", text.format(p=PLACES[n + 6]), "", "negative", *no_label] for n, text in enumerate(COMPLAINTS)]
    return _write(path, ["id", "text", "question", "sentiment", *LABELS], rows)


def sentiments(path: Path) -> dict[str, str]:
    with path.open(newline="", encoding="utf-8") as handle:
        return {row["id"]: row["sentiment"] for row in csv.DictReader(handle)}


def test_coded_sentiment_moves_sentiment_towards_it_and_leaves_clear_comments_alone(tmp_path):
    rows = [[f"m{n}", MOVED.format(place=place, street=STREETS[10 + n % 2])] for n, place in enumerate(PLACES[10:])]
    clear = {"praise": "Lovely nurses, so compassionate and helpful", "friendly": "Staff were friendly",
             "complaint": "The doctor was rude and I waited four hours", "cold": "The waiting room was cold"}
    rows += [[row_id, text] for row_id, text in clear.items()]
    new = _write(tmp_path / "new.csv", ["id", "text"], rows)
    shipped, adapted = tmp_path / "shipped.csv", tmp_path / "adapted.csv"
    assert run("nlp", "predict", "--codebook", "wmty", "--input", new, "--output", shipped).exit_code == 0
    result = run("nlp", "predict", "--codebook", "wmty", "--input", new, "--output", adapted,
                 "--adapt", sentiment_coded_file(tmp_path / "coded.csv"))
    assert result.exit_code == 0, result.output
    assert "Sentiment adapted with 6 positive, 8 neutral, 6 negative" in result.output
    before, after = sentiments(shipped), sentiments(adapted)
    moved = [row_id for row_id in before if row_id.startswith("m")]
    assert sum(before[row_id] != "neutral" for row_id in moved) >= 3, before
    assert all(after[row_id] == "neutral" for row_id in moved), after
    assert [after[row_id] for row_id in clear] == [before[row_id] for row_id in clear] == [
        "positive", "positive", "negative", "negative"]


def test_too_little_coded_sentiment_leaves_sentiment_as_shipped(tmp_path, new_comments):
    shipped, adapted = tmp_path / "shipped.csv", tmp_path / "adapted.csv"
    run("nlp", "predict", "--codebook", "wmty", "--input", new_comments, "--output", shipped)
    result = run("nlp", "predict", "--codebook", "wmty", "--input", new_comments, "--output", adapted,
                 "--adapt", coded_file(tmp_path / "coded.csv"))  # every coded sentiment is neutral
    assert "Sentiment unchanged: it needs at least 2 coded comments of each of positive, neutral, negative" \
        in result.output
    assert sentiments(shipped) == sentiments(adapted)
