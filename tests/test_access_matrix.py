"""Who may open each page and do each action: every role against every staff page, checked on the server."""

from __future__ import annotations

import time

import pytest
from click.testing import CliRunner
from sqlmodel import Session, select
from streamlit.testing.v1 import AppTest

from engagement.auth import PAGE_ROLES, ROLES, set_disabled
from engagement.cli import main
from engagement.db import get_engine
from engagement.intake import Provenance, submit_response
from engagement.models import AuditEvent
from engagement.ui.access import SESSION_KEY
from tests.conftest import valid_answers
from tests.pages import TIMEOUT, open_page, sign_in_as

NO_ACCESS = "You do not have access to this page. Ask an administrator if you need it."
SIGN_IN_FIRST = "Please sign in to see this page."
# Who may, and who may not, as a person would state it; the test checks the app does exactly this.
MATRIX = {
    "paper_entry": {"volunteer", "admin"},
    "dashboard": {"analyst", "comms", "admin"},
    "comments": {"analyst", "admin"},
    "export": {"comms", "admin"},
    "imports": {"analyst", "admin"},
    "duplicates": {"analyst", "admin"},
    "you_said_we_did": {"analyst", "comms", "admin"},
    "admin_users": {"admin"},
    "admin_audit": {"admin"},
    "admin_privacy": {"admin"},
}


def assert_shows_only(app: AppTest, message: str) -> None:
    """The page stopped at its role check: the one message and no title, data, inputs or buttons."""
    shown = [*app.error, *app.info, *app.warning]
    assert [element.value for element in shown] == [message]
    for kind in ("title", "dataframe", "metric", "text_input", "button", "markdown", "header"):
        assert len(app.get(kind)) == 0, f"{kind} shown"


def test_the_matrix_is_the_one_the_app_uses():
    assert {name: set(roles) for name, roles in PAGE_ROLES.items()} == MATRIX


@pytest.mark.parametrize("page", list(MATRIX))
@pytest.mark.parametrize("role", list(ROLES))
def test_each_role_opens_exactly_its_pages(page, role, db_url):
    app = open_page(page, roles=(role,))
    if role in MATRIX[page]:
        assert app.title, f"{role} should see {page}"
        assert NO_ACCESS not in [e.value for e in app.error]
    else:
        assert_shows_only(app, NO_ACCESS)


@pytest.mark.parametrize("page", list(MATRIX))
def test_a_page_opened_by_its_url_without_signing_in_shows_only_a_plain_message(page, db_url):
    assert_shows_only(open_page(page, roles=()), SIGN_IN_FIRST)


def test_the_public_survey_needs_no_sign_in(db_url):
    app = open_page("survey", roles=())
    assert app.title and not app.error


def test_several_roles_add_up(db_url):
    app = open_page("export", roles=("volunteer", "comms"))
    assert app.title[0].value == "Exports"


def test_an_idle_session_expires_and_shows_nothing(db_url, monkeypatch):
    monkeypatch.setenv("ENGAGEMENT_SESSION_TIMEOUT_MINUTES", "20")
    app = open_page("dashboard", roles=("analyst",), run=False)
    app.session_state[SESSION_KEY] = {**app.session_state[SESSION_KEY], "last_seen": time.time() - 21 * 60}
    app.run()
    assert_shows_only(app, "Your session ended after 20 minutes without activity. Please sign in again.")
    app.run()  # and it stays signed out
    assert_shows_only(app, SIGN_IN_FIRST)


def test_a_user_disabled_mid_session_loses_access_at_the_next_click(db_url):
    app = open_page("dashboard", roles=("analyst",), username="leaver")
    assert app.title
    with Session(get_engine()) as session:
        set_disabled(session, "leaver", True, actor="admin", via="test")
    app.run()
    assert_shows_only(app, SIGN_IN_FIRST)


def test_a_role_taken_away_mid_session_applies_at_the_next_click(db_url):
    app = open_page("export", roles=("comms",), username="moved")
    sign_in_as(app, "moved", ("volunteer",))
    app.run()
    assert_shows_only(app, NO_ACCESS)


def test_a_volunteer_sees_and_reads_only_their_own_entries(session, form, db_url):
    mine = submit_response(session, form, valid_answers(), Provenance(channel="paper", entered_by="vol-a",
                                                                     paper_reference="P-1"))
    theirs = submit_response(session, form, valid_answers(), Provenance(channel="paper", entered_by="vol-b",
                                                                       paper_reference="P-2"))
    online = submit_response(session, form, valid_answers())
    app = open_page("paper_entry", roles=("volunteer",), username="vol-a")
    assert any("Entered by you today: 1" in h.value for h in app.subheader)
    assert list(app.dataframe[0].value["reference"]) == [mine.reference]
    app.text_input(key="paper_check_reference").input(mine.reference).run()
    assert "Very important" in set(app.dataframe[-1].value["answer"])
    for other in (theirs.reference, online.reference, "R-DOESNOTEXIST"):
        app.text_input(key="paper_check_reference").input(other).run()
        assert [e.value for e in app.error] == ["You have not entered a paper form with that reference."]
        assert len(app.dataframe) == 1  # only the list of their own entries


def test_the_navigation_lists_only_the_pages_of_the_users_roles(db_url):
    app = AppTest.from_file("../app.py", default_timeout=TIMEOUT)
    app.run()
    assert not app.exception and app.title[0].value == "What matters to you"
    assert len(app.sidebar.get("page_link")) == 0 and not app.sidebar.button  # the public sees no menu
    for roles, expected in [
        (("volunteer",), ["Take the survey", "Paper form entry"]),
        (("analyst", "comms"), ["Take the survey", "Dashboard", "Comments and themes", "Exports",
                                "Import responses", "Likely duplicates", "You said, we did"]),
        (("admin",), ["Take the survey", "Paper form entry", "Dashboard", "Comments and themes", "Exports",
                      "Import responses", "Likely duplicates", "You said, we did", "Users", "Audit log",
                      "Privacy and retention"]),
    ]:
        app = AppTest.from_file("../app.py", default_timeout=TIMEOUT)
        sign_in_as(app, "-".join(roles), roles)
        app.run()
        assert [link.proto.label for link in app.sidebar.get("page_link")] == expected
        assert [b.label for b in app.sidebar.button] == ["Sign out"]


CLI_ACTIONS = [
    (["users", "add", "newadmin", "--role", "admin", "--password-stdin"], "a long enough password\n",
     "user_created"),
    (["users", "set-role", "newadmin", "analyst", "comms"], None, "user_roles_changed"),
    (["users", "disable", "newadmin"], None, "user_disabled"),
    (["privacy", "purge"], None, None),
    (["privacy", "export", "{reference}", "--out", "{tmp}/sar.json"], None, "subject_access_export"),
    (["export", "--out", "{tmp}/answers.csv"], None, "export"),
    (["privacy", "erase", "{reference}"], None, "erasure"),
]


def test_command_line_actions_are_for_the_server_operator_and_each_is_audited(session, form, db_url, tmp_path):
    """The command line has no roles: whoever can run it controls the server. Each change names them."""
    reference = submit_response(session, form, valid_answers()).reference
    for args, stdin, action in CLI_ACTIONS:
        args = [a.format(reference=reference, tmp=tmp_path) for a in args]
        result = CliRunner().invoke(main, args, input=stdin)
        assert result.exit_code == 0, (args, result.output)
        if action:
            event = session.scalars(select(AuditEvent).order_by(AuditEvent.id.desc())).first()
            assert event.action == action and event.actor.endswith("(command line)")
            assert event.via == "command: engagement " + " ".join(args[:2] if args[0] != "export" else args[:1])
