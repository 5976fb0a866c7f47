"""Codebooks load from YAML; a broken file gets an error naming the file and the field."""

from pathlib import Path

import pytest

from nlp.codebook import CodebookError, guide, guide_text, list_codebooks, load_codebook


def test_shipped_codebooks_are_listed_and_complete() -> None:
    assert {"wmty", "px"} <= set(list_codebooks())
    wmty, px = load_codebook("wmty"), load_codebook("px")
    assert len(wmty.themes) == 25 and wmty.not_codeable == "T99"
    assert len(px.themes) == 32
    assert "Labelling not possible" in {theme.label for theme in px.themes}


def test_a_missing_field_is_named_with_its_file(tmp_path: Path) -> None:
    path = tmp_path / "x.yaml"
    path.write_text(
        "slug: x\nname: X\nnot_codeable: A\nthemes:\n"
        "  - {code: A, label: Other, definition: d}\n  - {code: B, definition: d}\n"
    )
    with pytest.raises(CodebookError, match=r"x\.yaml: themes\[1\]\.label: field required"):
        load_codebook(path)


def test_an_unknown_slug_says_which_codebooks_exist() -> None:
    with pytest.raises(CodebookError, match="codebooks available: .*wmty"):
        load_codebook("nope")


def test_a_new_codebook_is_just_a_yaml_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "codebooks").mkdir()
    (tmp_path / "codebooks" / "parks.yaml").write_text(
        "slug: parks\nname: Parks\nnot_codeable: P9\nthemes:\n"
        "  - {code: P1, label: Benches, definition: seating, patterns: [bench, benches]}\n"
        "  - {code: P9, label: Other, definition: anything else}\n"
    )
    monkeypatch.setenv("ENGAGEMENT_DATA_DIR", str(tmp_path))
    assert list_codebooks() == ["parks"]
    assert load_codebook("parks").theme("P1").patterns == ("bench", "benches")


def test_wmty_is_a_codebook_people_can_code_to() -> None:
    wmty = load_codebook("wmty")
    themes = guide(wmty)
    assert [theme["code"] for theme in themes] == wmty.codes
    for theme in themes:
        assert theme["definition"] and theme["include"] and theme["exclude"], theme["code"]
        assert 2 <= len(theme["examples"]) <= 3, theme["code"]
        for example in theme["examples"]:
            assert example["source"] == "invented" and example["sentiment"] in {"positive", "neutral", "negative"}
            assert theme["code"] in example["codes"] and ("T99" not in example["codes"] or example["codes"] == ["T99"])
    staff = next(theme for theme in themes if theme["code"] == "T02")
    assert ("T03", "Workforce capacity & staffing") in [
        (rule["instead"], rule["instead_label"]) for rule in staff["exclude"]
    ]
    assert wmty.sentiment is not None and any("mixed" in rule.lower() for rule in wmty.sentiment.rules)
    text = guide_text(wmty)
    assert "GENERAL RULES" in text and "code as T03 (Workforce capacity & staffing) instead" in text


def test_an_exclude_rule_must_point_at_a_real_theme(tmp_path: Path) -> None:
    path = tmp_path / "x.yaml"
    path.write_text(
        "slug: x\nname: X\nnot_codeable: A\nthemes:\n"
        "  - {code: A, label: Other, definition: d}\n"
        "  - {code: B, label: Bee, definition: d, exclude: [{rule: wasps, instead: W}]}\n"
    )
    with pytest.raises(CodebookError, match=r"x\.yaml: .*theme b: exclude rule says code as 'w'"):
        load_codebook(path)
