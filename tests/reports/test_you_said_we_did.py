""""You said, we did": the register's table migrates up and down, actions are checked in plain sentences,
only offered (redacted, consented) quotes can be published, and the public page shows text, never markup."""

from __future__ import annotations

import pytest
from alembic import command
from sqlalchemy import inspect

from engagement.db import alembic_config, get_engine, upgrade_database
from engagement.free_text.job import analyse_pending
from engagement.intake import Provenance, submit_many
from engagement.reports.report import to_pdf, you_said_we_did_html
from engagement.you_said_we_did import ActionError, ActionInput, quote_choices, register, save_action
from tests.conftest import valid_answers
from tests.pages import open_page

WAIT = "Waiting times at the GP are far too long, I waited three weeks <b>again</b>"


def test_migration_0004_goes_down_and_up_again(db_url):
    command.downgrade(alembic_config(db_url), "0003")
    assert "public_action" not in inspect(get_engine(db_url)).get_table_names()
    upgrade_database(db_url)
    assert "public_action" in inspect(get_engine(db_url)).get_table_names()


def test_actions_are_checked_saved_and_published_as_text(session, form, db_url):
    submit_many(session, form, [(valid_answers(what_matters=WAIT), Provenance()) for _ in range(12)])
    analyse_pending(get_engine(db_url), form)
    offered = quote_choices(get_engine(db_url), form, ["T07"])
    assert offered and all("<b>" in q or "Waiting" in q for q in offered)
    with pytest.raises(ActionError) as problem:
        save_action(session, form.slug, ActionInput("", "More GP appointments", "", people=3,
                                                    quotes=["Dr Smith said 07700 900123"]), "comms-a", set(offered))
    message = str(problem.value)
    for words in ("You said:", "Owner:", "People: fewer than 10", "typed text cannot be published"):
        assert words in message
    assert register(get_engine(db_url), form.slug).empty
    save_action(session, form.slug, ActionInput(
        "Getting a GP appointment takes too long", "Extra evening appointments in Mansfield <i>from May</i>",
        "Primary care team", "in_progress", ["T07"], ["E07000174"], 12, offered[:1], published=True),
        "comms-a", set(offered))
    public = register(get_engine(db_url), form.slug, published_only=True)
    html = you_said_we_did_html(public, form.title, {"T07": "Waiting times"})
    assert "&lt;i&gt;from May&lt;/i&gt;" in html and "<i>" not in html and "&lt;b&gt;again&lt;/b&gt;" in html
    assert "Mansfield" in html and "In progress" in html and "Raised by 12 people" in html
    assert to_pdf(you_said_we_did_html(public, form.title, {}, easy_read=True))[:4] == b"%PDF"


def test_analysts_and_comms_edit_the_register_in_the_app(session, form, db_url):
    app = open_page("you_said_we_did", roles=("analyst",))
    app.text_area[0].input("People want shorter waits")
    app.text_area[1].input("We opened a Saturday clinic")
    app.text_input[0].input("Planned care team")
    app.button[0].click().run()
    assert not app.exception and any("Saved" in s.value for s in app.success)
    assert register(get_engine(db_url), form.slug)["owner"].tolist() == ["Planned care team"]
    assert open_page("you_said_we_did", roles=("comms",)).title[0].value == "You said, we did"
