"""A member of the public answers the survey in a real browser, and staff who sign in see the dashboard count
go up."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from tests.browser.conftest import STAFF_PASSWORD

pytestmark = pytest.mark.browser

WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


def wait_for_app(page) -> None:
    page.wait_for_selector("[data-testid='stAppViewContainer']")
    page.wait_for_function("!document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=30_000)
    page.wait_for_timeout(500)


def sign_in(page, url: str, username: str, password: str = STAFF_PASSWORD) -> None:
    page.goto(f"{url}/sign_in")
    wait_for_app(page)
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in").click()


def open_from_menu(page, title: str) -> None:
    """Staff move between pages with the menu: a page reload starts a new, signed-out session."""
    page.get_by_test_id("stSidebar").get_by_role("link", name=title).click()
    wait_for_app(page)


def dashboard_count(page, url: str, username: str) -> int:
    sign_in(page, url, username)
    page.get_by_role("button", name="Sign out").wait_for()
    open_from_menu(page, "Dashboard")
    metric = page.get_by_test_id("stMetricValue").first
    metric.wait_for()
    return int(metric.inner_text().replace(",", ""))


def choose(page, question_text: str, answer: str) -> None:
    group = page.get_by_role("radiogroup", name=re.compile(re.escape(question_text[:40])))
    group.get_by_text(answer, exact=True).click()


def test_public_answers_survey_and_dashboard_count_goes_up(page, app_server, admin_user):
    url = app_server["url"]
    subprocess.run(
        [sys.executable, "-m", "engagement.cli", "demo", "--responses", "25", "--seed", "9"],
        env=app_server["env"], check=True,
    )
    before = dashboard_count(page, url, admin_user)
    assert before >= 25

    page.goto(url)
    wait_for_app(page)
    for item in ["Urgent and emergency care", "Mental health - Re-shape", "Making best use of money",
                 "Preventing ill health", "Children and young people", "Major health conditions",
                 "Supporting our workforce", "Digital innovation in healthcare"]:
        choose(page, item, "Very important" if "Digital" not in item else "Not very important")
    page.get_by_label("What do you think is the best thing about the NHS?").fill(
        "Free at the point of use, and the nurses."
    )
    choose(page, "Which area do you live in?", "Mansfield")
    page.get_by_text("I understand that my answers will be used").click()
    page.get_by_role("button", name="Send my answers").click()
    page.get_by_text("Thank you. Your answers have been saved").first.wait_for()

    assert dashboard_count(page, url, admin_user) == before + 1
    wait_for_app(page)
    place = page.get_by_label("Place", exact=True)
    place.click()
    place.fill("Mansfield")
    place.press("Enter")
    page.get_by_text("Respondents in Mansfield").wait_for()


def test_missing_answers_are_explained_in_the_browser(page, app_server):
    page.goto(app_server["url"])
    wait_for_app(page)
    page.get_by_role("button", name="Send my answers").click()
    page.get_by_text("There is a problem with your answers").first.wait_for()
    assert page.get_by_text("Supporting our workforce: an answer is required").count() >= 1


def test_what_happened_is_on_screen_beside_the_send_button(page, app_server):
    """Found when this was tried: "Send my answers" is at the bottom of a long page and the problem list and the
    thank-you with the reference number were drawn only at the top, so after pressing it the respondent saw the
    bottom of the form (emptied, once saved) and nothing that said what had happened."""
    page.goto(app_server["url"])
    wait_for_app(page)
    page.get_by_role("button", name="Send my answers").click()
    page.get_by_text("There is a problem with your answers").first.wait_for()
    wait_for_app(page)
    expect(page.get_by_text("There is a problem with your answers").last).to_be_in_viewport()

    for item in ["Urgent and emergency care", "Mental health - Re-shape", "Making best use of money",
                 "Preventing ill health", "Children and young people", "Major health conditions",
                 "Supporting our workforce", "Digital innovation in healthcare"]:
        choose(page, item, "Important")
    choose(page, "Which area do you live in?", "Gedling")
    page.get_by_text("I understand that my answers will be used").click()
    page.get_by_role("button", name="Send my answers").click()
    page.get_by_text("Thank you. Your answers have been saved").first.wait_for()
    wait_for_app(page)
    expect(page.get_by_text(re.compile(r"Thank you\. Your answers have been saved \(reference R-")).last
           ).to_be_in_viewport()


def test_after_sending_the_form_is_empty_and_sending_again_saves_nothing(page, app_server):
    """Found when this was tried: after "Thank you" the form still showed every answer just sent (the next
    person at a shared screen saw them), and pressing "Send my answers" again saved them a second time."""
    page.goto(app_server["url"])
    wait_for_app(page)
    for item in ["Urgent and emergency care", "Mental health - Re-shape", "Making best use of money",
                 "Preventing ill health", "Children and young people", "Major health conditions",
                 "Supporting our workforce", "Digital innovation in healthcare"]:
        choose(page, item, "Very important")
    choose(page, "Which area do you live in?", "Rushcliffe")
    page.get_by_label("What do you think is the best thing about the NHS?").fill("Kind staff")
    page.get_by_text("I understand that my answers will be used").click()
    page.get_by_role("button", name="Send my answers").click()
    page.get_by_text("Thank you. Your answers have been saved").first.wait_for()
    wait_for_app(page)
    form = page.get_by_test_id("stForm")  # the widgets are emptied as the run goes on: expect waits for it
    expect(form.locator("input[type=radio]:checked")).to_have_count(0, timeout=20_000)
    expect(form.locator("input[type=checkbox]:checked")).to_have_count(0)
    expect(page.get_by_label("What do you think is the best thing about the NHS?")).to_have_value("")

    page.get_by_role("button", name="Send my answers").click()
    page.get_by_text("There is a problem with your answers").first.wait_for()
    expect(page.get_by_text("Thank you. Your answers have been saved")).to_have_count(0)


def test_public_survey_has_no_wcag_a_or_aa_violations(page, app_server):
    page.goto(app_server["url"])
    wait_for_app(page)
    results = Axe().run(page, options={"runOnly": {"type": "tag", "values": WCAG_TAGS}})
    assert results.violations_count == 0, results.generate_report()


def test_survey_can_be_answered_with_the_keyboard(page, app_server):
    page.goto(app_server["url"])
    wait_for_app(page)
    question = page.get_by_role("radiogroup", name=re.compile("Urgent and emergency care"))  # after the version choice
    first = question.get_by_role("radio").first
    first.focus()
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    checked = question.get_by_role("radio", checked=True)
    assert checked.count() == 1
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement && document.activeElement.getAttribute('type')")
    assert focused == "radio"


def test_export_page_downloads_a_csv_that_opens_with_question_text_and_labels(page, app_server, admin_user, tmp_path):
    import csv

    subprocess.run(
        [sys.executable, "-m", "engagement.cli", "demo", "--responses", "3", "--seed", "4"],
        env=app_server["env"], check=True,
    )
    sign_in(page, app_server["url"], admin_user)
    page.get_by_role("button", name="Sign out").wait_for()
    open_from_menu(page, "Exports")
    button = page.get_by_role("button", name=re.compile("Download CSV"))
    with page.expect_download() as download:
        button.click()
    path = tmp_path / "answers.csv"
    download.value.save_as(path)
    with open(path, encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert rows and {"question_text", "answer_label", "is_synthetic"} <= set(rows[0])
    labels = {r["answer_label"] for r in rows if r["question_id"] == "supporting_our_workforce"}
    assert labels <= {"Not important at all", "Not very important", "Neither unimportant or important",
                      "Important", "Very important"}
