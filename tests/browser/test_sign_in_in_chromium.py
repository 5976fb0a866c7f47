"""Staff sign in, see only their pages, sign out; repeated wrong passwords slow down and lock the username."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import add_user
from tests.browser.test_survey_in_chromium import open_from_menu, sign_in, wait_for_app

pytestmark = pytest.mark.browser


def sidebar_links(page) -> list[str]:
    page.get_by_role("button", name="Sign out").wait_for()
    wait_for_app(page)
    links = page.get_by_test_id("stSidebar").get_by_test_id("stPageLink-NavLink").all()
    return [link.get_by_test_id("stMarkdownContainer").inner_text().strip() for link in links]


def test_the_public_survey_shows_no_menu_and_staff_pages_need_sign_in(page, app_server):
    page.goto(app_server["url"])
    wait_for_app(page)
    assert page.get_by_test_id("stSidebar").count() == 0
    page.goto(f"{app_server['url']}/comments")
    wait_for_app(page)
    page.get_by_text("Please sign in to see this page.").wait_for()
    assert page.get_by_role("heading", name="Comments and themes").count() == 0


def test_a_volunteer_signs_in_sees_only_paper_entry_and_signs_out(page, app_server):
    add_user(app_server, "browser-volunteer", "volunteer")
    sign_in(page, app_server["url"], "browser-volunteer")
    page.get_by_role("heading", name="Paper form entry").wait_for()
    assert sidebar_links(page) == ["Take the survey", "Paper form entry"]
    page.get_by_text("recorded as entered by browser-volunteer").wait_for()
    page.get_by_role("button", name="Sign out").click()
    page.get_by_role("heading", name="Staff sign-in").wait_for()
    expect(page.get_by_role("button", name="Sign out")).to_have_count(0)
    expect(page.get_by_test_id("stPageLink-NavLink")).to_have_count(0)


def test_wrong_passwords_slow_down_then_refuse_even_the_right_one(page, app_server):
    add_user(app_server, "browser-analyst", "analyst")
    for attempt in range(3):
        sign_in(page, app_server["url"], "browser-analyst", password=f"wrong password {attempt}")
        page.get_by_text("Username or password not recognised.").wait_for()
    sign_in(page, app_server["url"], "browser-analyst")
    page.get_by_text("Too many failed sign-ins for this username. Try again in").wait_for()
    assert page.get_by_role("button", name="Sign out").count() == 0
    # An unknown username is answered in exactly the same words.
    sign_in(page, app_server["url"], "no-such-person", password="wrong password")
    page.get_by_text("Username or password not recognised.").wait_for()


def test_an_analyst_reaches_comments_from_the_menu(page, app_server):
    add_user(app_server, "browser-analyst-2", "analyst")
    sign_in(page, app_server["url"], "browser-analyst-2")
    page.get_by_role("button", name="Sign out").wait_for()
    assert sidebar_links(page) == [
        "Take the survey", "Dashboard", "Comments and themes", "Import responses", "Likely duplicates",
        "You said, we did",
    ]
    open_from_menu(page, "Comments and themes")
    page.get_by_role("heading", name="Comments and themes").wait_for()
