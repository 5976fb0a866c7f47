"""Print redaction precision and recall per kind on the invented corpus: tune, test and all.

    .venv/bin/python bench/redaction_eval.py [--errors] [--split tune|test|all] [--speed N]

``--errors`` lists each miss, false redaction and redacted hard negative (look only at tune when tuning rules).
``--speed N`` also times ``nlp.analyse_comments`` and the redactor alone on N comments sampled (seed 1) from
``../shared/datasets/patient-feedback/*.csv`` and reports how many went to the name model.
"""

from __future__ import annotations

import argparse
import csv
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from nlp.redaction_eval import evaluate_redaction  # noqa: E402

DATASETS = Path(__file__).resolve().parent.parent.parent / "shared" / "datasets" / "patient-feedback"
TEXT_COLUMNS = ("feedback", "FFT answer", "improve")


def sample_comments(n: int, seed: int = 1) -> list[str]:
    """N real comments sampled from the public patient-feedback files (used only for timing)."""
    texts: list[str] = []
    for path in sorted(DATASETS.glob("*.csv")):
        with path.open(newline="", encoding="utf-8-sig") as handle:
            for row in csv.DictReader(handle):
                text = next((row[c] for c in TEXT_COLUMNS if row.get(c)), "")
                if text.strip():
                    texts.append(text)
    return random.Random(seed).sample(texts, min(n, len(texts)))


def time_engine(n: int) -> None:
    import nlp
    from nlp.redaction import NameFinder, find_pattern_pii

    texts = sample_comments(n)
    list(nlp.analyse_comments(["warm up Dr Patel"]))
    started = time.perf_counter()
    for _ in nlp.analyse_comments(texts):
        pass
    whole = time.perf_counter() - started
    finder = NameFinder()
    started = time.perf_counter()
    for text in texts:
        find_pattern_pii(text)
    patterns = time.perf_counter() - started
    started = time.perf_counter()
    flagged = [text for text in texts if finder.might_contain_name(text)]
    prefilter = time.perf_counter() - started
    started = time.perf_counter()
    finder.find_names(flagged)
    ner = time.perf_counter() - started
    print(
        f"analyse_comments: {len(texts):,} comments in {whole:.1f} s ({len(texts) / whole:,.0f}/s; "
        f"100,000 ≈ {100_000 * whole / len(texts):.0f} s)"
    )
    print(
        f"  patterns {patterns:.2f} s, name pre-filter {prefilter:.2f} s, "
        f"name model on {len(flagged):,} flagged ({len(flagged) / len(texts):.1%}) {ner:.1f} s"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--errors", action="store_true", help="list every error")
    parser.add_argument("--split", choices=["tune", "test", "all"], help="only this split")
    parser.add_argument("--speed", type=int, metavar="N", help="also time the engine on N real comments")
    args = parser.parse_args()
    splits = [args.split] if args.split else ["tune", "test", "all"]
    for split in splits:
        evaluation = evaluate_redaction(split=None if split == "all" else split)
        print(evaluation.to_text(show_errors=args.errors))
        print()
    if args.speed:
        time_engine(args.speed)


if __name__ == "__main__":
    main()
