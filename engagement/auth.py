"""Accounts, roles and sign-in. Passwords are hashed with argon2 (argon2-cffi); there is no default password:
the first administrator is created on the command line. Failed sign-ins are counted per username typed, so
the slow-down, the lock-out and every message are the same whether or not the username exists."""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlmodel import Session, select

from engagement import audit
from engagement.config import lockout_minutes
from engagement.models import SignInThrottle, UserAccount, utc_now

ROLES: dict[str, str] = {
    "volunteer": "Volunteer: paper form entry, own entries only",
    "analyst": "Analyst: dashboard, comments and themes, tag review",
    "comms": "Communications: dashboard and exports",
    "admin": "Administrator: everything, plus users, retention, erasure and the audit log",
}
# Who may open each staff page (engagement/ui/<name>.py). The public survey and the sign-in page need no role.
PAGE_ROLES: dict[str, tuple[str, ...]] = {
    "paper_entry": ("volunteer", "admin"),
    "dashboard": ("analyst", "comms", "admin"),
    "comments": ("analyst", "admin"),
    "export": ("comms", "admin"),
    "imports": ("analyst", "admin"),
    "duplicates": ("analyst", "admin"),
    "you_said_we_did": ("analyst", "comms", "admin"),
    "admin_users": ("admin",),
    "admin_audit": ("admin",),
    "admin_privacy": ("admin",),
}
USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{1,63}$")
MIN_PASSWORD_LENGTH = 12
FREE_ATTEMPTS = 2  # failures before each further attempt has to wait
FIRST_WAIT_SECONDS = 5  # doubles with each further failure
LOCK_AFTER = 6  # failures in a row that lock the username for lockout_minutes()
NOT_RECOGNISED = "Username or password not recognised."

_hasher = PasswordHasher()


class AccountError(ValueError):
    """A user change that cannot be made; the message names the field and what is allowed."""


class SignInError(Exception):
    """A sign-in that did not succeed; the message is safe to show and never says if the username exists."""


@dataclass(frozen=True)
class SignedInUser:
    username: str
    roles: frozenset[str]
    via: str = "local"  # "local" account or "sso" (single sign-on)

    def has_any(self, *roles: str) -> bool:
        return bool(self.roles & set(roles))


def parse_roles(roles: Iterable[str]) -> frozenset[str]:
    chosen = frozenset(role.strip().lower() for role in roles if role.strip())
    if not chosen:
        raise AccountError(f"Roles: give at least one of {', '.join(ROLES)}")
    if unknown := chosen - set(ROLES):
        raise AccountError(f"Roles: '{', '.join(sorted(unknown))}' is not a role; allowed: {', '.join(ROLES)}")
    return chosen


def _stored_roles(account: UserAccount) -> frozenset[str]:
    return frozenset(account.roles.split(",")) & set(ROLES)


def _check_username(username: str) -> str:
    name = username.strip().lower()
    if not USERNAME.match(name):
        raise AccountError(
            f"Username: '{username}' is not allowed; use 2 to 64 lower-case letters, digits, dots, dashes or "
            "underscores, starting with a letter or digit"
        )
    return name


def _check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(
            f"Password: at least {MIN_PASSWORD_LENGTH} characters are needed (three random words work well)"
        )


def find_account(session: Session, username: str) -> UserAccount | None:
    return session.exec(select(UserAccount).where(UserAccount.username == username.strip().lower())).first()


def _account(session: Session, username: str) -> UserAccount:
    account = find_account(session, username)
    if account is None:
        raise AccountError(f"Username: there is no user called '{username}'")
    return account


def create_user(
    session: Session, username: str, password: str, roles: Iterable[str], *, actor: str, via: str
) -> UserAccount:
    name = _check_username(username)
    chosen = parse_roles(roles)
    _check_password(password)
    if find_account(session, name):
        raise AccountError(f"Username: a user called '{name}' already exists")
    account = UserAccount(username=name, password_hash=_hasher.hash(password), roles=",".join(sorted(chosen)))
    session.add(account)
    audit.record(session, "user_created", actor=actor, via=via, target_kind="user", target_id=name,
                 roles=sorted(chosen))
    session.commit()
    session.refresh(account)
    return account


def set_roles(session: Session, username: str, roles: Iterable[str], *, actor: str, via: str) -> UserAccount:
    account = _account(session, username)
    chosen = parse_roles(roles)
    before = sorted(_stored_roles(account))
    account.roles = ",".join(sorted(chosen))
    session.add(account)
    audit.record(session, "user_roles_changed", actor=actor, via=via, target_kind="user",
                 target_id=account.username, before=before, after=sorted(chosen))
    session.commit()
    session.refresh(account)
    return account


def set_disabled(session: Session, username: str, disabled: bool, *, actor: str, via: str) -> UserAccount:
    """Disable (or enable again) an account; a disabled user's open sessions end at their next click."""
    account = _account(session, username)
    account.disabled = disabled
    session.add(account)
    audit.record(session, "user_disabled" if disabled else "user_enabled", actor=actor, via=via,
                 target_kind="user", target_id=account.username)
    session.commit()
    session.refresh(account)
    return account


def list_users(session: Session) -> list[dict[str, Any]]:
    return [
        {
            "username": account.username,
            "roles": ", ".join(sorted(_stored_roles(account))),
            "disabled": account.disabled,
            "created": account.created_at,
            "last sign-in": account.last_sign_in,
        }
        for account in session.exec(select(UserAccount).order_by(UserAccount.username))
    ]


def active_user(session: Session, username: str) -> SignedInUser | None:
    """The account as it is now (roles may have changed since sign-in); None if gone or disabled."""
    account = find_account(session, username)
    if account is None or account.disabled:
        return None
    return SignedInUser(account.username, _stored_roles(account))


@cache
def _hash_for_unknown_users() -> str:
    # Checking a password against this takes as long as against a real account, so timing says nothing.
    return _hasher.hash(secrets.token_urlsafe(24))


def _password_matches(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def _seconds_to_wait(throttle: SignInThrottle | None, now: datetime) -> float:
    if throttle is None:
        return 0.0
    if throttle.locked_until is not None and throttle.locked_until > now:
        return (throttle.locked_until - now).total_seconds()
    if throttle.failed_attempts > FREE_ATTEMPTS and throttle.last_failed_at is not None:
        wait = FIRST_WAIT_SECONDS * 2 ** (throttle.failed_attempts - FREE_ATTEMPTS - 1)
        return max(0.0, (throttle.last_failed_at + timedelta(seconds=wait) - now).total_seconds())
    return 0.0


def _say_duration(seconds: float) -> str:
    if seconds >= 90:
        return f"{round(seconds / 60)} minutes"
    whole = max(1, round(seconds))
    return f"{whole} second" + ("" if whole == 1 else "s")


def _count_failure(session: Session, key: str, now: datetime) -> SignInThrottle:
    throttle = session.get(SignInThrottle, key) or SignInThrottle(username=key)
    if throttle.locked_until is not None and throttle.locked_until <= now:
        throttle.failed_attempts, throttle.locked_until = 0, None  # a served lock-out starts the count again
    throttle.failed_attempts += 1
    throttle.last_failed_at = now
    if throttle.failed_attempts >= LOCK_AFTER:
        throttle.locked_until = now + timedelta(minutes=lockout_minutes())
    session.add(throttle)
    return throttle


def sign_in(session: Session, username: str, password: str, *, via: str, now: datetime | None = None) -> SignedInUser:
    """Check a username and password. Raises SignInError with a message fit to show."""
    now = now or utc_now()
    key = username.strip().lower()[:100]
    if not key or not password:
        raise SignInError("Enter your username and your password.")
    if (wait := _seconds_to_wait(session.get(SignInThrottle, key), now)) > 0:
        raise SignInError(f"Too many failed sign-ins for this username. Try again in {_say_duration(wait)}.")
    account = find_account(session, key)
    matches = _password_matches(account.password_hash if account else _hash_for_unknown_users(), password)
    if account is None or not matches:
        throttle = _count_failure(session, key, now)
        audit.record(session, "sign_in_failed", actor=key, via=via, target_kind="user", target_id=key,
                     failures_in_a_row=throttle.failed_attempts)
        session.commit()
        if throttle.locked_until is not None:
            raise SignInError(
                f"{NOT_RECOGNISED} Too many failed sign-ins: this username is locked for {lockout_minutes()} minutes."
            )
        raise SignInError(NOT_RECOGNISED)
    if account.disabled:
        audit.record(session, "sign_in_failed", actor=key, via=via, target_kind="user", target_id=key,
                     reason="account disabled")
        session.commit()
        raise SignInError("This account has been disabled. Ask an administrator if you need it again.")
    if _hasher.check_needs_rehash(account.password_hash):
        account.password_hash = _hasher.hash(password)
    account.last_sign_in = now
    session.add(account)
    if throttle := session.get(SignInThrottle, key):
        session.delete(throttle)
    audit.record(session, "sign_in", actor=key, via=via, target_kind="user", target_id=key)
    session.commit()
    return SignedInUser(account.username, _stored_roles(account))


def parse_sso_allow_list(raw: Mapping[str, Any]) -> dict[str, frozenset[str]]:
    """The organisation's allow-list for single sign-on: email address -> roles (a list or comma-separated)."""
    allow: dict[str, frozenset[str]] = {}
    for email, roles in raw.items():
        listed = roles.split(",") if isinstance(roles, str) else list(roles)
        try:
            allow[str(email).strip().lower()] = parse_roles(listed)
        except AccountError as exc:
            raise AccountError(f"Single sign-on allow-list, {email}: {exc}") from None
    return allow


def sso_user(claims: Mapping[str, Any], allow_list: Mapping[str, frozenset[str]]) -> SignedInUser | None:
    """The staff member an identity provider vouched for, with the roles the allow-list gives their email;
    None when the email is missing, unverified or not on the list (signing in is not enough to see data)."""
    email = str(claims.get("email") or "").strip().lower()
    if not email or claims.get("email_verified") is False:
        return None
    roles = allow_list.get(email)
    return SignedInUser(email, roles, via="sso") if roles else None
