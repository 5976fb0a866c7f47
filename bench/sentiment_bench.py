"""Sentiment on organisations and services the model has not seen: variants of the sentiment model compared on
the same held-out splits as ``nlp_bench.py --accuracy`` (each NEAS service type, each phase1 trust left out).

Run: ``.venv/bin/python bench/sentiment_bench.py [--variants base,clauses]``. Reads ../shared (or
ENGAGEMENT_SHARED_DIR); writes nothing to the repository.
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Callable

import numpy as np
from sklearn.metrics import accuracy_score, f1_score, recall_score

from nlp.codebook import load_codebook
from nlp.features import praise_only
from nlp.public_data import NEAS_FILE, PHASE1_FILE, is_no_answer, read_phase1, read_v6_file, shared_datasets_dir
from nlp.train import _teaches_sentiment, featurise, fit_sentiment

SENTIMENTS = ("positive", "neutral", "negative")
_VADER_ROWS: dict[str, np.ndarray] = {}


def _cached_vader(raw_texts):  # noqa: ANN001, ANN202
    """VADER is the slow part of every fit; the same texts recur across splits and folds, so read each once."""
    from scipy import sparse

    missing = [text for text in dict.fromkeys(raw_texts) if text not in _VADER_ROWS]
    if missing:
        for text, row in zip(missing, _original_vader(missing).toarray(), strict=True):
            _VADER_ROWS[text] = row
    return sparse.csr_matrix(np.array([_VADER_ROWS[text] for text in raw_texts]).reshape(-1, 7))


import nlp.models  # noqa: E402

_original_vader = nlp.models.vader_features
nlp.models.vader_features = _cached_vader


def _load():  # noqa: ANN202
    codebook = load_codebook("px")
    folder = shared_datasets_dir()
    records = read_v6_file(folder / NEAS_FILE, codebook) + read_phase1(codebook, folder / PHASE1_FILE)
    records = [r for r in records if not is_no_answer(r.text) and _teaches_sentiment(r)]
    features = featurise([r.text for r in records], [r.question for r in records], codebook)
    return records, features


def _splits(records: list) -> dict[str, tuple[list[int], list[int]]]:
    neas = [i for i, r in enumerate(records) if r.source == "neas"]
    phase1 = [i for i, r in enumerate(records) if r.source == "phase1"]
    splits = {}
    for service in ("111", "See and Convey", "PTS"):
        held = [i for i in neas if records[i].group.startswith(service)]
        splits[f"NEAS {service}"] = ([i for i in neas if i not in set(held)] + phase1, held)
    for trust in ("Trust A", "Trust B", "Trust C"):
        held = [i for i in phase1 if records[i].group == trust]
        splits[f"phase1 {trust}"] = (neas + [i for i in phase1 if records[i].group != trust], held)
    return splits


def _scores(truth: list[str], got: list[str]) -> dict[str, float]:
    present = [label for label in SENTIMENTS if label in truth]
    return {
        "accuracy": round(float(accuracy_score(truth, got)), 3),
        "macro_f1": round(float(f1_score(truth, got, labels=present, average="macro", zero_division=0)), 3),
        "neutral_f1": round(float(f1_score(truth, got, labels=["neutral"], average="macro", zero_division=0)), 3),
        "negative_recall": round(float(recall_score(truth, got, labels=["negative"], average="macro")), 3),
    }


def variant_base(records, features, train, test) -> list[str]:  # noqa: ANN001
    from nlp.train import Featurised

    sub = Featurised([], None, [], [features.lemmas[i] for i in train], [features.raw[i] for i in train])
    model = fit_sentiment(sub, [records[i] for i in train])
    praise = [praise_only(records[i].question) for i in test]
    probabilities = model.probabilities([features.lemmas[i] for i in test], [features.raw[i] for i in test], praise)
    return [SENTIMENTS[k] for k in probabilities.argmax(axis=1)]


_CLAUSES: dict[str, list] = {}


def _clauses(features) -> tuple[list[list[str]], list[list[str]]]:  # noqa: ANN001
    """Lemma and raw text of every clause of every comment (computed once)."""
    if not _CLAUSES:
        from nlp.clauses import clause_offsets
        from nlp.features import lemmas
        from nlp.pipeline import base_pipeline

        nlp = base_pipeline()
        lem, raw = [], []
        for doc in nlp.pipe(features.raw, batch_size=1000):
            offsets = clause_offsets(doc) or [(0, len(doc))]
            lem.append([lemmas(doc[a:b]) for a, b in offsets])
            raw.append([doc[a:b].text for a, b in offsets])
        _CLAUSES["lemmas"], _CLAUSES["raw"] = lem, raw
    return _CLAUSES["lemmas"], _CLAUSES["raw"]


def _fit_stage1(records, features, rows, bias=None):  # noqa: ANN001, ANN202
    from nlp.models import SentimentModel
    from nlp.train import PHASE1_SENTIMENT_WEIGHT, SENTIMENT_BIAS

    return SentimentModel.fit(
        [features.lemmas[i] for i in rows],
        [records[i].sentiment for i in rows],
        raw_texts=[features.raw[i] for i in rows],
        weights=np.array([1.0 if records[i].complete else PHASE1_SENTIMENT_WEIGHT for i in rows]),
        bias=SENTIMENT_BIAS if bias is None else bias,
    )


def _stage2_features(model, records, features, rows) -> np.ndarray:  # noqa: ANN001
    lem, raw = _clauses(features)
    praise = [praise_only(records[i].question) for i in rows]
    whole = model.probabilities([features.lemmas[i] for i in rows], [features.raw[i] for i in rows], praise)
    flat_rows = [(k, c) for k, i in enumerate(rows) for c in range(len(lem[i]))]
    clause_probs = model.probabilities(
        [lem[rows[k]][c] for k, c in flat_rows], [raw[rows[k]][c] for k, c in flat_rows],
        [praise[k] for k, _ in flat_rows],
    )
    owner = np.array([k for k, _ in flat_rows])
    n = len(rows)
    maxes = np.zeros((n, 3))
    mins = np.ones((n, 3))
    np.maximum.at(maxes, owner, clause_probs)
    np.minimum.at(mins, owner, clause_probs)
    count = np.bincount(owner, minlength=n)
    mixed = maxes[:, 0] * maxes[:, 2]
    return np.column_stack([
        np.log(whole + 1e-6), maxes, mins, mixed, (count > 1).astype(float), np.log(count),
        np.array(praise, dtype=float),
    ])


def _stacked(records, features, train, class_weight=None):  # noqa: ANN001, ANN202
    """Clause features stacked: stage-1 models fitted out of fold give the stage-2 rows of the training comments;
    returns (stage 2, its out-of-fold rows, their labels, stage 1 fitted on all of train)."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import KFold

    train = np.array(train)
    oof = np.zeros((len(train), 13))
    for fit_part, held_part in KFold(4, shuffle=True, random_state=0).split(train):
        model = _fit_stage1(records, features, list(train[fit_part]))
        oof[held_part] = _stage2_features(model, records, features, list(train[held_part]))
    y = [records[i].sentiment for i in train]
    weights = np.array([1.0 if records[i].complete else 0.1 for i in train])
    stage2 = LogisticRegression(C=1.0, max_iter=2000, class_weight=class_weight).fit(oof, y, sample_weight=weights)
    return stage2, oof, y, _fit_stage1(records, features, list(train))


def variant_clauses(records, features, train, test, class_weight=None) -> list[str]:  # noqa: ANN001
    stage2, _, _, model = _stacked(records, features, train, class_weight)
    return list(stage2.predict(_stage2_features(model, records, features, list(test))))


def variant_clauses_balanced(records, features, train, test) -> list[str]:  # noqa: ANN001
    return variant_clauses(records, features, train, test, class_weight="balanced")


def variant_calibrated_bias(records, features, train, test, objective: str = "macro") -> list[str]:  # noqa: ANN001
    """Class biases chosen on out-of-fold predictions of the training rows (maximising NEAS macro-F1, or macro-F1
    plus accuracy)."""
    from sklearn.model_selection import KFold

    train = np.array(train)
    logits = np.zeros((len(train), 3))
    for fit_part, held_part in KFold(4, shuffle=True, random_state=0).split(train):
        model = _fit_stage1(records, features, list(train[fit_part]), bias=(0.0, 0.0, 0.0))
        rows = list(train[held_part])
        praise = [praise_only(records[i].question) for i in rows]
        logits[held_part] = np.log(model.probabilities(
            [features.lemmas[i] for i in rows], [features.raw[i] for i in rows], praise) + 1e-9)
    rated = np.array([records[i].complete for i in train])
    truth = [records[i].sentiment for i in train[rated]]
    best, best_score = (0.0, 0.0, 0.0), -1.0
    for neutral in np.arange(0.0, 2.01, 0.1):
        for negative in np.arange(0.0, 1.01, 0.1):
            got = (logits[rated] + [0.0, neutral, negative]).argmax(axis=1)
            labels = [SENTIMENTS[k] for k in got]
            value = f1_score(truth, labels, average="macro")
            if objective == "macro+accuracy":
                value += accuracy_score(truth, labels)
            if value > best_score:
                best, best_score = (0.0, float(neutral), float(negative)), value
    print("  chosen bias", best, round(best_score, 3), flush=True)
    model = _fit_stage1(records, features, list(train), bias=best)
    praise = [praise_only(records[i].question) for i in test]
    probabilities = model.probabilities([features.lemmas[i] for i in test], [features.raw[i] for i in test], praise)
    return [SENTIMENTS[k] for k in probabilities.argmax(axis=1)]


def _chosen_bias(logits: np.ndarray, truth: list[str], objective: str) -> tuple[float, float, float]:
    best, best_score = (0.0, 0.0, 0.0), -1.0
    for neutral in np.arange(-0.5, 2.01, 0.1):
        for negative in np.arange(-0.5, 1.01, 0.1):
            labels = [SENTIMENTS[k] for k in (logits + [0.0, neutral, negative]).argmax(axis=1)]
            value = f1_score(truth, labels, average="macro")
            if objective == "macro+accuracy":
                value += accuracy_score(truth, labels)
            if value > best_score:
                best, best_score = (0.0, float(neutral), float(negative)), value
    print("  chosen bias", best, round(best_score, 3), flush=True)
    return best


def variant_clauses_calibrated(records, features, train, test) -> list[str]:  # noqa: ANN001
    """Stacked clause features, then class biases on the stacked model's scores of the (out-of-fold) training
    rows, maximising NEAS macro-F1 + accuracy."""
    stage2, oof, y, model = _stacked(records, features, train)
    order = [list(stage2.classes_).index(label) for label in SENTIMENTS]
    rated = np.array([records[i].complete for i in train])
    bias = _chosen_bias(stage2.decision_function(oof[rated])[:, order], [y[k] for k in np.flatnonzero(rated)],
                        "macro+accuracy")
    logits = stage2.decision_function(_stage2_features(model, records, features, list(test)))[:, order] + bias
    return [SENTIMENTS[k] for k in logits.argmax(axis=1)]


def variant_balanced_weights(records, features, train, test) -> list[str]:  # noqa: ANN001
    """Balanced class weights in the sentiment model, biases chosen on out-of-fold training rows (macro + acc)."""
    from sklearn.model_selection import KFold

    from nlp.models import SentimentModel
    from nlp.train import PHASE1_SENTIMENT_WEIGHT

    def fit(rows: list[int]) -> SentimentModel:
        return SentimentModel.fit(
            [features.lemmas[i] for i in rows], [records[i].sentiment for i in rows],
            raw_texts=[features.raw[i] for i in rows],
            weights=np.array([1.0 if records[i].complete else PHASE1_SENTIMENT_WEIGHT for i in rows]),
            class_weight="balanced",
        )

    def logits_of(model: SentimentModel, rows: list[int]) -> np.ndarray:
        praise = [praise_only(records[i].question) for i in rows]
        return np.log(model.probabilities([features.lemmas[i] for i in rows], [features.raw[i] for i in rows],
                                          praise) + 1e-9)

    train = np.array(train)
    logits = np.zeros((len(train), 3))
    for fit_part, held_part in KFold(4, shuffle=True, random_state=0).split(train):
        logits[held_part] = logits_of(fit(list(train[fit_part])), list(train[held_part]))
    rated = np.array([records[i].complete for i in train])
    bias = _chosen_bias(logits[rated], [records[i].sentiment for i in train[rated]], "macro+accuracy")
    return [SENTIMENTS[k] for k in (logits_of(fit(list(train)), list(test)) + bias).argmax(axis=1)]


def variant_calibrated_bias_balanced(records, features, train, test) -> list[str]:  # noqa: ANN001
    return variant_calibrated_bias(records, features, train, test, objective="macro+accuracy")


VARIANTS: dict[str, Callable] = {
    "clauses_calibrated": variant_clauses_calibrated,
    "balanced_weights": variant_balanced_weights,
    "calibrated_bias_balanced": variant_calibrated_bias_balanced,
    "base": variant_base,
    "clauses": variant_clauses,
    "clauses_balanced": variant_clauses_balanced,
    "calibrated_bias": variant_calibrated_bias,
}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--variants", default="base")
    arguments = parser.parse_args()
    started = time.time()
    records, features = _load()
    print(f"featurised {len(records)} rated comments in {time.time() - started:.0f} s", flush=True)
    results: dict[str, dict[str, dict[str, float]]] = {}
    for name in arguments.variants.split(","):
        results[name] = {}
        for split, (train, test) in _splits(records).items():
            got = VARIANTS[name](records, features, train, test)
            results[name][split] = _scores([records[i].sentiment for i in test], got)
            print(name, split, results[name][split], flush=True)
        for kind in ("NEAS", "phase1"):
            rows = [v for k, v in results[name].items() if k.startswith(kind)]
            results[name][f"mean {kind}"] = {key: round(float(np.mean([r[key] for r in rows])), 3) for key in rows[0]}
            print(name, f"mean {kind}", results[name][f"mean {kind}"], flush=True)
    print(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
