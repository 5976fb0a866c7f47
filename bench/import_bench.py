"""Import benchmark: a 100,000-row CSV (synthetic answers written as labels and codes, some rows with
problems) through `engagement.importer.import_file` on a fresh SQLite file, beside `pandas.read_csv` alone on
the same file. Usage: python bench/import_bench.py [ROWS]   (default 100,000)"""

from __future__ import annotations

import os
import random
import resource
import sys
import tempfile
import time
from pathlib import Path


def main(rows: int) -> None:
    folder = Path(tempfile.mkdtemp(prefix="engagement-bench-"))
    os.environ["ENGAGEMENT_DATABASE_URL"] = f"sqlite:///{folder / 'bench.db'}"
    import pandas as pd
    from sqlmodel import Session

    from engagement.db import get_engine, upgrade_database
    from engagement.demo import synthetic_answers
    from engagement.forms import get_form
    from engagement.importer import import_file, template_columns

    upgrade_database()
    engine, form = get_engine(), get_form("what-matters-to-you-2019")
    rng = random.Random(1)
    records = []
    for number in range(rows):
        answers = synthetic_answers(form, rng)
        record = {"paper_ref": f"HW-{number:06d}", "submitted_on": "14/03/2019"}
        for spec in form.questions:
            value = answers.get(spec.id)
            if isinstance(value, list):
                value = "; ".join(str(v) for v in value if v)
            elif value is True:
                value = "yes"
            if spec.options and value and number % 3 == 0:
                value = spec.label_for(str(value))  # a third of the rows give labels, as spreadsheets do
            record[spec.id] = "" if value is None else str(value)
        if number % 50 == 0:
            record["age"] = "1e2"  # one row in fifty is rejected
        records.append(record)
    path = folder / "import.csv"
    pd.DataFrame(records, columns=template_columns(form)).to_csv(path, index=False)
    del records

    started = time.perf_counter()
    pd.read_csv(path, dtype=str, keep_default_na=False)
    read_only = time.perf_counter() - started
    started = time.perf_counter()
    with Session(engine) as session:
        result = import_file(session, form, path.read_bytes(), path.name, actor="bench", via="bench")
    elapsed = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(f"file: {rows:,} rows, {path.stat().st_size / 1e6:.1f} MB")
    print(f"pandas.read_csv alone: {read_only:.1f} s")
    print(f"import_file: {elapsed:.1f} s -> {result.as_json()}")
    print(f"peak RSS: {peak / 1024:,.0f} MiB")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 100_000)
