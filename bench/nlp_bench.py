"""Benchmark of the free-text engine: px accuracy in- and cross-organisation, sentiment, and throughput.

Run: ``.venv/bin/python bench/nlp_bench.py [--accuracy] [--speed] [--rows 100000]``. Reads the public data from
../shared; nothing is written to the repository (temporary files go to the system temp directory).
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from sklearn.metrics import f1_score

from nlp.codebook import load_codebook
from nlp.evaluate import score
from nlp.features import praise_only
from nlp.models import models_dir, write_card
from nlp.public_data import is_no_answer, read_all
from nlp.train import Featurised, featurise, fit_px, fit_sentiment, label_matrix


def _subset(features: Featurised, rows: list[int]) -> Featurised:
    return Featurised(
        [features.texts[i] for i in rows],
        features.hits[rows],
        features.codes,
        [features.lemmas[i] for i in rows],
        [features.raw[i] for i in rows],
    )


def _splits(records: list) -> dict[str, tuple[list[int], list[int], str]]:
    """name -> (train rows, test rows, kind). Test rows never share an organisation or service with training
    rows, except for the in-distribution split, which is there for comparison."""
    neas = [i for i, r in enumerate(records) if r.source == "neas"]
    phase1 = [i for i, r in enumerate(records) if r.source == "phase1"]
    historical = [i for i, r in enumerate(records) if r.source == "historical"]
    order = np.random.RandomState(0).permutation(neas)
    cut = int(len(order) * 0.8)
    splits = {
        "in-distribution: NEAS 80/20 (+ phase1, historical)": (
            list(order[:cut]) + phase1 + historical,
            list(order[cut:]),
            "v6",
        )
    }
    for service in ("111", "See and Convey", "PTS"):
        held = [i for i in neas if records[i].group.startswith(service)]
        rest = [i for i in neas if not records[i].group.startswith(service)]
        splits[f"held-out NEAS service: {service}"] = (rest + phase1 + historical, held, "v6")
    for trust in ("Trust A", "Trust B", "Trust C"):
        held = [i for i in phase1 if records[i].group == trust and records[i].codes]
        rest = [i for i in phase1 if records[i].group != trust]
        splits[f"held-out phase1 trust: {trust}"] = (neas + rest + historical, held, "crosswalk")
    return splits


def _evaluate_split(features, records, codebook, train_rows, test_rows):  # noqa: ANN001, ANN202
    fitted = _subset(features, train_rows)
    model = fit_px(fitted, [records[i] for i in train_rows], codebook)
    sentiment = fit_sentiment(fitted, [records[i] for i in train_rows])
    tested = _subset(features, test_rows)
    truth, known = label_matrix([records[i] for i in test_rows], codebook.codes)
    predicted = (model.scores(tested.texts, tested.hits) >= model.thresholds).astype(int)
    praise = [praise_only(records[i].question) for i in test_rows]
    feelings = sentiment.probabilities(tested.lemmas, tested.raw, praise).argmax(axis=1)
    return truth, known, predicted, [("positive", "neutral", "negative")[k] for k in feelings]


def accuracy() -> dict[str, dict[str, float]]:
    """Scores per split; v6 splits are scored on every label, phase1 (single-label) splits only on the cells
    their one label makes known (the chosen label, and the others except praise and staff manner)."""
    codebook = load_codebook("px")
    records = [r for r in read_all(codebook) if not is_no_answer(r.text)]
    features = featurise([r.text for r in records], [r.question for r in records], codebook)
    labels = [codebook.theme(code).label for code in codebook.codes]
    not_codeable = codebook.codes.index(codebook.not_codeable)
    results: dict[str, dict[str, float]] = {}
    print(f"{'split':<52} {'train':>6} {'test':>5} {'micro':>6} {'macro':>6} {'s-acc':>6} {'neu-F1':>6} {'neg-rec':>7}")
    for name, (train_rows, test_rows, kind) in _splits(records).items():
        truth, known, predicted, feelings = _evaluate_split(features, records, codebook, train_rows, test_rows)
        if kind == "crosswalk":
            known[:, not_codeable] = False
            columns = [j for j in range(len(labels)) if truth[known[:, j], j].sum() > 0]
            truth_k = np.where(known, truth, 0)[:, columns]
            predicted_k = np.where(known, predicted, 0)[:, columns]
            result = score(
                [labels[j] for j in columns], truth_k, predicted_k, [records[i].sentiment for i in test_rows], feelings
            )
        else:
            result = score(labels, truth, predicted, [records[i].sentiment for i in test_rows], feelings)
        neutral = f1_score(
            [records[i].sentiment for i in test_rows if records[i].sentiment],
            [f for f, i in zip(feelings, test_rows, strict=True) if records[i].sentiment],
            labels=["neutral"],
            average="macro",
            zero_division=0,
        )
        results[name] = {
            "train": len(train_rows),
            "test": len(test_rows),
            "micro_f1": round(result.micro_f1, 3),
            "macro_f1": round(result.macro_f1, 3),
            "sentiment_accuracy": round(result.sentiment_accuracy or 0, 3),
            "sentiment_neutral_f1": round(float(neutral), 3),
            "sentiment_negative_recall": round(result.sentiment_negative_recall or 0, 3),
        }
        row = results[name]
        print(
            f"{name:<52} {row['train']:>6} {row['test']:>5} {row['micro_f1']:>6.3f} {row['macro_f1']:>6.3f} "
            f"{row['sentiment_accuracy']:>6.3f} {row['sentiment_neutral_f1']:>6.3f} "
            f"{row['sentiment_negative_recall']:>7.3f}",
            flush=True,
        )
    services = [v for k, v in results.items() if k.startswith("held-out NEAS")]
    results["mean of held-out NEAS services"] = {
        key: round(float(np.mean([v[key] for v in services])), 3) for key in services[0] if key not in ("train",)
    }
    print("mean of held-out NEAS services:", results["mean of held-out NEAS services"])
    trusts = [v for k, v in results.items() if k.startswith("held-out phase1")]
    results["mean of held-out phase1 trusts"] = {
        key: round(float(np.mean([v[key] for v in trusts])), 3) for key in trusts[0] if key not in ("train",)
    }
    print("mean of held-out phase1 trusts:", results["mean of held-out phase1 trusts"])
    print(
        "phase1 rows: themes scored through the crosswalk on known cells only; sentiment only on rows with a "
        "criticality sign (1..4 positive, -4..-1 negative; 0 is 'not rated'), so it has no neutral class: "
        "read it as positive-vs-negative, a different scale from NEAS's."
    )
    return results


def write_cards(results: dict[str, dict[str, float]]) -> None:
    """Record the cross-organisation estimates in the px and sentiment model cards."""
    for path, keys in (
        (models_dir() / "px-themes.json", ("micro_f1", "macro_f1")),
        (models_dir() / "sentiment.json", ("sentiment_accuracy", "sentiment_neutral_f1", "sentiment_negative_recall")),
    ):
        card = json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}
        card["evaluation"] = {
            "how": "bench/nlp_bench.py --accuracy --write-cards: models refitted without the held-out rows",
            "splits": {
                name: {k: v for k, v in row.items() if k in keys or k in ("train", "test")}
                for name, row in results.items()
            },
        }
        write_card(path, card)


def _real_comments(rows: int, seed: int = 0) -> list[str]:
    records = read_all(load_codebook("px"))
    texts = [r.text for r in records]
    rng = random.Random(seed)
    return [rng.choice(texts) for _ in range(rows)]


def speed(rows: int) -> None:
    texts = _real_comments(rows)
    folder = Path(tempfile.mkdtemp(prefix="nlp-bench-"))
    source = folder / "comments.csv"
    with source.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "text"])
        writer.writerows(enumerate(texts))
    import spacy

    tokenizer = spacy.blank("en")
    started = time.perf_counter()
    for _ in tokenizer.pipe(texts, batch_size=1000):
        pass
    tokeniser_seconds = time.perf_counter() - started
    engagement = Path(sys.executable).parent / "engagement"
    command = [
        str(engagement),
        "nlp",
        "predict",
        "--codebook",
        "px",
        "--input",
        str(source),
        "--output",
        str(folder / "out.csv"),
    ]
    started = time.perf_counter()
    subprocess.run(command, check=True)
    predict_seconds = time.perf_counter() - started
    print(f"{rows} real comments (sampled with replacement from the public data), one process:")
    print(f"  tokeniser only (spacy.blank)        {tokeniser_seconds:6.1f} s  {rows / tokeniser_seconds:8.0f} docs/s")
    print(f"  engagement nlp predict, with start-up  {predict_seconds:6.1f} s  {rows / predict_seconds:8.0f} docs/s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--accuracy", action="store_true")
    parser.add_argument("--speed", action="store_true")
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--write-cards", action="store_true", help="record the accuracy in the model cards")
    arguments = parser.parse_args()
    run_all = not (arguments.accuracy or arguments.speed)
    if arguments.accuracy or run_all:
        results = accuracy()
        if arguments.write_cards:
            write_cards(results)
    if arguments.speed or run_all:
        speed(arguments.rows)


if __name__ == "__main__":
    main()
