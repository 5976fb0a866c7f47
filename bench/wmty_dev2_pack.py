"""Draw the second wmty development set and write what its coders read.

    .venv/bin/python bench/wmty_dev2_pack.py --shared ../shared --out /work/coord/devset

Writes ``data/eval/wmty-dev2-keys.csv`` (keys only, no text) and, outside the repository, ``items.csv`` and
``key.csv`` (``nlp.wmty_dev.write_coding_pack``) and ``CODEBOOK.md`` (``nlp.codebook.guide_text``). The draw is
seeded, so running it again gives the same files.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from nlp.codebook import guide_text, load_codebook  # noqa: E402
from nlp.wmty_dev import DevSetError, sample_dev_set_v2, write_coding_pack, write_dev2_keys  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", default=None, help="folder holding datasets/patient-feedback (default ../shared)")
    parser.add_argument("--out", required=True, help="folder for items.csv, key.csv and CODEBOOK.md (not the repo)")
    args = parser.parse_args()
    try:
        items = sample_dev_set_v2(args.shared)
    except DevSetError as error:
        print(f"cannot draw the set: {error}", file=sys.stderr)
        return 1
    write_dev2_keys(items)
    write_coding_pack(args.out, items)
    (Path(args.out) / "CODEBOOK.md").write_text(guide_text(load_codebook("wmty")) + "\n", encoding="utf-8")
    print(f"{len(items)} comments; keys in data/eval/wmty-dev2-keys.csv; items, key and codebook in {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
