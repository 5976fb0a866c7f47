"""Print redaction precision and recall per kind on the invented corpus: tune, test and all.

    .venv/bin/python bench/redaction_eval.py [--errors] [--split tune|test|all]

``--errors`` lists each miss, false redaction and redacted hard negative (look only at tune when tuning rules).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from nlp.redaction_eval import evaluate_redaction  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--errors", action="store_true", help="list every error")
    parser.add_argument("--split", choices=["tune", "test", "all"], help="only this split")
    args = parser.parse_args()
    splits = [args.split] if args.split else ["tune", "test", "all"]
    for split in splits:
        evaluation = evaluate_redaction(split=None if split == "all" else split)
        print(evaluation.to_text(show_errors=args.errors))
        print()


if __name__ == "__main__":
    main()
