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
