"""Signing in, and the administrator's pages, driven as a person would use them; the audit never holds answers."""

from __future__ import annotations

from sqlmodel import Session, select
from streamlit.testing.v1 import AppTest

from engagement.auth import create_user
from engagement.db import get_engine
from engagement.free_text.job import analyse_pending
from engagement.free_text.review import set_analyst_themes
from engagement.intake import Provenance, submit_response
from engagement.models import Answer, AuditEvent, Response, UserAccount
from engagement.privacy import retention_days
from engagement.ui.access import SESSION_KEY
from tests.conftest import valid_answers
from tests.pages import TIMEOUT, open_page

SECRET_WORDS = ["Zebracorn", "Quillfeather", "07700 900123"]


def widget(app: AppTest, kind: str, label: str, index: int = 0):
    return [element for element in app.get(kind) if element.label == label][index]


def click(app: AppTest, label: str) -> None:
    widget(app, "button", label).click().run()


def app_signed_out() -> AppTest:
    app = AppTest.from_file("../app.py", default_timeout=TIMEOUT)
    app.switch_page("engagement/ui/sign_in.py")
    return app


def test_sign_in_page_signs_a_user_in_and_says_the_same_for_a_wrong_password_or_unknown_user(session, db_url):
    create_user(session, "asha", "correct horse battery", ["analyst"], actor="t", via="t")
    app = app_signed_out()
    app.run()
    messages = []
    for username, password in [("asha", "wrong one"), ("nobody", "correct horse battery")]:
        widget(app, "text_input", "Username").input(username)
        widget(app, "text_input", "Password").input(password)
        click(app, "Sign in")
        messages.append([e.value for e in app.error])
        assert SESSION_KEY not in app.session_state
    assert messages == [["Username or password not recognised."]] * 2
    widget(app, "text_input", "Username").input("asha")
    widget(app, "text_input", "Password").input("correct horse battery")
    click(app, "Sign in")
    assert not app.exception
    assert app.session_state[SESSION_KEY]["username"] == "asha"
    assert app.title[0].value == "Insight dashboard"  # taken to the first page of their roles


def test_admin_adds_a_user_changes_roles_and_disables_them_in_the_app(session, db_url):
    app = open_page("admin_users", username="boss")
    widget(app, "text_input", "New username").input("vol7")
    widget(app, "text_input", "Their first password (at least 12 characters)").input("short")
    widget(app, "multiselect", "Roles").set_value(["volunteer"])
    click(app, "Add user")
    assert any("Password: at least 12 characters" in e.value for e in app.error)
    widget(app, "text_input", "New username").input("vol7")
    widget(app, "text_input", "Their first password (at least 12 characters)").input("long enough password")
    widget(app, "multiselect", "Roles").set_value(["volunteer"])
    click(app, "Add user")
    assert any("Added vol7" in s.value for s in app.success)
    app.selectbox(key="users_chosen").set_value("vol7").run()
    # The first "Roles" is the add form's; the second the change form's.
    widget(app, "multiselect", "Roles", 1).set_value(["volunteer", "analyst"])
    click(app, "Save roles")
    click(app, "Disable this user")
    session.expire_all()
    account = session.exec(select(UserAccount).where(UserAccount.username == "vol7")).one()
    assert account.roles == "analyst,volunteer" and account.disabled
    actions = [e.action for e in session.exec(select(AuditEvent).where(AuditEvent.target_id == "vol7"))]
    assert actions == ["user_created", "user_roles_changed", "user_disabled"]
    assert all(e.actor == "boss" for e in session.exec(select(AuditEvent).where(AuditEvent.target_id == "vol7")))


def test_a_refused_new_user_keeps_what_was_typed_and_an_added_one_empties_the_form(session, db_url):
    """Found when this was tried: a bad username or a short password emptied every field, so the administrator
    typed it all again."""
    app = open_page("admin_users", username="boss")
    password = "Their first password (at least 12 characters)"
    widget(app, "text_input", "New username").input("vol7")
    widget(app, "text_input", password).input("short")
    widget(app, "multiselect", "Roles").set_value(["volunteer"])
    click(app, "Add user")
    assert any("Password: at least 12 characters" in e.value for e in app.error)
    assert widget(app, "text_input", "New username").value == "vol7"
    assert widget(app, "multiselect", "Roles").value == ["volunteer"]
    widget(app, "text_input", password).input("long enough password")  # only the refused field is typed again
    click(app, "Add user")
    assert any("Added vol7" in s.value for s in app.success)
    assert widget(app, "text_input", "New username").value == ""
    assert widget(app, "text_input", password).value == ""
    assert widget(app, "multiselect", "Roles").value == []


def test_admin_erases_by_reference_and_sets_retention_in_the_app(session, form, db_url):
    response = submit_response(session, form, valid_answers(what_matters="Zebracorn"))
    app = open_page("admin_privacy")
    widget(app, "text_input", "Reference (shown to the respondent when they submitted, R-…)").input("R-NOPE")
    widget(app, "checkbox", "I have checked the reference: erase this response for good").check()
    click(app, "Erase")
    assert [e.value for e in app.error] == ["No response has the reference 'R-NOPE'. Nothing was changed."]
    widget(app, "text_input", "Reference (shown to the respondent when they submitted, R-…)").input(response.reference)
    widget(app, "checkbox", "I have checked the reference: erase this response for good").check()
    click(app, "Erase")
    assert any(f"Erased {response.reference}" in s.value for s in app.success)
    assert session.exec(select(Response)).all() == []
    widget(app, "checkbox", "Keep until an administrator decides (no retention period)").uncheck()
    widget(app, "number_input", "Retention period in days").set_value(90)
    click(app, "Save retention period")
    assert retention_days(session, form.slug) == 90


def test_a_refused_erasure_keeps_the_typed_reference_and_a_done_one_empties_the_form(session, form, db_url):
    """Found when this was tried: a mistyped reference, or forgetting the tick, emptied the reference box."""
    response = submit_response(session, form, valid_answers())
    app = open_page("admin_privacy")
    reference = "Reference (shown to the respondent when they submitted, R-…)"
    sure = "I have checked the reference: erase this response for good"
    widget(app, "text_input", reference).input(response.reference)
    click(app, "Erase")
    assert [e.value for e in app.error] == ["Tick the box to confirm the erasure."]
    assert widget(app, "text_input", reference).value == response.reference
    widget(app, "text_input", reference).input(response.reference + "X")
    widget(app, "checkbox", sure).check()
    click(app, "Erase")
    assert [e.value for e in app.error] == [
        f"No response has the reference '{response.reference}X'. Nothing was changed."]
    assert widget(app, "text_input", reference).value == response.reference + "X"
    widget(app, "text_input", reference).input(response.reference)  # the tick stays from the refused try
    click(app, "Erase")
    assert any(f"Erased {response.reference}" in s.value for s in app.success)
    assert widget(app, "text_input", reference).value == ""
    assert widget(app, "checkbox", sure).value is False


def test_subject_access_offers_only_the_file_of_the_reference_asked_for(session, form, db_url):
    """Found when this was tried: after one person's answers were prepared, asking for a reference that does
    not exist showed the error beside the first person's download, ready to send to the wrong person."""
    first = submit_response(session, form, valid_answers())
    app = open_page("admin_privacy")
    widget(app, "text_input", "Reference of the person asking for their answers").input(first.reference)
    click(app, "Prepare their answers")
    assert [b.label for b in app.get("download_button")] == [f"Download {first.reference}.json"]
    widget(app, "text_input", "Reference of the person asking for their answers").input("R-NOPE")
    click(app, "Prepare their answers")
    assert [e.value for e in app.error] == ["No response has the reference 'R-NOPE'. Nothing was changed."]
    assert app.get("download_button") == []


def test_audit_log_page_filters_and_offers_a_download(session, form, db_url):
    submit_response(session, form, valid_answers())
    app = open_page("admin_audit", username="boss")
    assert len(app.dataframe) == 1 and len(app.get("download_button")) == 1
    widget(app, "multiselect", "What").set_value(["response_created"]).run()
    assert set(app.dataframe[0].value["what"]) == {"Response created"}
    widget(app, "text_input", "Who (username, exactly)").input("nobody at all").run()
    assert app.dataframe[0].value.empty


def test_every_date_box_is_day_month_year(session, form, db_url):
    """Found when this was tried: the audit log's "When" box read 2026/10/30 where every other page says
    30/10/2026."""
    for name in ("admin_audit", "dashboard", "paper_entry"):
        app = open_page(name)
        assert [d.proto.format for d in app.date_input] == ["DD/MM/YYYY"], name


def test_no_answer_content_reaches_the_audit_log(session, form, db_url, tmp_path):
    from click.testing import CliRunner

    from engagement.cli import main

    answers = valid_answers(what_matters=f"{SECRET_WORDS[0]} ring {SECRET_WORDS[2]}",
                            best_thing=SECRET_WORDS[1], three_words=SECRET_WORDS)
    online = submit_response(session, form, answers)
    paper = submit_response(session, form, answers, Provenance(channel="paper", entered_by="vol",
                                                               paper_reference="P-9"))
    analyse_pending(get_engine(db_url), form)
    answer_id = session.scalar(select(Answer.id).where(Answer.response_id == online.id,
                                                       Answer.question_id == "what_matters"))
    with Session(get_engine(db_url)) as other:
        set_analyst_themes(other, answer_id, "wmty", ["T99"], "analyst a")
    runner = CliRunner()
    for args in (["privacy", "export", online.reference, "--out", str(tmp_path / "a.json")],
                 ["export", "--out", str(tmp_path / "b.csv")], ["privacy", "erase", paper.reference]):
        assert runner.invoke(main, args).exit_code == 0
    open_page("admin_audit")
    events = session.exec(select(AuditEvent)).all()
    assert {"response_created", "tags_changed", "subject_access_export", "export", "erasure"} <= {
        e.action for e in events}
    text = " ".join(f"{e.actor} {e.target_id} {e.via} {e.details}" for e in events)
    for secret in SECRET_WORDS:
        assert secret not in text
