"""Everything a summary file says, worked out once from the respondent frame: the spreadsheet, the charts and
the report all draw from one `Summary`, so every figure in every format has passed the same suppression rule
(the analysis layer's `suppress`) and every quote the same redaction (the free-text engine's stored text).

A summary holds aggregates and redacted quotes only: no response reference, date of a single response or
answer of one person, so it can go to anyone the board paper goes to."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

import pandas as pd
from sqlalchemy.engine import Engine

from engagement.analysis.breakdowns import describe_difference, priority_breakdown, theme_breakdown
from engagement.analysis.counted import NotCounted, not_counted
from engagement.analysis.coverage import Coverage, coverage
from engagement.analysis.demographics import DIMENSIONS
from engagement.analysis.easy_read import EASY_READ, VERSION_COLUMN
from engagement.analysis.insight import load_respondents, surveys_shown
from engagement.analysis.population import caveat_sentence, representativeness
from engagement.analysis.suppression import SuppressionRule, current_rule, footnote, suppress
from engagement.forms import easy_read_version
from engagement.places import all_places
from survey_forms import Form

LONDON = "Europe/London"
# The groups a spreadsheet and report break priorities down by when no --by is given (the Equality Act
# characteristics the survey asks about, and the seldom-heard groups the campaign set out to reach).
GROUP_DIMENSIONS = ("age_band", "sex", "ethnic_group", "disability", "seldom_heard")
QUOTES_PER_THEME = 3
Progress = Callable[[float, str], None]


class SelectionError(ValueError):
    """A choice that cannot be met (unknown place or dimension, nothing to report): a plain sentence."""


@dataclass(frozen=True)
class Selection:
    """What to report on: the same choices on the command line and the Exports page."""

    place: str | None = None  # a local authority code or name; None: the whole area
    by: str | None = None  # one dimension to break down by; None: place and the default groups
    weighted: bool = False
    include_synthetic: bool = True


@dataclass
class ThemeSection:
    question_id: str
    question: str
    table: pd.DataFrame  # theme_breakdown for the whole selection, with a `theme` label column
    quotes: pd.DataFrame  # theme_code, theme, quote (redacted text of consenting respondents)


@dataclass
class Summary:
    form: Form
    selection: Selection
    place_name: str
    responses: int
    synthetic: int
    first_received: date
    last_received: date
    rule: SuppressionRule
    priorities: pd.DataFrame
    by_place: pd.DataFrame
    by_group: dict[str, pd.DataFrame]
    differences: list[str]
    themes: list[ThemeSection]
    representativeness: pd.DataFrame
    caveat: str
    coverage: Coverage
    dictionary: pd.DataFrame
    not_counted: NotCounted  # stored responses of the whole survey that do not count, and why
    easy_read: float | None  # selected responses through the Easy Read version; NaN: hidden; None: no such version
    weighting_note: str = ""
    generated: date = field(default_factory=date.today)

    @property
    def footnote(self) -> str:
        return footnote(self.rule)

    @property
    def method(self) -> list[str]:
        lines = [
            f"{self.responses:,} responses to '{self.form.title}' received between {_day(self.first_received)} and "
            f"{_day(self.last_received)}" + (f", in {self.place_name}." if self.selection.place else "."),
            "This is a self-selected survey, not a random sample: figures describe the people who answered, and "
            "may not describe everyone who lives here.",
            "Priority ratings: '% Important or Very important' of the people who rated each item, with a 95% "
            "Wilson interval (statsmodels).",
            "Differences: each place or group compared with everyone else who answered, two-proportion z-test, "
            "Holm-adjusted across every group and item of one breakdown; only differences with an adjusted p under "
            "0.05 are called significant.",
            "Themes in written answers: coded by the free-text engine and checked by analysts; '% of respondents "
            "mentioning' counts each person once per theme, out of those who wrote an answer, so a list of themes "
            "can add up to more than 100%.",
            "Quotes: personal details removed (names, phone numbers, addresses, emails), and only from people who "
            "agreed their comments may be quoted.",
            f"Small numbers: {self.rule.label or self.rule.name}. {self.footnote}",
            "Who responded is compared with Census 2021 (ONS) for the same area.",
        ]
        lines += self._what_counts()
        if self.weighting_note:
            lines.append(self.weighting_note)
        if self.synthetic:
            lines.append(f"{self.synthetic:,} of these responses are SYNTHETIC DEMO DATA, not real people.")
        return lines

    def _what_counts(self) -> list[str]:
        """How many responses came through the Easy Read version, and how many stored ones are not counted."""
        lines = []
        mapped = "their answers are counted as this survey's, as the Easy Read form's stated mapping says."
        if self.easy_read == 0:
            lines.append("None of these responses came through the Easy Read version.")
        elif self.easy_read is not None and pd.isna(self.easy_read):
            lines.append(f"Some of these {self.responses:,} responses came through the Easy Read version (how many "
                         f"is not shown, to protect the people who answered); {mapped}")
        elif self.easy_read is not None:
            lines.append(f"{int(self.easy_read):,} of these {self.responses:,} responses came through the Easy Read "
                         f"version; {mapped}")
        waiting, same = self.not_counted.waiting_for_second_keying, self.not_counted.same_person
        if not (waiting or same):
            lines.append("Every stored response is counted: no paper form waits for a second keying and none was "
                         "set aside as a duplicate.")
            return lines
        parts = []
        if waiting:
            parts.append(f"{waiting:,} paper form{'' if waiting == 1 else 's'} waiting for a second keying")
        if same:
            parts.append(f"{same:,} response{'' if same == 1 else 's'} set aside because a person decided "
                         f"{'it is' if same == 1 else 'they are'} the same person as another response, which "
                         "counts instead")
        lines.append(f"Not counted here but kept on record (whole survey): {', and '.join(parts)}.")
        return lines

    @property
    def title(self) -> str:
        return f"{self.form.title}: what people told us" + (f" in {self.place_name}" if self.selection.place else "")


def _day(value: date) -> str:
    return f"{value.day} {value:%B %Y}"


def resolve_place(place: str) -> tuple[str, str]:
    """(code, name) for a local authority code or name, or a SelectionError naming the places allowed."""
    wanted = place.strip().lower()
    for candidate in all_places():
        if wanted in (candidate.code.lower(), candidate.name.lower()):
            return candidate.code, candidate.name
    names = ", ".join(p.name for p in all_places())
    raise SelectionError(f"Place: '{place}' is not a place in this area; use one of: {names}")


def check_dimension(by: str | None) -> None:
    if by is not None and by not in DIMENSIONS:
        raise SelectionError(f"Break down by: '{by}' is not a dimension; use one of: {', '.join(DIMENSIONS)}")


def respondents(engine: Engine, form: Form, selection: Selection) -> pd.DataFrame:
    """The selected respondents with their dimension labels (the dashboard's: counted responses of both versions),
    or a SelectionError if there are none."""
    check_dimension(selection.by)
    frame = load_respondents(engine, form)
    if not selection.include_synthetic:
        frame = frame[~frame["is_synthetic"].astype(bool)]
    where = ""
    if selection.place:
        code, name = resolve_place(selection.place)
        frame = frame[frame["place_code"].astype(object).eq(code)]
        where = f" from {name}"
    if frame.empty:
        raise SelectionError(f"There are no responses to '{form.slug}'{where} yet, so there is nothing to export.")
    return frame.reset_index(drop=True)


def easy_read_responses(frame: pd.DataFrame, form: Form, selection: Selection,
                        rule: SuppressionRule) -> float | None:
    """How many of the selected respondents came through the Easy Read version (None: the survey has none). The
    whole survey's figure is shown as it is, as on the dashboard; one place's passes the suppression rule."""
    if easy_read_version(form.slug) is None or VERSION_COLUMN not in frame:
        return None
    easy = int(frame[VERSION_COLUMN].eq(EASY_READ).sum())
    if not selection.place or easy == 0:
        return easy
    counts = pd.DataFrame({"responses": [len(frame)], "easy_read": [easy], "standard": [len(frame) - easy]})
    return suppress(counts, base="responses", counts=["easy_read", "standard"], rule=rule)["easy_read"].iloc[0]


def build_summary(engine: Engine, form: Form, selection: Selection, progress: Progress | None = None) -> Summary:
    """Work out every table a summary file shows. Calls progress(fraction done, what is being done)."""
    say = progress or (lambda _fraction, _step: None)
    rule = current_rule()
    say(0.05, "Reading responses")
    frame = respondents(engine, form, selection)
    weights, weighting_note = _weights(frame) if selection.weighted else (None, "")
    say(0.25, "Priorities")
    priorities = priority_breakdown(frame, form, None, weights=weights, rule=rule)
    by_place = priority_breakdown(frame, form, "place", weights=weights, rule=rule)
    dimensions = [selection.by] if selection.by and selection.by != "place" else [] if selection.by else list(
        GROUP_DIMENSIONS)
    by_group = {d: priority_breakdown(frame, form, d, weights=weights, rule=rule) for d in dimensions}
    differences = [
        describe_difference(row)
        for table in (by_place, *by_group.values()) if "significant" in table
        for _, row in table[table["significant"].astype(bool)].iterrows()
    ]
    say(0.5, "Themes in written answers")
    themes = theme_sections(engine, form, frame, selection, rule)
    say(0.75, "Who responded and coverage")
    area = [resolve_place(selection.place)[0]] if selection.place else None
    shown = representativeness(frame, rule=rule, area_codes=area)
    received = pd.to_datetime(frame["created_at"], utc=True).dt.tz_convert(LONDON)
    first, last = received.min().date(), received.max().date()
    place_name = resolve_place(selection.place)[1] if selection.place else "Nottingham and Nottinghamshire"
    summary = Summary(
        form=form,
        selection=selection,
        place_name=place_name,
        responses=len(frame),
        synthetic=int(frame["is_synthetic"].astype(bool).sum()),
        first_received=first,
        last_received=last,
        rule=rule,
        priorities=priorities,
        by_place=by_place,
        by_group=by_group,
        differences=differences,
        themes=themes,
        representativeness=shown,
        caveat=caveat_sentence(shown, len(frame), received_by=received.max()),
        coverage=coverage(frame, form, rule=rule),
        dictionary=data_dictionary(form),
        not_counted=not_counted(engine, surveys_shown(form)),
        easy_read=easy_read_responses(frame, form, selection, rule),
        weighting_note=weighting_note,
    )
    say(0.85, "Writing the file")
    return summary


def _weights(frame: pd.DataFrame) -> tuple[pd.Series, str]:
    from engagement.analysis.weighting import WeightingError, rake_weights

    try:
        result = rake_weights(frame)
    except WeightingError as exc:
        raise SelectionError(f"Weighted: these responses cannot be weighted to Census 2021 ({exc}).") from None
    return result.weights, (
        f"Weighted figures are raked to Census 2021 (place by age band, place by sex); effective sample size "
        f"{result.effective_n:,.0f} (design effect {result.design_effect:.2f})."
    )


def coded_answers(engine: Engine, form: Form, include_synthetic: bool) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(answers, tags) for the coded written answers: every analysed non-empty answer (answer_id,
    response_reference, question_id, redacted_text, sentiment) and the themes each carries (answer_id,
    theme_code, theme_sentiment, analyst decisions applied). Read once each: this runs over whole surveys."""
    from engagement.free_text.stored import analysed_answers
    from engagement.free_text.themes import effective_theme_tags

    coded = [q.id for q in form.free_text_questions() if q.codebook]
    answers = analysed_answers(engine, form, include_synthetic)
    answers = answers[answers["question_id"].isin(coded) & answers["status"].ne("empty")]
    tags = effective_theme_tags(engine, form, include_synthetic=include_synthetic)
    return answers, tags[tags["answer_id"].isin(answers["answer_id"])]


def theme_sections(engine: Engine, form: Form, frame: pd.DataFrame, selection: Selection,
                   rule: SuppressionRule) -> list[ThemeSection]:
    """Themes of each coded question as '% of respondents mentioning', with a few redacted quotes each from
    respondents who agreed to be quoted; no quote for a theme whose figure is hidden."""
    import nlp

    answers, tags = coded_answers(engine, form, selection.include_synthetic)
    answers = answers.assign(response_id=answers["response_reference"].map(frame.set_index("reference")[
        "response_id"])).dropna(subset=["response_id"])
    tags = tags.merge(answers[["answer_id", "response_id", "question_id"]], on="answer_id")
    consented = set(frame.loc[_consented(frame), "response_id"])
    sections = []
    for spec in form.free_text_questions():
        if not spec.codebook:
            continue
        table = theme_breakdown(frame, tags, answers[["response_id", "question_id"]], None, rule=rule,
                                question_ids=[spec.id])
        labels = {t.code: t.label for t in nlp.load_codebook(spec.codebook).themes}
        table = table.assign(theme=table["theme_code"].map(labels).fillna(table["theme_code"]))
        table = table.sort_values("mentioning_n", ascending=False, na_position="last", ignore_index=True)
        of_question = tags[tags["question_id"].eq(spec.id)]
        sections.append(ThemeSection(spec.id, spec.text, table, _quotes(answers, of_question, table, consented)))
    return sections


def _consented(frame: pd.DataFrame) -> pd.Series:
    if "consent" not in frame:
        return pd.Series(False, index=frame.index)
    answer = frame["consent"].astype(object)
    return answer.notna() & ~answer.astype(str).str.lower().isin(["", "false", "no", "0"])


def _quotes(answers: pd.DataFrame, tags: pd.DataFrame, table: pd.DataFrame, consented: set) -> pd.DataFrame:
    shown = table[~table["suppressed"].astype(bool) & table["mentioning_n"].notna()]
    candidates = tags[tags["theme_code"].isin(shown["theme_code"]) & tags["response_id"].isin(consented)]
    candidates = candidates.merge(answers[["answer_id", "redacted_text"]], on="answer_id")
    candidates = candidates[candidates["redacted_text"].str.strip().str.len().gt(0)]
    candidates = candidates.drop_duplicates(["theme_code", "redacted_text"])
    # Longer answers say more; ties broken by answer id so the same data gives the same quotes.
    candidates = candidates.assign(length=candidates["redacted_text"].str.len().clip(upper=280))
    picked = (
        candidates.sort_values(["theme_code", "length", "answer_id"], ascending=[True, False, True])
        .groupby("theme_code", sort=False).head(QUOTES_PER_THEME)
    )
    labels = shown.set_index("theme_code")["theme"]
    return pd.DataFrame({
        "theme_code": picked["theme_code"].to_numpy(),
        "theme": picked["theme_code"].map(labels).to_numpy(),
        "quote": picked["redacted_text"].to_numpy(),
    })


def data_dictionary(form: Form) -> pd.DataFrame:
    """One row per question and answer code: question id, section, wording, type, code and label."""
    rows = []
    for spec in form.questions:
        common = {"question_id": spec.id, "section": spec.section_id, "question": spec.text, "type": spec.type}
        if spec.options:
            rows.extend({**common, "code": o.code, "label": o.label} for o in spec.options)
        else:
            rows.append({**common, "code": "", "label": "(written answer, redacted)" if spec.respondent_text
                         else "(number or text as given)"})
    return pd.DataFrame(rows)
