"""Database tables. Answers are stored long (one row per response and question) so any form fits."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import BigInteger, Column, Index, LargeBinary, Text, UniqueConstraint
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
    """One completed survey, with where it came from. A paper form's reference is unique within its survey."""

    # A unique index, not a constraint: adding it needs no table rebuild, which on SQLite would cascade-delete
    # the answers of every existing response.
    __table_args__ = (Index("uq_response_paper_reference", "survey_slug", "paper_reference", unique=True),)

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


class DataRevision(SQLModel, table=True):
    """A counter per survey that database triggers add one to whenever one of its responses or answers is
    added, changed or deleted, or a keyed-in response is corrected (migration 0008). Reading it tells every app
    instance that the data changed without scanning the answers."""

    __tablename__ = "data_revision"

    survey_slug: str = Field(primary_key=True, max_length=100)
    revision: int = Field(default=0, sa_column=Column(BigInteger, nullable=False))


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


class AnalystSentiment(SQLModel, table=True):
    """An analyst's reading of an answer's overall sentiment, decided with its themes. Kept apart from the
    model's, never overwritten by it, and always wins. ``model_sentiment`` is what the model said when the
    analyst decided: the two are equal when the analyst kept the model's sentiment."""

    __tablename__ = "analyst_sentiment"

    id: int | None = Field(default=None, primary_key=True)
    answer_id: int = Field(foreign_key="answer.id", unique=True, index=True, ondelete="CASCADE")
    sentiment: str = Field(max_length=20)
    model_sentiment: str = Field(max_length=20)
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


class ImportBatch(SQLModel, table=True):
    """One file imported (CSV or XLSX): what came in, what was kept out, and the file's fingerprint so the same
    file uploaded again is recognised. rows = imported + rejected + duplicates, always."""

    __tablename__ = "import_batch"

    id: str = Field(primary_key=True, max_length=40)
    survey_slug: str = Field(index=True, max_length=100)
    channel: str = Field(max_length=20)
    file_name: str = Field(max_length=255)
    sheet: str | None = Field(default=None, max_length=100)
    file_sha256: str = Field(index=True, max_length=64)
    rows: int
    imported: int
    rejected: int
    duplicates: int
    imported_by: str = Field(max_length=200)
    imported_at: datetime = Field(default_factory=utc_now)


class RejectedRow(SQLModel, table=True):
    """A row an import kept out (quarantine): its row number, the raw cells as given and every reason, until a
    corrected copy is imported (resolved_by_batch)."""

    __tablename__ = "rejected_row"

    id: int | None = Field(default=None, primary_key=True)
    batch_id: str = Field(foreign_key="import_batch.id", index=True, max_length=40)
    row_number: int
    raw: str = Field(sa_column=Column(Text, nullable=False))  # JSON object: column -> cell text
    reasons: str = Field(sa_column=Column(Text, nullable=False))  # JSON list of plain sentences
    resolved_by_batch: str | None = Field(default=None, max_length=40)


class ResponseCorrection(SQLModel, table=True):
    """A correction to a keyed-in response: who, when and what changed (each answer before and after). The
    response holds the corrected answers; the corrections are its earlier versions, never overwritten."""

    __tablename__ = "response_correction"

    id: int | None = Field(default=None, primary_key=True)
    response_id: int = Field(foreign_key="response.id", index=True, ondelete="CASCADE")
    version: int  # the version this correction created; the response as first keyed in is version 1
    corrected_by: str = Field(max_length=200)
    corrected_at: datetime = Field(default_factory=utc_now)
    changes: str = Field(sa_column=Column(Text, nullable=False))  # JSON: question id -> [before, after]


class VerifiedBatch(SQLModel, table=True):
    """A paper batch whose sheets are each keyed twice by different volunteers before they count."""

    __tablename__ = "verified_batch"

    batch: str = Field(primary_key=True, max_length=100)
    survey_slug: str = Field(primary_key=True, max_length=100)
    set_by: str = Field(max_length=200)
    set_at: datetime = Field(default_factory=utc_now)


class SecondEntry(SQLModel, table=True):
    """A second volunteer's keying of a paper sheet, compared with the first; a third person settles any
    disagreement (resolved_by), and only then does the sheet count as verified."""

    __tablename__ = "second_entry"

    id: int | None = Field(default=None, primary_key=True)
    response_id: int = Field(foreign_key="response.id", unique=True, index=True, ondelete="CASCADE")
    entered_by: str = Field(max_length=200)
    entered_at: datetime = Field(default_factory=utc_now)
    answers: str = Field(sa_column=Column(Text, nullable=False))  # JSON: question id -> codes
    disagreements: int
    resolved_by: str | None = Field(default=None, max_length=200)
    resolved_at: datetime | None = None


class DuplicateDecision(SQLModel, table=True):
    """A person's decision on two responses flagged as likely the same person: "keep_both" (different people)
    or "same_person" (counted once: kept_response_id is the one that counts; the other is kept but not
    counted). Append-only: changing one's mind adds a row, and the newest decision on a pair applies."""

    __tablename__ = "duplicate_decision"

    id: int | None = Field(default=None, primary_key=True)
    survey_slug: str = Field(index=True, max_length=100)  # the survey being reviewed (its Easy Read joins it)
    first_response_id: int = Field(foreign_key="response.id", index=True, ondelete="CASCADE")
    second_response_id: int = Field(foreign_key="response.id", index=True, ondelete="CASCADE")
    decision: str = Field(max_length=20)
    kept_response_id: int | None = Field(default=None, foreign_key="response.id", ondelete="CASCADE")
    similarity: float  # how alike the written answers were when the pair was flagged (0-100)
    decided_by: str = Field(max_length=200)
    decided_at: datetime = Field(default_factory=utc_now)


class PublicAction(SQLModel, table=True):
    """One entry of the "You said, we did" register: what was done in response to what people said, with the
    themes, places, count and chosen (redacted) quotes that justify it, its owner and status, and the wording
    the public sees."""

    __tablename__ = "public_action"

    id: int | None = Field(default=None, primary_key=True)
    survey_slug: str = Field(index=True, max_length=100)
    you_said: str = Field(sa_column=Column(Text, nullable=False))
    we_did: str = Field(sa_column=Column(Text, nullable=False))
    themes: str = Field(default="", max_length=500)  # theme codes joined with "|"
    places: str = Field(default="", max_length=500)  # local authority codes joined with "|"
    people: int | None = None  # how many respondents raised it (as shown, after suppression)
    quotes: str | None = Field(default=None, sa_column=Column(Text, nullable=True))  # JSON list, redacted text
    owner: str = Field(max_length=200)
    status: str = Field(default="planned", max_length=20)
    published: bool = Field(default=False)
    updated_at: datetime = Field(default_factory=utc_now)
    updated_by: str = Field(max_length=200)


class SurveyThemeModel(SQLModel, table=True):
    """A survey's own theme model for one codebook: the shipped model adapted to this survey's analyst decisions,
    with its sentiment model adapted likewise, how well they agree with them (cross-validated), and the review
    queue it suggests. Kept in the database so
    every app instance uses the same one. ``refreshing_since`` is the lease of the job refreshing it."""

    __tablename__ = "survey_theme_model"

    survey_slug: str = Field(primary_key=True, max_length=100)
    codebook: str = Field(primary_key=True, max_length=50)
    model: bytes | None = Field(default=None, sa_column=Column(LargeBinary, nullable=True))
    # The shipped sentiment model adapted to the analysts' sentiment decisions; None while the shipped one is used.
    sentiment_model: bytes | None = Field(default=None, sa_column=Column(LargeBinary, nullable=True))
    base_version: str = Field(default="", max_length=80)
    reviewed: int = 0  # analyst-reviewed comments the model and its agreement rest on
    agreement: str | None = Field(default=None, sa_column=Column(Text, nullable=True))  # JSON
    sentiment_agreement: str | None = Field(default=None, sa_column=Column(Text, nullable=True))  # JSON
    suggested: str = Field(default="[]", sa_column=Column(Text, nullable=False))  # JSON list of answer ids
    model_changed_at: datetime | None = None
    refreshing_since: datetime | None = None
