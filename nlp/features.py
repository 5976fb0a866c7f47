"""What the classifiers see of a comment: lower-cased lemmas, the kind of question answered, pattern hits.

Shared by training and by the pipeline components so a model always sees the same features it was trained on.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache

import numpy as np
from scipy import sparse
from spacy.attrs import ORTH
from spacy.tokens import Doc, Span
from spacy.util import load_language_data, registry

# The question asked is a feature: praise answers "what was good", suggestions answer "how could we improve".
QUESTION_KINDS = {
    "improve": re.compile(r"improve|better|change|could we|do differently|suggest", re.IGNORECASE),
    "why": re.compile(r"\bwhy\b|reason", re.IGNORECASE),
    "good": re.compile(r"good|best|well|like|satisf|positive", re.IGNORECASE),
}


def question_kind(question: str | None) -> str:
    """``improve``, ``why``, ``good`` or ``unknown`` for the question a comment answered."""
    if not question:
        return "unknown"
    for kind, pattern in QUESTION_KINDS.items():
        if pattern.search(question):
            return kind
    return "unknown"


_PRAISE = re.compile(r"\b(?:good|best|well|like[ds]?|satisf\w*|positive|pleased|happy|helpful|enjoy\w*)\b", re.I)
_NOT_ONLY_PRAISE = re.compile(
    r"dissatisf|unhappy|improve|better|change|could|should|worse|worst|bad|poor|negative|problem|complain|why|"
    r"differently|and/or|\bor\b",
    re.IGNORECASE,
)


def praise_only(question: str | None) -> bool:
    """True for a question that asks only for the good ("What do you think is the best thing about the NHS?",
    "What was good about your care?"); false for mixed or open ones ("satisfied and/or dissatisfied", "Why?")."""
    return bool(question) and bool(_PRAISE.search(question)) and not _NOT_ONLY_PRAISE.search(question)


@lru_cache(maxsize=1)
def _lemma_lookup() -> dict[str, str]:
    """spaCy's English lemma lookup table (spacy-lookups-data): what its lookup lemmatiser reads."""
    return load_language_data(registry.lookups.get("en")["lemma_lookup"])


# Token string id -> lower-cased lemma ("" for whitespace tokens), filled as words are first seen. String ids
# are hashes of the text, the same in every vocabulary.
_LEMMA_BY_ORTH: dict[int, str] = {}


def _lemma(text: str) -> str:
    if text.isspace():
        return ""
    return _lemma_lookup().get(text, text).lower() or text.lower()


def lemmas(doc: Doc | Span) -> str:
    """Lower-cased lemmas of a comment (or sentence), space-separated; whitespace tokens left out.

    The same words as spaCy's lookup lemmatiser gives, read from its table once per distinct word rather than
    once per token: on 100,000 comments that took a fifth of the engine's time.
    """
    orths = doc.to_array(ORTH).tolist() if isinstance(doc, Doc) else [token.orth for token in doc]
    known = _LEMMA_BY_ORTH
    strings = doc.vocab.strings
    for orth in set(orths).difference(known):
        known[orth] = _lemma(strings[orth])
    return " ".join(filter(None, map(known.__getitem__, orths)))


def with_question(lemma_string: str, question: str | None) -> str:
    """Lemmas prefixed with a token for the kind of question answered."""
    kind = question_kind(question)
    # No token when the question is unknown, so "unknown" cannot stand in for which dataset a row came from.
    return lemma_string if kind == "unknown" else f"qkind{kind} {lemma_string}"


def lemma_text(doc: Doc | Span, question: str | None = None) -> str:
    """Lower-cased lemmas of the comment, prefixed with a token for the kind of question answered."""
    return with_question(lemmas(doc), question)


@lru_cache(maxsize=4096)
def word_ngrams(text: str) -> tuple[str, ...]:
    """The words and adjacent word pairs of a lemma string, lower-cased: what the TF-IDF vectorisers count (the
    same as scikit-learn's word analyzer with token pattern ``[^\\s]+`` and n-grams 1-2). Cached because the theme
    and the sentiment model read the same lemma strings one after the other."""
    words = text.lower().split()
    return (*words, *map(" ".join, zip(words, words[1:], strict=False)))


_SPACES = re.compile(r"\s+")
_HASH_MULTIPLIER = np.uint64(0x9E3779B97F4A7C15)
CHAR_NGRAM_BITS = 18
CHAR_NGRAM_SIZES = (2, 3, 4, 5)


def char_ngrams(texts: Sequence[str], bits: int = CHAR_NGRAM_BITS) -> tuple[np.ndarray, np.ndarray]:
    """Every 2- to 5-byte n-gram of each lower-cased comment, as (comment row, hash bucket in ``2**bits``) pairs,
    row by row.

    Vectorised with numpy over a whole batch (a scikit-learn char analyzer took ~20 s per 100,000 comments, this
    ~2 s). N-grams never cross comments: comments are joined with a NUL byte and windows containing it dropped.
    """
    joined = "\x00".join(_SPACES.sub(" ", text.replace("\x00", " ").lower()) for text in texts)
    data = np.frombuffer(joined.encode("utf-8", "replace"), dtype=np.uint8)
    separators_before = np.concatenate([[0], np.cumsum(data == 0)])  # separators in data[:p]
    shift = np.uint64(64 - bits)
    rows, buckets = [np.zeros(0, dtype=np.int64)], [np.zeros(0, dtype=np.int64)]
    # The bytes of each window, built up one byte per size: window p of size n is window p of size n - 1 with
    # byte p + n - 1 above it.
    grams = data.astype(np.uint64)
    for size in range(2, max(CHAR_NGRAM_SIZES) + 1):
        windows = len(data) - size + 1
        if windows <= 0:
            break
        grams = grams[:windows] | (data[size - 1 :].astype(np.uint64) << np.uint64(8 * (size - 1)))
        if size not in CHAR_NGRAM_SIZES:
            continue
        inside = separators_before[size : size + windows] == separators_before[:windows]
        code = grams[inside] | (np.uint64(size) << np.uint64(56))
        rows.append(separators_before[:windows][inside])
        buckets.append(((code * _HASH_MULTIPLIER) >> shift).astype(np.int64))
    return np.concatenate(rows), np.concatenate(buckets)


def occurrence_counts(rows: np.ndarray, columns: np.ndarray, shape: tuple[int, int]) -> sparse.csr_matrix:
    """How often each (row, column) pair occurs, columns sorted within each row. scipy sums the duplicates row by
    row, which on 100,000 long and short comments was several times faster than sorting all pairs at once."""
    counts = sparse.csr_matrix((np.ones(len(rows), dtype=np.float32), (rows, columns)), shape=shape)
    counts.sum_duplicates()
    return counts


def char_ngram_counts(texts: Sequence[str], bits: int = CHAR_NGRAM_BITS) -> sparse.csr_matrix:
    """Counts of the 2- to 5-byte n-grams of each lower-cased comment, hashed into ``2**bits`` columns."""
    rows, buckets = char_ngrams(texts, bits)
    return occurrence_counts(rows, buckets, (len(texts), 1 << bits))


def pattern_hits(matches_per_doc: Sequence[Sequence[tuple[str, int, int]]], codes: Sequence[str]) -> sparse.csr_matrix:
    """One column per theme: 1 where a phrase pattern of that theme matched the comment."""
    column = {code: index for index, code in enumerate(codes)}
    rows, cols = [], []
    for row, matches in enumerate(matches_per_doc):
        for code in {code for code, _, _ in matches}:
            rows.append(row)
            cols.append(column[code])
    data = np.ones(len(rows), dtype=np.float32)
    return sparse.csr_matrix((data, (rows, cols)), shape=(len(matches_per_doc), len(codes)), dtype=np.float32)
