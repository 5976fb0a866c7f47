"""A real `streamlit run` of app.py on a free port with its own database, and Debian's Chromium to drive it."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def app_server(tmp_path_factory):
    """Start the app exactly as `make run` does, but on a free port and an empty SQLite file."""
    home = tmp_path_factory.mktemp("app")
    port = _free_port()
    env = dict(os.environ, ENGAGEMENT_DATABASE_URL=f"sqlite:///{home / 'browser.db'}")
    subprocess.run([sys.executable, "-m", "engagement.cli", "db", "upgrade"], env=env, check=True, cwd=ROOT)
    log = open(home / "streamlit.log", "w")  # noqa: SIM115 - stays open while the server runs
    process = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port),
         "--server.headless", "true", "--server.address", "127.0.0.1"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as reply:
                if reply.status == 200:
                    break
        except OSError:
            time.sleep(0.3)
    else:
        process.terminate()
        pytest.fail(f"streamlit did not start: {(home / 'streamlit.log').read_text()}")
    yield {"url": url, "env": env}
    process.terminate()
    process.wait(timeout=20)
    log.close()


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail("Chromium is not installed: `make test` installs Debian's chromium package")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(30_000)
    yield page
    context.close()


STAFF_PASSWORD = "browser test password"


def add_user(app_server, username: str, *roles: str) -> None:
    """Create an account the way an administrator does: the CLI, with the password on standard input."""
    role_args = [arg for role in roles for arg in ("--role", role)]
    subprocess.run(
        [sys.executable, "-m", "engagement.cli", "users", "add", username, *role_args, "--password-stdin"],
        input=STAFF_PASSWORD + "\n", text=True, env=app_server["env"], check=True, cwd=ROOT,
    )


@pytest.fixture(scope="session")
def admin_user(app_server) -> str:
    add_user(app_server, "browser-admin", "admin")
    return "browser-admin"


def sign_in(page, app_server, role: str) -> str:
    """Sign in as a user holding `role` (created with the CLI on first use) and wait until signed in; returns
    the username. Staff then move between pages with the menu (a page reload starts a new session)."""
    username = f"as-role-{role}"  # apart from the usernames other browser tests create
    if username not in _role_users:
        add_user(app_server, username, role)
        _role_users.add(username)
    page.goto(f"{app_server['url']}/sign_in")
    page.wait_for_selector("[data-testid='stAppViewContainer']")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password", exact=True).fill(STAFF_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("button", name="Sign out").wait_for()
    return username


_role_users: set[str] = set()
