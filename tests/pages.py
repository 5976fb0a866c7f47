"""Open a Streamlit page in AppTest as a signed-in user of the test database."""

from __future__ import annotations

import time

from sqlmodel import Session
from streamlit.testing.v1 import AppTest

from engagement.auth import create_user, find_account, set_roles
from engagement.db import get_engine
from engagement.ui.access import SESSION_KEY

TIMEOUT = 60
TEST_PASSWORD = "test password only"


def sign_in_as(app: AppTest, username: str, roles: tuple[str, ...]) -> None:
    """Create (or update) the account in the test database and mark the AppTest session signed in as it."""
    with Session(get_engine()) as session:
        if find_account(session, username) is None:
            create_user(session, username, TEST_PASSWORD, roles, actor="tests", via="tests/pages.py")
        else:
            set_roles(session, username, roles, actor="tests", via="tests/pages.py")
    app.session_state[SESSION_KEY] = {"username": username, "via": "local", "last_seen": time.time()}


def open_page(name: str, roles: tuple[str, ...] = ("admin",), *, username: str | None = None, run: bool = True,
              **session_state) -> AppTest:
    """`name` is a file in engagement/ui/ without .py. `roles=()` opens it signed out."""
    app = AppTest.from_file(f"../engagement/ui/{name}.py", default_timeout=TIMEOUT)
    if roles:
        sign_in_as(app, username or "-".join(roles) + "-user", roles)
    for key, value in session_state.items():
        app.session_state[key] = value
    if run:
        app.run()
        assert not app.exception, app.exception
    return app


def topic_labels(app: AppTest, timeout: float = 60) -> list[str]:
    """The Comments page's topics (expanders labelled "... (N answers)"), once found: they are found in the
    background, and the page shows them on a later run."""
    deadline = time.monotonic() + timeout
    while not (labels := [e.label for e in app.expander if e.label.endswith(")")]) and time.monotonic() < deadline:
        time.sleep(0.2)
        app.run()
    return labels
