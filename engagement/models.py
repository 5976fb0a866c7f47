"""Database tables. Answers are stored long (one row per response and question) so any form fits."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import Column, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

CHANNELS: dict[str, str] = {
    "online": "Online survey",
    "paper": "Paper form (keyed in)",
    "event": "Face-to-face event",
    "import": "Imported file",
    "focus_group": "Focus group",
    "interview": "In-depth interview",
}


def utc_now() -> datetime:
    return datetime.now(UTC)


class Response(SQLModel, table=True):
    """One completed survey, with where it came from."""

    id: int | None = Field(default=None, primary_key=True)
    reference: str = Field(index=True, unique=True, max_length=40)
    survey_slug: str = Field(index=True, max_length=100)
    survey_version: int
    channel: str = Field(index=True, max_length=20)
    entered_by: str | None = Field(default=None, max_length=200)
    paper_reference: str | None = Field(default=None, max_length=100)
    import_batch: str | None = Field(default=None, max_length=100)
    place_code: str | None = Field(default=None, index=True, max_length=20)
    is_synthetic: bool = Field(default=False, index=True)
    created_at: datetime = Field(default_factory=utc_now, index=True)
    # What the respondent agreed to, word for word, and under which privacy notice (UK GDPR accountability).
    consent_text: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    privacy_notice_version: str | None = Field(default=None, max_length=50)
    consent_given_at: datetime | None = None
    # Set by the submitting page once per filled-in form, so a double-clicked submit stores one response.
    submission_key: str | None = Field(default=None, unique=True, index=True, max_length=64)


class Answer(SQLModel, table=True):
    """One answer to one question; a question with several values (three words) has one row per value."""

    id: int | None = Field(default=None, primary_key=True)
    response_id: int = Field(foreign_key="response.id", index=True, ondelete="CASCADE")
    question_id: str = Field(index=True, max_length=100)
    position: int = 0
    value: str = Field(sa_column=Column(Text, nullable=False))


class AppSetting(SQLModel, table=True):
    """Small facts the installation remembers, such as whether demo data was ever loaded."""

    key: str = Field(primary_key=True, max_length=100)
    value: str = Field(sa_column=Column(Text, nullable=False))


class TextAnalysis(SQLModel, table=True):
    """What the free-text engine said about one answer: its redacted text, sentiment and model version."""

    __tablename__ = "text_analysis"

    id: int | None = Field(default=None, primary_key=True)
    answer_id: int = Field(foreign_key="answer.id", unique=True, index=True, ondelete="CASCADE")
    codebook: str = Field(max_length=50)
    model_version: str = Field(index=True, max_length=80)
    redacted_text: str = Field(sa_column=Column(Text, nullable=False))
    sentiment: str = Field(max_length=20)
    sentiment_score: float
    status: str = Field(max_length=30)
    analysed_at: datetime = Field(default_factory=utc_now)


class ModelThemeTag(SQLModel, table=True):
    """A theme the model found in an answer. Replaced whenever the answer is analysed again."""

    __tablename__ = "model_theme_tag"

    id: int | None = Field(default=None, primary_key=True)
    answer_id: int = Field(foreign_key="answer.id", index=True, ondelete="CASCADE")
    codebook: str = Field(max_length=50)
    theme_code: str = Field(max_length=80)
    score: float
    source: str = Field(max_length=20)
    evidence: str = Field(sa_column=Column(Text, nullable=False))
    sentiment: str = Field(max_length=20)


class AnalystThemeTag(SQLModel, table=True):
    """An analyst's decision on a theme for an answer. Kept apart from model tags, never overwritten by the
    model, and always wins: accept or add puts the theme on the answer, reject takes it off."""

    __tablename__ = "analyst_theme_tag"
    __table_args__ = (UniqueConstraint("answer_id", "codebook", "theme_code"),)

    id: int | None = Field(default=None, primary_key=True)
    answer_id: int = Field(foreign_key="answer.id", index=True, ondelete="CASCADE")
    codebook: str = Field(max_length=50)
    theme_code: str = Field(max_length=80)
    decision: str = Field(max_length=10)
    analyst: str = Field(max_length=200)
    decided_at: datetime = Field(default_factory=utc_now)


class RedactionLog(SQLModel, table=True):
    """Which kind of personal data was taken out of an answer and where; never the value itself."""

    __tablename__ = "redaction_log"

    id: int | None = Field(default=None, primary_key=True)
    answer_id: int = Field(foreign_key="answer.id", index=True, ondelete="CASCADE")
    kind: str = Field(max_length=30)
    start: int
    end: int
    model_version: str = Field(max_length=80)
    logged_at: datetime = Field(default_factory=utc_now)


class UserAccount(SQLModel, table=True):
    """A member of staff or a volunteer who signs in. Roles are held as a comma-separated list."""

    __tablename__ = "user_account"

    id: int | None = Field(default=None, primary_key=True)
    username: str = Field(unique=True, index=True, max_length=100)
    password_hash: str = Field(max_length=255)
    roles: str = Field(max_length=200)
    disabled: bool = False
    created_at: datetime = Field(default_factory=utc_now)
    last_sign_in: datetime | None = None


class SignInThrottle(SQLModel, table=True):
    """Failed sign-ins counted per username typed, whether or not such an account exists, so the slow-down
    and lock-out never reveal which usernames are real."""

    __tablename__ = "sign_in_throttle"

    username: str = Field(primary_key=True, max_length=100)
    failed_attempts: int = 0
    last_failed_at: datetime | None = None
    locked_until: datetime | None = None


class AuditEvent(SQLModel, table=True):
    """Who did what, when, and from which page or command. Append-only; never holds answer content."""

    __tablename__ = "audit_event"

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=utc_now, index=True)
    actor: str = Field(index=True, max_length=200)
    action: str = Field(index=True, max_length=50)
    target_kind: str | None = Field(default=None, max_length=50)
    target_id: str | None = Field(default=None, index=True, max_length=100)
    via: str = Field(max_length=100)
    details: str | None = Field(default=None, sa_column=Column(Text, nullable=True))


class SurveySetting(SQLModel, table=True):
    """Settings an administrator keeps per survey, such as how long identifying answers are kept."""

    __tablename__ = "survey_setting"

    survey_slug: str = Field(primary_key=True, max_length=100)
    retention_days: int | None = None
    updated_at: datetime = Field(default_factory=utc_now)
    updated_by: str | None = Field(default=None, max_length=200)
