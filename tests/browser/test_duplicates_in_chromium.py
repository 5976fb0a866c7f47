"""The "Likely duplicates" page in Chromium: an administrator finds one person who answered online and on paper, reads
the pair side by side and decides they are the same person, counted once."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlmodel import Session

from engagement.db import get_engine
from engagement.forms import get_form
from engagement.intake import Provenance, submit_response
from tests.browser.conftest import sign_in
from tests.browser.test_intake_in_chromium import metric
from tests.browser.test_survey_in_chromium import open_from_menu
from tests.conftest import valid_answers

pytestmark = pytest.mark.browser
SHOTS = Path("/work/coord/shots")
WORDS = "Chromium test: the walk-in centre closing at six means I end up in A&E every winter with my son"


def test_an_administrator_decides_a_likely_duplicate_is_the_same_person(page, app_server):
    """A screenshot of the page with the pair side by side goes to /work/coord/shots when that folder exists."""
    form = get_form("what-matters-to-you-2019")
    answers = valid_answers(district="E07000170", age="34", sex="male", ethnic_group="white_irish")
    with Session(get_engine(app_server["env"]["ENGAGEMENT_DATABASE_URL"])) as session:
        online = submit_response(session, form, dict(answers, what_matters=WORDS), Provenance(channel="online"))
        paper = submit_response(session, form, dict(answers, what_matters=WORDS.replace("six", "6")),
                                Provenance(channel="paper", entered_by="volunteer", paper_reference="CHR-DUP-1"))
        online, paper = online.reference, paper.reference
    sign_in(page, app_server, "admin")
    open_from_menu(page, "Likely duplicates")
    page.get_by_role("heading", name="Likely duplicates").wait_for()
    waiting = int(metric(page, "Waiting for a decision"))
    assert waiting >= 1
    page.get_by_role("heading", name=online).wait_for()
    page.get_by_role("heading", name=paper).wait_for()
    page.get_by_text(WORDS.replace("six", "6")).wait_for()  # an administrator reads the written answers
    page.get_by_text("Online survey, Standard version").wait_for()
    page.get_by_text("Paper form (keyed in), Standard version").wait_for()
    if SHOTS.is_dir():
        page.screenshot(path=str(SHOTS / "duplicates-page.png"), full_page=True)
    page.get_by_text(f"The same person: count {paper} only").click()
    page.get_by_role("button", name="Save decision").click()
    page.get_by_text(f"Saved for {online} and {paper}").wait_for()
    assert int(metric(page, "Waiting for a decision")) == waiting - 1
    if SHOTS.is_dir():
        page.screenshot(path=str(SHOTS / "duplicates-decided.png"), full_page=True)
