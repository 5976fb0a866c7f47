"""Codebooks load from YAML; a broken file gets an error naming the file and the field."""

from pathlib import Path

import pytest

from nlp.codebook import CodebookError, list_codebooks, load_codebook


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
