"""Database tables. Answers are stored long (one row per response and question) so any form fits."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import Column, Text
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
