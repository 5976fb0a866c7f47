"""Which stored responses count in the figures. Two kinds are kept on record but not counted: a paper sheet
of a batch that requires double entry, until it is verified; and a response a person decided is the same
person as another response, which counts instead. The dashboard says how many of each there are."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
from sqlalchemy import CompoundSelect, Select, func, select, union
from sqlalchemy.engine import Engine
from sqlalchemy.orm import aliased

from engagement.duplicates import set_aside_ids, set_aside_pairs
from engagement.models import DuplicateDecision, Response, SecondEntry, VerifiedBatch
from engagement.verification import unverified_ids

# Whether a stored response counts, as a row-level file says it.
COUNTS = "yes"
WAITING = "waiting for a second keying"
SET_ASIDE = "set aside: same person as "
ANOTHER_RESPONSE = "another response"  # for files that name no response


def not_counted_ids() -> CompoundSelect:
    """The ids of every response that is kept but not counted (of any survey)."""
    return union(unverified_ids(), set_aside_ids())


@dataclass(frozen=True)
class NotCounted:
    waiting_for_second_keying: int
    same_person: int

    def sentences(self) -> list[str]:
        """What the figures leave out, in words, for under the dashboard's title."""
        said = []
        if waiting := self.waiting_for_second_keying:
            said.append(f"{waiting:,} paper form{' waits' if waiting == 1 else 's wait'} for a second keying and "
                        f"{'is' if waiting == 1 else 'are'} not counted yet.")
        if same := self.same_person:
            said.append(f"{same:,} response{' is' if same == 1 else 's are'} not counted: a person decided "
                        f"{'it is' if same == 1 else 'they are'} the same person as another response, which "
                        "counts instead (see “Likely duplicates”).")
        return said


def not_counted(engine: Engine, survey_slugs: tuple[str, ...]) -> NotCounted:
    def count(ids: Select | CompoundSelect, but_not: Select | None = None) -> int:
        query = select(func.count()).select_from(Response).where(
            Response.survey_slug.in_(survey_slugs), Response.id.in_(ids))
        if but_not is not None:
            query = query.where(Response.id.not_in(but_not))
        with engine.connect() as connection:
            return connection.execute(query).scalar_one()

    # A sheet waiting for its second keying is said once, under waiting, even if also decided a duplicate.
    return NotCounted(waiting_for_second_keying=count(unverified_ids()),
                      same_person=count(set_aside_ids(), but_not=unverified_ids()))


def counting_version(engine: Engine) -> tuple[int, ...]:
    """Changes whenever what counts changes without an answer changing (a sheet verified, a batch set to
    require double entry, a duplicate decided): part of the dashboard's cache key."""
    queries = [
        select(func.count(), func.coalesce(func.sum(SecondEntry.id), 0)).where(SecondEntry.resolved_by.is_not(None)),
        select(func.count()).select_from(VerifiedBatch),
        select(func.count(), func.coalesce(func.max(DuplicateDecision.id), 0)),
    ]
    with engine.connect() as connection:
        return tuple(value for query in queries for value in connection.execute(query).one())


def counted_status(engine: Engine, survey_slugs: tuple[str, ...]) -> pd.Series:
    """Whether each stored response of these surveys counts, by reference: "yes", "waiting for a second
    keying", or "set aside: same person as R-…" naming the response that counts instead."""
    kept = aliased(Response)
    with engine.connect() as connection:
        stored = connection.execute(select(Response.id, Response.reference).where(
            Response.survey_slug.in_(survey_slugs))).all()
        waiting = connection.execute(select(Response.id).where(
            Response.survey_slug.in_(survey_slugs), Response.id.in_(unverified_ids()))).scalars().all()
        pairs = set_aside_pairs().subquery()
        set_aside = connection.execute(select(pairs.c.response_id, kept.reference).join(
            kept, kept.id == pairs.c.kept_response_id)).all()
    status = pd.Series(COUNTS, index=pd.Index([i for i, _ in stored], dtype="int64"), dtype=object)
    if set_aside:
        others = pd.DataFrame(set_aside, columns=["response_id", "kept"]).sort_values("kept")
        named = others.groupby("response_id")["kept"].agg(" and ".join)
        named = named[named.index.isin(status.index)]
        status[named.index] = SET_ASIDE + named
    # A sheet waiting for its second keying is said as waiting, even if also decided a duplicate (as in not_counted).
    status[status.index.isin(waiting)] = WAITING
    return status.set_axis([reference for _, reference in stored])
