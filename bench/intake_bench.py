"""Intake benchmark: one `submit_many` call with N synthetic responses streamed from a generator, on a fresh
SQLite file; prints the time and the peak memory (RSS) of the process. Usage:
python bench/intake_bench.py [RESPONSES]   (default 100,000)"""

from __future__ import annotations

import random
import resource
import sys
import time

from fresh_database import fresh_database


def main(responses: int) -> None:
    engine, form = fresh_database()
    from sqlalchemy import func, select
    from sqlmodel import Session

    from engagement.demo import synthetic_answers
    from engagement.intake import Provenance, submit_many
    from engagement.models import Response

    rng = random.Random(1)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    batch = ((synthetic_answers(form, rng), Provenance(channel="import", import_batch="bench"))
             for _ in range(responses))
    started = time.perf_counter()
    with Session(engine) as session:
        stored = submit_many(session, form, batch)
        counted = session.scalar(select(func.count()).select_from(Response))
    elapsed = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
    print(f"submit_many: {stored:,} responses ({counted:,} in the database) in {elapsed:.1f} s "
          f"({stored / elapsed:,.0f} responses/s)")
    print(f"peak RSS: {peak / 1024:,.0f} MiB (after start-up and migration: {before / 1024:,.0f} MiB)")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 100_000)
