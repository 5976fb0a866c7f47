"""Does the survey model's evidence check help? A simulated analyst codes the first N comments of a set (chosen
by ``suggest``, and at random), and the comments not coded are scored three ways: the
shipped model, every theme adapted with two coded comments each way (the survey model before the check), and
``adapt_where_it_helps`` with its minimum evidence (the survey model now). Reports micro-F1 on the rest and the
themes tagged wrongly there. The sets: the wmty development set (which the shipped wmty model was trained on, so
it shows only whether adapting hurts), and with ``--px SERVICE`` one NEAS service the px model is refitted
without (as bench/adapt_bench.py does: comments the model has never seen). Run from the repository root (needs
../shared, or ENGAGEMENT_SHARED_DIR):

    PYTHONPATH=$PWD .venv/bin/python bench/survey_model_bench.py [--minimum 3,5,8] [--px 111]
"""

from __future__ import annotations

import argparse

import numpy as np
from sklearn.metrics import f1_score

from nlp.adapt import MIN_EVIDENCE_EACH_WAY, adapt_theme_model, adapt_where_it_helps, model_inputs, theme_decisions
from nlp.codebook import Codebook, load_codebook
from nlp.models import ThemeModel, theme_model_path
from nlp.suggest import suggest_rows
from nlp.train import Featurised, featurise

SIZES = (10, 20, 30, 50, 100)
RANDOM_SEEDS = (1, 2, 3)


def wmty_set() -> tuple[str, Codebook, ThemeModel, Featurised, np.ndarray]:
    from nlp.public_data import shared_datasets_dir
    from nlp.wmty_dev import load_dev_set

    codebook = load_codebook("wmty")
    rows = load_dev_set(shared_datasets_dir().parent.parent)
    truth = np.array([[int(code in codes) for code in codebook.codes] for _, codes, _ in rows])
    features = featurise([text for text, _, _ in rows], [None] * len(rows), codebook)
    return ("wmty development set (seen in training)", codebook, ThemeModel.load(theme_model_path("wmty")), features,
            truth)


def px_set(service: str) -> tuple[str, Codebook, ThemeModel, Featurised, np.ndarray]:
    from nlp.public_data import is_no_answer, read_all
    from nlp.train import fit_px, label_matrix

    codebook = load_codebook("px")
    records = [r for r in read_all(codebook) if not is_no_answer(r.text)]
    features = featurise([r.text for r in records], [r.question for r in records], codebook)
    held = [i for i, r in enumerate(records) if r.source == "neas" and r.group.startswith(service)]
    kept = set(held)
    train = [i for i in range(len(records)) if i not in kept]
    model = fit_px(_subset(features, train), [records[i] for i in train], codebook)
    truth, _ = label_matrix([records[i] for i in held], codebook.codes)
    truth[:, codebook.codes.index(codebook.not_codeable)] = 0  # decided by screening, not by the model
    return f"px, NEAS service {service} held out of training", codebook, model, _subset(features, held), truth


def _subset(features: Featurised, rows: list[int]) -> Featurised:
    return Featurised([features.texts[i] for i in rows], features.hits[rows], features.codes)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minimum", default=str(MIN_EVIDENCE_EACH_WAY), help="comma-separated minimums to try")
    parser.add_argument("--px", help="a NEAS service to hold out of px training and adapt to, e.g. 111")
    arguments = parser.parse_args()
    minimums = [int(m) for m in arguments.minimum.split(",")]
    name, codebook, model, features, truth = px_set(arguments.px) if arguments.px else wmty_set()
    truth = truth.astype(int)
    everyone = np.arange(len(truth))
    suggested = np.array(suggest_rows(model_inputs(model, features.texts, features.hits),
                                      model.scores(features.texts, features.hits), model.thresholds, max(SIZES)))

    def score(fitted: ThemeModel, coded: np.ndarray) -> tuple[float, int]:
        rest = np.setdiff1d(everyone, coded)
        decided = theme_decisions(fitted, codebook, [features.texts[i] for i in rest], features.hits[rest])
        return (float(f1_score(truth[rest], decided, average="micro", zero_division=0)),
                int((decided & (1 - truth[rest])).sum()))

    def runs(coded: np.ndarray) -> dict[str, tuple[float, int]]:
        texts, hits, labels = [features.texts[i] for i in coded], features.hits[coded], truth[coded]
        found = {"shipped": score(model, coded),
                 "adapted, 2 each way": score(adapt_theme_model(model, texts, hits, labels).model, coded)}
        for minimum in minimums:
            checked = adapt_where_it_helps(model, codebook, texts, hits, labels, min_each_way=minimum)
            found[f"checked, {minimum} each way"] = score(checked.adaptation.model, coded)
        return found

    print(f"{name}: {len(truth)} comments; micro-F1 on the comments not coded / wrong tags there")
    for n in SIZES:
        for strategy, picks in [("suggested", [suggested[:n]]),
                                ("random", [np.random.RandomState(s).choice(everyone, n, replace=False)
                                            for s in RANDOM_SEEDS])]:
            results = [runs(coded) for coded in picks]
            line = ", ".join(
                f"{name} {np.mean([r[name][0] for r in results]):.3f} / {np.mean([r[name][1] for r in results]):.0f}"
                for name in results[0])
            print(f"{n:>3} {strategy:<9} {line}", flush=True)


if __name__ == "__main__":
    main()
