"""Dashboard speed at 100,000 synthetic responses, measured in Chromium as an analyst would see it.

    PYTHONPATH=$PWD .venv/bin/python bench/dashboard_bench.py [--responses 100000] [--database var/bench/...]

Builds (or reuses) a SQLite file of demo responses, starts `streamlit run app.py` on it, and times in Chromium
from navigation to the first chart being visible (first render) and from changing a filter to the changed chart
(filter change), then reads the app's resident memory. Targets: 2 s, 1 s, 1 GB.
"""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DATABASE = ROOT / "var" / "bench" / "dashboard-100k.db"
CHROMIUM = "/usr/bin/chromium"
CHUNK = 10_000


def prepare_database(path: Path, responses: int) -> str:
    """A SQLite file holding `responses` demo responses, made in chunks; reused when it already holds them."""
    from sqlalchemy import func, select
    from sqlmodel import Session

    from engagement.config import DEFAULT_FORM_SLUG
    from engagement.db import get_engine, upgrade_database
    from engagement.demo import add_demo_responses
    from engagement.forms import get_form
    from engagement.models import Response

    url = f"sqlite:///{path}"
    path.parent.mkdir(parents=True, exist_ok=True)
    upgrade_database(url)
    engine = get_engine(url)
    form = get_form(DEFAULT_FORM_SLUG)
    with Session(engine) as session:
        have = session.scalar(select(func.count()).select_from(Response)) or 0
        seed = have
        while have < responses:
            chunk = min(CHUNK, responses - have)
            started = time.perf_counter()
            add_demo_responses(session, form, chunk, seed=seed)
            have += chunk
            seed += 1
            print(f"  {have:,} responses ({time.perf_counter() - started:.1f} s for this chunk)", flush=True)
    return url
