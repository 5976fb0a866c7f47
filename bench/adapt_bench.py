"""Simulated analyst: how much do 100 (wmty) or 200 (px) coded comments improve the themes on the rest?

For each held-out set: the model that has not seen it tags it (no adaptation); then an analyst codes N comments
chosen by ``engagement nlp suggest`` (or N at random, five seeds), the model is adapted with their true labels,
and micro-F1 is scored on the comments not coded. Run from the repository root:

    PYTHONPATH=$PWD .venv/bin/python bench/adapt_bench.py [--wmty] [--px] [--weights 0.3,1,3]
    PYTHONPATH=$PWD .venv/bin/python bench/adapt_bench.py --wmty-sources historical-2020,trust-b --cache DIR

wmty uses the development set (data/eval/wmty-dev-labels.csv, texts from ../shared), or with --wmty-sources each
named source of the coded sets as a new organisation, the model trained without it; px refits the px model
without one NEAS service (as bench/nlp_bench.py does) and adapts it to that service. Needs ../shared.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np
from sklearn.metrics import f1_score

from nlp.adapt import ANALYST_WEIGHT, adapt_theme_model, model_inputs, theme_decisions
from nlp.codebook import Codebook, load_codebook
from nlp.models import ThemeModel, theme_model_path
from nlp.suggest import suggest_rows
from nlp.train import Featurised, featurise

RANDOM_SEEDS = (1, 2, 3, 4, 5)


def decide(model: ThemeModel, codebook: Codebook, features: Featurised, rows: np.ndarray) -> np.ndarray:
    return theme_decisions(model, codebook, [features.texts[i] for i in rows], features.hits[rows])


def simulate(
    name: str, model: ThemeModel, codebook: Codebook, features: Featurised, truth: np.ndarray, n: int,
    weights: list[float],
) -> list[dict]:
    everyone = np.arange(len(truth))
    results = []

    def run(strategy: str, coded: np.ndarray, weight: float | None) -> float:
        rest = np.setdiff1d(everyone, coded)
        fitted = model
        if len(coded):
            fitted = adapt_theme_model(
                model, [features.texts[i] for i in coded], features.hits[coded], truth[coded], weight=weight
            ).model
        return float(f1_score(truth[rest], decide(fitted, codebook, features, rest), average="micro", zero_division=0))

    words = model_inputs(model, features.texts, features.hits)
    started = time.perf_counter()
    suggested = np.array(suggest_rows(words, model.scores(features.texts, features.hits), model.thresholds, n))
    suggest_seconds = time.perf_counter() - started
    for weight in weights:
        started = time.perf_counter()
        by_suggest = run("suggest", suggested, weight)
        adapt_seconds = time.perf_counter() - started
        random_picks = [np.random.RandomState(seed).choice(everyone, n, replace=False) for seed in RANDOM_SEEDS]
        by_random = [run("random", picks, weight) for picks in random_picks]
        random_unadapted = [
            float(f1_score(truth[rest], decide(model, codebook, features, rest), average="micro"))
            for rest in (np.setdiff1d(everyone, picks) for picks in random_picks)
        ]
        # "No adaptation" is scored on the same comments as the suggested run, and on each random run's rest.
        unadapted = run("none", np.array([], dtype=int), None)
        rest = np.setdiff1d(everyone, suggested)
        unadapted_rest = float(f1_score(truth[rest], decide(model, codebook, features, rest), average="micro"))
        results.append({
            "set": name, "comments": len(truth), "coded": n, "weight": weight,
            "no_adaptation_all": round(unadapted, 3), "no_adaptation_rest_of_suggested": round(unadapted_rest, 3),
            "random_rest_no_adaptation": round(float(np.mean(random_unadapted)), 3),
            "random_mean": round(float(np.mean(by_random)), 3), "random_min": round(float(np.min(by_random)), 3),
            "random_max": round(float(np.max(by_random)), 3), "suggested": round(by_suggest, 3),
            "suggest_seconds": round(suggest_seconds, 2), "adapt_seconds": round(adapt_seconds, 2),
        })
        print(results[-1], flush=True)
    return results


def wmty(weights: list[float], n: int = 100) -> list[dict]:
    from nlp.public_data import shared_datasets_dir
    from nlp.wmty_dev import load_dev_set

    codebook = load_codebook("wmty")
    rows = load_dev_set(shared_datasets_dir().parent.parent)
    truth = np.array([[int(code in codes) for code in codebook.codes] for _, codes, _ in rows])
    features = featurise([text for text, _, _ in rows], [None] * len(rows), codebook)
    model = ThemeModel.load(theme_model_path("wmty"))
    return simulate("wmty development set (300 comments, 3 sources)", model, codebook, features, truth, n, weights)


def wmty_by_source(weights: list[float], sources: list[str], n: int = 100, cache: Path | None = None) -> list[dict]:
    """Each named source as a new organisation: the wmty model trained as shipped without anything of it (as
    bench/wmty_loso.py), then adapted to N of its coded comments (sets 1-3) and scored on the rest of them."""
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from wmty_loso import _prior, _rows

    from nlp.public_data import read_all
    from nlp.train import WMTY_RECIPE, _usable, fit_wmty_human_stage, public_source
    from nlp.wmty_eval import coded_dev_comments, indicator

    codebook = load_codebook("wmty")
    records = _usable(read_all(codebook))
    record_sources = np.array([public_source(record) for record in records])
    public = featurise([r.text for r in records], [r.question for r in records], codebook)
    coded = [comment for version in (1, 2, 3) for comment in coded_dev_comments(version)]
    coded_features = featurise([c.text for c in coded], [c.question for c in coded], codebook)
    results = []
    for source in sources:
        def public_without(source: str = source) -> tuple[Featurised, list]:
            keep = np.flatnonzero(record_sources != source)
            return _rows(public, keep), [records[i] for i in keep]

        vectorizer, prior = _prior(codebook, source, WMTY_RECIPE, cache, public_without)
        training = [i for i, comment in enumerate(coded) if comment.source != source]
        model = fit_wmty_human_stage(
            codebook, vectorizer, prior, _rows(coded_features, training), [coded[i].codes for i in training],
            [coded[i].source for i in training], WMTY_RECIPE,
        )
        held = [i for i, comment in enumerate(coded) if comment.source == source]
        truth = indicator([coded[i].codes for i in held], codebook.codes)
        results += simulate(f"wmty, held-out source {source} ({len(held)} coded comments)", model, codebook,
                            _subset(coded_features, held), truth, n, weights)
    return results


def px(weights: list[float], services: list[str], n: int = 200) -> list[dict]:
    from nlp.public_data import is_no_answer, read_all
    from nlp.train import fit_px, label_matrix

    codebook = load_codebook("px")
    records = [r for r in read_all(codebook) if not is_no_answer(r.text)]
    features = featurise([r.text for r in records], [r.question for r in records], codebook)
    results = []
    for service in services:
        held = [i for i, r in enumerate(records) if r.source == "neas" and r.group.startswith(service)]
        train = [i for i in range(len(records)) if i not in set(held)]
        model = fit_px(_subset(features, train), [records[i] for i in train], codebook)
        truth, _ = label_matrix([records[i] for i in held], codebook.codes)
        truth[:, codebook.codes.index(codebook.not_codeable)] = 0  # decided by screening, not by the model
        results += simulate(f"px, held-out NEAS service {service} ({len(held)} comments)", model, codebook,
                            _subset(features, held), truth, n, weights)
    return results


def _subset(features: Featurised, rows: list[int]) -> Featurised:
    return Featurised([features.texts[i] for i in rows], features.hits[rows], features.codes)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--wmty", action="store_true")
    parser.add_argument("--px", action="store_true")
    parser.add_argument("--weights", default=str(ANALYST_WEIGHT), help="comma-separated analyst weights to try")
    parser.add_argument("--wmty-sources", help="comma-separated sources to treat as a new organisation each")
    parser.add_argument("--cache", type=Path, help="folder of bench/wmty_loso.py's per-source priors")
    parser.add_argument("--px-services", default="111,See and Convey,PTS", help="NEAS services to hold out")
    arguments = parser.parse_args()
    weights = [float(w) for w in arguments.weights.split(",")]
    if arguments.wmty_sources:
        wmty_by_source(weights, arguments.wmty_sources.split(","), cache=arguments.cache)
    elif arguments.wmty or not arguments.px:
        wmty(weights)
    if arguments.px:
        px(weights, arguments.px_services.split(","))


if __name__ == "__main__":
    main()
