"""Likely duplicates across channels: two responses from the same place, with the same age and sex, whose other
shared "about you" answers do not disagree and whose written answers are near-identical. They are flagged for a
person to decide, never dropped: "keep both" (different people) or "the same person, counted once" (and which
one counts). Each decision is kept with who and when, and audited; the newest decision on a pair applies.

Built for 100,000 responses: responses are grouped into blocks by place, age and sex (pandas), and written
answers are compared only within a block (rapidfuzz.process.cdist), never every response against every other.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from rapidfuzz import fuzz
from rapidfuzz.process import cdist
from sqlalchemy import Select, String, case, func, select, type_coerce
from sqlalchemy.engine import Engine
from sqlmodel import Session

from engagement import audit
from engagement.forms import easy_read_version
from engagement.models import Answer, DuplicateDecision, Response, TextAnalysis
from engagement.places import OUTSIDE_AREA, PREFER_NOT_TO_SAY, place_name
from survey_forms import Form

SIMILAR_ENOUGH = 90  # rapidfuzz ratio (0-100) of the written answers, lower-cased and without punctuation
MIN_TEXT_LENGTH = 20  # shorter written answers ("GP", "no") are too common to say two people are one
BLOCK_ON = ("age", "sex")  # asked in every version and on every channel; with the place, they make a block
ABOUT_YOU = "about_you"  # the section whose other answers, given in both responses, must not disagree
NOT_SAID = (OUTSIDE_AREA, PREFER_NOT_TO_SAY)
LONDON = "Europe/London"  # times are shown as people in the area read them
CHUNK = 2000  # rows of a large block compared at once, so memory stays bounded
DECISIONS = {"keep_both": "Keep both: different people", "same_person": "The same person: count once"}
PAIR_COLUMNS = [
    "first_response_id", "second_response_id", "first_reference", "second_reference", "first_channel",
    "second_channel", "first_version", "second_version", "first_created_at", "second_created_at", "place",
    "age", "sex", "similarity", "first_text", "second_text", "decision", "kept_reference", "decided_by",
    "decided_at",
]


class DuplicateError(ValueError):
    """A decision that cannot be kept as asked; the message says why in plain words."""


@dataclass(frozen=True)
class Compared:
    """Which surveys and questions the search uses."""

    slugs: tuple[str, ...]
    agree: tuple[str, ...]  # other "about you" answers that must not disagree when both are given
    text: tuple[str, ...]  # the written answers compared, in form order


def compared_questions(form: Form) -> Compared:
    """The survey's own "about you" and written questions; an Easy Read response lacks some, which then
    simply cannot disagree."""
    forms = [form, *([easy] if (easy := easy_read_version(form.slug)) else [])]
    about_you = [q for section in form.sections if section.id == ABOUT_YOU for q in section.questions]
    return Compared(
        slugs=tuple(f.slug for f in forms),
        agree=tuple(q.id for q in about_you if q.type == "single_choice" and q.id not in BLOCK_ON),
        text=tuple(q.id for q in form.free_text_questions()),
    )


def _frame(connection, query, columns: list[str]) -> pd.DataFrame:
    """Rows into a frame column by column (pandas is slow to read SQLAlchemy rows one by one)."""
    rows = connection.execute(query).all()
    return pd.DataFrame(dict(zip(columns, zip(*rows, strict=True), strict=True)) if rows else
                        {column: [] for column in columns})


def _wide(long: pd.DataFrame, question_ids: list[str]) -> pd.DataFrame:
    """Long answers (response_id, question_id, value) as one column per question, indexed by response."""
    return (long.drop_duplicates(["response_id", "question_id"])
            .pivot(index="response_id", columns="question_id", values="value")
            .reindex(columns=question_ids)
            .rename_axis(index=None))  # joined on the response_id column, which must stay the only one so named


def _candidates(engine: Engine, compared: Compared) -> pd.DataFrame:
    """Responses that could be someone's second response: real (synthetic demo answers are made of a few stock
    sentences, so they would all look alike), with a place, an age and a sex given, in a block with another
    response, and with enough written words to compare. Read in stages, so only these come back in full."""
    people = select(Response.id).where(
        Response.survey_slug.in_(compared.slugs), Response.is_synthetic.is_(False),
        Response.place_code.is_not(None), Response.place_code.not_in(NOT_SAID))
    with engine.connect() as connection:
        places = _frame(connection, select(Response.id, Response.place_code).where(Response.id.in_(people)),
                        ["response_id", "place_code"])
        said = _frame(connection, select(Answer.response_id, Answer.question_id, Answer.value).where(
            Answer.response_id.in_(people), Answer.question_id.in_(BLOCK_ON), Answer.value.not_in(NOT_SAID)),
            ["response_id", "question_id", "value"])
        written = _frame(connection, select(Answer.response_id, Answer.question_id, Answer.value).where(
            Answer.response_id.in_(people), Answer.question_id.in_(compared.text)),
            ["response_id", "question_id", "value"])
    frame = places.join(_wide(said, list(BLOCK_ON)), on="response_id", how="inner").dropna(subset=list(BLOCK_ON))
    frame = frame[frame.groupby(["place_code", *BLOCK_ON], observed=True)["response_id"].transform("size") > 1]
    frame["text"] = _joined_text(written, compared, frame["response_id"]).to_numpy()
    frame["compared"] = _normalised(frame["text"]).to_numpy()
    return frame[frame["compared"].str.len().ge(MIN_TEXT_LENGTH).to_numpy()]


def _joined_text(written: pd.DataFrame, compared: Compared, response_ids: pd.Series | list[int]) -> pd.Series:
    """Each response's written answers in form order, joined with spaces ("" when it wrote nothing)."""
    texts = _wide(written, list(compared.text)).reindex(response_ids).astype(object).fillna("")
    joined = texts.iloc[:, 0] if len(compared.text) else pd.Series("", index=texts.index)
    for column in compared.text[1:]:
        joined = joined.str.cat(texts[column], sep=" ")
    return joined.str.strip()


def _normalised(texts: pd.Series) -> pd.Series:
    """As rapidfuzz's default_process would leave them (lower case, runs of punctuation and spaces as one
    space), in pandas."""
    return texts.str.lower().str.replace(r"[\W_]+", " ", regex=True).str.strip()


def _similar_pairs(texts: list[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Positions (i < j) and scores of the near-identical texts of one block."""
    firsts, seconds, scores = [], [], []
    for start in range(0, len(texts), CHUNK):
        matrix = cdist(texts[start:start + CHUNK], texts, scorer=fuzz.ratio, score_cutoff=SIMILAR_ENOUGH,
                       workers=1)
        rows, columns = np.nonzero(matrix)
        later = columns > rows + start
        firsts.append(rows[later] + start)
        seconds.append(columns[later])
        scores.append(matrix[rows[later], columns[later]])
    return np.concatenate(firsts), np.concatenate(seconds), np.concatenate(scores)


def _blockwise_pairs(frame: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Positions in `frame` (sorted by block) of every near-identical pair, comparing within blocks only."""
    block = frame.groupby(["place_code", *BLOCK_ON], sort=False, observed=True).ngroup().to_numpy()
    starts = np.flatnonzero(np.r_[True, block[1:] != block[:-1]])
    ends = np.r_[starts[1:], len(frame)]
    texts = frame["compared"].tolist()
    firsts, seconds, scores = [np.empty(0, dtype=np.int64)], [np.empty(0, dtype=np.int64)], [np.empty(0)]
    for start, end in zip(starts, ends, strict=True):  # one step per block of people alike, not per response
        if end - start < 2:
            continue
        i, j, s = _similar_pairs(texts[start:end])
        firsts.append(i + start)
        seconds.append(j + start)
        scores.append(s)
    return np.concatenate(firsts), np.concatenate(seconds), np.concatenate(scores)


def _details(engine: Engine, compared: Compared, response_ids: list[int]) -> pd.DataFrame:
    """Reference, channel, survey, time and the other "about you" answers of the responses in pairs."""
    columns = ["response_id", "reference", "channel", "survey", "created_at"]
    parts, answers = [], []
    with engine.connect() as connection:
        for start in range(0, len(response_ids), 5000):  # a bounded list of ids per query
            chunk = response_ids[start:start + 5000]
            parts.append(_frame(connection, select(
                Response.id, Response.reference, Response.channel, Response.survey_slug,
                type_coerce(Response.created_at, String)).where(Response.id.in_(chunk)), columns))
            # By response only: with the question too, SQLite walks every answer to those questions instead.
            every = _frame(connection, select(Answer.response_id, Answer.question_id, Answer.value).where(
                Answer.response_id.in_(chunk)), ["response_id", "question_id", "value"])
            answers.append(every[every["question_id"].isin(compared.agree)])
    details = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=columns)
    long = pd.concat(answers, ignore_index=True) if answers else pd.DataFrame(
        columns=["response_id", "question_id", "value"])
    return details.join(_wide(long, list(compared.agree)), on="response_id").set_index("response_id")


def find_likely_duplicates(engine: Engine, form: Form) -> pd.DataFrame:
    """Every pair of likely duplicates among the survey's responses and its Easy Read version's, with the
    current decision on the pair if a person has made one (PAIR_COLUMNS), most alike first."""
    compared = compared_questions(form)
    frame = _candidates(engine, compared).sort_values(["place_code", *BLOCK_ON, "response_id"])
    frame = frame.reset_index(drop=True)
    a, b, score = _blockwise_pairs(frame)
    if not len(a):
        return pd.DataFrame(columns=PAIR_COLUMNS)
    ids_a, ids_b = frame["response_id"].to_numpy()[a], frame["response_id"].to_numpy()[b]
    details = _details(engine, compared, sorted({int(i) for i in np.r_[ids_a, ids_b]}))
    disagree = np.zeros(len(a), dtype=bool)
    for question_id in compared.agree:
        values_a = details[question_id].reindex(ids_a).to_numpy()
        values_b = details[question_id].reindex(ids_b).to_numpy()
        disagree |= pd.notna(values_a) & pd.notna(values_b) & (values_a != values_b)
    a, b, score = a[~disagree], b[~disagree], score[~disagree]
    first, second = frame.iloc[a].reset_index(drop=True), frame.iloc[b].reset_index(drop=True)
    pairs = pd.DataFrame({
        "first_response_id": first["response_id"], "second_response_id": second["response_id"],
        "first_text": first["text"], "second_text": second["text"],
        "place": first["place_code"].map(place_name), "age": first["age"], "sex": first["sex"],
        "similarity": np.round(score.astype(float), 1),
    })
    for side in ("first", "second"):
        about = details.reindex(pairs[f"{side}_response_id"])
        for column in ("reference", "channel", "survey"):
            pairs[f"{side}_{column}"] = about[column].to_numpy()
        pairs[f"{side}_version"] = np.where(pairs[f"{side}_survey"] == form.slug, "Standard", "Easy Read")
        pairs[f"{side}_created_at"] = pd.to_datetime(about["created_at"].to_numpy(), utc=True,
                                                     format="ISO8601").tz_convert(LONDON)
    pairs = pairs.merge(current_decisions(engine, form.slug), how="left",
                        on=["first_response_id", "second_response_id"])
    return pairs.reindex(columns=PAIR_COLUMNS).sort_values(
        ["similarity", "first_response_id"], ascending=[False, True], ignore_index=True)


def _latest_decisions() -> Select:
    newest = select(func.max(DuplicateDecision.id)).group_by(
        DuplicateDecision.first_response_id, DuplicateDecision.second_response_id)
    return select(DuplicateDecision).where(DuplicateDecision.id.in_(newest))


def current_decisions(engine: Engine, survey_slug: str) -> pd.DataFrame:
    """The decision that applies to each decided pair of the survey: what, which one counts, who and when."""
    latest = _latest_decisions().where(DuplicateDecision.survey_slug == survey_slug).subquery()
    query = select(latest.c.first_response_id, latest.c.second_response_id, latest.c.decision,
                   Response.reference, latest.c.decided_by, latest.c.decided_at).outerjoin(
        Response, Response.id == latest.c.kept_response_id)
    with engine.connect() as connection:
        decisions = pd.DataFrame(connection.execute(query).all(), columns=[
            "first_response_id", "second_response_id", "decision", "kept_reference", "decided_by", "decided_at"])
    return decisions.astype({"first_response_id": "int64", "second_response_id": "int64"})


def set_aside_pairs() -> Select:
    """(response_id, kept_response_id): each response a person decided is the same person as another response,
    which counts instead; the first is kept on record, but not counted."""
    same = _latest_decisions().where(DuplicateDecision.decision == "same_person").subquery()
    other = case((same.c.kept_response_id == same.c.first_response_id, same.c.second_response_id),
                 else_=same.c.first_response_id)
    return select(other.label("response_id"), same.c.kept_response_id)


def set_aside_ids() -> Select:
    """The ids of responses set aside as the same person as another response (see set_aside_pairs)."""
    pairs = set_aside_pairs().subquery()
    return select(pairs.c.response_id)


def decide_by_references(session: Session, form: Form, first: str, second: str, decision: str, *,
                         kept: str | None = None, actor: str, via: str) -> DuplicateDecision:
    """`decide`, for two responses named by their reference numbers (as the command line and people do)."""
    slugs = compared_questions(form).slugs
    found: dict[str, Response] = {}
    for reference in {first, second, *([kept] if kept else [])}:
        response = session.scalars(select(Response).where(Response.reference == reference.strip())).first()
        if response is None or response.survey_slug not in slugs:
            raise DuplicateError(f"No response has the reference {reference} in {form.slug}.")
        found[reference] = response
    if first == second:
        raise DuplicateError("Give two different responses.")
    compared, ids = compared_questions(form), [found[first].id, found[second].id]
    written = pd.DataFrame(session.execute(select(Answer.response_id, Answer.question_id, Answer.value).where(
        Answer.response_id.in_(ids), Answer.question_id.in_(compared.text))).all(),
        columns=["response_id", "question_id", "value"])
    normalised = _normalised(_joined_text(written, compared, ids))
    return decide(session, form.slug, found[first].id, found[second].id, decision,
                  kept_id=found[kept].id if kept else None, similarity=round(fuzz.ratio(*normalised), 1),
                  actor=actor, via=via)


def _reference_of(session: Session, response_id: int) -> str:
    return session.get(Response, response_id).reference


def decide(session: Session, survey_slug: str, first_id: int, second_id: int, decision: str, *,
           kept_id: int | None = None, similarity: float, actor: str, via: str) -> DuplicateDecision:
    """Keep a person's decision on a flagged pair (a new row: earlier decisions stay on record)."""
    if decision not in DECISIONS:
        raise DuplicateError(f"The decision must be one of: {', '.join(DECISIONS.values())}.")
    first_id, second_id = sorted((first_id, second_id))
    if decision == "keep_both":
        kept_id = None
    elif kept_id not in (first_id, second_id):
        raise DuplicateError("Say which of the two responses counts when they are the same person.")
    else:
        dropped_id = second_id if kept_id == first_id else first_id
        _check_one_person_still_counts(session, kept_id, dropped_id, first_id, second_id)
    entry = DuplicateDecision(survey_slug=survey_slug, first_response_id=first_id, second_response_id=second_id,
                              decision=decision, kept_response_id=kept_id, similarity=similarity,
                              decided_by=actor)
    session.add(entry)
    audit.record(session, "duplicate_decided", actor=actor, via=via, target_kind="response",
                 target_id=_reference_of(session, first_id), other=_reference_of(session, second_id),
                 decision=decision, kept=_reference_of(session, kept_id) if kept_id else None)
    session.commit()
    return entry


def _check_one_person_still_counts(session: Session, kept_id: int, dropped_id: int, first_id: int,
                                   second_id: int) -> None:
    """Refuse a decision that, with the others, would leave a person counted nowhere: the one kept here is
    already set aside for another response, or the one set aside here is the one kept for another."""
    others = _latest_decisions().where(
        DuplicateDecision.decision == "same_person",
        ~((DuplicateDecision.first_response_id == first_id) & (DuplicateDecision.second_response_id == second_id)),
    )
    for other in session.scalars(others.where(
            (DuplicateDecision.first_response_id.in_((kept_id, dropped_id)))
            | (DuplicateDecision.second_response_id.in_((kept_id, dropped_id))))):
        pair = (other.first_response_id, other.second_response_id)
        if kept_id in pair and other.kept_response_id != kept_id:
            raise DuplicateError(
                f"{_reference_of(session, kept_id)} is already counted as the same person as "
                f"{_reference_of(session, other.kept_response_id)}, which counts instead. Count the other "
                "response of this pair, or decide that pair again first.")
        if dropped_id in pair and other.kept_response_id == dropped_id:
            survivor = other.second_response_id if other.first_response_id == dropped_id else other.first_response_id
            raise DuplicateError(
                f"{_reference_of(session, dropped_id)} is the one counted for {_reference_of(session, survivor)}; "
                f"setting it aside would count that person nowhere. Keep {_reference_of(session, dropped_id)} "
                "here, or decide that pair again first.")


def shown_text(engine: Engine, pairs: pd.DataFrame, form: Form) -> pd.DataFrame:
    """The pairs with their written answers as someone without the full row-level answers may see them: the
    redacted text where the free-text engine has analysed every written answer, otherwise a note."""
    compared = compared_questions(form)
    ids = pd.unique(pairs[["first_response_id", "second_response_id"]].to_numpy().ravel())
    query = (select(Answer.response_id, Answer.question_id, TextAnalysis.redacted_text)
             .join(TextAnalysis, TextAnalysis.answer_id == Answer.id, isouter=True)
             .where(Answer.response_id.in_([int(i) for i in ids]), Answer.question_id.in_(compared.text)))
    with engine.connect() as connection:
        long = pd.DataFrame(connection.execute(query).all(), columns=["response_id", "question_id", "redacted"])
    order = {qid: n for n, qid in enumerate(compared.text)}
    long = long.assign(order=long["question_id"].map(order)).sort_values(["response_id", "order"])
    complete = long.groupby("response_id")["redacted"].apply(lambda s: s.notna().all())
    redacted = long.groupby("response_id")["redacted"].agg(lambda s: " ".join(s.dropna()))
    redacted = redacted.where(complete, "(Not shown until the written answers are analysed: open “Comments and "
                                        "themes”, which analyses new answers in the background, then come back "
                                        "here.)")
    shown = pairs.copy()
    for side in ("first", "second"):
        shown[f"{side}_text"] = shown[f"{side}_response_id"].map(redacted)
    return shown
