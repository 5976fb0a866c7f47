"""The wmty development set: real patient-feedback comments labelled by hand with the wmty codebook.

The labels live in ``data/eval/wmty-dev-labels.csv`` as (source file, row key, split, codes); the comment
texts stay in ``../shared/datasets/patient-feedback/`` and are joined back at run time, never copied here.
How the set was made is in ``data/eval/README.md`` ("wmty development set").

``sample_dev_set`` reproduces the sample (fixed seed), ``load_dev_set`` joins labels to texts and
``evaluate_wmty`` scores ``analyse_comments(texts, "wmty")`` against the hand labels, per theme.

The second, larger set (``sample_dev_set_v2``, keys in ``data/eval/wmty-dev2-keys.csv``) is drawn from the same
files but never overlaps the first, names a ``source`` per comment for leave-one-source-out scoring, and is
coded by two independent coders from the codebook alone (``write_coding_pack`` writes what they read).
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
DEV2_KEYS_CSV = REPO / "data" / "eval" / "wmty-dev2-keys.csv"
TRAIN3_KEYS_CSV = REPO / "data" / "eval" / "wmty-train3-keys.csv"
DATASET_SUBDIR = Path("datasets") / "patient-feedback"
SEED = 20261122
SPLIT_SEED = 2019
SEED_V2 = 20261129

NEAS = "v6_framework_neas.csv"
PHASE1 = "phase1_single_label.csv"
HISTORICAL = "historical_2020_single_label.csv"
SOURCE_FILES = (NEAS, PHASE1, HISTORICAL)
#: comments drawn from each file (300 in all)
SAMPLE_SIZES = {NEAS: 120, PHASE1: 100, HISTORICAL: 80}

_NO_ANSWER = re.compile(r"^\s*(did not answer|n/?a|none|nothing|no comments?|-+|\.+)?\s*$", re.IGNORECASE)
_WORD = re.compile(r"[A-Za-z]{2,}")


#: second set: comments drawn per (source, question); sources are the units of leave-one-source-out (640 in all)
V2_QUOTAS: dict[tuple[str, str], int] = {
    ("neas-111", "improve"): 30,
    ("neas-111", "why"): 30,
    ("neas-111", "satisfied-dissatisfied"): 30,
    ("neas-pts", "improve"): 45,
    ("neas-pts", "why"): 45,
    ("neas-see-convey", "improve"): 45,
    ("neas-see-convey", "why"): 45,
    ("trust-a", "Trust A - Q1"): 40,
    ("trust-a", "Trust A - Q2"): 40,
    ("trust-b", "Trust B - Q1"): 70,
    ("trust-c", "Trust C - Q1"): 40,
    ("trust-c", "Trust C - Q2"): 40,
    ("historical-2020", "improve"): 140,
}
#: third set (training only, one coder per comment): comments per (source, question), 3,000 in all
V3_QUOTAS: dict[tuple[str, str], int] = {
    ("neas-111", "improve"): 150,
    ("neas-111", "why"): 130,
    ("neas-111", "satisfied-dissatisfied"): 120,
    ("neas-pts", "improve"): 250,
    ("neas-pts", "why"): 150,
    ("neas-see-convey", "improve"): 150,
    ("neas-see-convey", "why"): 250,
    ("trust-a", "Trust A - Q1"): 200,
    ("trust-a", "Trust A - Q2"): 200,
    ("trust-b", "Trust B - Q1"): 400,
    ("trust-c", "Trust C - Q1"): 200,
    ("trust-c", "Trust C - Q2"): 200,
    ("historical-2020", "improve"): 600,
}
SEED_V3 = 20261130
#: share of each stratum drawn from long (60+ words) and medium (15-59 words) comments, the rest short; a band
#: with too few comments is topped up from the next shorter band, so long patient stories are always represented
V2_LONG_SHARE = 0.15
V2_MEDIUM_SHARE = 0.40
#: the question as coders see it (phase 1 question wordings were not published with the data)
QUESTION_TEXT = {
    "improve": "How could we improve?",
    "why": "FFT: Why did you give that rating? (overall experience)",
    "satisfied-dissatisfied": "Please describe any things about the 111 service that you were particularly satisfied "
    "and/or dissatisfied with",
    "historical-improve": "What could be improved?",
}
_NEAS_SOURCE = {"111": "neas-111", "PTS": "neas-pts", "See": "neas-see-convey"}


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


@dataclass(frozen=True)
class DevItem:
    """One comment of the second development set: where it is from, the question it answers, and its text."""

    source_file: str
    row_key: str
    source: str  # short name, the unit left out in leave-one-source-out scoring
    question: str  # the question as recorded in the file (NEAS: improve / why / satisfied-dissatisfied)
    text: str

    @property
    def question_text(self) -> str:
        """The question in words for coders."""
        if self.source == "historical-2020":
            return QUESTION_TEXT["historical-improve"]
        if self.source.startswith("trust-"):
            trust, number = self.question.split(" - ")
            return f"{trust}, question {number[1:]} (wording not published)"
        return QUESTION_TEXT[self.question]


def _v2_candidates(shared_dir: str | Path | None) -> dict[tuple[str, str], list[DevItem]]:
    """Usable comments per (source, question), in a stable order, with the first set's comments left out."""
    folder = _dataset_dir(shared_dir)
    out: dict[tuple[str, str], list[DevItem]] = {}

    def add(item: DevItem) -> None:
        if _usable(item.text):
            out.setdefault((item.source, item.question), []).append(item)

    for row in _read_rows(folder / NEAS):
        service = (row["Service type 1"] or "").replace(chr(160), " ").split()
        question = (row["FFT question"] or "").lower()
        kind = "improve" if "improve" in question else ("satisfied-dissatisfied" if "satisfied" in question else "why")
        if service and service[0] in _NEAS_SOURCE:
            add(DevItem(NEAS, row["Comment ID"], _NEAS_SOURCE[service[0]], kind, row["FFT answer"] or ""))
    for row in _read_rows(folder / PHASE1):
        trust = (row["organization"] or "").replace("Trust ", "trust-").lower()
        add(DevItem(PHASE1, row["row_index"], trust, row["question"] or "", row["feedback"] or ""))
    for number, row in enumerate(_read_rows(folder / HISTORICAL)):
        add(DevItem(HISTORICAL, str(number), "historical-2020", "improve", row["improve"] or ""))
    return out


def _normal(text: str) -> str:
    return " ".join(text.lower().split())


def _words(text: str) -> int:
    return len(_WORD.findall(text))


def sample_dev_set_v2(shared_dir: str | Path | None = None, seed: int = SEED_V2) -> list[DevItem]:
    """The second development set (640 comments), reproducible from the seed, in a seeded mixed order.

    Per (source, question) stratum of ``V2_QUOTAS``: usable comments (as for the first set: not empty, not "N/A",
    "none", "no comment", two words or more) that are not in the first set and whose text (case/space-normalised)
    is neither in the first set nor already drawn, split into long (60+ words), medium (15-59) and short bands,
    each band shuffled with the seed; ``V2_LONG_SHARE`` and ``V2_MEDIUM_SHARE`` of the quota come from the long
    and medium bands (topped up from shorter bands when a band runs out). The result is shuffled so sources mix.
    """
    texts = source_texts(shared_dir)
    first = {(row["source_file"], row["row_key"]) for row in read_labels()}
    return _draw(shared_dir, V2_QUOTAS, seed, first, {_normal(texts[file][key][0]) for file, key in first})


def sample_training_set_v3(shared_dir: str | Path | None = None, seed: int = SEED_V3) -> list[DevItem]:
    """The third set (3,000 comments), drawn as the second (``V3_QUOTAS``) from the comments of neither earlier
    set, by key or by text. Coded by one coder each, it teaches the model and is never scored against."""
    texts = source_texts(shared_dir)
    taken = {(row["source_file"], row["row_key"]) for row in read_labels()}
    taken |= {(row["source_file"], row["row_key"]) for row in read_dev2_keys()}
    return _draw(shared_dir, V3_QUOTAS, seed, taken, {_normal(texts[file][key][0]) for file, key in taken})


def _draw(
    shared_dir: str | Path | None,
    quotas: dict[tuple[str, str], int],
    seed: int,
    excluded: set[tuple[str, str]],
    seen: set[str],
) -> list[DevItem]:
    rng = random.Random(seed)
    candidates = _v2_candidates(shared_dir)
    chosen: list[DevItem] = []
    for stratum, quota in quotas.items():
        pool = [item for item in candidates.get(stratum, []) if (item.source_file, item.row_key) not in excluded]
        pool.sort(key=lambda item: (len(item.row_key), item.row_key))
        bands = [
            [item for item in pool if _words(item.text) >= 60],
            [item for item in pool if 15 <= _words(item.text) < 60],
            [item for item in pool if _words(item.text) < 15],
        ]
        for band in bands:
            rng.shuffle(band)
        targets = [round(quota * V2_LONG_SHARE), round(quota * V2_MEDIUM_SHARE)]
        targets.append(quota - sum(targets))
        taken = 0
        for index, band in enumerate(bands):
            want = sum(targets[: index + 1]) - taken  # a short band makes up what longer bands could not give
            while band and want > 0:
                item = band.pop()
                if _normal(item.text) in seen:
                    continue
                seen.add(_normal(item.text))
                chosen.append(item)
                taken += 1
                want -= 1
        if taken < quota:
            raise DevSetError(f"only {taken} usable comments for {stratum}, {quota} wanted")
    rng.shuffle(chosen)
    return chosen


def read_dev2_keys(path: str | Path = DEV2_KEYS_CSV) -> list[dict[str, str]]:
    """The second set's keys in item order: source_file, row_key, source, question (no comment text)."""
    with Path(path).open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def write_dev2_keys(items: list[DevItem], path: str | Path = DEV2_KEYS_CSV) -> None:
    with Path(path).open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["source_file", "row_key", "source", "question"])
        writer.writerows([item.source_file, item.row_key, item.source, item.question] for item in items)


def write_coding_pack(folder: str | Path, items: list[DevItem]) -> None:
    """What coders read, outside the repository: ``items.csv`` (item, question, text; item numbers 1..N in the
    set's mixed order) and ``key.csv`` (item -> source_file, row_key, source) to join their codes back."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    with (folder / "items.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["item", "question", "text"])
        writer.writerows([number, item.question_text, item.text] for number, item in enumerate(items, 1))
    with (folder / "key.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["item", "source_file", "row_key", "source"])
        writer.writerows([number, item.source_file, item.row_key, item.source] for number, item in enumerate(items, 1))


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
            f"wmty development set, split={self.split or 'all'}: {self.comments} comments (real comments, hand labels)",
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
