"""Static sentence embeddings as extra features of the theme and sentiment models: measured, not shipped.

    HF_HUB_OFFLINE=1 /tmp/distill-venv/bin/python bench/build_embeddings.py --out /tmp/minilm-static
    PYTHONPATH=$PWD .venv/bin/python bench/embed_bench.py wmty --variants base,human1,both1 --cache DIR
    PYTHONPATH=$PWD .venv/bin/python bench/embed_bench.py sentiment --scales 0,1,3 [--bias 0,0.6,0.4]
    PYTHONPATH=$PWD .venv/bin/python bench/embed_bench.py px --scales 1 --services 111
    PYTHONPATH=$PWD .venv/bin/python bench/embed_bench.py px-held-out --scales 0,1 --services 111,PTS
    PYTHONPATH=$PWD .venv/bin/python bench/embed_bench.py wmty --encoder contextual --variants base,rawhuman1,ens
    PYTHONPATH=$PWD .venv/bin/python bench/embed_bench.py px-held-out --encoder contextual --scales 0,1,ens
    PYTHONPATH=$PWD .venv/bin/python bench/embed_bench.py wmty-sentiment --encoder contextual --scales 0,1,2

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

``--encoder contextual`` uses the frozen all-MiniLM-L6-v2 transformer (mean pooled, unit length) instead: the
vectors of every comment as written, made once by ``bench/build_encoder.py cache`` (var/encoder/), looked up by
text (a featurised comment is mapped back to the comment as written; a text with no cached vector, e.g. a clause
the tagger scores to place a theme, gets zeros). Its extra variant ``ens`` (wmty) / task ``px-held-out`` scale
``ens`` averages the model's scores with a logistic regression per theme on the vector alone, fitted on the same
training comments (the number after ``ens`` is the regression's share, default 0.5; ``hens`` followed by a scale:
the vector in the hand-coded stage as ``human`` and the averaged regressions, share 0.5). ``wmty-sentiment`` runs
``bench/wmty_sentiment_loso.py`` with the vector (times each scale) appended to the sentiment model's features.
Needs ../shared (or ENGAGEMENT_SHARED_DIR); writes nothing to the repository. Results: data/eval/README.md.
"""

from __future__ import annotations

import argparse
import json
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
ENCODER = "static"  # or "contextual": bench/build_encoder.py's cached MiniLM vectors
PRECISION = "fp32"  # which of build_encoder.py's exports made the cached contextual vectors
_WRITTEN: dict[str, str] = {}  # contextual: the comment as written for each featurised (lemma) text
_UNCACHED: list[int] = [0]  # contextual: texts looked up with no cached vector (given zeros)


@lru_cache(maxsize=1)
def _static_model():  # noqa: ANN202
    from model2vec import StaticModel

    return StaticModel.from_pretrained(MODEL_DIR, force_download=False)


@lru_cache(maxsize=1)
def _contextual_cache() -> tuple[dict[str, int], np.ndarray]:
    from build_encoder import ENCODER_DIR

    texts = json.loads((ENCODER_DIR / "texts.json").read_text(encoding="utf-8"))
    return {text: i for i, text in enumerate(texts)}, np.load(ENCODER_DIR / f"vectors-{PRECISION}-128.npy")


def _remember_written_texts() -> None:
    """Every featurise call from here on records which comment as written each featurised text came from, so the
    contextual vector is of the comment, not of its lemmas (the wrapped models only see lemma texts)."""
    import nlp.train

    featurise = nlp.train.featurise

    def remembering(texts, questions, codebook):  # noqa: ANN001, ANN202
        found = featurise(texts, questions, codebook)
        _WRITTEN.update(zip(found.texts, found.raw, strict=True))
        return found

    nlp.train.featurise = remembering


def sentence_vectors(texts: list[str]) -> np.ndarray:
    """Unit-length vectors (mean of the word pieces' static vectors), float32; zeros for a text with no known
    piece. model2vec's StaticModel: a table lookup in numpy, no transformer at run time. With the contextual
    encoder: the cached MiniLM vector of the comment as written (zeros when none is cached)."""
    if ENCODER == "contextual":
        row_of, cached = _contextual_cache()
        rows = np.array([row_of.get(_WRITTEN.get(text, text), -1) for text in texts], dtype=np.int64)
        _UNCACHED[0] += int((rows < 0).sum())
        vectors = cached[np.maximum(rows, 0)].astype(np.float32)
        vectors[rows < 0] = 0.0
        return vectors
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


ENSEMBLE_C = 10.0  # unit-length 384-d vectors: C 1 left the per-theme regressions close to their base rates


def embedding_only(vectors: np.ndarray, labels: np.ndarray, known: np.ndarray | None = None) -> list:
    """A logistic regression per label on the sentence vector alone, on the rows where the label is known; None
    where a label has fewer than 5 examples either way."""
    from sklearn.linear_model import LogisticRegression

    fitted = []
    for j in range(labels.shape[1]):
        rows = known[:, j] if known is not None else np.ones(len(labels), dtype=bool)
        y = labels[rows, j]
        enough = 5 <= y.sum() <= len(y) - 5
        fitted.append(LogisticRegression(C=ENSEMBLE_C, max_iter=2000).fit(vectors[rows], y) if enough else None)
    return fitted


def with_embedding_vote(model, regressions: list, share: float):  # noqa: ANN001, ANN201
    """``model`` whose scores are averaged (``share`` to the regressions) with the per-label regressions on the
    sentence vector, where a label has one; its thresholds are kept. A comment with no word the model knows
    still gets no model themes."""
    model_scores = model.scores

    def scores(texts, hits):  # noqa: ANN001, ANN202
        found = model_scores(texts, hits)
        if not len(texts):
            return found
        vectors = sentence_vectors(list(texts))
        nothing = ~found.any(axis=1)
        for j, regression in enumerate(regressions):
            if regression is not None:
                found[:, j] = (1 - share) * found[:, j] + share * regression.predict_proba(vectors)[:, 1]
        found[nothing] = 0.0
        return found

    model.scores = scores
    return model


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
    from nlp.wmty_eval import coded_dev_comments, indicator, leave_one_source_out

    codebook = load_codebook("wmty")
    started = time.perf_counter()
    records = _usable(read_all(codebook))
    sources = np.array([public_source(record) for record in records])
    public = featurise([r.text for r in records], [r.question for r in records], codebook)
    scored = coded_dev_comments(2)
    extra = [c for version in (1, 3) for c in wmty_loso._maybe_dev(version)]  # as shipped: sets 1 and 3 teach too
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
        stage = "both" if "both" in kind else ("human" if kind not in ("base", "ens") else "base")
        t0 = time.perf_counter()

        def train_and_predict(source, training, held_out, stage=stage, scale=scale, raw_of=raw_of,  # noqa: ANN001, ANN202
                              prototypes=prototypes, with_vector=with_vector, kind=kind):
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
            if kind in ("ens", "hens"):
                vectors = sentence_vectors([coded.texts[position[id(c)]] for c in training])
                regressions = embedding_only(vectors, indicator([c.codes for c in training], codebook.codes))
                model = with_embedding_vote(model, regressions, (scale if kind == "ens" else 0) or 0.5)
            return wmty_loso.tag(model, held_out)

        result = leave_one_source_out(scored, train_and_predict, codebook.codes, extra_training=extra)
        other = sum("T99" in p for p in result.predicted)
        print(f"== {variant} ({time.perf_counter() - t0:.0f} s; Other predicted {other}; texts without a cached "
              f"vector so far {_UNCACHED[0]})", flush=True)
        print(result.to_text(), flush=True)


def sentiment(scales: list[float], bias: tuple[float, float, float] | None = None) -> None:
    import sentiment_bench

    from nlp.features import praise_only
    from nlp.train import PHASE1_SENTIMENT_WEIGHT, SENTIMENT_BIAS

    records, features = sentiment_bench._load()
    vectors = sentence_vectors(features.raw)
    row_of = {text: i for i, text in enumerate(features.raw)}
    for scale in scales:
        WithSentenceVectors = _sentiment_with_vectors(  # noqa: N806
            scale, lambda texts, raw_texts: vectors[[row_of[text] for text in raw_texts]])
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


def _sentiment_with_vectors(scale: float, vectors_of) -> type:  # noqa: ANN001
    """The sentiment model with ``vectors_of(texts, raw_texts)`` (times ``scale``) after its own features."""
    from nlp.models import SentimentModel

    class WithSentenceVectors(SentimentModel):
        def _matrix(self, texts, raw_texts):  # noqa: ANN001, ANN202
            matrix = super()._matrix(texts, raw_texts)
            if not scale:
                return matrix
            block = vectors_of(texts, raw_texts) * scale
            return sparse.hstack([matrix, sparse.csr_matrix(block)], format="csr")

    return WithSentenceVectors


def wmty_sentiment(scales: list[float], weight: str) -> None:
    """bench/wmty_sentiment_loso.py (each source of set 2 left out, scored against the coders' sentiment) with the
    sentence vector of the comment as written (times ``scale``) after the sentiment model's features."""
    import wmty_sentiment_loso


    for scale in scales:
        wmty_sentiment_loso.SentimentModel = _sentiment_with_vectors(
            scale, lambda texts, raw_texts: sentence_vectors(list(raw_texts if raw_texts is not None else texts)))
        print(f"== wmty sentiment, vector scale {scale}", flush=True)
        sys.argv = ["wmty_sentiment_loso.py", "--weights", weight]
        wmty_sentiment_loso.main()
        print(f"   texts without a cached vector so far {_UNCACHED[0]}", flush=True)


def px(scale: float, services: list[str]) -> None:
    """adapt_bench's px rows (model refitted without a NEAS service, then adapted to 200 suggested comments) with
    the sentence vector (times ``scale``) after the TF-IDF words of the px model."""
    import adapt_bench

    import nlp.models

    if scale:
        fitted_vectorizer = nlp.models._fitted_vectorizer
        nlp.models._fitted_vectorizer = lambda texts, most: WithVectors(fitted_vectorizer(texts, most), scale)
    adapt_bench.px([1.0], services)


def px_held_out(scales: list[str], services: list[str]) -> None:
    """px micro- and macro-F1 (labels with 5+ comments there) on a NEAS service the model was refitted without,
    no adaptation, for each scale of the vector block (0: the shipped features; ``ens``: the shipped features,
    scores averaged with per-label regressions on the vector)."""
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
        for name in scales:
            ensemble = name.startswith("ens")
            scale = 0.0 if ensemble else float(name)
            nlp.models._fitted_vectorizer = (
                (lambda texts, most, scale=scale: WithVectors(fitted_vectorizer(texts, most), scale))
                if scale
                else fitted_vectorizer
            )
            model = fit_px(adapt_bench._subset(features, train), [records[i] for i in train], codebook)
            if ensemble:
                labels, known = label_matrix([records[i] for i in train], codebook.codes)
                known[:, codebook.codes.index(codebook.not_codeable)] = False
                vectors = sentence_vectors([features.texts[i] for i in train])
                model = with_embedding_vote(model, embedding_only(vectors, labels, known), float(name[3:] or 0.5))
            got = theme_decisions(model, codebook, subset.texts, subset.hits)
            per_label = f1_score(truth, got, average=None, zero_division=0)
            micro = f1_score(truth, got, average="micro", zero_division=0)
            print(f"== px held-out {service} scale {name}: micro {micro:.3f} macro {per_label[counted].mean():.3f}"
                  f" (texts without a cached vector so far {_UNCACHED[0]})", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("task", choices=("wmty", "sentiment", "px", "px-held-out", "wmty-sentiment"))
    parser.add_argument("--variants", default="base,human1")
    parser.add_argument("--scales", default="0,1")
    parser.add_argument("--bias", help="sentiment: class-score bias (positive,neutral,negative) instead of shipped")
    parser.add_argument("--services", default="111", help="px: NEAS services to hold out")
    parser.add_argument("--cache", type=Path, default=Path("/tmp/embed-cache"))
    parser.add_argument("--model", type=Path, default=MODEL_DIR, help="the distilled static model's folder")
    parser.add_argument("--encoder", choices=("static", "contextual"), default="static")
    parser.add_argument("--precision", default=PRECISION, help="contextual: which export's cached vectors")
    parser.add_argument("--weight", default="3", help="wmty-sentiment: weight of the coders' sentiment (3 shipped)")
    arguments = parser.parse_args()
    globals().update(MODEL_DIR=arguments.model, ENCODER=arguments.encoder, PRECISION=arguments.precision)
    if arguments.encoder == "contextual":
        _remember_written_texts()
    if arguments.task == "wmty":
        wmty(arguments.variants.split(","), arguments.cache)
    elif arguments.task == "px-held-out":
        px_held_out(arguments.scales.split(","), arguments.services.split(","))
    elif arguments.task == "wmty-sentiment":
        wmty_sentiment([float(s) for s in arguments.scales.split(",")], arguments.weight)
    elif arguments.task == "px":
        px(float(arguments.scales), arguments.services.split(","))
    else:
        bias = tuple(float(b) for b in arguments.bias.split(",")) if arguments.bias else None
        sentiment([float(s) for s in arguments.scales.split(",")], bias)


if __name__ == "__main__":
    main()
