"""Sentiment on sources the model never saw, scored against the wmty coders' sentiment (development set 2).

    PYTHONPATH=$PWD .venv/bin/python bench/wmty_sentiment_loso.py [--weights 0,1,3] [--cache var/bench]

For each of set 2's 7 sources, the sentiment model is trained as ``nlp.train.fit_sentiment`` ships it but without
that source's public comments, plus (weight w > 0) the coders' sentiment on set 3 and on set 2's other sources;
the held-out source's set-2 comments are scored as the pipeline scores them (lemmas, VADER, character n-grams, the
praise-question lean). w = 0 is the shipped recipe. For the three NEAS services it also scores the held-out
service's public comments against their own NEAS labels (the px convention), so a gain for the coders'
convention that costs the px one shows. Needs ../shared (or ENGAGEMENT_SHARED_DIR).
"""

from __future__ import annotations

import argparse
import pickle
import sys
import time
from pathlib import Path

import numpy as np
from sklearn.metrics import accuracy_score, f1_score, recall_score

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from nlp.codebook import load_codebook  # noqa: E402
from nlp.features import praise_only  # noqa: E402
from nlp.models import SENTIMENTS, SentimentModel  # noqa: E402
from nlp.public_data import read_all  # noqa: E402
from nlp.train import (  # noqa: E402
    PHASE1_SENTIMENT_WEIGHT,
    SENTIMENT_BIAS,
    _teaches_sentiment,
    _usable,
    featurise,
    public_source,
)
from nlp.wmty_eval import TRAIN3_LABELS_CSV, coded_dev_comments  # noqa: E402


def _features(cache: Path | None):
    path = cache / "sentiment-loso-features-v2.pkl" if cache else None
    if path and path.is_file():
        return pickle.loads(path.read_bytes())
    codebook = load_codebook("px")
    records = [r for r in _usable(read_all(codebook)) if _teaches_sentiment(r)]
    public = featurise([r.text for r in records], [r.question for r in records], codebook)
    scored = coded_dev_comments(2)
    extra = coded_dev_comments(3) if TRAIN3_LABELS_CSV.is_file() else []
    coded = [*scored, *[c for c in extra if c.sentiment]]
    coded_features = featurise([c.text for c in coded], [c.question for c in coded], codebook)
    found = (records, public.lemmas, public.raw, coded, coded_features.lemmas, len(scored), public.texts,
             coded_features.texts)
    if path:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(pickle.dumps(found))
    return found


def _scores(truth: list[str], guess: list[str]) -> str:
    return (
        f"acc {accuracy_score(truth, guess):.3f}  macro-F1 {f1_score(truth, guess, average='macro'):.3f}  "
        f"neutral F1 {f1_score(truth, guess, labels=['neutral'], average='macro', zero_division=0):.3f}  "
        f"negative recall {recall_score(truth, guess, labels=['negative'], average='macro', zero_division=0):.3f}"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--weights", default="0,1,3", help="weights of the coders' sentiment to compare")
    parser.add_argument("--bias", default=",".join(map(str, SENTIMENT_BIAS)), help="class-score bias p,n,n")
    parser.add_argument("--public-weight", type=float, default=1.0, help="scale of the public comments' weights")
    parser.add_argument("--question", action="store_true", help="read the question-kind token too")
    parser.add_argument("--cache", type=Path, help="folder to keep the featurised comments in between runs")
    arguments = parser.parse_args()
    started = time.perf_counter()
    records, lemmas, raw, coded, coded_lemmas, n_scored, with_q, coded_with_q = _features(arguments.cache)
    if arguments.question:  # the lemmas with the question-kind token the theme model reads
        lemmas, coded_lemmas = with_q, coded_with_q
    bias = tuple(float(b) for b in arguments.bias.split(","))
    print(f"{len(records)} public comments with sentiment, {len(coded)} coded ({n_scored} scored); "
          f"read in {time.perf_counter() - started:.0f} s", file=sys.stderr)
    sources = np.array([public_source(r) for r in records])
    coded_sources = np.array([c.source for c in coded])
    public_weight = np.array([1.0 if r.complete else PHASE1_SENTIMENT_WEIGHT for r in records])
    scored_sources = sorted({c.source for c in coded[:n_scored]})
    for weight in [float(w) for w in arguments.weights.split(",")]:
        truth, guess, px_truth, px_guess = [], [], [], []
        for source in scored_sources:
            keep = np.flatnonzero(sources != source)
            teach = np.flatnonzero(coded_sources != source) if weight > 0 else np.array([], dtype=int)
            model = SentimentModel.fit(
                [lemmas[i] for i in keep] + [coded_lemmas[i] for i in teach],
                [records[i].sentiment for i in keep] + [coded[i].sentiment for i in teach],
                raw_texts=[raw[i] for i in keep] + [coded[i].text for i in teach],
                weights=np.concatenate([public_weight[keep] * arguments.public_weight, np.full(len(teach), weight)]),
                bias=bias,
            )
            held = [i for i in range(n_scored) if coded[i].source == source]
            probabilities = model.probabilities(
                [coded_lemmas[i] for i in held], [coded[i].text for i in held],
                [praise_only(coded[i].question) for i in held],
            )
            found = [SENTIMENTS[k] for k in probabilities.argmax(axis=1)]
            truth += [coded[i].sentiment for i in held]
            guess += found
            line = _scores([coded[i].sentiment for i in held], found)
            if source.startswith("neas-"):
                own = [i for i in np.flatnonzero(sources == source) if records[i].complete]
                own_found = model.probabilities([lemmas[i] for i in own], [raw[i] for i in own],
                                                [praise_only(records[i].question) for i in own]).argmax(axis=1)
                px_truth += [records[i].sentiment for i in own]
                px_guess += [SENTIMENTS[k] for k in own_found]
                line += f" | NEAS labels ({len(own)}): " + _scores(
                    [records[i].sentiment for i in own], [SENTIMENTS[k] for k in own_found])
            print(f"w={weight:g} {source:<16} {len(held):>4}  {line}", flush=True)
        print(f"w={weight:g} POOLED coders' sentiment ({len(truth)}): {_scores(truth, guess)}")
        print(f"w={weight:g} POOLED NEAS labels, held-out services ({len(px_truth)}): {_scores(px_truth, px_guess)}",
              flush=True)
    print(f"{time.perf_counter() - started:.0f} s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
