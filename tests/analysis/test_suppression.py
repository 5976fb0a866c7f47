"""The one suppression function: small bases, small counts, back-calculation, presets and the setting."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from engagement.analysis.suppression import FOOTNOTE, RULES, current_rule, footnote, suppress

SCALE = ["count_1", "count_2", "count_3", "count_4", "count_5"]
PCTS = {c: [c.replace("count", "pct")] for c in SCALE}


def _row(group: str, *counts: int, item: str = "digital") -> dict:
    n = sum(counts)
    row = {"group": group, "item_id": item, "n": n, "top_box_n": counts[3] + counts[4]}
    row.update({f"count_{i + 1}": c for i, c in enumerate(counts)})
    row.update({f"pct_{i + 1}": 100 * c / n if n else math.nan for i, c in enumerate(counts)})
    row["pct"] = 100 * row["top_box_n"] / n if n else math.nan
    return row


def _suppress(rows: list[dict], rule="default", **kwargs) -> pd.DataFrame:
    return suppress(
        pd.DataFrame(rows), base="n", counts=["top_box_n", *SCALE], derived=["pct", *[p[0] for p in PCTS.values()]],
        linked={"top_box_n": ["pct"], **PCTS}, subtotals={"top_box_n": ["count_4", "count_5"]},
        rule=RULES[rule], **kwargs,
    )


def test_base_under_ten_shows_no_percentage_and_no_counts():
    out = _suppress([_row("Bassetlaw", 1, 1, 2, 2, 3)]).iloc[0]
    assert out["suppressed"] and out["n"] == 9
    assert all(pd.isna(out[c]) for c in ["pct", "top_box_n", *SCALE, "pct_1"])
    assert out["suppression_note"] == "Fewer than 10 people: figures not shown"


def test_base_of_one_to_four_is_itself_hidden():
    out = _suppress([_row("Bassetlaw", 0, 0, 1, 1, 1)]).iloc[0]
    assert out["suppressed"] and pd.isna(out["n"])


def test_small_count_is_hidden_with_the_next_smallest_so_it_cannot_be_worked_out():
    out = _suppress([_row("Mansfield", 0, 3, 10, 20, 30)]).iloc[0]
    assert not out["suppressed"] and out["n"] == 63
    assert pd.isna(out["count_2"]) and pd.isna(out["pct_2"])
    assert pd.isna(out["count_3"]) and pd.isna(out["pct_3"]), "secondary: next smallest non-zero cell"
    assert out["count_1"] == 0 and out["count_5"] == 30 and out["pct"] == pytest.approx(100 * 50 / 63)
    shown = [out[c] for c in SCALE if not pd.isna(out[c])]
    assert len(shown) == 3  # two unknowns with a known sum: neither can be recovered


def test_small_top_box_hides_the_percentage_and_protects_the_subtotal():
    out = _suppress([_row("Ashfield", 10, 20, 20, 1, 2)]).iloc[0]
    assert pd.isna(out["top_box_n"]) and pd.isna(out["pct"])
    assert pd.isna(out["count_4"]) and pd.isna(out["count_5"])
    # n - (count_1 + count_2 + count_3) would give top_box_n back: one of those is hidden too.
    assert sum(pd.isna(out[c]) for c in ["count_1", "count_2", "count_3"]) >= 1


def test_hidden_subtotal_part_hides_its_partner():
    out = _suppress([_row("Gedling", 0, 0, 10, 3, 40)]).iloc[0]
    assert pd.isna(out["count_4"]) and pd.isna(out["count_5"]), "count_5 = top_box_n - count_4 otherwise"
    assert out["top_box_n"] == 43 and not pd.isna(out["pct"])


def test_group_hidden_alone_gets_another_hidden_across_the_breakdown():
    rows = [_row("A", 0, 0, 0, 5, 3), _row("B", 0, 0, 0, 10, 40), _row("C", 0, 0, 0, 20, 60)]
    out = _suppress(rows, group_keys=["item_id"]).set_index("group")
    assert out.loc["A", "suppressed"] and not out.loc["B", "suppressed"]
    # A's counts are hidden; with the whole-area total known, B's are hidden as well (next smallest base).
    assert pd.isna(out.loc["A", "count_4"]) and pd.isna(out.loc["B", "count_4"])
    assert out.loc["C", "count_4"] == 20


def test_zero_is_shown_and_rows_nobody_is_in_are_not_marked_hidden():
    out = _suppress([_row("Nobody", 0, 0, 0, 0, 0), _row("Big", 0, 0, 0, 0, 50)]).set_index("group")
    assert out.loc["Big", "count_1"] == 0 and out.loc["Big", "pct"] == 100
    assert out.loc["Nobody", "suppressed"] and out.loc["Nobody", "n"] == 0


def test_presets_round_and_hide_as_their_owners_do():
    ons = _suppress([_row("X", 9, 12, 23, 30, 40)], rule="ons_10_5").iloc[0]
    assert pd.isna(ons["count_1"]) and [ons[c] for c in SCALE[1:]] == [10, 25, 30, 40] and ons["n"] == 115
    nhs = _suppress([_row("X", 7, 8, 23, 30, 41)], rule="nhs_digital").iloc[0]
    assert pd.isna(nhs["count_1"]) and nhs["count_2"] == 10 and nhs["count_5"] == 40
    gpps = _suppress([_row("X", 0, 4, 10, 30, 40)], rule="gpps").iloc[0]
    assert pd.isna(gpps["count_2"]) and pd.isna(gpps["count_3"])


def test_the_rule_is_a_setting(monkeypatch):
    assert current_rule().name == "default"
    monkeypatch.setenv("ENGAGEMENT_SUPPRESSION_RULE", "ons_10_5")
    assert current_rule() is RULES["ons_10_5"] and "ONS" in footnote()
    monkeypatch.setenv("ENGAGEMENT_SUPPRESSION_RULE", "none")
    with pytest.raises(ValueError, match="not a suppression rule; use one of: default, ons_10_5"):
        current_rule()


def test_footnote_says_what_the_star_means():
    assert FOOTNOTE.startswith("* ") and "fewer than 10" in FOOTNOTE and footnote(RULES["default"]) == FOOTNOTE


def test_input_is_not_changed():
    rows = pd.DataFrame([_row("A", 1, 1, 1, 1, 1)])
    before = rows.copy()
    suppress(rows, base="n", counts=SCALE, rule=RULES["default"])
    pd.testing.assert_frame_equal(rows, before)


def test_a_count_shown_on_its_own_passes_the_rule_too():
    """Found: a narrow filter (Bassetlaw, Deaf BSL users) showed "Responses 4" and "Based on 4 responses"."""
    from engagement.analysis.suppression import shown_count

    assert [shown_count(n) for n in (0, 1, 4, 5, 9, 612)] == [0, None, None, 5, 9, 612]
    assert shown_count(612, RULES["ons_10_5"]) == 610 and shown_count(7, RULES["ons_10_5"]) is None


def _worked_out(out: pd.DataFrame, raw: pd.DataFrame, column: str, group: str) -> set[int]:
    """Every value a hidden cell of `group` could have, to someone who knows the column's total over the
    breakdown (the whole-area figure), every shown cell and each row's base."""
    hidden = out[column].isna() & raw["n"].gt(0)
    left = raw[column].sum() - out.loc[~hidden, column].sum()
    others = raw.loc[hidden & raw["group"].ne(group), "n"].sum()
    own = int(raw.loc[raw["group"].eq(group), "n"].iloc[0])
    return set(range(max(0, int(left - others)), min(own, int(left)) + 1))


def test_a_hidden_group_cannot_be_worked_out_when_its_partner_answered_all_alike():
    """Found by a new-user review: "Somewhere else" (1 person) and "Prefer not to say" (59) were hidden
    together, but all 60 rated the item Important, so the total minus the places gave the one person's answer."""
    rows = [_row("Somewhere else", 0, 0, 0, 0, 1), _row("Prefer not to say", 0, 0, 0, 20, 39),
            _row("Ashfield", 1, 3, 6, 40, 50), _row("Gedling", 2, 2, 6, 45, 45), _row("Mansfield", 0, 5, 5, 50, 60)]
    raw = pd.DataFrame(rows)
    out = _suppress(rows, group_keys=["item_id"])
    assert _worked_out(out, raw, "top_box_n", "Somewhere else") == {0, 1}


def test_the_number_in_a_small_group_cannot_be_worked_out_from_the_total():
    """Found by a new-user review: "Somewhere else (n=*)", but the whole area's 2,008 less the places' 2,007 gave
    n = 1 (and, filtered to men, that the one person is a man)."""
    rows = [_row("Somewhere else", 0, 0, 0, 0, 1), _row("Prefer not to say", 0, 1, 3, 20, 35),
            _row("Ashfield", 1, 3, 6, 40, 50), _row("Gedling", 2, 2, 6, 45, 45)]
    out = _suppress(rows, group_keys=["item_id"]).set_index("group")
    assert pd.isna(out.loc["Somewhere else", "n"]) and pd.isna(out.loc["Prefer not to say", "n"])
    assert out.loc[["Ashfield", "Gedling"], "n"].notna().all()


def test_a_share_whose_complement_is_small_is_hidden_as_that_small_count_would_be():
    # 18 of 19 rated it important: the percentage would tell that exactly one person did not.
    rows = [_row("Asian or Asian British", 0, 0, 1, 8, 10), _row("White", 5, 10, 15, 20, 30)]
    out = _suppress(rows, complements=["top_box_n"])
    asian, white = out.iloc[0], out.iloc[1]
    assert pd.isna(asian["top_box_n"]) and pd.isna(asian["pct"]) and not asian["suppressed"]
    assert asian["n"] == 19 and asian["suppression_note"] == "Some small counts hidden (*)"
    assert white["pct"] == pytest.approx(100 * 50 / 80)
    assert "__not_top_box_n" not in out.columns
    # Without the complement rule the same table shows 94.7% (what the dashboard showed).
    assert _suppress(rows).iloc[0]["pct"] == pytest.approx(100 * 18 / 19)


def test_a_hidden_complement_is_protected_across_the_breakdown_too():
    # Mansfield's share is hidden (1 not important); with the whole area's share known, Mansfield's count
    # would be the total less Nottingham's: the next smallest group's share is hidden too.
    rows = [_row("Mansfield", 0, 0, 1, 9, 10, item="digital"), _row("Nottingham", 5, 5, 10, 20, 20, item="digital"),
            _row("Gedling", 6, 6, 10, 14, 14, item="digital")]
    out = _suppress(rows, complements=["top_box_n"], group_keys=["item_id"])
    assert pd.isna(out.iloc[0]["pct"])
    assert pd.isna(out.iloc[2]["top_box_n"]) and pd.isna(out.iloc[2]["pct"])
    assert out.iloc[1]["pct"] == pytest.approx(100 * 40 / 60)


def test_a_large_share_with_a_large_complement_is_shown():
    out = _suppress([_row("Newark", 2, 3, 5, 20, 30)], complements=["top_box_n"]).iloc[0]
    assert out["pct"] == pytest.approx(100 * 50 / 60)


def test_a_share_of_everyone_is_shown_since_zero_identifies_nobody():
    out = _suppress([_row("Rushcliffe", 0, 0, 0, 10, 12)], complements=["top_box_n"]).iloc[0]
    assert out["pct"] == pytest.approx(100)
