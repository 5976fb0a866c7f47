"""Leave-one-source-out accuracy of the wmty theme model on a hand-coded development set.

    PYTHONPATH=$PWD .venv/bin/python bench/wmty_loso.py --dev 2 [--write-card] [--shipped]

For each source (NEAS 111, PTS, See and Convey; phase 1 trusts A, B, C; the 2020 mental-health trust file) the
model is trained as ``nlp.train`` ships it (same recipe) but without anything from that source: none of its public
comments (weak or crosswalked labels) and none of its hand-coded comments; then the real theme tagger (patterns,
model, thresholds, the Other rule) reads that source's hand-coded comments. ``--shipped`` scores the model file in
data/models instead (trained on every source, so not an honest cross-organisation figure once it has seen
hand-coded comments). ``--write-card`` records the table in data/models/wmty-themes.json.

Needs ../shared/datasets/patient-feedback/ (or ENGAGEMENT_SHARED_DIR): the texts are joined from there.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import pickle
import sys
import time
from dataclasses import asdict
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from nlp.codebook import load_codebook  # noqa: E402
from nlp.models import ThemeModel, theme_model_path  # noqa: E402
from nlp.pipeline import ThemeTagger, base_pipeline  # noqa: E402
from nlp.public_data import read_all  # noqa: E402
from nlp.train import (  # noqa: E402
    WMTY_RECIPE,
    Featurised,
    _usable,
    featurise,
    fit_wmty_human_stage,
    fit_wmty_prior,
    public_source,
)
from nlp.wmty_eval import (  # noqa: E402
    DEV2_LABELS_CSV,
    TRAIN3_LABELS_CSV,
    CodedComment,
    LosoResult,
    agreement,
    coded_dev_comments,
    leave_one_source_out,
)

CODERS_CSV = DEV2_LABELS_CSV.with_name("wmty-dev2-coders.csv")


def tag(model: ThemeModel, comments: list[CodedComment]) -> list[frozenset[str]]:
    """What the pipeline's theme tagger gives each comment (Other when nothing fits, as analyse_comments)."""
    codebook = load_codebook("wmty")
    nlp = base_pipeline()
    tagger = ThemeTagger(nlp, codebook, model)
    docs = []
    for doc, comment in zip(nlp.pipe([c.text for c in comments]), comments, strict=True):
        doc._.question = comment.question
        docs.append(doc)
    found = [frozenset(m.code for m in doc._.themes["wmty"]) for doc in tagger.pipe(docs)]
    return [codes or frozenset({codebook.not_codeable}) for codes in found]


def _rows(features: Featurised, rows: np.ndarray | list[int]) -> Featurised:
    return Featurised([features.texts[i] for i in rows], features.hits[rows], features.codes)


def _prior(codebook, source: str, recipe, cache: Path | None, public_without):
    """Stage one without ``source`` (the slow part), kept in ``cache`` between runs: same data, same prior."""
    settings = [source, recipe.weak_weight, recipe.crosswalk_weight, recipe.prior_regularisation]
    themes = [[t.code, t.patterns, t.source_labels] for t in codebook.themes]
    key = hashlib.sha256(json.dumps([settings, themes], sort_keys=True).encode()).hexdigest()[:16]
    path = cache / f"wmty-prior-{key}.pkl" if cache else None
    if path and path.is_file():
        return pickle.loads(path.read_bytes())
    public, records = public_without()
    fitted = fit_wmty_prior(codebook, public, records, (), recipe)
    if path:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(pickle.dumps(fitted))
    return fitted


def run_loso(
    dev: int, recipe=WMTY_RECIPE, cache: Path | None = None, training_sets: tuple[int, ...] = (1, 2, 3)
) -> tuple[LosoResult, list[CodedComment]]:
    codebook = load_codebook("wmty")
    records = _usable(read_all(codebook))
    sources = np.array([public_source(record) for record in records])
    public = featurise([r.text for r in records], [r.question for r in records], codebook)
    scored = coded_dev_comments(dev)
    extra = [c for version in (1, 2, 3) if version != dev and version in training_sets for c in _maybe_dev(version)]
    everyone = [*scored, *extra]
    coded = featurise([c.text for c in everyone], [c.question for c in everyone], codebook)
    position = {id(c): i for i, c in enumerate(everyone)}

    def _public_without(source: str) -> tuple[Featurised, list]:
        keep = np.flatnonzero(sources != source)
        return _rows(public, keep), [records[i] for i in keep]

    def train_and_predict(source: str, training: list[CodedComment], held_out: list[CodedComment]):
        started = time.perf_counter()
        vectorizer, prior = _prior(codebook, source, recipe, cache, lambda: _public_without(source))
        model = fit_wmty_human_stage(
            codebook,
            vectorizer,
            prior,
            _rows(coded, [position[id(c)] for c in training]),
            [c.codes for c in training],
            [c.source for c in training],
            recipe,
        )
        print(f"  {source}: trained without it in {time.perf_counter() - started:.0f} s", file=sys.stderr)
        return tag(model, held_out)

    return leave_one_source_out(scored, train_and_predict, codebook.codes, extra_training=extra), scored


def _maybe_dev(version: int) -> list[CodedComment]:
    if (version == 2 and not DEV2_LABELS_CSV.is_file()) or (version == 3 and not TRAIN3_LABELS_CSV.is_file()):
        return []
    return coded_dev_comments(version)


def coder_agreement(scored: list[CodedComment]) -> dict[str, dict]:
    """Coder A against coder B per source and pooled (dev set 2 only), from data/eval/wmty-dev2-coders.csv."""
    if not CODERS_CSV.is_file():
        return {}
    with CODERS_CSV.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    codes = load_codebook("wmty").codes

    def split(cell: str) -> frozenset[str]:
        return frozenset(code for code in cell.split(";") if code)

    out = {}
    for source in sorted({row["source"] for row in rows}) + ["all (pooled)"]:
        kept = [row for row in rows if source == "all (pooled)" or row["source"] == source]
        a, b = [split(r["coder_a_codes"]) for r in kept], [split(r["coder_b_codes"]) for r in kept]
        out[source] = asdict(agreement(a, b, codes, source, 1 if source != "all (pooled)" else 5))
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dev", type=int, default=2, choices=(1, 2))
    parser.add_argument("--write-card", action="store_true")
    parser.add_argument("--shipped", action="store_true", help="score the model file in data/models instead")
    parser.add_argument(
        "--without-set-3", action="store_true", help="train without the one-coder training set 3 (for comparison)"
    )
    parser.add_argument("--cache", type=Path, help="folder to keep the per-source priors in (a bench's own files)")
    arguments = parser.parse_args()
    started = time.perf_counter()
    if arguments.shipped:
        scored = coded_dev_comments(arguments.dev)
        model = ThemeModel.load(theme_model_path("wmty"))
        result = leave_one_source_out(scored, lambda s, training, held: tag(model, held), load_codebook("wmty").codes)
    else:
        sets = (1, 2) if arguments.without_set_3 else (1, 2, 3)
        result, scored = run_loso(arguments.dev, cache=arguments.cache, training_sets=sets)
    print(result.to_text())
    predicted_other = sum("T99" in p for p in result.predicted)
    coded_other = sum("T99" in c.codes for c in scored)
    print(f"Other: predicted for {predicted_other}, coded for {coded_other}; {time.perf_counter() - started:.0f} s")
    if arguments.write_card and not arguments.shipped:
        path = theme_model_path("wmty").with_suffix(".json")
        card = json.loads(path.read_text(encoding="utf-8"))
        card["leave_one_source_out"] = {
            "development_set": arguments.dev,
            "comments": result.pooled.comments,
            "how": "trained without every comment of the scored source (public and hand-coded), same recipe; "
            "scored by the real theme tagger; macro-F1 per source over themes coded there at least once, pooled "
            "over themes coded at least 5 times",
            "recipe": asdict(WMTY_RECIPE),
            "sources": [asdict(row) for row in result.sources],
            "pooled": asdict(result.pooled),
            "per_theme_f1": result.per_theme_f1,
            "support": result.support,
            "other_predicted": predicted_other,
            "other_coded": coded_other,
            "coder_agreement": coder_agreement(scored),
        }
        path.write_text(json.dumps(card, indent=2, sort_keys=True) + "\n", encoding="utf-8")
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
