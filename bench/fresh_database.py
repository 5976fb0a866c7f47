"""A fresh SQLite database for a benchmark: a new file in a temporary folder, migrated, and set as the
installation's database (ENGAGEMENT_DATABASE_URL) so everything the benchmark calls uses it."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def fresh_database():
    """(engine, the 2019 survey form) on a new, migrated SQLite file."""
    folder = Path(tempfile.mkdtemp(prefix="engagement-bench-"))
    os.environ["ENGAGEMENT_DATABASE_URL"] = f"sqlite:///{folder / 'bench.db'}"
    from engagement.db import get_engine, upgrade_database
    from engagement.forms import get_form

    upgrade_database()
    return get_engine(), get_form("what-matters-to-you-2019")
