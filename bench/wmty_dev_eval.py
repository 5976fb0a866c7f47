"""Per-theme precision, recall and F1 of the wmty themes on the hand-labelled development set.

    .venv/bin/python bench/wmty_dev_eval.py

Needs ../shared/datasets/patient-feedback/ (the comment texts are joined from there by row key).
The ``test`` split is the honest figure: codebook patterns were only ever tuned on ``tune`` errors.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from nlp.wmty_dev import DevSetError, evaluate_wmty  # noqa: E402


def main() -> int:
    for split in ("tune", "test"):
        started = time.perf_counter()
        try:
            evaluation = evaluate_wmty(split)
        except DevSetError as error:
            print(f"cannot evaluate: {error}", file=sys.stderr)
            return 1
        print(evaluation.to_text())
        print(f"({time.perf_counter() - started:.1f} s)\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
