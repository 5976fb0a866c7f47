"""An analyst corrects a comment's sentiment in a real browser, saved with its themes, and the card then shows
the analyst's sentiment beside what the model said."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from tests.browser.test_review_queue_in_chromium import open_comments_with_demo_data, settled

pytestmark = pytest.mark.browser
SHOTS = Path("/work/coord/shots")


def choose(page, box, option: str) -> None:
    """Open the select box and pick the option. A background refresh finishing can redraw the page just as the
    list opens and close it again, so the list is opened again until the option shows."""
    for _ in range(5):
        box.click()
        try:
            page.get_by_role("option", name=option, exact=True).click(timeout=5_000)
            return
        except PlaywrightTimeout:
            page.keyboard.press("Escape")
    raise AssertionError(f"the option {option!r} never showed")


def test_an_analyst_corrects_a_comments_sentiment(page, app_server):
    open_comments_with_demo_data(page, app_server, seed=12)
    settled(page)
    card = page.get_by_test_id("stForm").first
    reference = card.get_by_text(re.compile(r"^R-")).inner_text()
    shown = card.get_by_test_id("stMarkdown").first.inner_text()
    model_said = shown.split("·")[1].strip()
    corrected = "positive" if model_said != "positive" else "negative"
    choose(page, card.get_by_test_id("stSelectbox"), corrected)
    card.get_by_role("button", name="Save themes and sentiment").click()
    settled(page)
    saved = page.get_by_test_id("stForm").filter(has_text=reference).first
    saved.get_by_text(f"{corrected} (the model said {model_said}) · reviewed").wait_for()
    SHOTS.mkdir(parents=True, exist_ok=True)
    saved.scroll_into_view_if_needed()
    page.screenshot(path=str(SHOTS / "sentlearn-review-card.png"), full_page=False)
    page.get_by_text(re.compile(r"^Decide the sentiment of at least 10 comments")).scroll_into_view_if_needed()
    page.screenshot(path=str(SHOTS / "sentlearn-agreement.png"), full_page=False)
