"""Respondent text is data, never markup: twenty XSS and markdown-injection payloads stored as answers stay
inert on every page that shows respondent text (no dialog, no script, no injected image or link, literal text)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.browser.conftest import ROOT, sign_in

pytestmark = pytest.mark.browser

EVIL = "xss.example"
PAYLOADS = [
    "<script>alert('xss-1')</script>",
    f'<img src="http://{EVIL}/2.png" onerror="alert(2)">',
    "<svg onload=alert(3)>",
    "<a href=\"javascript:alert(4)\">click me 4</a>",
    "[click me 5](javascript:alert(5))",
    f"[a link 6](http://{EVIL}/6)",
    f"![pixel 7](http://{EVIL}/7.png)",
    "**bold 8** and __bold 8__",
    "$$\\frac{9}{9}$$ and $x^9$",
    ":red[red nine ten] :blue-background[ten]",
    "<iframe src=\"javascript:alert(11)\"></iframe>",
    "<body onload=alert(12)>",
    "\"><script>alert(13)</script>",
    f"<div style=\"background:url(http://{EVIL}/14.png)\">14</div>",
    "# Heading fifteen",
    f"<https://{EVIL}/16>",
    "`code 17` and ```fenced 17```",
    ":material/warning: icon eighteen",
    "<details open ontoggle=alert(19)>",
    f"[![img 20](http://{EVIL}/20.png)](javascript:alert(20))",
]
THREE_WORDS = ["<b>bold</b>", "**loud**", f"![x](http://{EVIL}/w)"]

SEED = """
import json, sys
from sqlmodel import Session, select
from engagement.models import Response
from engagement.db import get_engine
from engagement.forms import get_form
from engagement.free_text.job import analyse_pending
from engagement.free_text.review import comments_for_review
from engagement.intake import Provenance, submit_many
payloads, words = json.loads(sys.stdin.read())
form = get_form("what-matters-to-you-2019")
base = {"top_urgent_care": "5", "top_mental_health": "4", "top_best_use_of_money": "3",
        "preventing_ill_health": "4", "children_young_peoples_health": "5", "major_health_conditions": "5",
        "supporting_our_workforce": "5", "digital_innovation": "2", "district": "E06000018", "consent": True}
rows = [(dict(base, best_thing=p, what_matters=p, three_words=words),
         Provenance(channel="paper", entered_by="as-role-volunteer", paper_reference=f"P{i}"))
        for i, p in enumerate(payloads)]
with Session(get_engine()) as session:
    submit_many(session, form, rows)
    by_paper = dict(session.execute(select(Response.paper_reference, Response.reference)).all())
    references = [by_paper[f"P{i}"] for i in range(len(payloads))]
analyse_pending(get_engine(), form)
shown = comments_for_review(get_engine(), form, "best_thing")["redacted_text"].tolist()
print(json.dumps({"references": references, "shown": shown}))
"""


@pytest.fixture(scope="module")
def stored_payloads(app_server) -> dict:
    result = subprocess.run([sys.executable, "-c", SEED], input=json.dumps([PAYLOADS, THREE_WORDS]), text=True,
                            capture_output=True, env=app_server["env"], cwd=ROOT, check=True)
    return json.loads(result.stdout.strip().splitlines()[-1])


def watch_for_injection(page) -> list[str]:
    """Dialogs opened and requests to the attacker's host: both must stay empty."""
    seen: list[str] = []
    page.on("dialog", lambda dialog: (seen.append(f"dialog: {dialog.message}"), dialog.dismiss()))
    page.on("request", lambda request: seen.append(f"request: {request.url}") if EVIL in request.url else None)
    return seen


def settle(page) -> None:
    page.wait_for_selector("[data-testid='stAppViewContainer']")
    page.wait_for_function("!document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=60_000)
    page.wait_for_timeout(1500)


def assert_inert(page, seen: list[str]) -> None:
    assert seen == []
    injected = page.evaluate(f"""() => ({{
        images: [...document.querySelectorAll('img')].map(i => i.src).filter(s => s.includes('{EVIL}')),
        links: [...document.querySelectorAll('a')].map(a => a.getAttribute('href') || '')
                 .filter(h => h.startsWith('javascript:') || h.includes('{EVIL}')),
        frames: document.querySelectorAll('iframe[src^="javascript:"], svg[onload], details[ontoggle]').length,
        scripts: [...document.querySelectorAll('script')].filter(s => s.textContent.includes('alert(')).length,
        katex: document.querySelectorAll('.katex').length,
    }})""")
    assert injected == {"images": [], "links": [], "frames": 0, "scripts": 0, "katex": 0}, injected


def open_from_menu(page, title: str) -> None:
    page.get_by_test_id("stSidebar").get_by_role("link", name=title).click()
    settle(page)


def test_comments_page_shows_every_payload_as_literal_text(page, app_server, stored_payloads):
    seen = watch_for_injection(page)
    sign_in(page, app_server, "analyst")
    open_from_menu(page, "Comments and themes")
    page.get_by_role("heading", name="Review comments").wait_for()
    # The review cards are drawn after the heading (the queue's order is worked out first): wait for them.
    page.wait_for_function("document.querySelectorAll('[data-testid=\"stText\"]').length >= 10", timeout=60_000)
    settle(page)
    shown = page.get_by_test_id("stText").all_inner_texts()
    # Left out: topic examples ("Why:") and the line naming each theme's sentiment (codebook labels, not comments).
    comments = [text for text in shown if text and not text.startswith(("Why:", "How each theme was said:"))]
    assert len(comments) >= 10
    assert set(comments) <= set(stored_payloads["shown"])
    for payload in ("**bold 8** and __bold 8__", "<script>alert('xss-1')</script>", ":red[red nine ten]"):
        if any(payload in text for text in stored_payloads["shown"][:10]):
            assert any(payload in text for text in comments)
    for expander in page.get_by_test_id("stExpander").all():
        expander.locator("summary").click()  # topic examples and the themes table
    page.wait_for_timeout(1000)
    assert_inert(page, seen)


@pytest.mark.parametrize(("role", "title"), [("comms", "Exports"), ("analyst", "Dashboard")])
def test_staff_pages_stay_inert(page, app_server, stored_payloads, role, title):
    seen = watch_for_injection(page)
    sign_in(page, app_server, role)
    open_from_menu(page, title)
    page.get_by_role("heading", name=title if title != "Dashboard" else None).first.wait_for()
    assert_inert(page, seen)


def test_volunteers_own_entries_stay_inert(page, app_server, stored_payloads):
    seen = watch_for_injection(page)
    sign_in(page, app_server, "volunteer")
    open_from_menu(page, "Paper form entry")
    page.get_by_label("Reference of a form you entered (R-…)").fill(stored_payloads["references"][1])
    page.keyboard.press("Enter")
    settle(page)
    assert page.get_by_text("You have not entered a paper form with that reference").count() == 0  # their own
    assert_inert(page, seen)


def test_admin_privacy_and_audit_pages_stay_inert(page, app_server, stored_payloads):
    seen = watch_for_injection(page)
    sign_in(page, app_server, "admin")
    open_from_menu(page, "Privacy and retention")
    page.get_by_label("Reference of the person asking for their answers").fill(stored_payloads["references"][1])
    page.get_by_role("button", name="Prepare their answers").click()
    settle(page)
    assert_inert(page, seen)
    open_from_menu(page, "Audit log")
    assert_inert(page, seen)
