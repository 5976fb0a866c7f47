"""The wmty development set: real patient-feedback comments labelled by hand with the wmty codebook.

The labels live in ``data/eval/wmty-dev-labels.csv`` as (source file, row key, split, codes); the comment
texts stay in ``../shared/datasets/patient-feedback/`` and are joined back at run time, never copied here.
How the set was made is in ``data/eval/README.md`` ("wmty development set").

``sample_dev_set`` reproduces the sample (fixed seed), ``load_dev_set`` joins labels to texts and
``evaluate_wmty`` scores ``analyse_comments(texts, "wmty")`` against the hand labels, per theme.
"""

from __future__ import annotations

import csv
import random
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
LABELS_CSV = REPO / "data" / "eval" / "wmty-dev-labels.csv"
DATASET_SUBDIR = Path("datasets") / "patient-feedback"
SEED = 20261122
SPLIT_SEED = 2019

NEAS = "v6_framework_neas.csv"
PHASE1 = "phase1_single_label.csv"
HISTORICAL = "historical_2020_single_label.csv"
SOURCE_FILES = (NEAS, PHASE1, HISTORICAL)
#: comments drawn from each file (300 in all)
SAMPLE_SIZES = {NEAS: 120, PHASE1: 100, HISTORICAL: 80}

_NO_ANSWER = re.compile(r"^\s*(did not answer|n/?a|none|nothing|no comments?|-+|\.+)?\s*$", re.IGNORECASE)
_WORD = re.compile(r"[A-Za-z]{2,}")


class DevSetError(RuntimeError):
    """The shared datasets are missing or a label row no longer resolves to a comment."""


def shared_dir_default() -> Path:
    """``../shared`` next to the repository (``/work/shared`` on the project machine)."""
    return REPO.parent / "shared"


def _dataset_dir(shared_dir: str | Path | None) -> Path:
    base = Path(shared_dir) if shared_dir is not None else shared_dir_default()
    folder = base / DATASET_SUBDIR
    if not folder.is_dir():
        raise DevSetError(
            f"the shared patient-feedback datasets are not at {folder}; the wmty development set keeps only row "
            "keys and labels in the repository and needs ../shared/datasets/patient-feedback/ to get the texts"
        )
    return folder


def _read_rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def _usable(text: str | None) -> bool:
    text = (text or "").strip()
    return bool(text) and not _NO_ANSWER.match(text) and len(_WORD.findall(text)) >= 2


def source_texts(shared_dir: str | Path | None = None) -> dict[str, dict[str, tuple[str, str]]]:
    """For each source file: row key -> (comment text, stratum). Keys as in the labels file."""
    folder = _dataset_dir(shared_dir)
    out: dict[str, dict[str, tuple[str, str]]] = {}
    neas = _read_rows(folder / NEAS)
    out[NEAS] = {
        row["Comment ID"]: (
            row["FFT answer"] or "",
            f"{(row['Service type 1'] or '').replace(chr(160), ' ').split()[0]}|"
            f"{'improve' if 'improve' in (row['FFT question'] or '').lower() else 'why'}",
        )
        for row in neas
    }
    phase1 = _read_rows(folder / PHASE1)
    out[PHASE1] = {row["row_index"]: (row["feedback"] or "", row["question"] or "") for row in phase1}
    historical = _read_rows(folder / HISTORICAL)
    out[HISTORICAL] = {str(number): (row["improve"] or "", "improve") for number, row in enumerate(historical)}
    return out


def sample_dev_set(shared_dir: str | Path | None = None, seed: int = SEED) -> list[tuple[str, str, str]]:
    """The sample as (source file, row key, split), reproducible from the seed.

    Per file, usable comments (not empty, not "Did not answer", two words or more, text not already drawn)
    are grouped by stratum (NEAS: service type x question; phase 1: trust and question; historical: one
    group) and drawn round-robin across strata in a seeded shuffle. The split (half tune, half test) is then
    assigned by a second seeded shuffle within each file, before any labelling.
    """
    rng = random.Random(seed)
    texts = source_texts(shared_dir)
    chosen: list[tuple[str, str]] = []
    seen: set[str] = set()
    for source in SOURCE_FILES:
        strata: dict[str, list[str]] = {}
        for key, (text, stratum) in texts[source].items():
            if _usable(text):
                strata.setdefault(stratum, []).append(key)
        queues = []
        for stratum in sorted(strata):
            keys = sorted(strata[stratum], key=lambda k: (len(k), k))
            rng.shuffle(keys)
            queues.append(keys)
        taken = 0
        while taken < SAMPLE_SIZES[source] and any(queues):
            for queue in queues:
                while queue and taken < SAMPLE_SIZES[source]:
                    key = queue.pop()
                    normal = " ".join(texts[source][key][0].lower().split())
                    if normal in seen:
                        continue
                    seen.add(normal)
                    chosen.append((source, key))
                    taken += 1
                    break
    split_rng = random.Random(SPLIT_SEED)
    tune: set[int] = set()
    for source in SOURCE_FILES:
        order = [index for index, (file, _) in enumerate(chosen) if file == source]
        split_rng.shuffle(order)
        tune.update(order[: len(order) // 2])
    return [(source, key, "tune" if index in tune else "test") for index, (source, key) in enumerate(chosen)]


def read_labels(path: str | Path = LABELS_CSV) -> list[dict[str, str]]:
    with Path(path).open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def load_dev_set(shared_dir: str | Path | None = None) -> list[tuple[str, list[str], str]]:
    """(comment text, hand codes, split) for every labelled row, texts joined from the shared files."""
    texts = source_texts(shared_dir)
    out = []
    for row in read_labels():
        source, key = row["source_file"], row["row_key"]
        if source not in texts or key not in texts[source]:
            raise DevSetError(f"label row {source}:{key} does not resolve to a comment in the shared datasets")
        codes = [code.strip() for code in row["codes"].split(";") if code.strip()]
        out.append((texts[source][key][0], codes, row["split"]))
    return out


@dataclass(frozen=True)
class ThemeScore:
    code: str
    label: str
    support: int  # comments hand-labelled with the theme
    predicted: int  # comments the engine tagged with it
    true_positives: int

    @property
    def precision(self) -> float:
        return self.true_positives / self.predicted if self.predicted else 0.0

    @property
    def recall(self) -> float:
        return self.true_positives / self.support if self.support else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


@dataclass(frozen=True)
class WmtyEvaluation:
    split: str | None
    comments: int
    themes: list[ThemeScore] = field(default_factory=list)

    @property
    def micro_precision(self) -> float:
        predicted = sum(t.predicted for t in self.themes)
        return sum(t.true_positives for t in self.themes) / predicted if predicted else 0.0

    @property
    def micro_recall(self) -> float:
        support = sum(t.support for t in self.themes)
        return sum(t.true_positives for t in self.themes) / support if support else 0.0

    @property
    def micro_f1(self) -> float:
        p, r = self.micro_precision, self.micro_recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def macro_f1(self, min_support: int = 1) -> float:
        """Mean F1 over themes with at least ``min_support`` hand-labelled comments."""
        kept = [t.f1 for t in self.themes if t.support >= min_support]
        return sum(kept) / len(kept) if kept else 0.0

    def by_code(self) -> dict[str, ThemeScore]:
        return {t.code: t for t in self.themes}

    def to_text(self) -> str:
        lines = [
            f"wmty development set, split={self.split or 'all'}: {self.comments} comments "
            "(real comments, hand labels)",
            f"{'code':<5} {'label':<44} {'support':>7} {'pred':>5} {'tp':>4} {'prec':>6} {'recall':>6} {'f1':>6}",
        ]
        for t in self.themes:
            lines.append(
                f"{t.code:<5} {t.label[:44]:<44} {t.support:>7} {t.predicted:>5} {t.true_positives:>4} "
                f"{t.precision:>6.2f} {t.recall:>6.2f} {t.f1:>6.2f}"
            )
        lines.append(
            f"micro: precision {self.micro_precision:.3f} recall {self.micro_recall:.3f} F1 {self.micro_f1:.3f}; "
            f"macro-F1 {self.macro_f1(1):.3f} (themes with support >= 1), {self.macro_f1(5):.3f} (support >= 5)"
        )
        return "\n".join(lines)


def score(
    gold: Iterable[Iterable[str]], predicted: Iterable[Iterable[str]], split: str | None = None
) -> WmtyEvaluation:
    """Per-theme counts for paired hand and predicted code sets."""
    from nlp.codebook import load_codebook

    codebook = load_codebook("wmty")
    pairs = [(set(g), set(p)) for g, p in zip(gold, predicted, strict=True)]
    themes = []
    for theme in codebook.themes:
        support = sum(theme.code in g for g, _ in pairs)
        made = sum(theme.code in p for _, p in pairs)
        hits = sum(theme.code in g and theme.code in p for g, p in pairs)
        themes.append(ThemeScore(theme.code, theme.label, support, made, hits))
    return WmtyEvaluation(split, len(pairs), themes)


def evaluate_wmty(split: str | None = "test", shared_dir: str | Path | None = None) -> WmtyEvaluation:
    """Score the engine's wmty themes on the development set (``split`` "tune", "test" or None for all)."""
    from nlp.analyse import analyse_comments

    rows = [row for row in load_dev_set(shared_dir) if split is None or row[2] == split]
    analyses = analyse_comments([text for text, _, _ in rows], "wmty")
    predicted = [[tag.code for tag in analysis.themes] for analysis in analyses]
    return score([codes for _, codes, _ in rows], predicted, split)
