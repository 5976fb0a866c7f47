"""Database engine, sessions and Alembic migrations (SQLite by default, PostgreSQL by setting)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from typing import TypeVar

from alembic import command
from alembic.config import Config
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlmodel import Session, create_engine

from engagement.config import database_url

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
WRITE_ATTEMPTS = 4  # a write that fails this many times (0.2 s, 0.4 s, 0.8 s apart) is reported, never dropped
T = TypeVar("T")


class DatabaseUnavailable(RuntimeError):
    """The database could not be reached (or stayed busy): say so plainly, never with a traceback."""

    def __init__(self, doing: str = "reach the database"):
        super().__init__(
            f"Could not {doing}: the database is not answering. Nothing was changed. Please try again in a "
            "minute; if it keeps happening, tell the person who runs this service."
        )


def with_write_retries(session: Session, write: Callable[[], T], attempts: int = WRITE_ATTEMPTS) -> T:
    """Run a write (which commits) again after a rollback when the database is busy or the connection dropped;
    raise DatabaseUnavailable when it still fails, so the caller can tell the user nothing was saved."""
    for attempt in range(1, attempts + 1):
        try:
            return write()
        except DBAPIError as exc:
            if not isinstance(exc, OperationalError) and not exc.connection_invalidated:
                raise  # a real error in the data (a constraint), not the database being busy or away
            session.rollback()
            if attempt == attempts:
                raise DatabaseUnavailable("save your answers") from exc
            time.sleep(0.2 * 2 ** (attempt - 1))
    raise ValueError("attempts must be at least 1")


# How long a SQLite write waits for another writer before giving up (then intake retries, see intake.py).
SQLITE_BUSY_TIMEOUT_MS = 15_000


def _configure_sqlite(dbapi_connection, _record) -> None:
    """Foreign keys on; WAL so readers never block the writer (and the other way round) when many people use
    the app at once; a busy timeout so a writer waits its turn instead of failing at once."""
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.close()


_engine_lock = threading.Lock()


def _engine_for(url: str) -> Engine:
    # One engine per URL per process. Locked: two threads creating the first engine at once (two sessions'
    # first page views) would race in SQLAlchemy's lazy dialect import.
    with _engine_lock:
        return _create_engine_for(url)


@cache
def _create_engine_for(url: str) -> Engine:
    if url.startswith("sqlite"):
        engine = create_engine(
            url, connect_args={"check_same_thread": False, "timeout": SQLITE_BUSY_TIMEOUT_MS / 1000}
        )
        event.listen(engine, "connect", _configure_sqlite)
        return engine
    # pre-ping: a connection the server dropped (restart, fail-over) is replaced rather than failing a page;
    # connect timeout: an unreachable server gives a plain message in seconds, not a hung page.
    return create_engine(url, pool_pre_ping=True, connect_args={"connect_timeout": 10})


def get_engine(url: str | None = None) -> Engine:
    url = url or database_url()
    if url.startswith("sqlite:///"):
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    return _engine_for(url)


@contextmanager
def session_scope(url: str | None = None) -> Iterator[Session]:
    """A short session that commits on success and rolls back on any error, so nothing is half-saved."""
    with Session(get_engine(url), expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


def alembic_config(url: str | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("sqlalchemy.url", (url or database_url()).replace("%", "%%"))
    return config


def upgrade_database(url: str | None = None) -> None:
    """Create or migrate the database to the newest schema."""
    url = url or database_url()
    get_engine(url)
    command.upgrade(alembic_config(url), "head")
