"""Sign-in returns a person to the shared link they opened signed out, and only to this app's own pages."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from tests.pages import TEST_PASSWORD, TIMEOUT, sign_in_as


def _open_signed_out(page: str, query: dict[str, str]) -> AppTest:
    app = AppTest.from_file("../app.py", default_timeout=TIMEOUT)
    sign_in_as(app, "returning-analyst", ("analyst",))
    del app.session_state["signed_in"]  # the account exists; this browser is not signed in
    for key, value in query.items():
        app.query_params[key] = value
    app.switch_page(page)
    app.run()
    return app


def _sign_in(app: AppTest) -> AppTest:
    app.switch_page("engagement/ui/sign_in.py").run()
    app.text_input[0].input("returning-analyst")
    app.text_input[1].input(TEST_PASSWORD)
    app.button[0].click().run()
    assert not app.exception, app.exception
    return app


def test_a_shared_dashboard_link_survives_sign_in(db_url):
    app = _open_signed_out("engagement/ui/dashboard.py", {"by": "age_band", "place": "Mansfield"})
    assert "Please sign in to see this page." in [i.value for i in app.info]
    app = _sign_in(app)
    assert [t.value for t in app.title] == ["Insight dashboard"]
    assert app.session_state["dash_by"] == "age_band"
    assert app.session_state["dash_places"] == ["Mansfield"]


def test_sign_in_returns_only_to_this_apps_pages(db_url):
    app = _open_signed_out("engagement/ui/survey.py", {})
    app.session_state["asked_for"] = ("https://evil.example/phish", {"x": ["1"]})
    app = _sign_in(app)
    assert [t.value for t in app.title] == ["Insight dashboard"]  # an analyst's first page


def test_a_page_opened_signed_out_offers_sign_in_in_the_same_session(db_url):
    """Found by a new-user review: a shared link opened signed out said only "Please sign in to see this page",
    with no way to sign in but typing /sign_in, which starts a new session and loses the link."""
    app = _open_signed_out("engagement/ui/dashboard.py", {"by": "age_band"})
    links = app.get("page_link")
    assert [link.proto.label for link in links] == ["Sign in"]
    assert links[0].proto.page.endswith("sign_in")
