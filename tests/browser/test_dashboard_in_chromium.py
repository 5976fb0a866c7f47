"""An analyst changes the dashboard's filters in a real browser, sees the breakdown change, and shares the view
as a link that opens the same breakdown."""

from __future__ import annotations

import re
import subprocess
import sys
from urllib.parse import parse_qs, urlparse

import pytest

from tests.browser.conftest import ROOT

pytestmark = pytest.mark.browser


def settled(page) -> None:
    page.wait_for_selector("[data-testid='stAppViewContainer']")
    page.wait_for_timeout(300)
    page.wait_for_function("!document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=60_000)


def responses(page) -> int:
    return int(page.get_by_test_id("stMetricValue").first.inner_text().replace(",", ""))


def choose(page, label: str, option: str) -> None:
    page.get_by_label(label).first.click()
    page.get_by_role("option", name=option, exact=True).click()
    settled(page)


def test_filter_change_and_shared_link_change_the_breakdown(page, app_server):
    subprocess.run([sys.executable, "-m", "engagement.cli", "demo", "--responses", "600", "--seed", "3"],
                   env=app_server["env"], cwd=ROOT, check=True, capture_output=True)
    url = app_server["url"]
    page.goto(f"{url}/dashboard")
    page.get_by_text("Whole area").first.wait_for()
    settled(page)
    everyone = responses(page)

    choose(page, "Side by side by", "Local authority area")
    page.get_by_role("heading", name="By local authority area").wait_for()
    assert parse_qs(urlparse(page.url).query)["by"] == ["place"]

    choose(page, "Channel", "Paper form (keyed in)")
    page.get_by_text(re.compile("Respondents through paper form")).wait_for()
    paper = responses(page)
    assert 0 < paper < everyone
    assert parse_qs(urlparse(page.url).query)["channel"] == ["paper"]

    shared = page.url
    other = page.context.new_page()
    other.goto(shared)
    other.get_by_role("heading", name="By local authority area").wait_for()
    settled(other)
    assert responses(other) == paper

    other.goto(f"{url}/dashboard?by=sex")
    other.get_by_role("heading", name="By sex").wait_for()
