"""Topic discovery across one survey's answers (TF-IDF + NMF), to show analysts what the codebook misses."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from sklearn.decomposition import NMF
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS, TfidfVectorizer

from nlp.analyse import analyse_comments, screen

EXAMPLES_PER_TOPIC = 3


@dataclass(frozen=True)
class Topic:
    """A group of comments that use similar words: its top terms, a few redacted examples, and its size."""

    terms: list[str]
    examples: list[str]
    size: int


def discover_topics(texts: Sequence[str], n_topics: int = 8, *, seed: int = 0) -> list[Topic]:
    """Up to ``n_topics`` topics, largest first. Few or empty comments give fewer topics, never an error."""
    usable = [text for text in texts if screen(text)[1] in ("ok", "too_long_truncated")]
    if len(usable) < 2 or n_topics < 1:
        return []
    vectorizer = TfidfVectorizer(
        stop_words=sorted(ENGLISH_STOP_WORDS | {"nhs"}),
        ngram_range=(1, 2),
        min_df=2 if len(usable) >= 20 else 1,
        max_df=0.9 if len(usable) >= 20 else 1.0,
        sublinear_tf=True,
        token_pattern=r"(?u)\b[^\W\d_][^\W\d_]+\b",
    )
    try:
        matrix = vectorizer.fit_transform(usable)
    except ValueError:  # nothing but stop words
        return []
    k = min(n_topics, matrix.shape[0], matrix.shape[1])
    if k < 1 or matrix.nnz == 0:
        return []
    nmf = NMF(n_components=k, init="nndsvda", random_state=seed, max_iter=400)
    weights = nmf.fit_transform(matrix)
    terms = np.array(vectorizer.get_feature_names_out())
    assigned = weights.argmax(axis=1)
    has_weight = weights.max(axis=1) > 0
    topics = []
    for topic in range(k):
        members = np.flatnonzero((assigned == topic) & has_weight)
        if len(members) == 0:
            continue
        top_members = members[np.argsort(-weights[members, topic])][:EXAMPLES_PER_TOPIC]
        examples = [analysis.redacted_text for analysis in analyse_comments([usable[i] for i in top_members])]
        top_terms = [str(term) for term in terms[np.argsort(-nmf.components_[topic])[:8]]]
        topics.append(Topic(top_terms, examples, int(len(members))))
    return sorted(topics, key=lambda found: -found.size)
