"""Codebooks as data: the YAML schema for a theme codebook, and loading it with errors naming file and field.

An engagement team adds a codebook by dropping a YAML file into ``data/codebooks/``; no code changes.
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

DATA_DIR_ENV = "ENGAGEMENT_DATA_DIR"


def data_dir() -> Path:
    """The project's ``data/`` directory (overridable with the ENGAGEMENT_DATA_DIR environment variable)."""
    override = os.environ.get(DATA_DIR_ENV)
    if override:
        return Path(override)
    return Path(__file__).resolve().parent.parent / "data"


def codebooks_dir() -> Path:
    return data_dir() / "codebooks"


class CodebookError(ValueError):
    """A codebook file is missing or does not follow the schema; the message names the file and the field."""


Sentiment = Literal["positive", "neutral", "negative"]


class ExcludeRule(BaseModel):
    """What a theme does not cover, and the theme to code instead (none when the text alone decides)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    rule: str = Field(min_length=1)
    instead: str | None = None


class Example(BaseModel):
    """An example comment with the codes and sentiment a coder should give it; ``source`` says where it is from
    ("invented", or a public file and row key)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    text: str = Field(min_length=1)
    codes: tuple[str, ...] = Field(min_length=1)
    sentiment: Sentiment
    source: str = Field(min_length=1)


class SentimentGuide(BaseModel):
    """How to give one overall sentiment to a comment, mixed ones included."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    positive: str = Field(min_length=1)
    neutral: str = Field(min_length=1)
    negative: str = Field(min_length=1)
    rules: tuple[str, ...] = ()


class Theme(BaseModel):
    """One label of a codebook: what it means, how to code it, and the phrases people use for it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    code: str = Field(min_length=1)
    label: str = Field(min_length=1)
    definition: str = Field(min_length=1)
    category: str | None = None
    # Coding guidance for people (analysts on the review page, coders of evaluation sets).
    include: tuple[str, ...] = ()
    exclude: tuple[ExcludeRule, ...] = ()
    typical_phrases: tuple[str, ...] = ()
    examples: tuple[Example, ...] = ()
    patterns: tuple[str, ...] = ()
    # Labels of other frameworks that mean this theme, by source name (e.g. "v6", "phase1", "historical").
    source_labels: dict[str, tuple[str, ...]] = Field(default_factory=dict)

    @field_validator("patterns")
    @classmethod
    def _patterns_not_blank(cls, patterns: tuple[str, ...]) -> tuple[str, ...]:
        for pattern in patterns:
            if not pattern.strip():
                raise ValueError("patterns must not contain blank phrases")
        return patterns


class Codebook(BaseModel):
    """A set of themes that comments are coded against."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    slug: str = Field(min_length=1, pattern=r"^[a-z0-9][a-z0-9_-]*$")
    name: str = Field(min_length=1)
    description: str = ""
    # The code given when nothing can be said about a comment (empty, not English, off-topic).
    not_codeable: str
    # Whether a phrase-pattern match alone is enough to tag a theme (True), or the trained model must agree.
    patterns_decide: bool = True
    # Whether a comment that no theme fits is given the not_codeable code (True), or left with no theme.
    other_when_untagged: bool = False
    # Rules that apply across themes, and how to give the overall sentiment.
    coding_rules: tuple[str, ...] = ()
    sentiment: SentimentGuide | None = None
    themes: tuple[Theme, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _codes_unique_and_not_codeable_known(self) -> Codebook:
        seen: set[str] = set()
        labels: set[str] = set()
        for theme in self.themes:
            if theme.code in seen:
                raise ValueError(f"theme code {theme.code!r} is used twice")
            if theme.label in labels:
                raise ValueError(f"theme label {theme.label!r} is used twice")
            seen.add(theme.code)
            labels.add(theme.label)
        if self.not_codeable not in seen:
            raise ValueError(f"not_codeable {self.not_codeable!r} is not the code of any theme")
        for theme in self.themes:
            for rule in theme.exclude:
                if rule.instead is not None and rule.instead not in seen:
                    raise ValueError(
                        f"theme {theme.code}: exclude rule says code as {rule.instead!r}, not a theme code"
                    )
            for example in theme.examples:
                unknown = [code for code in example.codes if code not in seen]
                if unknown:
                    raise ValueError(f"theme {theme.code}: example {example.text!r} uses unknown codes {unknown}")
        return self

    @property
    def codes(self) -> list[str]:
        return [theme.code for theme in self.themes]

    def theme(self, code: str) -> Theme:
        for theme in self.themes:
            if theme.code == code:
                return theme
        raise KeyError(f"codebook {self.slug!r} has no theme {code!r}")

    @property
    def not_codeable_theme(self) -> Theme:
        return self.theme(self.not_codeable)


def guide(codebook: Codebook) -> list[dict[str, Any]]:
    """The codebook as plain structured data for people: one dict per theme, in codebook order.

    Each dict has ``code``, ``label``, ``definition``, ``include`` (list of str), ``exclude`` (list of dicts with
    ``rule``, ``instead`` and ``instead_label``, the latter two None when the text alone decides),
    ``typical_phrases`` and ``examples`` (dicts with ``text``, ``codes``, ``sentiment``, ``source``). Text stays
    text: a page shows it with st.text / st.dataframe, never as Markdown.
    """
    labels = {theme.code: theme.label for theme in codebook.themes}
    return [
        {
            "code": theme.code,
            "label": theme.label,
            "definition": " ".join(theme.definition.split()),
            "include": list(theme.include),
            "exclude": [
                {
                    "rule": rule.rule,
                    "instead": rule.instead,
                    "instead_label": labels[rule.instead] if rule.instead else None,
                }
                for rule in theme.exclude
            ],
            "typical_phrases": list(theme.typical_phrases),
            "examples": [
                {"text": ex.text, "codes": list(ex.codes), "sentiment": ex.sentiment, "source": ex.source}
                for ex in theme.examples
            ],
        }
        for theme in codebook.themes
    ]


def guide_text(codebook: Codebook) -> str:
    """The codebook as a plain-text document a coder can read top to bottom (general rules, sentiment, themes)."""
    lines = [f"{codebook.name} codebook ({codebook.slug})", "", " ".join(codebook.description.split()), ""]
    if codebook.coding_rules:
        lines += ["GENERAL RULES", ""]
        lines += [f"{number}. {rule}" for number, rule in enumerate(codebook.coding_rules, 1)]
        lines.append("")
    if codebook.sentiment is not None:
        sentiment = codebook.sentiment
        lines += ["OVERALL SENTIMENT (one of positive, neutral, negative)", ""]
        lines += [
            f"- positive: {sentiment.positive}",
            f"- neutral: {sentiment.neutral}",
            f"- negative: {sentiment.negative}",
        ]
        lines += [f"- {rule}" for rule in sentiment.rules]
        lines.append("")
    lines += ["THEMES", ""]
    for theme in guide(codebook):
        lines += [f"{theme['code']}  {theme['label']}", f"  Definition: {theme['definition']}"]
        if theme["include"]:
            lines.append("  Include:")
            lines += [f"    - {rule}" for rule in theme["include"]]
        if theme["exclude"]:
            lines.append("  Exclude:")
            for rule in theme["exclude"]:
                instead = f" -> code as {rule['instead']} ({rule['instead_label']}) instead" if rule["instead"] else ""
                lines.append(f"    - {rule['rule']}{instead}")
        if theme["typical_phrases"]:
            lines.append("  Typical phrases: " + "; ".join(f'"{phrase}"' for phrase in theme["typical_phrases"]))
        if theme["examples"]:
            lines.append("  Examples:")
            for ex in theme["examples"]:
                lines.append(f'    - "{ex["text"]}" -> {";".join(ex["codes"])}, {ex["sentiment"]} ({ex["source"]})')
        lines.append("")
    return "\n".join(lines)


def _display(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(data_dir().resolve().parent))
    except ValueError:
        return str(path)


def _field_path(loc: tuple[int | str, ...]) -> str:
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or "(top level)"


def _resolve(slug_or_path: str | Path) -> Path:
    candidate = Path(slug_or_path)
    if candidate.suffix in {".yaml", ".yml"}:
        return candidate
    return codebooks_dir() / f"{slug_or_path}.yaml"


@lru_cache(maxsize=32)
def _load_cached(path: Path, mtime_ns: int) -> Codebook:
    shown = _display(path)
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as error:
        raise CodebookError(f"{shown}: not valid YAML: {error}") from error
    if not isinstance(raw, dict):
        raise CodebookError(f"{shown}: expected a mapping with slug, name, not_codeable and themes")
    try:
        return Codebook.model_validate(raw)
    except ValidationError as error:
        problems = [f"{shown}: {_field_path(problem['loc'])}: {problem['msg'].lower()}" for problem in error.errors()]
        raise CodebookError("\n".join(problems)) from None


def load_codebook(slug_or_path: str | Path) -> Codebook:
    """Load a codebook by slug (``"wmty"`` → ``data/codebooks/wmty.yaml``) or by path to a YAML file."""
    path = _resolve(slug_or_path)
    if not path.is_file():
        known = ", ".join(list_codebooks()) or "none"
        raise CodebookError(f"{_display(path)}: no such codebook file (codebooks available: {known})")
    return _load_cached(path.resolve(), path.stat().st_mtime_ns)


def list_codebooks() -> list[str]:
    """Slugs of every codebook YAML file in ``data/codebooks/``."""
    folder = codebooks_dir()
    if not folder.is_dir():
        return []
    return sorted(path.stem for path in folder.glob("*.yaml"))
