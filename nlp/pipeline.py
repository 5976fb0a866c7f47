"""The spaCy pipeline that reads comments: built once, described by config, reused for every batch.

``spacy.blank("en")`` tokeniser and sentencizer (lemmas from spaCy's lookup table, see ``nlp.features.lemmas``),
then three components registered here:
``pii_redactor`` (personal data), ``theme_tagger`` (codebook themes with evidence and scores) and
``sentiment_scorer`` (per comment and per theme mention). Results go to ``Doc.cats``, ``Doc.spans["themes"]``
and ``Doc._`` extensions.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np
import spacy
from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc, Span, SpanGroup
from spacy.util import minibatch

from nlp import vader
from nlp.clauses import clause_offsets
from nlp.codebook import Codebook, load_codebook
from nlp.features import lemma_text, lemmas, pattern_hits, praise_only, with_question
from nlp.models import SENTIMENTS, SentimentModel, ThemeModel, sentiment_model_path, theme_model_path
from nlp.redaction import NameFinder, Redaction, apply_redactions, find_pattern_pii

# A label the model saw fewer training examples of than this is tagged by its phrase patterns alone.
MIN_TRAINED_POSITIVES = 10


@dataclass
class ThemeMention:
    """A theme found in one comment: how sure we are, why, and how the comment feels about it."""

    code: str
    label: str
    score: float
    source: str  # "pattern", "model" or "both"
    evidence_spans: list[tuple[int, int]] = field(default_factory=list)  # token offsets
    sentiment: str = "neutral"
    # The clauses (token offsets) that talk about this theme, when the comment has several themes and clauses.
    clauses: list[tuple[int, int]] = field(default_factory=list)


Doc.set_extension("question", default=None, force=True)
Doc.set_extension("redactions", default=[], force=True)
Doc.set_extension("redacted_text", getter=lambda doc: apply_redactions(doc.text, doc._.redactions), force=True)
Doc.set_extension("themes", default={}, force=True)
Doc.set_extension("sentiment", default="neutral", force=True)
Doc.set_extension("sentiment_score", default=0.0, force=True)
Doc.set_extension("lemmas", default=None, force=True)


def doc_lemmas(doc: Doc) -> str:
    """The comment's lemma string, computed once and shared by the theme and sentiment components."""
    if doc._.lemmas is None:
        doc._.lemmas = lemmas(doc)
    return doc._.lemmas


class PiiRedactor:
    """Logs where personal data sits in each comment (kind and offsets only); the text itself is untouched."""

    def __init__(self, find_names: bool) -> None:
        self.name_finder = NameFinder() if find_names else None

    def __call__(self, doc: Doc) -> Doc:
        return next(self.pipe([doc]))

    def pipe(self, docs: Iterable[Doc], batch_size: int = 1000) -> Iterator[Doc]:
        for batch in minibatch(docs, size=batch_size):
            found = [find_pattern_pii(doc.text) for doc in batch]
            if self.name_finder is not None:
                flagged = [i for i, doc in enumerate(batch) if self.name_finder.might_contain_name(doc.text)]
                names = self.name_finder.find_names([batch[i].text for i in flagged])
                for i, name_redactions in zip(flagged, names, strict=True):
                    found[i] = _merge(found[i], name_redactions)
            for doc, redactions in zip(batch, found, strict=True):
                doc._.redactions = redactions
                yield doc


def _merge(first: list[Redaction], second: list[Redaction]) -> list[Redaction]:
    merged = list(first)
    for candidate in second:
        if not any(candidate.start < kept.end and kept.start < candidate.end for kept in merged):
            merged.append(candidate)
    return sorted(merged, key=lambda redaction: redaction.start)


class ThemeTagger:
    """Tags codebook themes: phrase patterns give evidence spans, the trained model gives scores."""

    def __init__(self, vocab_nlp: Language, codebook: Codebook, model: ThemeModel | None) -> None:
        self.codebook = codebook
        self.model = model
        self.matcher = PhraseMatcher(vocab_nlp.vocab, attr="LOWER")
        for theme in codebook.themes:
            if theme.patterns:
                self.matcher.add(theme.code, list(vocab_nlp.tokenizer.pipe(theme.patterns)))
        self.codes = codebook.codes
        self.labels = {theme.code: theme.label for theme in codebook.themes}

    def matches(self, doc: Doc | Span) -> list[tuple[str, int, int]]:
        strings = doc.vocab.strings
        return [(strings[match_id], start, end) for match_id, start, end in self.matcher(doc)]

    def __call__(self, doc: Doc) -> Doc:
        return next(self.pipe([doc]))

    def pipe(self, docs: Iterable[Doc], batch_size: int = 1000) -> Iterator[Doc]:
        for batch in minibatch(docs, size=batch_size):
            matches = [self.matches(doc) for doc in batch]
            if self.model is not None:
                texts = [with_question(doc_lemmas(doc), doc._.question) for doc in batch]
                scores = self.model.scores(texts, pattern_hits(matches, self.codes))
                thresholds = self.model.thresholds
            else:
                scores = pattern_hits(matches, self.codes).toarray()
                thresholds = np.full(len(self.codes), 0.5)
            for doc, doc_matches, doc_scores in zip(batch, matches, scores, strict=True):
                self._annotate(doc, doc_matches, doc_scores, thresholds)
            self._place_in_clauses(batch, matches, thresholds)
            yield from batch

    def _place_in_clauses(
        self, batch: Sequence[Doc], matches: Sequence[Sequence[tuple[str, int, int]]], thresholds: np.ndarray
    ) -> None:
        """For comments with several themes and clauses: the clauses each theme is most evident in (those
        holding its evidence words, else those the model scores over its threshold, else its best-scored one).
        A theme evident in every clause is about the whole comment and is left unplaced, as is every theme of a
        comment without sentence boundaries (labels-only prediction skips the sentencizer)."""
        unplaced: list[tuple[ThemeMention, list[tuple[int, int]], int]] = []  # mention, clauses, first clause row
        clause_spans: list[Span] = []
        clause_matches: list[list[tuple[str, int, int]]] = []
        for doc, doc_matches in zip(batch, matches, strict=True):
            mentions = doc._.themes.get(self.codebook.slug, [])
            if len(mentions) < 2 or not doc.has_annotation("SENT_START"):
                continue
            offsets = clause_offsets(doc)
            if len(offsets) < 2:
                continue
            first, needs_scores = len(clause_spans), False
            for mention in mentions:
                held = [(a, b) for a, b in offsets if any(a <= start < b for start, _ in mention.evidence_spans)]
                if held:
                    mention.clauses = held if len(held) < len(offsets) else []
                elif self.model is not None:
                    unplaced.append((mention, offsets, first))
                    needs_scores = True
            if needs_scores:
                clause_spans.extend(doc[a:b] for a, b in offsets)
                clause_matches.extend([m for m in doc_matches if a <= m[1] < b] for a, b in offsets)
        if not unplaced or self.model is None:
            return
        texts = [with_question(lemma_text(span), span.doc._.question) for span in clause_spans]
        scores = self.model.scores(texts, pattern_hits(clause_matches, self.codes))
        for mention, offsets, first in unplaced:
            j = self.codes.index(mention.code)
            column = scores[first : first + len(offsets), j]
            chosen = [offsets[k] for k in np.flatnonzero(column >= thresholds[j])]
            chosen = chosen or ([offsets[int(column.argmax())]] if column.max() > 0 else [])
            mention.clauses = chosen if len(chosen) < len(offsets) else []

    def _annotate(
        self, doc: Doc, matches: Sequence[tuple[str, int, int]], scores: np.ndarray, thresholds: np.ndarray
    ) -> None:
        by_code: dict[str, list[tuple[int, int]]] = {}
        for code, start, end in matches:
            by_code.setdefault(code, []).append((start, end))
        mentions: list[ThemeMention] = []
        for j, code in enumerate(self.codes):
            score = float(scores[j])
            doc.cats[self.labels[code]] = score
            by_model = self.model is not None and score >= thresholds[j]
            by_pattern = code in by_code and (
                self.codebook.patterns_decide or self.model is None or self.model.positives[j] < MIN_TRAINED_POSITIVES
            )
            if not (by_model or by_pattern):
                continue
            source = "both" if by_model and code in by_code else ("model" if by_model else "pattern")
            mentions.append(ThemeMention(code, self.labels[code], score, source, _outermost(by_code.get(code, []))))
        other = self.codebook.not_codeable
        if self.codebook.other_when_untagged and any(mention.code != other for mention in mentions):
            # Other is for comments no theme fits, so a comment with a theme is never also Other.
            mentions = [mention for mention in mentions if mention.code != other]
        themes = dict(doc._.themes)
        themes[self.codebook.slug] = mentions
        doc._.themes = themes
        group = doc.spans["themes"] if "themes" in doc.spans else SpanGroup(doc, name="themes")
        for mention in mentions:
            group.extend([Span(doc, start, end, label=mention.code) for start, end in mention.evidence_spans])
        doc.spans["themes"] = group


def _outermost(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Evidence without spans nested inside longer ones ("not enough doctors" rather than also "doctors")."""
    kept: list[tuple[int, int]] = []
    for start, end in sorted(spans, key=lambda span: (span[0], -span[1])):
        if kept and start >= kept[-1][0] and end <= kept[-1][1]:
            continue
        kept.append((start, end))
    return kept


class SentimentScorer:
    """Positive, neutral-or-mixed or negative, for the comment and for the sentence of each theme mention."""

    def __init__(self, model: SentimentModel | None) -> None:
        self.model = model

    def __call__(self, doc: Doc) -> Doc:
        return next(self.pipe([doc]))

    def _probabilities(self, docs: Sequence[Doc | Span]) -> np.ndarray:
        if self.model is not None:
            texts = [doc_lemmas(doc) if isinstance(doc, Doc) else lemma_text(doc) for doc in docs]
            praise = [praise_only((doc if isinstance(doc, Doc) else doc.doc)._.question) for doc in docs]
            return self.model.probabilities(texts, [doc.text for doc in docs], praise)
        return _vader_probabilities([doc.text for doc in docs])

    def pipe(self, docs: Iterable[Doc], batch_size: int = 1000) -> Iterator[Doc]:
        for batch in minibatch(docs, size=batch_size):
            probabilities = self._probabilities(batch)
            for i, doc in enumerate(batch):
                label, score = _label_and_score(probabilities[i])
                doc._.sentiment, doc._.sentiment_score = label, score
                for mentions in doc._.themes.values():
                    for mention in mentions:
                        mention.sentiment = label
            self._theme_sentiments(batch)
            yield from batch

    def _theme_sentiments(self, batch: Sequence[Doc]) -> None:
        """A theme placed in some of a comment's clauses gets the sentiment of those clauses (their mean
        probabilities): "staff were lovely but the wait was awful" is positive for staff, negative for waiting.
        Every other theme keeps the comment's sentiment, so a comment about one theme says the same for both."""
        rows: dict[tuple[int, int, int], int] = {}  # (doc, clause start, clause end) -> row of clause_spans
        clause_spans: list[Span] = []
        wanted: list[tuple[ThemeMention, list[int]]] = []
        for i, doc in enumerate(batch):
            for mentions in doc._.themes.values():
                for mention in mentions:
                    for start, end in mention.clauses:
                        if (i, start, end) not in rows:
                            rows[(i, start, end)] = len(clause_spans)
                            clause_spans.append(doc[start:end])
                    if mention.clauses:
                        wanted.append((mention, [rows[(i, start, end)] for start, end in mention.clauses]))
        if not wanted:
            return
        clause_probabilities = self._probabilities(clause_spans)
        for mention, clause_rows in wanted:
            mention.sentiment = _label_and_score(clause_probabilities[clause_rows].mean(axis=0))[0]


def _label_and_score(probabilities: np.ndarray) -> tuple[str, float]:
    """The most likely sentiment, and a score from -1 (negative) to +1 (positive)."""
    return SENTIMENTS[int(np.argmax(probabilities))], float(probabilities[0] - probabilities[2])


def _vader_probabilities(texts: Sequence[str]) -> np.ndarray:
    """Used only before a sentiment model has been trained: VADER's compound score as rough class scores."""
    rows = []
    for text in texts:
        compound = vader.analyser().polarity_scores(text)["compound"]
        rows.append([1.0, 0.0, 0.0] if compound >= 0.3 else [0.0, 0.0, 1.0] if compound <= -0.3 else [0.0, 1.0, 0.0])
    return np.array(rows, dtype=np.float32).reshape(-1, 3)


@Language.factory("pii_redactor", default_config={"find_names": True})
def make_pii_redactor(nlp: Language, name: str, find_names: bool) -> PiiRedactor:
    return PiiRedactor(find_names)


@Language.factory("theme_tagger", default_config={"codebook": "wmty", "use_model": True})
def make_theme_tagger(nlp: Language, name: str, codebook: str, use_model: bool) -> ThemeTagger:
    loaded = load_codebook(codebook)
    path = theme_model_path(loaded.slug)
    model = ThemeModel.load(path) if use_model and path.is_file() else None
    if model is not None and model.codes != loaded.codes:
        raise ValueError(f"{path}: trained for codes {model.codes}, but {loaded.slug} has {loaded.codes}; retrain it")
    return ThemeTagger(nlp, loaded, model)


@Language.factory("sentiment_scorer", default_config={"use_model": True, "codebook": ""})
def make_sentiment_scorer(nlp: Language, name: str, use_model: bool, codebook: str) -> SentimentScorer:
    path = sentiment_model_path(codebook or None)
    return SentimentScorer(SentimentModel.load(path) if use_model and path.is_file() else None)


def base_pipeline() -> Language:
    """Tokeniser and sentencizer: what both training and analysis read comments with. Lemmas come from the
    lookup table in ``nlp.features.lemmas`` (the lookup lemmatiser component cost more than the tokeniser)."""
    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    nlp.initialize()
    return nlp


@lru_cache(maxsize=8)
def build_pipeline(
    codebooks: tuple[str, ...] = ("wmty",), *, find_names: bool = True, use_models: bool = True
) -> Language:
    """The full comment-reading pipeline for the given codebooks, built once per argument set and cached."""
    nlp = base_pipeline()
    nlp.add_pipe("pii_redactor", config={"find_names": find_names})
    for slug in codebooks:
        nlp.add_pipe("theme_tagger", name=f"theme_tagger_{slug}", config={"codebook": slug, "use_model": use_models})
    # Sentiment follows the first codebook's coding rules (its own model where it has one).
    nlp.add_pipe("sentiment_scorer", config={"use_model": use_models, "codebook": codebooks[0] if codebooks else ""})
    return nlp
