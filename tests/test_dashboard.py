"""The insight dashboard, driven with AppTest: each view, filters kept in the page address, suppression shown as
"*", breakdowns by place and by a group, plain sentences for differences and for empty results, weighting."""

from __future__ import annotations

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

import engagement.analysis.insight as insight
import engagement.analysis.tidy as tidy
from engagement.demo import add_demo_responses

TIMEOUT = 120


def open_page(name: str, query: dict[str, str | list[str]] | None = None) -> AppTest:
    """The page as an analyst opens it (the coordinator switches this to tests/pages.py when sign-in lands)."""
    app = AppTest.from_file(f"../engagement/ui/{name}.py", default_timeout=TIMEOUT)
    for key, value in (query or {}).items():
        app.query_params[key] = value
    app.run()
    assert not app.exception, app.exception
    return app


@pytest.fixture(autouse=True)
def fresh_cache():
    st.cache_data.clear()
    yield
    st.cache_data.clear()


def texts(app: AppTest) -> str:
    parts = [e.value for kind in ("markdown", "caption", "info", "warning", "success", "error", "text")
             for e in getattr(app, kind)]
    return "\n".join(str(p) for p in parts)


def test_reruns_and_filter_changes_reuse_the_loaded_respondents_and_never_build_the_tidy_frame(
    session, form, db_url, monkeypatch
):
    """Found: every click rebuilt the 2.45-million-row tidy frame (49 s at 100,000 responses)."""
    add_demo_responses(session, form, 60, seed=2)

    def no_tidy(*args, **kwargs):
        raise AssertionError("the dashboard must not build the tidy answer frame")

    monkeypatch.setattr(tidy, "tidy_answers", no_tidy)
    loads = []
    real = insight.respondent_frame
    monkeypatch.setattr(insight, "respondent_frame", lambda *a, **k: loads.append(1) or real(*a, **k))
    app = open_page("dashboard")
    app.selectbox(key="dash_by").set_value("sex").run()
    app.multiselect(key="dash_channels").set_value(["online"]).run()
    app.run()
    assert not app.exception, app.exception
    assert len(loads) == 1
