"""An analyst works through the review queue in a real browser: pages past comment 10, shows only comments not
yet reviewed, saves decisions, and sees how well the model agrees with them."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.browser.conftest import ROOT, sign_in

pytestmark = pytest.mark.browser
SHOTS = Path("/work/coord/shots")


def settled(page) -> None:
    page.wait_for_selector("[data-testid='stAppViewContainer']")
    page.wait_for_timeout(300)
    page.wait_for_function("!document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=90_000)


def page_caption(page) -> str:
    return page.get_by_text(re.compile(r"^Comments \d+–\d+ of")).inner_text()


def open_comments_with_demo_data(page, app_server, seed: int) -> None:
    """60 analysed demo responses, an analyst signed in, on the Comments and themes page once it has drawn."""
    for command in (["demo", "--responses", "60", "--seed", str(seed)], ["analyse"]):
        subprocess.run([sys.executable, "-m", "engagement.cli", *command], env=app_server["env"], cwd=ROOT,
                       check=True, capture_output=True)
    sign_in(page, app_server, "analyst")
    page.get_by_test_id("stSidebar").get_by_role("link", name="Comments and themes").click()
    page.get_by_text(re.compile(r"^Comments \d+–\d+ of")).wait_for(timeout=180_000)  # topics are found first


def test_an_analyst_pages_filters_and_saves_decisions(page, app_server):
    open_comments_with_demo_data(page, app_server, seed=11)
    settled(page)
    total = int(re.search(r"of (\d+)", page_caption(page)).group(1))
    assert total > 20
    assert page_caption(page).startswith("Comments 1–10 of")

    page.get_by_label("Page").fill("2")
    page.get_by_label("Page").press("Enter")
    page.get_by_text(f"Comments 11–20 of {total} · page 2").wait_for()
    settled(page)

    page.get_by_text("Only comments not yet reviewed").click()
    page.get_by_text(f"Comments 11–20 of {total} not yet reviewed").wait_for()
    settled(page)
    for saved in range(1, 4):  # the first card on the page, a new one each time (a saved one leaves the list)
        first = page.get_by_test_id("stForm").first
        reference = first.get_by_text(re.compile(r"^R-")).inner_text()
        first.get_by_role("button", name="Save themes").click()
        page.get_by_text(f"of {total - saved} not yet reviewed").wait_for()
        settled(page)
        assert reference not in page.get_by_test_id("stForm").first.inner_text()
    assert page.get_by_label("Page").input_value() == "2"  # the analyst stays where they were
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.get_by_text("Decisions are recorded as made by").scroll_into_view_if_needed()
    page.screenshot(path=str(SHOTS / "review-queue.png"), full_page=False)
