"""The audit log: who did what, when, and from which page or command. Append-only (the database refuses
updates and deletes) and never holds answer content: details are limited to counts, codes and short names."""

from __future__ import annotations

import getpass
import json
from collections.abc import Sequence
from datetime import datetime

import pandas as pd
from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlmodel import Session

from engagement.models import AuditEvent, utc_now
from engagement.reports.safe_cells import safe_for_spreadsheet

ACTIONS: dict[str, str] = {
    "sign_in": "Signed in",
    "sign_in_failed": "Sign-in failed",
    "sign_out": "Signed out",
    "response_created": "Response created",
    "responses_imported": "Responses imported",
    "response_edited": "Response edited",
    "response_keyed_twice": "Paper form keyed a second time (double entry)",
    "duplicate_decided": "Likely duplicates decided (keep both, or the same person counted once)",
    "responses_deleted": "Responses deleted",
    "response_viewed": "Response viewed",
    "export": "Export downloaded or written",
    "public_action_saved": "You said, we did: action saved",
    "tags_changed": "Theme tags (and sentiment) changed",
    "erasure": "Response erased",
    "subject_access_export": "Subject access export",
    "retention_purge": "Retention purge",
    "retention_changed": "Retention setting changed",
    "user_created": "User created",
    "user_roles_changed": "User roles changed",
    "user_disabled": "User disabled",
    "user_enabled": "User enabled",
}
# A detail is a count, a code or a short name; anything longer could be an answer, so it is refused.
MAX_DETAIL_TEXT = 80
COLUMNS = ["at", "actor", "action", "target_kind", "target_id", "via", "details"]

DetailValue = int | float | bool | str | None | Sequence[str]


class AuditDetailError(ValueError):
    """A detail that could carry answer content was passed to the audit log."""


def command_line_actor() -> str:
    """Who ran a command: the operating-system account, since the command line has no sign-in."""
    try:
        return f"{getpass.getuser()} (command line)"
    except (KeyError, OSError):
        return "unknown (command line)"


def _checked(details: dict[str, DetailValue]) -> str | None:
    for key, value in details.items():
        texts = value if isinstance(value, list | tuple) else [value]
        for text in texts:
            if isinstance(text, str) and len(text) > MAX_DETAIL_TEXT:
                raise AuditDetailError(f"audit detail '{key}' is too long to be a code or name")
            if not isinstance(text, int | float | bool | str | type(None)):
                raise AuditDetailError(f"audit detail '{key}' must be a number, a code or a short name")
    return json.dumps(details, sort_keys=True, default=str) if details else None


def record(
    session: Session,
    action: str,
    *,
    actor: str,
    via: str,
    target_kind: str | None = None,
    target_id: str | None = None,
    **details: DetailValue,
) -> None:
    """Add one event to the caller's transaction, so the event and the change it describes commit together."""
    if action not in ACTIONS:
        raise ValueError(f"'{action}' is not an audit action: {', '.join(ACTIONS)}")
    session.add(
        AuditEvent(
            at=utc_now(),
            actor=actor[:200],
            action=action,
            target_kind=target_kind,
            target_id=target_id,
            via=via[:100],
            details=_checked(details),
        )
    )


def audit_events(
    engine: Engine,
    *,
    actor: str | None = None,
    actions: Sequence[str] = (),
    since: datetime | None = None,
    until: datetime | None = None,
    target_id: str | None = None,
    limit: int | None = None,
) -> pd.DataFrame:
    """Events newest first, filtered by who, what, when and which target; one row per event."""
    query = select(*(getattr(AuditEvent, column) for column in COLUMNS)).order_by(AuditEvent.id.desc())
    if actor:
        query = query.where(AuditEvent.actor == actor)
    if actions:
        query = query.where(AuditEvent.action.in_(list(actions)))
    if since is not None:
        query = query.where(AuditEvent.at >= since)
    if until is not None:
        query = query.where(AuditEvent.at < until)
    if target_id:
        query = query.where(AuditEvent.target_id == target_id)
    if limit is not None:
        query = query.limit(limit)
    with engine.connect() as connection:
        frame = pd.DataFrame(connection.execute(query).all(), columns=COLUMNS)
    frame["what"] = frame["action"].map(ACTIONS)
    return frame[["at", "actor", "what", "action", "target_kind", "target_id", "via", "details"]]


def audit_csv_bytes(events: pd.DataFrame) -> bytes:
    """The events as a CSV that opens in Excel (UTF-8 with a byte-order mark). Usernames come from whoever typed
    one on the sign-in page, so formula-like text is neutralised as in every other download."""
    return safe_for_spreadsheet(events).to_csv(index=False).encode("utf-8-sig")
