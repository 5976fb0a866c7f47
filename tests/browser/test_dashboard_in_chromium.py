"""An analyst changes the dashboard's filters in a real browser, sees the breakdown change, and the page address
carries the view (so it can be shared; AppTest checks that such an address opens the same view)."""

from __future__ import annotations

import re
import subprocess
import sys
from urllib.parse import parse_qs, urlparse

import pytest

from tests.browser.conftest import ROOT, STAFF_PASSWORD, add_user

pytestmark = pytest.mark.browser


def settled(page) -> None:
    page.wait_for_selector("[data-testid='stAppViewContainer']")
    page.wait_for_timeout(300)
    page.wait_for_function("!document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=60_000)


def responses(page) -> int:
    return int(page.get_by_test_id("stMetricValue").first.inner_text().replace(",", ""))


def choose(page, label: str, option: str) -> None:
    page.get_by_label(label, exact=True).click()
    page.get_by_role("option", name=option, exact=True).click()
    settled(page)


def query(page) -> dict[str, list[str]]:
    return parse_qs(urlparse(page.url).query)


def test_a_filter_change_changes_the_breakdown_and_the_address(page, app_server):
    subprocess.run([sys.executable, "-m", "engagement.cli", "demo", "--responses", "600", "--seed", "3"],
                   env=app_server["env"], cwd=ROOT, check=True, capture_output=True)
    add_user(app_server, "dashboard-analyst", "analyst")
    url = app_server["url"]
    page.goto(f"{url}/sign_in")
    settled(page)
    page.get_by_label("Username").fill("dashboard-analyst")
    page.get_by_label("Password", exact=True).fill(STAFF_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_test_id("stSidebar").get_by_role("link", name="Dashboard").click()
    page.get_by_text("Whole area").first.wait_for()
    settled(page)
    everyone = responses(page)

    choose(page, "Side by side by", "Local authority area")
    page.get_by_role("heading", name="By local authority area").wait_for()
    assert query(page)["by"] == ["place"]

    choose(page, "Channel", "Paper form (keyed in)")
    page.get_by_text(re.compile("Respondents through paper form")).wait_for()
    assert 0 < responses(page) < everyone
    assert query(page)["channel"] == ["paper"] and query(page)["by"] == ["place"]

    choose(page, "Side by side by", "Sex")
    page.get_by_role("heading", name="By sex").wait_for()
    assert query(page)["by"] == ["sex"]
