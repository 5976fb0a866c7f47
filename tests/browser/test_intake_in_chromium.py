"""Staff intake in Chromium: a spreadsheet upload with a rejected row, and a paper form keyed in then corrected."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.test_survey_in_chromium import choose, open_from_menu, sign_in
from tests.test_importer import csv_of, sheet_row

pytestmark = pytest.mark.browser
PRIORITIES = ["Urgent and emergency care", "Mental health - Re-shape", "Making best use of money",
              "Preventing ill health", "Children and young people", "Major health conditions",
              "Supporting our workforce", "Digital innovation in healthcare"]


def metric(page, label: str) -> str:
    block = page.get_by_test_id("stMetric").filter(has_text=label)
    return block.get_by_test_id("stMetricValue").inner_text()


def test_an_upload_with_a_rejected_row_is_previewed_imported_and_recognised_again(page, app_server, admin_user,
                                                                                  tmp_path):
    """Screenshots of what the screens showed go to /tmp (intake-import.png, intake-paper-correction.png)."""
    path = tmp_path / "healthwatch.csv"
    path.write_bytes(csv_of([sheet_row(paper_ref="CHR-1", top_urgent_care="v important"),
                             sheet_row(paper_ref="CHR-2", age="1e2")]))
    sign_in(page, app_server["url"], admin_user)
    page.get_by_role("button", name="Sign out").wait_for()
    open_from_menu(page, "Import responses")
    page.locator("input[type='file']").set_input_files(str(path))
    page.get_by_text("Will be imported").wait_for()
    assert (metric(page, "Rows"), metric(page, "Will be imported"), metric(page, "Rejected")) == ("2", "1", "1")
    page.get_by_role("button", name="Import 1 row").click()
    page.get_by_text(re.compile(r"2 rows read, 1 imported, 1 rejected")).wait_for()
    page.get_by_text("This file was already imported as batch").wait_for()
    page.screenshot(path="/tmp/intake-import.png", full_page=True)


def test_a_paper_form_is_keyed_in_and_corrected_as_a_new_version(page, app_server, admin_user):
    sign_in(page, app_server["url"], admin_user)
    page.get_by_role("button", name="Sign out").wait_for()
    open_from_menu(page, "Paper form entry")
    page.get_by_label("Event or place the forms come from").fill("Chromium drop-in")
    page.get_by_label("Paper form reference (written on the form)").fill("CHR-PAPER-1")
    page.get_by_text("I understand that my answers will be used").first.click()
    for item in PRIORITIES:
        choose(page, item, "Important")
    choose(page, "Which area do you live in?", "Ashfield")
    choose(page, "What is your sex?", "Female")
    page.get_by_role("button", name="Save and start the next form").click()
    saved = page.get_by_text(re.compile(r"Saved paper form CHR-PAPER-1 as R-"))
    saved.wait_for()
    reference = re.search(r" as (R-[0-9A-F]+)", saved.inner_text()).group(1)
    page.get_by_text("1 entered so far").wait_for()

    page.get_by_label("Reference of a form you entered (R-…)").fill(reference)
    page.keyboard.press("Enter")
    page.get_by_text("Versions of this entry").wait_for()
    fix_form = page.get_by_test_id("stForm").nth(1)
    fix_form.get_by_role("radiogroup", name=re.compile("What is your sex")).get_by_text("Male", exact=True).click()
    page.get_by_role("button", name="Save correction").click()
    page.get_by_text(f"Saved as version 2 of {reference}.").wait_for()
    page.screenshot(path="/tmp/intake-paper-correction.png", full_page=True)


def test_after_saving_a_paper_form_the_form_is_empty_for_the_next_sheet(page, app_server, admin_user):
    """Found when this was tried: the page said "The form is clear for the next one" but every answer of the
    sheet just saved was still filled in, so the next sheet was keyed over the last one's answers; and that
    sentence was at the top of the page, out of sight of the Save button."""
    sign_in(page, app_server["url"], admin_user)
    page.get_by_role("button", name="Sign out").wait_for()
    open_from_menu(page, "Paper form entry")
    page.get_by_label("Paper form reference (written on the form)").fill("CHR-CLEAR-1")
    page.get_by_text("I understand that my answers will be used").first.click()
    for item in PRIORITIES:
        choose(page, item, "Very important")
    choose(page, "Which area do you live in?", "Broxtowe")
    page.get_by_label("What do you think is the best thing about the NHS?").first.fill("The district nurses")
    page.get_by_role("button", name="Save and start the next form").click()
    saved = page.get_by_text(re.compile(r"Saved paper form CHR-CLEAR-1 as R-"))
    saved.wait_for()
    page.wait_for_timeout(1_000)
    expect(saved).to_be_in_viewport()  # the Save button is at the bottom of a long form
    entry = page.get_by_test_id("stForm").first  # emptied as the run goes on: expect waits for it
    expect(entry.locator("input[type=radio]:checked")).to_have_count(0, timeout=20_000)
    expect(entry.locator("input[type=checkbox]:checked")).to_have_count(0)
    expect(entry.get_by_label("Paper form reference (written on the form)")).to_have_value("")
    expect(entry.get_by_label("What do you think is the best thing about the NHS?")).to_have_value("")
