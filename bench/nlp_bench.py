"""Benchmark of the free-text engine: px accuracy in- and cross-organisation, sentiment, and throughput.

Run: ``.venv/bin/python bench/nlp_bench.py [--accuracy] [--speed] [--rows 100000]``. Reads the public data from
../shared; nothing is written to the repository (temporary files go to the system temp directory).
"""

from __future__ import annotations

import argparse
import csv
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from nlp.codebook import load_codebook
from nlp.evaluate import evaluate_file, score
from nlp.public_data import NEAS_FILE, is_no_answer, read_all, shared_datasets_dir
from nlp.train import Featurised, featurise, fit_px, fit_sentiment, label_matrix


def _subset(features: Featurised, rows: list[int]) -> Featurised:
    return Featurised([features.texts[i] for i in rows], features.hits[rows], features.codes)


def accuracy() -> None:
    codebook = load_codebook("px")
    records = [r for r in read_all(codebook) if not is_no_answer(r.text)]
    features = featurise([r.text for r in records], [r.question for r in records], codebook)
    labels = [codebook.theme(code).label for code in codebook.codes]
    neas = [i for i, r in enumerate(records) if r.source == "neas"]
    others = [i for i, r in enumerate(records) if r.source != "neas"]
    order = np.random.RandomState(0).permutation(neas)
    cut = int(len(order) * 0.8)
    splits = {"in-distribution (NEAS 80/20 split)": (list(order[:cut]), list(order[cut:]))}
    for service in ("111", "See and Convey", "PTS"):
        held = [i for i in neas if records[i].group.startswith(service)]
        rest = [i for i in neas if not records[i].group.startswith(service)]
        splits[f"cross-service: test on {service}"] = (rest, held)
    print(f"{'split':<40} {'train':>6} {'test':>5} {'micro':>6} {'macro':>6} {'sent acc':>8} {'neg rec':>7}")
    for name, (train_rows, test_rows) in splits.items():
        for extra_name, extra in (("", others), (" NEAS only", [])):
            rows = train_rows + extra
            fitted = _subset(features, rows)
            model = fit_px(fitted, [records[i] for i in rows], codebook)
            sentiment = fit_sentiment(fitted.texts, [records[i] for i in rows])
            tested = _subset(features, test_rows)
            truth, _ = label_matrix([records[i] for i in test_rows], codebook.codes)
            predicted = (model.scores(tested.texts, tested.hits) >= model.thresholds).astype(int)
            feelings = sentiment.probabilities(tested.texts).argmax(axis=1)
            result = score(
                labels,
                truth,
                predicted,
                [records[i].sentiment for i in test_rows],
                [("positive", "neutral", "negative")[k] for k in feelings],
            )
            print(
                f"{name + extra_name:<40} {len(rows):>6} {len(test_rows):>5} {result.micro_f1:>6.3f} "
                f"{result.macro_f1:>6.3f} {result.sentiment_accuracy:>8.3f} {result.sentiment_negative_recall:>7.3f}",
                flush=True,
            )
    shipped = evaluate_file(shared_datasets_dir() / NEAS_FILE)
    print(
        "shipped model on the whole NEAS file (seen in training; includes 'Did not answer' rows): "
        f"micro {shipped.micro_f1:.3f} macro {shipped.macro_f1:.3f} sentiment {shipped.sentiment_accuracy:.3f}"
    )


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
    command = [
        sys.executable,
        "-c",
        "import sys; from nlp.analyse import predict_file; predict_file(sys.argv[1], sys.argv[2], 'px')",
        str(source),
        str(folder / "out.csv"),
    ]
    started = time.perf_counter()
    subprocess.run(command, check=True)
    predict_seconds = time.perf_counter() - started
    print(f"{rows} real comments (sampled with replacement from the public data), one process:")
    print(f"  tokeniser only (spacy.blank)        {tokeniser_seconds:6.1f} s  {rows / tokeniser_seconds:8.0f} docs/s")
    print(f"  predict_file px, start-up included  {predict_seconds:6.1f} s  {rows / predict_seconds:8.0f} docs/s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--accuracy", action="store_true")
    parser.add_argument("--speed", action="store_true")
    parser.add_argument("--rows", type=int, default=100_000)
    arguments = parser.parse_args()
    run_all = not (arguments.accuracy or arguments.speed)
    if arguments.accuracy or run_all:
        accuracy()
    if arguments.speed or run_all:
        speed(arguments.rows)


if __name__ == "__main__":
    main()
