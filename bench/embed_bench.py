"""Static sentence embeddings as extra features of the theme and sentiment models: measured, not shipped.

    HF_HUB_OFFLINE=1 /tmp/distill-venv/bin/python bench/build_embeddings.py --out /tmp/minilm-static
    PYTHONPATH=$PWD .venv/bin/python bench/embed_bench.py wmty --variants base,human1,both1 --cache DIR
    PYTHONPATH=$PWD .venv/bin/python bench/embed_bench.py sentiment --scales 0,1,3 [--bias 0,0.6,0.4]
    PYTHONPATH=$PWD .venv/bin/python bench/embed_bench.py px --scales 1 --services 111
    PYTHONPATH=$PWD .venv/bin/python bench/embed_bench.py px-held-out --scales 0,1 --services 111,PTS

A comment's vector is the mean of its word pieces' vectors in a static model distilled from all-MiniLM-L6-v2
(``bench/build_embeddings.py``; needs the ``model2vec`` package, pinned there, at run time only numpy and
``tokenizers``), unit length, appended (times a scale) to the TF-IDF lemma features.

``wmty``: leave-one-source-out on development set 2, exactly as ``bench/wmty_loso.py`` (same recipe, priors cached
per source). Variants, each followed by the scale: ``base`` (no vectors), ``human`` (the vector in the hand-coded
stage only; the prior sees words alone), ``rawhuman`` (the same, vector of the comment as written rather than its
lemmas), ``both`` (in the prior too), ``proto`` (instead of the vector, its cosine to each theme's description:
label, definition, include notes, typical phrases and examples), ``protovec`` (vector and cosines), ``rawproto``.
``sentiment``: the held-out NEAS services and phase1 trusts of ``bench/sentiment_bench.py`` with the vector of the
raw comment appended. ``px``: ``bench/adapt_bench.py``'s px rows (model refitted without a NEAS service, adapted to
200 suggested comments) with the vector appended to the px model's words; ``px-held-out`` adds macro-F1 (no
adaptation) for each scale.
Needs ../shared (or ENGAGEMENT_SHARED_DIR); writes nothing to the repository. Results: data/eval/README.md.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import time
from functools import lru_cache
from pathlib import Path

import numpy as np
from scipy import sparse

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("HF_HUB_OFFLINE", "1")  # the model is a local folder; nothing may be downloaded

# Where bench/build_embeddings.py --out puts the distilled static model (not shipped: see data/eval/README.md).
MODEL_DIR = Path("/tmp/minilm-static")
_QUESTION_TOKEN = re.compile(r"^qkind\w+ ")  # the theme model's question-kind token is not English


@lru_cache(maxsize=1)
def _static_model():  # noqa: ANN202
    from model2vec import StaticModel

    return StaticModel.from_pretrained(MODEL_DIR, force_download=False)


def sentence_vectors(texts: list[str]) -> np.ndarray:
    """Unit-length vectors (mean of the word pieces' static vectors), float32; zeros for a text with no known
    piece. model2vec's StaticModel: a table lookup in numpy, no transformer at run time."""
    cleaned = [_QUESTION_TOKEN.sub("", text) for text in texts]
    vectors = _static_model().encode(cleaned, use_multiprocessing=False)
    return np.nan_to_num(np.asarray(vectors, dtype=np.float32))


class WithVectors:
    """A fitted TF-IDF vectorizer whose rows carry the comment's sentence vector (times ``scale``) after the words;
    a comment with no known word keeps an empty row, so the model still gives it no themes.

    ``raw_of`` maps a lemma string to the comment as written (the vector is then of the raw text); ``prototypes``
    (themes x dims) adds the cosine of the comment to each theme's description instead of the vector itself
    (``with_vector`` keeps both)."""

    def __init__(self, words, scale: float, raw_of=None, prototypes=None, with_vector=False) -> None:  # noqa: ANN001
        self.words, self.scale = words, scale
        self.vocabulary_ = words.vocabulary_
        self.raw_of, self.prototypes, self.with_vector = raw_of or {}, prototypes, with_vector

    def transform(self, texts):  # noqa: ANN001, ANN201
        words = self.words.transform(texts)
        vectors = sentence_vectors([self.raw_of.get(text, text) for text in texts])
        vectors[np.diff(words.indptr) == 0] = 0.0
        blocks = []
        if self.prototypes is None or self.with_vector:
            blocks.append(vectors * self.scale)
        if self.prototypes is not None:
            blocks.append(vectors @ self.prototypes.T * self.scale)
        return sparse.hstack([words, *map(sparse.csr_matrix, blocks)], format="csr")


def theme_prototypes(codebook) -> np.ndarray:  # noqa: ANN001
    """One unit vector per theme: the mean vector of its label, definition, include notes, typical phrases and
    example comments that carry it."""
    rows = []
    for theme in codebook.themes:
        texts = [theme.label, theme.definition, *theme.include, *theme.typical_phrases]
        texts += [example.text for example in theme.examples if theme.code in example.codes]
        mean = sentence_vectors(texts).mean(axis=0)
        rows.append(mean / max(float(np.linalg.norm(mean)), 1e-9))
    return np.array(rows, dtype=np.float32)


def wmty(variants: list[str], cache: Path) -> None:
    import wmty_loso

    from nlp.codebook import load_codebook
    from nlp.public_data import read_all
    from nlp.train import (
        WMTY_RECIPE,
        PriorModel,
        _usable,
        featurise,
        fit_prior,
        prior_labels,
        public_source,
    )
    from nlp.wmty_eval import coded_dev_comments, leave_one_source_out

    codebook = load_codebook("wmty")
    started = time.perf_counter()
    records = _usable(read_all(codebook))
    sources = np.array([public_source(record) for record in records])
    public = featurise([r.text for r in records], [r.question for r in records], codebook)
    scored = coded_dev_comments(2)
    extra = coded_dev_comments(1)
    everyone = [*scored, *extra]
    coded = featurise([c.text for c in everyone], [c.question for c in everyone], codebook)
    position = {id(c): i for i, c in enumerate(everyone)}
    raw_lookup = dict(zip(public.texts, public.raw, strict=True)) | dict(zip(coded.texts, coded.raw, strict=True))
    print(f"featurised in {time.perf_counter() - started:.0f} s", flush=True)

    def public_without(source: str):  # noqa: ANN202
        keep = np.flatnonzero(sources != source)
        return wmty_loso._rows(public, keep), [records[i] for i in keep]

    for variant in variants:
        kind = variant.rstrip("0123456789.")
        scale = float(variant[len(kind) :] or 0)
        raw_of = raw_lookup if kind.startswith("raw") else None
        prototypes = theme_prototypes(codebook) if "proto" in kind else None
        with_vector = kind.endswith("protovec")
        stage = "both" if "both" in kind else ("human" if kind != "base" else "base")
        t0 = time.perf_counter()

        def train_and_predict(source, training, held_out, stage=stage, scale=scale, raw_of=raw_of,  # noqa: ANN001, ANN202
                              prototypes=prototypes, with_vector=with_vector):
            vectorizer, prior = wmty_loso._prior(codebook, source, WMTY_RECIPE, cache, lambda: public_without(source))
            if stage in ("human", "both"):
                wrapped = WithVectors(vectorizer, scale, raw_of, prototypes, with_vector)
                dims = wrapped.transform(["staff"]).shape[1] - len(vectorizer.vocabulary_)
                if stage == "human":
                    padded = np.vstack([prior.coef, np.zeros((dims, prior.coef.shape[1]), np.float32)])
                    prior = PriorModel(padded, prior.intercept, prior.positives)
                else:
                    kept, kept_records = public_without(source)
                    labels, weights = prior_labels(kept.hits, kept_records, codebook, WMTY_RECIPE)
                    prior = fit_prior(wrapped.transform(kept.texts), labels, weights, WMTY_RECIPE.prior_regularisation)
                vectorizer = wrapped
            model = wmty_loso.fit_wmty_human_stage(
                codebook,
                vectorizer,
                prior,
                wmty_loso._rows(coded, [position[id(c)] for c in training]),
                [c.codes for c in training],
                [c.source for c in training],
                WMTY_RECIPE,
            )
            return wmty_loso.tag(model, held_out)

        result = leave_one_source_out(scored, train_and_predict, codebook.codes, extra_training=extra)
        other = sum("T99" in p for p in result.predicted)
        print(f"== {variant} ({time.perf_counter() - t0:.0f} s; Other predicted {other})", flush=True)
        print(result.to_text(), flush=True)


def sentiment(scales: list[float], bias: tuple[float, float, float] | None = None) -> None:
    import sentiment_bench

    from nlp.features import praise_only
    from nlp.models import SentimentModel
    from nlp.train import PHASE1_SENTIMENT_WEIGHT, SENTIMENT_BIAS

    records, features = sentiment_bench._load()
    vectors = sentence_vectors(features.raw)
    row_of = {text: i for i, text in enumerate(features.raw)}
    for scale in scales:

        class WithSentenceVectors(SentimentModel):
            def _matrix(self, texts, raw_texts, scale=scale):  # noqa: ANN001, ANN202
                matrix = super()._matrix(texts, raw_texts)
                if not scale:
                    return matrix
                block = vectors[[row_of[text] for text in raw_texts]] * scale
                return sparse.hstack([matrix, sparse.csr_matrix(block)], format="csr")

        results = {}
        for split, (train, test) in sentiment_bench._splits(records).items():
            model = WithSentenceVectors.fit(
                [features.lemmas[i] for i in train],
                [records[i].sentiment for i in train],
                raw_texts=[features.raw[i] for i in train],
                weights=np.array([1.0 if records[i].complete else PHASE1_SENTIMENT_WEIGHT for i in train]),
                bias=SENTIMENT_BIAS if bias is None else bias,
            )
            praise = [praise_only(records[i].question) for i in test]
            probabilities = model.probabilities(
                [features.lemmas[i] for i in test], [features.raw[i] for i in test], praise
            )
            got = [sentiment_bench.SENTIMENTS[k] for k in probabilities.argmax(axis=1)]
            results[split] = sentiment_bench._scores([records[i].sentiment for i in test], got)
            print(f"scale {scale}", split, results[split], flush=True)
        for kind in ("NEAS", "phase1"):
            rows = [v for k, v in results.items() if k.startswith(kind)]
            mean = {key: round(float(np.mean([r[key] for r in rows])), 3) for key in rows[0]}
            print(f"== scale {scale} mean {kind}", mean, flush=True)


def px(scale: float, services: list[str]) -> None:
    """adapt_bench's px rows (model refitted without a NEAS service, then adapted to 200 suggested comments) with
    the sentence vector (times ``scale``) after the TF-IDF words of the px model."""
    import adapt_bench

    import nlp.models

    if scale:
        fitted_vectorizer = nlp.models._fitted_vectorizer
        nlp.models._fitted_vectorizer = lambda texts, most: WithVectors(fitted_vectorizer(texts, most), scale)
    adapt_bench.px([1.0], services)


def px_held_out(scales: list[float], services: list[str]) -> None:
    """px micro- and macro-F1 (labels with 5+ comments there) on a NEAS service the model was refitted without,
    no adaptation, for each scale of the vector block (0: the shipped features)."""
    import adapt_bench
    from sklearn.metrics import f1_score

    import nlp.models
    from nlp.adapt import theme_decisions
    from nlp.codebook import load_codebook
    from nlp.public_data import is_no_answer, read_all
    from nlp.train import featurise, fit_px, label_matrix

    codebook = load_codebook("px")
    records = [r for r in read_all(codebook) if not is_no_answer(r.text)]
    features = featurise([r.text for r in records], [r.question for r in records], codebook)
    fitted_vectorizer = nlp.models._fitted_vectorizer
    for service in services:
        held = [i for i, r in enumerate(records) if r.source == "neas" and r.group.startswith(service)]
        train = [i for i in range(len(records)) if i not in set(held)]
        truth, _ = label_matrix([records[i] for i in held], codebook.codes)
        truth[:, codebook.codes.index(codebook.not_codeable)] = 0
        counted = truth.sum(axis=0) >= 5
        subset = adapt_bench._subset(features, held)
        for scale in scales:
            nlp.models._fitted_vectorizer = (
                (lambda texts, most, scale=scale: WithVectors(fitted_vectorizer(texts, most), scale))
                if scale
                else fitted_vectorizer
            )
            model = fit_px(adapt_bench._subset(features, train), [records[i] for i in train], codebook)
            got = theme_decisions(model, codebook, subset.texts, subset.hits)
            per_label = f1_score(truth, got, average=None, zero_division=0)
            micro = f1_score(truth, got, average="micro", zero_division=0)
            print(f"== px held-out {service} scale {scale}: micro {micro:.3f} macro {per_label[counted].mean():.3f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("task", choices=("wmty", "sentiment", "px", "px-held-out"))
    parser.add_argument("--variants", default="base,human1")
    parser.add_argument("--scales", default="0,1")
    parser.add_argument("--bias", help="sentiment: class-score bias (positive,neutral,negative) instead of shipped")
    parser.add_argument("--services", default="111", help="px: NEAS services to hold out")
    parser.add_argument("--cache", type=Path, default=Path("/tmp/embed-cache"))
    parser.add_argument("--model", type=Path, default=MODEL_DIR, help="the distilled static model's folder")
    arguments = parser.parse_args()
    globals()["MODEL_DIR"] = arguments.model
    if arguments.task == "wmty":
        wmty(arguments.variants.split(","), arguments.cache)
    elif arguments.task == "px-held-out":
        px_held_out([float(s) for s in arguments.scales.split(",")], arguments.services.split(","))
    elif arguments.task == "px":
        px(float(arguments.scales), arguments.services.split(","))
    else:
        bias = tuple(float(b) for b in arguments.bias.split(",")) if arguments.bias else None
        sentiment([float(s) for s in arguments.scales.split(",")], bias)


if __name__ == "__main__":
    main()
