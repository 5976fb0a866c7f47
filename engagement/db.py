"""Database engine, sessions and Alembic migrations (SQLite by default, PostgreSQL by setting)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlmodel import Session, create_engine

from engagement.config import database_url

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


# How long a SQLite write waits for another writer before giving up (then intake retries, see intake.py).
SQLITE_BUSY_TIMEOUT_MS = 15_000


def _configure_sqlite(dbapi_connection, _record) -> None:
    """Foreign keys on; WAL so readers never block the writer (and the other way round) when many people use
    the app at once; a busy timeout so a writer waits its turn instead of failing at once."""
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS:d}")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.close()


@cache
def _engine_for(url: str) -> Engine:
    if url.startswith("sqlite"):
        engine = create_engine(
            url, connect_args={"check_same_thread": False, "timeout": SQLITE_BUSY_TIMEOUT_MS / 1000}
        )
        event.listen(engine, "connect", _configure_sqlite)
        return engine
    return create_engine(url, pool_pre_ping=True)


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
