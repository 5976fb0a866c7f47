"""Both versions of the survey in Chromium: axe-core on every step (start, problems shown, thank-you) with no
serious or critical violation, and the Easy Read version completed with the keyboard alone."""

from __future__ import annotations

import re

import pytest
from axe_playwright_python.sync_playwright import Axe

from tests.browser.test_survey_in_chromium import WCAG_TAGS, choose, wait_for_app

pytestmark = pytest.mark.browser
VERSIONS = {"standard": "", "easy_read": "?version=easy-read"}


def assert_no_serious_violations(page, step: str) -> None:
    results = Axe().run(page, options={"runOnly": {"type": "tag", "values": WCAG_TAGS}})
    serious = [v for v in results.response["violations"] if v.get("impact") in ("serious", "critical")]
    assert serious == [], f"{step}: " + results.generate_report()


@pytest.mark.parametrize("version", list(VERSIONS))
def test_every_step_of_each_version_has_no_serious_or_critical_violation(page, app_server, version):
    page.goto(app_server["url"] + VERSIONS[version])
    wait_for_app(page)
    chosen = page.get_by_role("radio", name=re.compile("Easy Read" if version == "easy_read" else "Standard"))
    assert chosen.is_checked()
    assert_no_serious_violations(page, f"{version}: start")
    page.get_by_role("button", name="Send my answers").click()
    page.get_by_text("There is a problem with your answers").first.wait_for()
    assert_no_serious_violations(page, f"{version}: problems shown")
    page.get_by_text("I agree that" if version == "easy_read" else "I understand that my answers").first.click()
    if version == "standard":
        for item in ["Urgent and emergency care", "Mental health - Re-shape", "Making best use of money",
                     "Preventing ill health", "Children and young people", "Major health conditions",
                     "Supporting our workforce", "Digital innovation in healthcare"]:
            choose(page, item, "Important")
    choose(page, "Where do you live?" if version == "easy_read" else "Which area do you live in?", "Gedling")
    wait_for_app(page)  # each choice reruns the page: send only once the last one has been taken in
    page.get_by_role("button", name="Send my answers").click()
    page.get_by_text("Thank you. Your answers have been saved").first.wait_for(timeout=60_000)
    assert_no_serious_violations(page, f"{version}: thank you")


def tab_to(page, locator, limit: int = 250) -> None:
    """Press Tab until `locator` holds the focus, as a keyboard user moves through the page."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if locator.evaluate("(node) => node === document.activeElement || node.contains(document.activeElement)"):
            return
    raise AssertionError(f"Tab never reached {locator}")


def test_the_easy_read_version_can_be_completed_with_the_keyboard_alone(page, app_server):
    page.goto(app_server["url"] + VERSIONS["easy_read"])
    wait_for_app(page)
    page.locator("body").focus()
    tab_to(page, page.get_by_role("checkbox", name=re.compile("I agree that")))
    page.keyboard.press("Space")
    tab_to(page, page.get_by_role("radiogroup", name=re.compile("Getting the right help")))
    page.keyboard.press("Space")  # the first choice: Very important
    tab_to(page, page.get_by_role("radiogroup", name=re.compile("Where do you live")))
    page.keyboard.press("ArrowDown")  # from the first area to the second, choosing it
    tab_to(page, page.get_by_role("button", name="Send my answers"))
    page.keyboard.press("Enter")
    page.get_by_text("Thank you. Your answers have been saved").first.wait_for(timeout=60_000)
    reference = re.search(r"reference (R-[0-9A-F]+)", page.get_by_text("Thank you.").first.inner_text())
    assert reference
