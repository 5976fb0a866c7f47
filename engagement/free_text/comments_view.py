"""What the Comments and themes page shows that takes seconds to work out at 100,000 responses (a question's
answers, themes, summary and review list; the topics; the response and waiting counts), kept once per server
process and shared by every analyst, keyed by what is shown and the data's fingerprint (`analyses_version`, so a
saved decision or a re-tag shows at once), and worked out when the server starts (`warm_comments`) so the first
analyst after a start or restart does not wait for it."""

from __future__ import annotations

import logging
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import Generic, TypeVar

import numpy as np
import pandas as pd
from sqlalchemy.engine import Engine

import nlp
from engagement.analysis.counts import response_counts
from engagement.forms import versions_of
from engagement.free_text.analyse import codebook_questions, pending_count
from engagement.free_text.review import review_comments
from engagement.free_text.stored import AnalysesVersion, analyses_version
from engagement.free_text.themes import AnsweredQuestion, answered_question, summary_of
from survey_forms import Form

logger = logging.getLogger(__name__)

TOPICS_SHOWN = 6
Kept = TypeVar("Kept")


class KeptOnce(Generic[Kept]):
    """Values worked out once per key and kept (the latest ``keep`` of them), shared between threads: a caller
    asking while another works out the same key (the warm-up, another analyst) waits for it rather than working
    it out a second time alongside."""

    def __init__(self, keep: int) -> None:
        self._keep = keep
        self._kept: OrderedDict[Hashable, Kept] = OrderedDict()
        self._lock = threading.Lock()
        self._making: dict[Hashable, threading.Lock] = {}
        self._workers: dict[Hashable, threading.Thread] = {}  # working out a value for `get_soon`

    def get(self, key: Hashable, make: Callable[[], Kept]) -> Kept:
        with self._lock:
            if key in self._kept:
                self._kept.move_to_end(key)
                return self._kept[key]
            making = self._making.setdefault(key, threading.Lock())
        with making:
            with self._lock:
                if key in self._kept:
                    return self._kept[key]
            value = make()
            with self._lock:
                self._kept[key] = value
                self._making.pop(key, None)
                while len(self._kept) > self._keep:
                    self._kept.popitem(last=False)
        return value

    def get_soon(self, key: Hashable, make: Callable[[], Kept], patience: float) -> Kept | None:
        """The value if it is kept, or worked out within ``patience`` seconds; otherwise None, and it is being
        worked out on a background thread (once), for a later ask."""
        with self._lock:
            if key in self._kept:
                self._kept.move_to_end(key)
                return self._kept[key]
            worker = self._workers.get(key)
            if worker is None:
                worker = self._workers[key] = threading.Thread(target=self._get_quietly, args=(key, make),
                                                               daemon=True, name="comments-view")
                worker.start()
        worker.join(patience)
        with self._lock:
            return self._kept.get(key)

    def _get_quietly(self, key: Hashable, make: Callable[[], Kept]) -> None:
        try:
            self.get(key, make)
        except Exception:  # on a background thread: logged; the page asks again on its next run
            # (not the key: it holds the database address, password and all)
            logger.exception("Could not work out part of the Comments and themes page in the background")
        finally:
            with self._lock:
                self._workers.pop(key, None)


@dataclass(frozen=True)
class CommentsView:
    """The page's filters: which question, with or without synthetic demo responses, which survey version."""

    question_id: str
    include_synthetic: bool = True
    form_version: str = "both"


@dataclass(frozen=True)
class QuestionRead:
    """One question's answers and themes read once, with the theme summary and the review list made from them.
    Shared read-only between analysts: the page filters into new frames."""

    answered: AnsweredQuestion
    summary: pd.DataFrame
    comments: pd.DataFrame
    theme_rows: dict[str, np.ndarray]  # positions in `comments` of the comments carrying each theme

    def tagged_with(self, theme_code: str) -> pd.DataFrame:
        """`review.tagged_with` from the positions found when read (exploding every comment's themes again on
        each click took a tenth of a second at 100,000 responses)."""
        return self.comments.iloc[self.theme_rows.get(theme_code, np.array([], dtype=int))]


def rows_by_theme(comments: pd.DataFrame) -> dict[str, np.ndarray]:
    """Theme code -> the positions, in order, of the comments whose themes include it."""
    codes = comments["themes"].reset_index(drop=True).explode().dropna()
    return {str(code): np.unique(codes.index.to_numpy()[rows]) for code, rows in codes.groupby(codes).indices.items()}


# A few entries each: a question read at 100,000 responses holds tens of MB.
_READ: KeptOnce[QuestionRead] = KeptOnce(keep=4)
_TOPICS: KeptOnce[list[nlp.Topic]] = KeptOnce(keep=20)
_COUNTS: KeptOnce[dict] = KeptOnce(keep=8)
_WAITING: KeptOnce[int] = KeptOnce(keep=8)


def _database(engine: Engine) -> str:
    return engine.url.render_as_string(hide_password=False)


def question_read(engine: Engine, form: Form, view: CommentsView, version: AnalysesVersion) -> QuestionRead:
    """The question's answers and themes, theme summary and review list for this view of the data as it is at
    ``version``."""

    def read() -> QuestionRead:
        answered = answered_question(engine, form, view.question_id, view.include_synthetic, view.form_version)
        comments = review_comments(engine, answered)
        return QuestionRead(answered, summary_of(answered, form), comments, rows_by_theme(comments))

    return _READ.get((_database(engine), form.slug, view, version), read)


def _topics_key(engine: Engine, form: Form, view: CommentsView, version: AnalysesVersion) -> Hashable:
    # The texts' version alone: an analyst's decision changes no text, so it does not find the topics again.
    return _database(engine), form.slug, view, version.texts


def _find_topics(engine: Engine, form: Form, view: CommentsView, version: AnalysesVersion) -> list[nlp.Topic]:
    return nlp.discover_topics(question_read(engine, form, view, version).comments["redacted_text"].tolist(),
                               n_topics=TOPICS_SHOWN)


def topics_found(engine: Engine, form: Form, view: CommentsView, version: AnalysesVersion) -> list[nlp.Topic]:
    """Topics in the question's answers, found again only when the texts change."""
    return _TOPICS.get(_topics_key(engine, form, view, version), lambda: _find_topics(engine, form, view, version))


def topics_if_found(engine: Engine, form: Form, view: CommentsView, version: AnalysesVersion,
                    patience: float = 0.5) -> list[nlp.Topic] | None:
    """`topics_found` if they are found within ``patience`` seconds; otherwise None while they are found in the
    background (seconds at 100,000 responses, each time new answers arrive), so the page need not wait."""
    return _TOPICS.get_soon(_topics_key(engine, form, view, version),
                            lambda: _find_topics(engine, form, view, version), patience)


def responses_counted(engine: Engine, form: Form, version: AnalysesVersion) -> dict:
    """`response_counts` of the survey and its Easy Read version (a scan of the responses)."""
    return _COUNTS.get((_database(engine), form.slug, version), lambda: response_counts(
        engine, [shown.slug for shown in versions_of(form)]))


def answers_waiting(engine: Engine, form: Form, version: AnalysesVersion) -> int:
    """Answers waiting for the analysis job (`pending_count`, a scan of the answers; the page asks every few
    seconds)."""
    return _WAITING.get((_database(engine), form.slug, version), lambda: pending_count(engine, form))


def warm_comments(engine: Engine, forms: list[Form]) -> None:
    """What the page first shows for each survey with coded questions (its first question, every response, both
    survey versions), worked out ahead of the first visit. Runs on a background thread at server start: any
    failure is logged, never raised (the page then works it out itself)."""
    for form in forms:
        questions = codebook_questions(form)
        if not questions or form.definition.easy_read_of is not None:  # shown with the survey it belongs to
            continue
        try:
            version = analyses_version(engine, form)
            responses_counted(engine, form, version)
            answers_waiting(engine, form, version)
            topics_found(engine, form, CommentsView(next(iter(questions))), version)
        except Exception:  # a warm-up must never take the app down
            logger.exception("Could not prepare the %s comments ahead of the Comments and themes page", form.slug)
