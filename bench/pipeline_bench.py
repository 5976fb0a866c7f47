"""End-to-end benchmark: intake of synthetic responses, then `analyse` of every free-text answer into the
database (engine + storage), on a fresh SQLite file. Usage: python bench/pipeline_bench.py [RESPONSES]"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path


def main(responses: int) -> None:
    folder = Path(tempfile.mkdtemp(prefix="engagement-bench-"))
    os.environ["ENGAGEMENT_DATABASE_URL"] = f"sqlite:///{folder / 'bench.db'}"
    from sqlmodel import Session

    import nlp
    from engagement.db import get_engine, upgrade_database
    from engagement.demo import add_demo_responses
    from engagement.forms import get_form
    from engagement.free_text.job import analyse_pending

    upgrade_database()
    engine, form = get_engine(), get_form("what-matters-to-you-2019")
    started = time.perf_counter()
    with Session(engine) as session:
        add_demo_responses(session, form, responses, seed=1)
    intake = time.perf_counter() - started
    list(nlp.analyse_comments(["warm up the pipeline"]))  # model loading is start-up, not throughput
    started = time.perf_counter()
    answers = analyse_pending(engine, form, batch_size=2000)
    analysis = time.perf_counter() - started
    print(f"intake:   {responses:,} responses checked and stored in {intake:.1f} s "
          f"({responses / intake:,.0f} responses/s)")
    print(f"analyse:  {answers:,} free-text answers analysed and stored in {analysis:.1f} s "
          f"({answers / analysis:,.0f} answers/s; 100,000 answers ≈ {100_000 * analysis / answers:.0f} s)")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 20_000)
