"""Does the survey's own sentiment model help, and does its evidence check keep it from hurting? A simulated
analyst decides the sentiment of N comments of a service the sentiment model never saw (chosen at random, three
seeds), and the comments not decided are scored three ways: the model fitted without the service (standing in
for the shipped model), ``adapt_sentiment_model`` on the N decisions with no check, and
``adapt_sentiment_where_it_helps`` (what the app's background refresh uses). Reports accuracy and macro-F1 on the
rest, and how often the check adopted the adapted model. Reads ../shared (or ENGAGEMENT_SHARED_DIR); writes
nothing to the repository:

    PYTHONPATH=$PWD .venv/bin/python bench/survey_sentiment_bench.py [--split "NEAS 111"] [--sizes 20,50,100,200]
"""

from __future__ import annotations

import argparse
import time

import numpy as np
from sklearn.metrics import accuracy_score, f1_score

from bench.sentiment_bench import SENTIMENTS, _load, _splits
from nlp.adapt import adapt_sentiment_model, adapt_sentiment_where_it_helps, sentiment_decisions_of
from nlp.features import praise_only
from nlp.train import Featurised, fit_sentiment

SEEDS = (1, 2, 3)


def _scores(truth: list[str], decided: np.ndarray) -> tuple[float, float]:
    got = [SENTIMENTS[k] for k in decided]
    return (float(accuracy_score(truth, got)),
            float(f1_score(truth, got, labels=list(SENTIMENTS), average="macro", zero_division=0)))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--split", default="NEAS 111")
    parser.add_argument("--sizes", default="20,50,100,200")
    args = parser.parse_args()
    records, features = _load()
    train, held = _splits(records)[args.split]
    started = time.monotonic()
    sub = Featurised([], None, [], [features.lemmas[i] for i in train], [features.raw[i] for i in train])
    base = fit_sentiment(sub, [records[i] for i in train])
    print(f"{args.split}: {len(held)} held-out comments; base model fitted in {time.monotonic() - started:.0f} s")
    lemmas = [features.lemmas[i] for i in held]
    raw = [features.raw[i] for i in held]
    praise = [praise_only(records[i].question) for i in held]
    truth = [records[i].sentiment for i in held]
    print("N | shipped acc / macro-F1 | unchecked | checked | adopted (of seeds) | check's CV macro-F1 v shipped")
    for size in (int(s) for s in args.sizes.split(",")):
        rows = {"shipped": [], "unchecked": [], "checked": []}
        adopted, cv = 0, []
        for seed in SEEDS:
            order = np.random.default_rng(seed).permutation(len(held))
            coded, rest = order[:size], order[size:]
            pick = lambda values, idx: [values[i] for i in idx]  # noqa: E731
            rest_truth = pick(truth, rest)
            shipped = sentiment_decisions_of(base, pick(lemmas, rest), pick(raw, rest), pick(praise, rest))
            rows["shipped"].append(_scores(rest_truth, shipped))
            labels = pick(truth, coded)
            if len(set(labels)) == len(SENTIMENTS):
                free = adapt_sentiment_model(base, pick(lemmas, coded), pick(raw, coded), labels)
                rows["unchecked"].append(_scores(rest_truth, sentiment_decisions_of(
                    free, pick(lemmas, rest), pick(raw, rest), pick(praise, rest))))
            else:
                rows["unchecked"].append(rows["shipped"][-1])
            checked = adapt_sentiment_where_it_helps(base, pick(lemmas, coded), pick(raw, coded), pick(praise, coded),
                                                     labels)
            model = checked.model if checked.used else base
            rows["checked"].append(_scores(rest_truth, sentiment_decisions_of(
                model, pick(lemmas, rest), pick(raw, rest), pick(praise, rest))))
            adopted += checked.used
            cv.append(f"{checked.macro_f1:.2f}/{checked.shipped_macro_f1:.2f}")
        mean = {name: np.mean(values, axis=0) for name, values in rows.items()}
        print(f"{size} | " + " | ".join(f"{mean[name][0]:.3f} / {mean[name][1]:.3f}" for name in rows)
              + f" | {adopted}/{len(SEEDS)} | {', '.join(cv)}", flush=True)


if __name__ == "__main__":
    main()
