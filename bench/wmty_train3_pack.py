"""Draw the wmty training set 3, write what its coders read, and collect their codes.

    .venv/bin/python bench/wmty_train3_pack.py --shared ../shared --pack /work/coord/train3 [--coders 5]
    .venv/bin/python bench/wmty_train3_pack.py --shared ../shared --collect /work/coord/train3

``--pack`` writes ``data/eval/wmty-train3-keys.csv`` (keys only) and, outside the repository, one folder per coder
(``c1`` ... ``cN``: ``items.csv`` and ``CODEBOOK.md``, a different slice of the 3,000 comments each) and the keys
joining their item numbers back (``key-c1.csv`` ...). ``--collect`` reads each coder's ``cK/coder.csv``
(``item,codes,sentiment``), checks every row and writes ``data/eval/wmty-train3-labels.csv``; rows it cannot take
are listed, not dropped silently.
"""

from __future__ import annotations

import argparse
import csv
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from nlp.codebook import guide_text, load_codebook  # noqa: E402
from nlp.wmty_dev import TRAIN3_KEYS_CSV, DevSetError, sample_training_set_v3, write_coding_pack  # noqa: E402
from nlp.wmty_dev import write_dev2_keys as write_keys  # noqa: E402
from nlp.wmty_eval import TRAIN3_LABELS_CSV  # noqa: E402

SENTIMENTS = {"positive", "neutral", "negative"}


def pack(shared: str | None, out: Path, coders: int) -> None:
    items = sample_training_set_v3(shared)
    write_keys(items, TRAIN3_KEYS_CSV)
    size = -(-len(items) // coders)
    guide = guide_text(load_codebook("wmty")) + "\n"
    for number in range(1, coders + 1):
        folder = out / f"c{number}"
        write_coding_pack(folder, items[(number - 1) * size : number * size])
        (folder / "key.csv").rename(out / f"key-c{number}.csv")
        (folder / "CODEBOOK.md").write_text(guide, encoding="utf-8")
    print(f"{len(items)} comments for {coders} coders; keys in {TRAIN3_KEYS_CSV}; packs in {out}")


def collect(out: Path) -> int:
    codes = set(load_codebook("wmty").codes)
    rows, problems = [], []
    for key_file in sorted(out.glob("key-c*.csv")):
        coder = key_file.stem.removeprefix("key-")
        with key_file.open(newline="", encoding="utf-8") as handle:
            keys = {row["item"]: row for row in csv.DictReader(handle)}
        coded_file = out / coder / "coder.csv"
        coded = []
        if coded_file.is_file():
            with coded_file.open(newline="", encoding="utf-8") as handle:
                coded = list(csv.DictReader(handle))
        seen = set()
        for line, row in enumerate(coded, start=2):
            item = (row.get("item") or "").strip()
            given = [code.strip() for code in (row.get("codes") or "").split(";") if code.strip()]
            sentiment = (row.get("sentiment") or "").strip().lower()
            where = f"{coded_file} line {line}"
            if item not in keys or item in seen:
                problems.append(f"{where}: item {item!r} is not one of this coder's items or is repeated")
            elif not given or set(given) - codes or ("T99" in given and len(given) > 1):
                problems.append(f"{where}: codes {row.get('codes')!r} (theme ids, at least one, T99 alone)")
            elif sentiment not in SENTIMENTS:
                problems.append(f"{where}: sentiment {row.get('sentiment')!r} (positive, neutral or negative)")
            else:
                seen.add(item)
                key = keys[item]
                rows.append([key["source_file"], key["row_key"], key["source"], "", ";".join(sorted(given)),
                             sentiment, coder])
        missing = len(keys) - len(seen)
        if missing:
            problems.append(f"{coder}: {missing} of {len(keys)} items not coded")
    questions = {(r["source_file"], r["row_key"]): r["question"] for r in _keys()}
    for row in rows:
        row[3] = questions[row[0], row[1]]
    with TRAIN3_LABELS_CSV.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["source_file", "row_key", "source", "question", "codes", "sentiment", "coder"])
        writer.writerows(rows)
    print(f"{len(rows)} coded comments -> {TRAIN3_LABELS_CSV}")
    for problem in problems:
        print(f"  not taken: {problem}")
    return 0


def _keys() -> list[dict[str, str]]:
    with TRAIN3_KEYS_CSV.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", default=None, help="folder holding datasets/patient-feedback (default ../shared)")
    parser.add_argument("--pack", type=Path, help="folder for the coders' packs (not the repository)")
    parser.add_argument("--collect", type=Path, help="the packs' folder, holding each coder's cK/coder.csv")
    parser.add_argument("--coders", type=int, default=5)
    args = parser.parse_args()
    try:
        if args.pack:
            pack(args.shared, args.pack, args.coders)
        if args.collect:
            return collect(args.collect)
    except DevSetError as error:
        print(f"cannot draw the set: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
