"""Which comments an analyst should code first so the model learns most from them: uncertain and different.

Uncertainty: for every label, how close the comment's score is to that label's threshold, as the binary entropy of
the score re-centred on the threshold, summed over labels. Diversity: from the most uncertain comments (a pool of
``POOL_FACTOR`` times as many as wanted), comments are picked one at a time by maximal marginal relevance
(Carbonell & Goldstein, 1998): each pick maximises ``UNCERTAINTY_SHARE`` x its uncertainty (scaled to the pool's
largest) minus the rest x its cosine similarity to the closest comment already picked, on TF-IDF rows reduced by
truncated SVD. Ten comments about the same waiting list teach little more than one. Everything is deterministic:
the same input gives the same suggestions.
"""

from __future__ import annotations

import csv
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from scipy import sparse
from sklearn.decomposition import TruncatedSVD
from sklearn.preprocessing import normalize

from nlp.codebook import load_codebook
from nlp.comment_files import Comments, read_comments
from nlp.models import ThemeModel

POOL_FACTOR = 10
UNCERTAINTY_SHARE = 0.5
SVD_COMPONENTS = 100
SEED = 0


def uncertainty(scores: np.ndarray, thresholds: np.ndarray) -> np.ndarray:
    """Per comment: summed binary entropy (bits) of each label's score re-centred so the threshold maps to 0.5."""
    p = np.clip(np.asarray(scores, dtype=np.float64), 1e-6, 1 - 1e-6)
    t = np.clip(np.asarray(thresholds, dtype=np.float64), 1e-6, 1 - 1e-6)
    centred = 1.0 / (1.0 + np.exp(-(np.log(p / (1 - p)) - np.log(t / (1 - t)))))
    entropy = -(centred * np.log2(centred) + (1 - centred) * np.log2(1 - centred))
    return entropy.sum(axis=1)


def suggest_rows(
    words: sparse.csr_matrix, scores: np.ndarray, thresholds: np.ndarray, n: int, exclude: Sequence[int] = ()
) -> list[int]:
    """Row indices of up to ``n`` comments to code first, in the order picked. ``words`` are the comments'
    TF-IDF rows, ``scores`` (rows, labels) the model's scores; rows in ``exclude`` (already coded) are skipped."""
    candidates = np.setdiff1d(np.arange(words.shape[0]), np.asarray(exclude, dtype=int))
    if n <= 0 or len(candidates) == 0:
        return []
    doubt = uncertainty(scores[candidates], thresholds)
    # Ties broken by row so the order never depends on the sort's stability.
    by_doubt = candidates[np.lexsort((candidates, -doubt))]
    if len(candidates) <= n:
        return by_doubt.tolist()
    pool = by_doubt[: min(len(candidates), POOL_FACTOR * n)]
    points = _reduced(words[pool])
    doubt = uncertainty(scores[pool], thresholds)
    relevance = UNCERTAINTY_SHARE * doubt / max(float(doubt.max()), 1e-9)
    closest = np.zeros(len(pool))  # cosine similarity to the nearest comment picked so far
    picked: list[int] = []
    for _ in range(n):
        gain = relevance - (1 - UNCERTAINTY_SHARE) * closest
        gain[picked] = -np.inf
        best = int(np.argmax(gain))  # ties go to the earlier (more uncertain) comment
        picked.append(best)
        closest = np.maximum(closest, points @ points[best])
    return pool[picked].tolist()


def _reduced(rows: sparse.csr_matrix) -> np.ndarray:
    """Unit-length rows in a few dimensions, so k-means distances follow cosine similarity and stay fast."""
    components = min(SVD_COMPONENTS, rows.shape[1] - 1, rows.shape[0] - 1)
    if components < 2:
        return normalize(rows).toarray()
    return normalize(TruncatedSVD(components, random_state=SEED).fit_transform(rows))


def suggest_comments(
    codebook: str, comments: Comments, n: int, model: ThemeModel, exclude_ids: Sequence[str] = ()
) -> list[str]:
    """The ids of up to ``n`` comments to code first, most uncertain first, scored by ``model``. Comments with
    nothing to code ('-', 'n/a', not English) and those in ``exclude_ids`` (already coded) are never suggested."""
    from nlp.analyse import screen
    from nlp.train import featurise

    loaded = load_codebook(codebook)
    excluded = set(exclude_ids)
    usable = [i for i, (row_id, text) in enumerate(zip(comments.ids, comments.texts, strict=True))
              if row_id not in excluded and screen(text)[1] not in ("empty", "not_english")]
    if not usable:
        return []
    features = featurise([comments.texts[i] for i in usable], [comments.questions[i] for i in usable], loaded)
    words = model.vectorizer.transform(features.texts)
    rows = suggest_rows(words, model.scores(features.texts, features.hits), model.thresholds, n)
    return [comments.ids[usable[row]] for row in rows]


def suggest_file(in_csv: str | Path, out_csv: str | Path, codebook: str, n: int, model: ThemeModel,
                 exclude_ids: Sequence[str] = ()) -> int:
    """Write ``id`` and ``rank`` of the comments of ``in_csv`` to code first; returns how many were written."""
    ids = suggest_comments(codebook, read_comments(in_csv), n, model, exclude_ids)
    with Path(out_csv).open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "rank"])
        writer.writerows((row_id, rank) for rank, row_id in enumerate(ids, start=1))
    return len(ids)
