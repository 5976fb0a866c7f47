"""The background analysis job: one analyser per survey at a time across every process and app instance.

The lock is a lease row in ``app_setting`` claimed by compare-and-swap (``UPDATE … WHERE value = <what I read>``),
which is atomic on SQLite and PostgreSQL alike. The holder renews it in the same transaction as each batch it
stores, so a batch is only ever written by the current holder; a holder that dies simply stops renewing and the
next job takes over once the lease expires. The lease row also carries the job's progress, which pages show.
"""

from __future__ import annotations

import json
import logging
import os
import socket
import time
import uuid
from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from engagement.forms import reported_slug, versions_of
from engagement.free_text.analyse import analyse_batch, model_version, pending_answers
from engagement.free_text.background import OnePerSurvey
from engagement.models import AppSetting
from survey_forms import Form

ProgressCallback = Callable[[int, int], None]
LEASE_SECONDS = 300.0  # a batch takes well under this; a holder silent for longer is taken to have died
BATCH_SIZE = 200
log = logging.getLogger(__name__)


class AnalysisAlreadyRunning(RuntimeError):
    """Another process or app instance holds the analysis lease for this survey."""

    def __init__(self, progress: JobProgress):
        self.progress = progress
        super().__init__(
            f"Another app instance or command is already analysing this survey's answers "
            f"({progress.done:,} of {progress.total:,} done)."
        )


class LeaseLost(RuntimeError):
    """This job's lease expired and another job took it over; this job stops without storing its batch."""


@dataclass(frozen=True)
class JobProgress:
    """What the analysis job is doing, as stored in the database (so every instance sees the same)."""

    state: str  # idle | running | finished | failed | stalled
    done: int = 0
    total: int = 0
    updated_at: float | None = None

    @property
    def running(self) -> bool:
        return self.state == "running"


def _key(form: Form) -> str:
    # One lease for a survey and its Easy Read version: the job analyses both, so two jobs never overlap.
    return f"free_text_job:{reported_slug(form)}"


def _read(connection: Connection, key: str) -> str | None:
    return connection.scalar(select(AppSetting.value).where(AppSetting.key == key))


def _lease(holder: str | None, state: str, done: int, total: int) -> str:
    now = time.time()
    return json.dumps({"holder": holder, "state": state, "done": done, "total": total, "updated_at": now,
                       "expires_at": now + LEASE_SECONDS if holder else None})


def _parse(raw: str | None) -> dict[str, Any]:
    return json.loads(raw) if raw else {"holder": None, "state": "idle", "done": 0, "total": 0}


def _held_by_other(lease: dict[str, Any], holder: str) -> bool:
    return bool(lease.get("holder")) and lease["holder"] != holder and (lease.get("expires_at") or 0) > time.time()


def job_progress(engine: Engine, form: Form) -> JobProgress:
    with engine.connect() as connection:
        lease = _parse(_read(connection, _key(form)))
    state = lease["state"]
    if state == "running" and (lease.get("expires_at") or 0) <= time.time():
        state = "stalled"
    return JobProgress(state, int(lease["done"]), int(lease["total"]), lease.get("updated_at"))


def _claim(engine: Engine, key: str, holder: str, total: int) -> str:
    """Take the lease or raise AnalysisAlreadyRunning; returns the stored value (the next swap's expected value)."""
    claimed = _lease(holder, "running", 0, total)
    with engine.begin() as connection:
        current = _read(connection, key)
        if current is None:
            try:
                with connection.begin_nested():
                    connection.execute(insert(AppSetting).values(key=key, value=claimed))
                return claimed
            except IntegrityError:
                current = _read(connection, key)
        lease = _parse(current)
        if not _held_by_other(lease, holder):
            swapped = connection.execute(
                update(AppSetting).where(AppSetting.key == key, AppSetting.value == current).values(value=claimed)
            )
            if swapped.rowcount == 1:
                return claimed
            lease = _parse(_read(connection, key))
    raise AnalysisAlreadyRunning(JobProgress(lease["state"], int(lease["done"]), int(lease["total"])))


def _swap(connection: Connection | Session, key: str, expected: str, new: str) -> None:
    swapped = connection.execute(
        update(AppSetting).where(AppSetting.key == key, AppSetting.value == expected).values(value=new)
    )
    if swapped.rowcount != 1:
        raise LeaseLost("the analysis lease was taken over by another job")


def analyse_pending(
    engine: Engine, form: Form, progress: ProgressCallback | None = None, batch_size: int = BATCH_SIZE
) -> int:
    """Analyse every respondent-written answer the current model has not read, to the survey and then to its
    Easy Read version (each read with its own form's wording), holding the survey's lease. Raises
    AnalysisAlreadyRunning when another process or instance holds it. Calls progress(done, total) after each
    batch; returns how many answers were analysed."""
    key, version, forms = _key(form), model_version(), versions_of(form)
    holder = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
    with Session(engine) as session:
        total = sum(len(pending_answers(session, each, version)) for each in forms)
    expected = _claim(engine, key, holder, total)
    done = 0
    if progress:
        progress(0, total)
    try:
        with Session(engine) as session:
            for each in forms:
                while batch := pending_answers(session, each, version, limit=batch_size):
                    analyse_batch(session, each, batch, version)
                    done += len(batch)
                    total = max(total, done)
                    renewed = _lease(holder, "running", done, total)
                    _swap(session, key, expected, renewed)  # same transaction: only the holder's batch is stored
                    session.commit()
                    expected = renewed
                    if progress:
                        progress(done, total)
    except LeaseLost:
        raise
    except BaseException:
        with suppress(LeaseLost), engine.begin() as connection:
            _swap(connection, key, expected, _lease(None, "failed", done, total))
        raise
    with engine.begin() as connection:
        _swap(connection, key, expected, _lease(None, "finished", done, total))
    return done


_jobs = OnePerSurvey("analyse")


def _run_in_background(engine: Engine, form: Form) -> None:
    try:
        analyse_pending(engine, form)
    except AnalysisAlreadyRunning:
        pass  # another instance is on it; its progress is in the database for every page to show
    except Exception:
        # A thread has no one to show an error to: log it; the stored state says 'failed' and the next page
        # view starts a new job.
        log.exception("free-text analysis job for %s failed", form.slug)


def start_background_analysis(engine: Engine, form: Form) -> bool:
    """Start the analysis job in a thread of this process unless one is already running here; the lease keeps
    other processes and instances out. Returns whether a new thread was started."""
    return _jobs.start((str(engine.url), form.slug), _run_in_background, engine, form)


def wait_for_background_analysis(timeout: float | None = None) -> None:
    """Wait for this process's analysis threads (tests, and a clean shutdown)."""
    _jobs.wait(timeout)
