"""Settings read from the environment, with defaults that work on a fresh checkout."""

from __future__ import annotations

import os
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = Path(os.environ.get("ENGAGEMENT_DATA_DIR", PROJECT_ROOT / "data"))
DEFAULT_FORM_SLUG = "what-matters-to-you-2019"


def instance_dir() -> Path:
    """Where the live SQLite database lives: a git-ignored folder, never data/."""
    return Path(os.environ.get("ENGAGEMENT_INSTANCE_DIR", PROJECT_ROOT / "var"))


def database_url() -> str:
    """ENGAGEMENT_DATABASE_URL if set (SQLite or PostgreSQL), else a SQLite file under var/."""
    url = os.environ.get("ENGAGEMENT_DATABASE_URL")
    if url:
        if url.startswith("postgresql://") or url.startswith("postgres://"):
            url = "postgresql+psycopg://" + url.split("://", 1)[1]
        return url
    return f"sqlite:///{instance_dir() / 'engagement.db'}"


def _minutes(name: str, default: int) -> int:
    value = os.environ.get(name, "")
    return int(value) if value.strip().isdigit() and int(value) > 0 else default


def session_timeout_minutes() -> int:
    """A signed-in session ends after this many minutes without activity (ENGAGEMENT_SESSION_TIMEOUT_MINUTES)."""
    return _minutes("ENGAGEMENT_SESSION_TIMEOUT_MINUTES", 30)


def lockout_minutes() -> int:
    """How long a username stays locked after too many failed sign-ins (ENGAGEMENT_LOCKOUT_MINUTES)."""
    return _minutes("ENGAGEMENT_LOCKOUT_MINUTES", 15)


def privacy_notice_version() -> str:
    """The privacy notice respondents are shown, recorded with their consent (ENGAGEMENT_PRIVACY_NOTICE_VERSION)."""
    return os.environ.get("ENGAGEMENT_PRIVACY_NOTICE_VERSION", "").strip() or "unversioned"
