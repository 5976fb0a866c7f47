"""What the insight dashboard shows, worked out from the respondent frame: priorities for the whole area and by
place or group (with group-versus-rest sentences), who answered against Census 2021, weighting, coverage and
free-text themes. Every figure comes from the stats and population layers, so it has passed `suppress`.
"""

from __future__ import annotations

import hashlib
import logging
import threading
from collections import OrderedDict
from dataclasses import dataclass, field, replace

import pandas as pd
from sqlalchemy import func, select
from sqlalchemy.engine import Engine

from engagement.analysis.breakdowns import describe_difference, priority_breakdown, theme_breakdown
from engagement.analysis.counted import counting_version
from engagement.analysis.coverage import Coverage, seldom_heard_by_place, target_progress, weekly_responses
from engagement.analysis.dashboard_view import DashboardView, filter_respondents
from engagement.analysis.demographics import DIMENSIONS, add_dimensions
from engagement.analysis.easy_read import both_versions
from engagement.analysis.population import caveat_sentence, representativeness
from engagement.analysis.respondents import data_version
from engagement.analysis.suppression import current_rule
from engagement.analysis.weighting import WeightingError, WeightingResult, rake_weights, shown_margins
from engagement.forms import standard_question_ids, versions_of
from engagement.models import CHANNELS, Answer, Response, TextAnalysis
from engagement.places import Place, all_places
from survey_forms import Form

logger = logging.getLogger(__name__)

NO_RESPONSES = "No responses match these filters. Widen the dates, channels, places or groups to see figures."


# Respondent frames loaded ahead of the first dashboard visit (see warm_respondents), keyed by (database url,
# survey slug, data version); a couple of entries, since each frame at 100,000 responses is tens of MB.
_LOADED: OrderedDict[tuple[str, str, str], pd.DataFrame] = OrderedDict()
_LOADED_LOCK = threading.Lock()
_LOADING: dict[tuple[str, str, str], threading.Lock] = {}
_KEEP = 2


def cached_respondents(engine: Engine, form: Form, version: str) -> pd.DataFrame:
    """`load_respondents`, reusing a frame already loaded for this database, survey and data version. A caller
    that asks while another is loading the same frame (the warm-up, another analyst) waits for it rather than
    loading it a second time alongside."""
    key = (engine.url.render_as_string(hide_password=False), form.slug, version)
    with _LOADED_LOCK:
        if key in _LOADED:
            _LOADED.move_to_end(key)
            return _LOADED[key]
        loading = _LOADING.setdefault(key, threading.Lock())
    with loading:
        with _LOADED_LOCK:
            if key in _LOADED:
                return _LOADED[key]
        frame = load_respondents(engine, form)
        with _LOADED_LOCK:
            _LOADED[key] = frame
            _LOADING.pop(key, None)
            while len(_LOADED) > _KEEP:
                _LOADED.popitem(last=False)
    return frame


def warm_respondents(engine: Engine, forms: list[Form]) -> None:
    """Load each survey's respondent frame into the cache, so the first dashboard after a server start is quick.
    Runs on a background thread: any failure is logged, never raised; a survey without responses is skipped, and
    an Easy Read version is loaded with the survey it belongs to."""
    for form in (f for f in forms if f.definition.easy_read_of is None):
        try:
            with engine.connect() as connection:
                answered = connection.execute(
                    select(func.count(Response.id)).where(Response.survey_slug.in_(surveys_shown(form)))
                ).scalar_one()
            if answered:
                cached_respondents(engine, form, respondents_version(engine, form))
        except Exception:  # a warm-up must never take the app down; the dashboard loads on demand instead
            logger.exception("Could not load the %s responses ahead of the dashboard", form.slug)


def load_respondents(engine: Engine, form: Form) -> pd.DataFrame:
    """Every counted response to the form and to its Easy Read version (mapped to this form's answers, marked
    in `form_version`), synthetic ones included (the view filters them), with its dimension labels. Labels
    repeat, so they are held as categoricals: the cached frame stays small and quick to copy."""
    frame = add_dimensions(both_versions(engine, form), form)
    labels = [c for c in frame.columns if frame[c].dtype == object and c != "reference"]
    return frame.astype(dict.fromkeys(labels, "category"))


def surveys_shown(form: Form) -> tuple[str, ...]:
    """The surveys whose responses the dashboard shows for `form`: it and its Easy Read version."""
    return tuple(version.slug for version in versions_of(form))


def respondents_version(engine: Engine, form: Form) -> str:
    """A fingerprint of everything `load_respondents` reads: the answers of each survey shown and what counts."""
    figures = [data_version(engine, slug) for slug in surveys_shown(form)]
    return hashlib.sha1(repr((figures, counting_version(engine))).encode()).hexdigest()[:16]


def whole_area_weights(frame: pd.DataFrame, view: DashboardView) -> WeightingResult:
    """Raking to Census 2021 uses everyone in the survey (less synthetic responses if they are left out), not
    just the filtered respondents: a filtered view then shows its weighted figures as a part of the area."""
    base = frame if view.include_synthetic else frame[~frame["is_synthetic"].astype(bool)]
    return rake_weights(base)


@dataclass
class Priorities:
    """The priorities section: whole-area and by-group tables (from priority_breakdown) and what to say."""

    responses: int
    whole: pd.DataFrame = field(default_factory=pd.DataFrame)
    by_group: pd.DataFrame | None = None
    differences: list[str] = field(default_factory=list)
    message: str = ""
    weighting: WeightingResult | None = None
    weighting_margins: pd.DataFrame | None = None
    weighting_problem: str = ""


def priorities(frame: pd.DataFrame, form: Form, view: DashboardView) -> Priorities:
    """The whole area (or the filtered respondents), weighted if asked; see `with_breakdown` for the groups."""
    chosen = filter_respondents(frame, view)
    result = Priorities(responses=len(chosen))
    if chosen.empty:
        result.message = NO_RESPONSES
        return result
    if view.weighted:
        try:
            result.weighting = whole_area_weights(frame, view)
            result.weighting_margins = shown_margins(result.weighting)
        except WeightingError as exc:
            result.weighting_problem = f"Weighting is not possible here: {exc}"
    result.whole = priority_breakdown(chosen, form, None, weights=_weights_for(result, chosen))
    return result


def _weights_for(result: Priorities, chosen: pd.DataFrame) -> pd.Series | None:
    return None if result.weighting is None else result.weighting.weights.reindex(chosen.index)


def with_breakdown(frame: pd.DataFrame, form: Form, view: DashboardView, whole: Priorities) -> Priorities:
    """`whole` (from `priorities`, reused so a new breakdown costs only the breakdown) plus the view's breakdown:
    every group against the rest, the significant differences in plain sentences, and a sentence when there is
    nothing to show."""
    result = replace(whole)
    if not view.breakdown or not whole.responses:
        return result
    chosen = filter_respondents(frame, view)
    table = priority_breakdown(chosen, form, view.breakdown, weights=_weights_for(whole, chosen))
    result.by_group = table
    label = DIMENSIONS[view.breakdown].label.lower()
    if table.empty:
        result.message = f"Nobody in these responses has an answer for {label}, so there is no breakdown."
        return result
    if table["suppressed"].all():
        result.message = (
            f"Every group of {label} has fewer than 10 people who rated these items, so no figures can be "
            "shown by group. Widen the filters or choose a broader breakdown."
        )
    significant = table[table["significant"].astype(bool)]
    result.differences = [describe_difference(row) for _, row in significant.iterrows()]
    return result


@dataclass
class WhoAnswered:
    responses: int
    table: pd.DataFrame = field(default_factory=pd.DataFrame)
    caveat: str = ""
    message: str = ""


def _place_label(place: Place, scheme: str) -> str:
    # The same labels as demographics' place dimensions.
    if scheme == "icp_2019":
        return place.icp_2019 or f"{place.name} (outside the 2019 footprint)"
    return place.pbp_2023 if scheme == "pbp_2023" else place.name


def area_codes(view: DashboardView) -> list[str] | None:
    """The local authority codes the place filter covers, so respondents are compared with the people there."""
    if not view.places:
        return None
    codes = [p.code for p in all_places() if _place_label(p, view.place_scheme) in view.places]
    return codes or None


def who_answered(frame: pd.DataFrame, view: DashboardView) -> WhoAnswered:
    chosen = filter_respondents(frame, view)
    if chosen.empty:
        return WhoAnswered(responses=0, message=NO_RESPONSES)
    table = representativeness(chosen, area_codes=area_codes(view))
    caveat = caveat_sentence(table, len(chosen), received_by=chosen["created_at"].max().to_pydatetime())
    return WhoAnswered(responses=len(chosen), table=table, caveat=caveat)


def coverage_now(frame: pd.DataFrame, form: Form, view: DashboardView) -> Coverage | None:
    """coverage() of the filtered respondents. Its parts are called one by one because targets count channel
    codes, and add_dimensions has put the channel's label in their place in the cached frame."""
    chosen = filter_respondents(frame, view)
    if chosen.empty:
        return None
    codes = {label: code for code, label in CHANNELS.items()}
    rule = current_rule()
    return Coverage(
        targets=target_progress(chosen.assign(channel=chosen["channel"].astype(object).map(codes)), form, rule),
        weekly=weekly_responses(chosen, rule),
        seldom_heard=seldom_heard_by_place(chosen, rule),
        responses=len(chosen),
        synthetic=int(chosen["is_synthetic"].sum()),
    )


def free_text_answers(engine: Engine, form: Form) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(tags, answered) for theme_breakdown: each theme on an analysed answer with its response and question,
    and every analysed answer that was not empty. Themes come from free_text.themes.effective_theme_tags (analyst
    decisions applied); the answer ids are matched to responses here. Easy Read respondents' answers are
    included in the standard form's question ids, as the respondent frame includes them (the version filter
    then works on both alike)."""
    from engagement.free_text.themes import effective_theme_tags

    renames = {question_id: standard for version in versions_of(form)
               for question_id, standard in standard_question_ids(version).items()}
    questions = [q.id for q in form.free_text_questions()]
    query = (
        select(Answer.id.label("answer_id"), Answer.response_id, Answer.question_id, TextAnalysis.status)
        .join(TextAnalysis, TextAnalysis.answer_id == Answer.id)
        .join(Response, Response.id == Answer.response_id)
        .where(Response.survey_slug.in_(surveys_shown(form)),
               Answer.question_id.in_([*questions, *(qid for qid, to in renames.items() if to in questions)]))
    )
    with engine.connect() as connection:
        analysed = pd.DataFrame(connection.execute(query).all(),
                                columns=["answer_id", "response_id", "question_id", "status"])
    analysed["question_id"] = analysed["question_id"].replace(renames)
    answered = analysed.loc[analysed["status"].ne("empty"), ["response_id", "question_id"]]
    tags = effective_theme_tags(engine, form)
    tags = tags.merge(analysed[["answer_id", "response_id", "question_id"]], on="answer_id")
    return tags[["response_id", "question_id", "theme_code", "theme_sentiment"]], answered


@dataclass
class Themes:
    whole: pd.DataFrame = field(default_factory=pd.DataFrame)
    by_group: pd.DataFrame | None = None
    differences: list[str] = field(default_factory=list)
    message: str = ""


def themes(frame: pd.DataFrame, tags: pd.DataFrame, answered: pd.DataFrame, form: Form, view: DashboardView,
           question_id: str) -> Themes:
    """Themes in one free-text question as "% of respondents mentioning", whole area and by the breakdown."""
    from nlp.codebook import load_codebook

    spec = form.question(question_id)
    if answered[answered["question_id"].eq(question_id)].empty:
        return Themes(message=f"No answers to “{spec.text}” have been analysed yet, so there are no themes.")
    chosen = filter_respondents(frame, view)
    if chosen.empty:
        return Themes(message=NO_RESPONSES)
    labels = {t.code: t.label for t in load_codebook(spec.codebook or "wmty").themes}
    result = Themes()
    result.whole = _named(theme_breakdown(chosen, tags, answered, None, question_ids=[question_id]), labels)
    if view.breakdown:
        table = _named(theme_breakdown(chosen, tags, answered, view.breakdown, question_ids=[question_id]), labels)
        result.by_group = table
        if not table.empty and table["suppressed"].all():
            result.message = (
                f"Every group of {DIMENSIONS[view.breakdown].label.lower()} has fewer than 10 people who answered "
                "this question, so no theme figures can be shown by group."
            )
        significant = table[table["significant"].astype(bool)]
        result.differences = [
            _theme_sentence(row) for _, row in significant.iterrows()
        ]
    return result


def _named(table: pd.DataFrame, labels: dict[str, str]) -> pd.DataFrame:
    return table.assign(theme=table["theme_code"].map(labels).fillna(table["theme_code"]))


def _theme_sentence(row: pd.Series) -> str:
    direction = "more" if row["pct"] > row["rest_pct"] else "less"
    return (f"{row['group']}: {row['pct']:.0f}% mention {row['theme']}, {direction} often than everyone else "
            f"({row['rest_pct']:.0f}%).")
