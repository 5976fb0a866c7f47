"""Benchmark of the free-text engine: px accuracy in- and cross-organisation, sentiment, and throughput.

Run: ``.venv/bin/python bench/nlp_bench.py [--accuracy] [--speed] [--rows 100000] [--codebooks px,wmty]``. Reads
the public data from ../shared; nothing is written to the repository (temporary files go to the system temp
directory). The speed corpus keeps the real length distribution and adds a share of long patient stories.
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


# The public comments are mostly short (median 9 words); real surveys also get long patient stories. This share
# of the benchmark corpus is drawn from the comments of at least LONG_WORDS words (several hundred words each).
LONG_SHARE = 0.05
LONG_WORDS = 150


def benchmark_corpus(rows: int, long_share: float = LONG_SHARE, seed: int = 0) -> list[str]:
    """``rows`` real comments sampled with replacement from the public data: the real length distribution, plus
    ``long_share`` of them drawn from the long comments only."""
    texts = [r.text for r in read_all(load_codebook("px")) if not is_no_answer(r.text)]
    long = [text for text in texts if len(text.split()) >= LONG_WORDS]
    rng = random.Random(seed)
    n_long = round(rows * long_share)
    corpus = [rng.choice(texts) for _ in range(rows - n_long)] + [rng.choice(long) for _ in range(n_long)]
    rng.shuffle(corpus)
    return corpus


def _load_average() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def speed(rows: int, codebooks: list[str], long_share: float) -> None:
    texts = benchmark_corpus(rows, long_share)
    words = sum(len(text.split()) for text in texts)
    long = sum(1 for text in texts if len(text.split()) >= LONG_WORDS)
    folder = Path(tempfile.mkdtemp(prefix="nlp-bench-"))
    source = folder / "comments.csv"
    with source.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "text"])
        writer.writerows(enumerate(texts))
    print(
        f"{rows:,} real comments (sampled with replacement from the public data, {long:,} of >= {LONG_WORDS} "
        f"words), {words:,} words; input {source}"
    )
    import spacy

    tokenizer = spacy.blank("en")
    load = _load_average()
    started = time.perf_counter()
    for _ in tokenizer.pipe(texts, batch_size=1000):
        pass
    seconds = time.perf_counter() - started
    print(f"  tokeniser only (spacy.blank)              {seconds:6.1f} s  {words / seconds:9,.0f} words/s  load {load}")
    for codebook in codebooks:
        out = folder / f"out-{codebook}.csv"
        predict = ["nlp", "predict", "--codebook", codebook, "--input", str(source), "--output", str(out)]
        command = [sys.executable, "-m", "engagement.cli", *predict]
        load = _load_average()
        started = time.perf_counter()
        # /usr/bin/time reports the child's peak resident memory and CPU time (which other load inflates less).
        timed = subprocess.run(
            ["/usr/bin/time", "-f", "%M %U %S", *command], check=True, capture_output=True, text=True
        )
        seconds = time.perf_counter() - started
        peak_kib, user, system = timed.stderr.strip().splitlines()[-1].split()
        print(
            f"  engagement nlp predict --codebook {codebook:<5} {seconds:6.1f} s  {words / seconds:9,.0f} words/s  "
            f"CPU {float(user) + float(system):.1f} s  peak RSS {int(peak_kib) / 1024:,.0f} MiB  load {load}  "
            f"-> {out}",
            flush=True,
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--accuracy", action="store_true")
    parser.add_argument("--speed", action="store_true")
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--codebooks", default="px,wmty", help="codebooks to time, comma-separated")
    parser.add_argument("--long-share", type=float, default=LONG_SHARE, help="share of long comments in the corpus")
    parser.add_argument("--write-cards", action="store_true", help="record the accuracy in the model cards")
    arguments = parser.parse_args()
    run_all = not (arguments.accuracy or arguments.speed)
    if arguments.accuracy or run_all:
        results = accuracy()
        if arguments.write_cards:
            write_cards(results)
    if arguments.speed or run_all:
        speed(arguments.rows, arguments.codebooks.split(","), arguments.long_share)


if __name__ == "__main__":
    main()
