"""The tables of Samtal and their small domain methods."""

from __future__ import annotations

import enum
from datetime import UTC, date, datetime
from urllib.parse import urlsplit

from flask_login import UserMixin
from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    Enum,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .extensions import db

GENERAL_THREAD_TEXT = "Övriga kommentarer"


MAX_ID = 2**31 - 1  # the largest id an integer primary key holds in PostgreSQL


def is_row_id(ident) -> bool:
    """True for an int some row could have: positive and within the database's integer range."""
    return isinstance(ident, int) and not isinstance(ident, bool) and 0 < ident <= MAX_ID


def row_by_id(model, ident: int | None, **options):
    """`db.session.get`, but None for an id no row can have (not positive, or beyond the
    database's integer range), which would otherwise crash the query with a driver error."""
    if not is_row_id(ident):
        return None
    return db.session.get(model, ident, **options)


def utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


class CommentState(enum.StrEnum):
    """Where a comment is in its life: stored, waiting for a moderator, or decided."""

    RECEIVED = "received"  # stored; the worker has not sanitised and checked it yet
    HELD = "held"  # waits for its writer to verify an organisation's e-mail address
    PENDING = "pending"  # waits in the moderation queue
    APPROVED = "approved"  # visible to readers
    REJECTED = "rejected"
    SPAM = "spam"
    DELETED = "deleted"  # taken back by its writer (or erased); kept as context for its replies


class Role(enum.StrEnum):
    """Staff roles. An admin can do everything; an author moderates and replies."""

    AUTHOR = "author"
    MODERATOR = "moderator"
    ADMIN = "admin"


class ModerationPolicy(enum.StrEnum):
    POST = "post"  # comments go live unless flagged
    PRE = "pre"  # every comment waits for a moderator
    FIRST_TIME = "first_time"  # a commenter waits until one of theirs has been approved


class QuestionKind(enum.StrEnum):
    CLOSING = "closing"  # a closing question of the post
    GENERAL = "general"  # the one "Övriga kommentarer" thread of each post


class User(UserMixin, db.Model):
    """A staff account: an author, a moderator or an admin. Readers have no accounts."""

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    # How the user signs posts in their front matter (e.g. "@jmjobring"), to match posts to authors.
    author_handle: Mapped[str | None] = mapped_column(String(120), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[Role] = mapped_column(Enum(Role, native_enum=False, length=20))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # Part of every session's login id: raising it ends every session of the account at once
    # (logging out, a new password, a new role, a disabled account).
    session_generation: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    @property
    def is_active(self) -> bool:
        """A disabled account cannot log in, and its open sessions end (Flask-Login asks)."""
        return bool(self.active)

    def get_id(self) -> str:
        """The login id a session carries: the account and its session generation."""
        return f"{self.id}.{self.session_generation or 0}"

    def end_sessions(self) -> None:
        """Make every session of this account, on every device, invalid from now on."""
        self.session_generation = (self.session_generation or 0) + 1

    def __repr__(self) -> str:
        return f"<User {self.email} {self.role}>"


class Post(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(120), unique=True)
    title: Mapped[str] = mapped_column(String(300))
    author_handle: Mapped[str] = mapped_column(String(120))
    published: Mapped[date] = mapped_column(Date, index=True)
    body_markdown: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    # None: the site's policy (setting SAMTAL_MODERATION_POLICY) applies.
    moderation_policy: Mapped[ModerationPolicy | None] = mapped_column(
        Enum(ModerationPolicy, native_enum=False, length=20)
    )
    closed: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)
    # When anything its threads show last changed (a comment, its state, a question): the API's
    # ETag and Last-Modified. Kept by discussion/comments/freshness.py on every flush.
    threads_changed_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    author: Mapped[User | None] = relationship()
    questions: Mapped[list[Question]] = relationship(
        back_populates="post", order_by="Question.position", cascade="all, delete-orphan"
    )

    def __repr__(self) -> str:
        return f"<Post {self.slug}>"


class Question(db.Model):
    """A thread of a post: one per closing question, plus the general thread."""

    __table_args__ = (UniqueConstraint("post_id", "text", name="uq_question_post_text"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("post.id", ondelete="CASCADE"), index=True)
    text: Mapped[str] = mapped_column(String(1000))
    kind: Mapped[QuestionKind] = mapped_column(
        Enum(QuestionKind, native_enum=False, length=20), default=QuestionKind.CLOSING
    )
    position: Mapped[int] = mapped_column(Integer, default=0)
    hidden: Mapped[bool] = mapped_column(Boolean, default=False)
    closed: Mapped[bool] = mapped_column(Boolean, default=False)
    # The text as extracted from the post file before its author reworded it, so that a
    # re-import recognises the question instead of adding it again.
    imported_text: Mapped[str | None] = mapped_column(String(1000))

    post: Mapped[Post] = relationship(back_populates="questions")

    @property
    def is_general(self) -> bool:
        return self.kind == QuestionKind.GENERAL

    def __repr__(self) -> str:
        return f"<Question {self.id} {self.text[:30]!r}>"


class Comment(db.Model):
    """A reader's (or staff member's) comment. The row is the source of truth for all work on it."""

    __table_args__ = (
        Index("ix_comment_post_state_created", "post_id", "state", "created_at"),
        Index("ix_comment_state_created", "state", "created_at"),
        # A million comments (issue 14): what the spam check, the queue's Anmälda tab and
        # Obesvarade ask, each found without reading the comment table.
        Index("ix_comment_email_hash_state", "email_hash", "state"),
        Index("ix_comment_ip_hash_state", "ip_hash", "state"),
        Index("ix_comment_fingerprint_created", "body_fingerprint", "created_at"),
        Index(
            "ix_comment_reported",
            "state",
            "created_at",
            postgresql_where=text("report_count > 0"),
            sqlite_where=text("report_count > 0"),
        ),
        Index(
            "ix_comment_waiting",
            "created_at",
            "id",
            postgresql_where=text("state = 'PENDING' AND report_count <= 0"),
            sqlite_where=text("state = 'PENDING' AND report_count <= 0"),
        ),
        Index(
            "ix_comment_staff_replies",
            "state",
            postgresql_where=text("user_id IS NOT NULL"),
            sqlite_where=text("user_id IS NOT NULL"),
        ),
        # A thread cut in SQL (discussion/comments/threads.py): its counts, its top-level
        # comments not visible, and its top-level comments in the oldest and newest orders
        # (most liked: ix_comment_top_liked, after the class), and those not visible.
        Index("ix_comment_question_state_parent", "question_id", "state", "parent_id"),
        Index(
            "ix_comment_top_created",
            "question_id",
            "created_at",
            "id",
            postgresql_where=text("parent_id IS NULL"),
            sqlite_where=text("parent_id IS NULL"),
        ),
        Index(
            "ix_comment_top_hidden",
            "question_id",
            "id",
            postgresql_where=text("parent_id IS NULL AND state != 'APPROVED'"),
            sqlite_where=text("parent_id IS NULL AND state != 'APPROVED'"),
        ),
        UniqueConstraint("import_format", "import_id", name="uq_comment_import"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("post.id", ondelete="CASCADE"))
    question_id: Mapped[int] = mapped_column(ForeignKey("question.id", ondelete="CASCADE"))
    parent_id: Mapped[int | None] = mapped_column(
        ForeignKey("comment.id", ondelete="SET NULL"), index=True
    )
    author_name: Mapped[str] = mapped_column(String(80))
    email: Mapped[str | None] = mapped_column(String(254))
    email_hash: Mapped[str | None] = mapped_column(String(64))
    ip_hash: Mapped[str | None] = mapped_column(String(64))
    body_raw: Mapped[str] = mapped_column(Text)
    # Equal for near-identical texts, so the spam check finds the same text posted elsewhere.
    body_fingerprint: Mapped[str | None] = mapped_column(String(64))
    body_html: Mapped[str | None] = mapped_column(Text)
    state: Mapped[CommentState] = mapped_column(
        Enum(CommentState, native_enum=False, length=20), default=CommentState.RECEIVED
    )
    spam_score: Mapped[float | None] = mapped_column(Float)
    spam_reasons: Mapped[list[str] | None] = mapped_column(JSON)
    # The spam model version that gave spam_score, so its record can be kept per version.
    spam_model_version: Mapped[str | None] = mapped_column(String(40))
    # Set for staff replies: they go live at once with an author badge.
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    # Set only once the writer's address at the organisation's domain is verified.
    organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisation.id", ondelete="SET NULL")
    )
    notify_replies: Mapped[bool] = mapped_column(Boolean, default=False)
    report_count: Mapped[int] = mapped_column(Integer, default=0)
    # Readers' likes, kept in step with CommentLike in the same transaction (read on every page).
    like_count: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # Form timing and honeypot, for the spam check's behaviour signals.
    signals: Mapped[dict | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    processed_at: Mapped[datetime | None] = mapped_column(DateTime)
    decided_at: Mapped[datetime | None] = mapped_column(DateTime)
    # When its writer last changed the text (the original is kept as a CommentRevision).
    edited_at: Mapped[datetime | None] = mapped_column(DateTime)
    # Set for a comment brought in by `comments import`: the run, the format and its id there,
    # unique together, so that importing the same file again adds nothing.
    import_run_id: Mapped[int | None] = mapped_column(
        ForeignKey("import_run.id", ondelete="SET NULL"), index=True
    )
    import_format: Mapped[str | None] = mapped_column(String(20))
    import_id: Mapped[str | None] = mapped_column(String(200))

    question: Mapped[Question] = relationship()
    post: Mapped[Post] = relationship()
    parent: Mapped[Comment | None] = relationship(remote_side=[id])
    user: Mapped[User | None] = relationship()
    organisation: Mapped[Organisation | None] = relationship()

    @property
    def is_staff(self) -> bool:
        return self.user_id is not None

    @property
    def visible(self) -> bool:
        return self.state == CommentState.APPROVED

    def __repr__(self) -> str:
        return f"<Comment {self.id} {self.state}>"


# A thread's top-level comments most liked first, ties oldest first: one forward range.
Index(
    "ix_comment_top_liked",
    Comment.question_id,
    Comment.like_count.desc(),
    Comment.created_at,
    Comment.id,
    postgresql_where=text("parent_id IS NULL"),
    sqlite_where=text("parent_id IS NULL"),
)


# --- moving in and out: imports, and readers' data rights ------------------------------------


class ImportRun(db.Model):
    """One `comments import` of a file: where its comments came from, for the staff pages, and
    whether their labels (approved, spam) teach the spam model."""

    id: Mapped[int] = mapped_column(primary_key=True)
    format: Mapped[str] = mapped_column(String(20))
    file_name: Mapped[str] = mapped_column(String(500))
    comment_count: Mapped[int] = mapped_column(Integer, default=0)
    teaches_spam: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class DataRequest(db.Model):
    """A reader's signed, single-use link to download or erase what Samtal holds about an
    address. Only the address's keyed hash is kept: the address travels in the signed link."""

    id: Mapped[int] = mapped_column(primary_key=True)
    email_hash: Mapped[str] = mapped_column(String(64), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(DateTime)
    used_at: Mapped[datetime | None] = mapped_column(DateTime)


class Erasure(db.Model):
    """The audit log's record that a reader's data was erased: counts, never the data."""

    id: Mapped[int] = mapped_column(primary_key=True)
    # "reader" (their own link) or "admin" (the accounts page or `readers erase`).
    requested_by: Mapped[str] = mapped_column(String(20))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    comments_deleted: Mapped[int] = mapped_column(Integer, default=0)
    comments_replaced: Mapped[int] = mapped_column(Integer, default=0)
    subscriptions_removed: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, index=True)

    user: Mapped[User | None] = relationship()


class SpamWordKind(enum.StrEnum):
    BANNED = "banned"  # straight to spam
    SUSPECT = "suspect"  # to the queue


class SpamWord(db.Model):
    """A word or phrase of the admin's lists, matched on whole words, case-insensitively."""

    id: Mapped[int] = mapped_column(primary_key=True)
    word: Mapped[str] = mapped_column(String(100), unique=True)
    kind: Mapped[SpamWordKind] = mapped_column(Enum(SpamWordKind, native_enum=False, length=20))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class SpamTraining(db.Model):
    """One training of the spam model: when, on how many of the site's decisions, its figures.

    Read by the web pages, which never load the model file (that would load scikit-learn).
    """

    id: Mapped[int] = mapped_column(primary_key=True)
    version: Mapped[str] = mapped_column(String(40), unique=True)
    trained_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, index=True)
    site_decisions: Mapped[int] = mapped_column(Integer, default=0)
    seconds: Mapped[float] = mapped_column(Float)
    # `spam evaluate` on the shipped labelled data, at the queue threshold of the training.
    shipped_precision: Mapped[float] = mapped_column(Float)
    shipped_recall: Mapped[float] = mapped_column(Float)
    shipped_f1: Mapped[float] = mapped_column(Float)
    shipped_ham_fpr: Mapped[float] = mapped_column(Float)


class ModerationDecision(db.Model):
    """The audit log: every change of a comment's state or text, by whom, from what to what."""

    id: Mapped[int] = mapped_column(primary_key=True)
    comment_id: Mapped[int] = mapped_column(
        ForeignKey("comment.id", ondelete="CASCADE"), index=True
    )
    # None when the system decided (the spam check, a report threshold, a verification link).
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    action: Mapped[str] = mapped_column(String(40))
    from_state: Mapped[str] = mapped_column(String(20))
    to_state: Mapped[str] = mapped_column(String(20))
    reason: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, index=True)

    comment: Mapped[Comment] = relationship()
    user: Mapped[User | None] = relationship()


class CommentRevision(db.Model):
    """A comment's text before it was edited (by a moderator, or by its writer when
    `edited_by_id` is None); the original is never overwritten unseen."""

    id: Mapped[int] = mapped_column(primary_key=True)
    comment_id: Mapped[int] = mapped_column(
        ForeignKey("comment.id", ondelete="CASCADE"), index=True
    )
    body_raw: Mapped[str] = mapped_column(Text)
    edited_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class CommentLike(db.Model):
    """A reader's like of a comment: one per browser (its signed id, hashed), with the IP's hash
    so that clearing cookies cannot like a comment over and over from one network."""

    __table_args__ = (
        UniqueConstraint("comment_id", "browser_hash", name="uq_comment_like_comment_browser"),
        Index("ix_comment_like_comment_ip", "comment_id", "ip_hash"),
        Index("ix_comment_like_browser", "browser_hash", "comment_id"),  # a browser's likes
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    comment_id: Mapped[int] = mapped_column(ForeignKey("comment.id", ondelete="CASCADE"))
    browser_hash: Mapped[str] = mapped_column(String(64))
    ip_hash: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class Report(db.Model):
    """A reader's report of a comment; one per comment and reporter."""

    __table_args__ = (UniqueConstraint("comment_id", "ip_hash", name="uq_report_comment_ip"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    comment_id: Mapped[int] = mapped_column(
        ForeignKey("comment.id", ondelete="CASCADE"), index=True
    )
    reason: Mapped[str] = mapped_column(String(20))  # spam, personangrepp, annat
    note: Mapped[str | None] = mapped_column(String(500))
    ip_hash: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    resolved: Mapped[bool] = mapped_column(Boolean, default=False)


class Ban(db.Model):
    """A commenter kept out by e-mail hash and/or IP hash until it expires."""

    id: Mapped[int] = mapped_column(primary_key=True)
    email_hash: Mapped[str | None] = mapped_column(String(64), index=True)
    ip_hash: Mapped[str | None] = mapped_column(String(64), index=True)
    reason: Mapped[str | None] = mapped_column(Text)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    expires_at: Mapped[datetime | None] = mapped_column(DateTime)


class Organisation(db.Model):
    """An organisation whose people answer in threads, proved by their e-mail domain."""

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    badge: Mapped[str] = mapped_column(String(60))
    # A moderator's choice: this organisation's answers wait in the queue even when verified.
    moderate_answers: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    domains: Mapped[list[OrganisationDomain]] = relationship(
        back_populates="organisation", cascade="all, delete-orphan"
    )


class OrganisationDomain(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisation.id", ondelete="CASCADE"), index=True
    )
    domain: Mapped[str] = mapped_column(String(253), unique=True)

    organisation: Mapped[Organisation] = relationship(back_populates="domains")


# --- e-mail: verified organisation addresses, reader subscriptions and the outbox -------------


class VerifiedAddress(db.Model):
    """An address proved (by a link sent to it) to belong to an organisation, for a while."""

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisation.id", ondelete="CASCADE"), index=True
    )
    verified_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(DateTime)

    organisation: Mapped[Organisation] = relationship()


class EmailVerification(db.Model):
    """A single-use, expiring link sent to a commenter's address at an organisation's domain.

    One link per held comment: pressing it publishes that comment and no other, so nobody can
    put a verified organisation's badge on words its holder never saw.
    """

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), index=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisation.id", ondelete="CASCADE"), index=True
    )
    # The held comment the link publishes; None only for links sent before links were per comment.
    comment_id: Mapped[int | None] = mapped_column(
        ForeignKey("comment.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(DateTime)
    used_at: Mapped[datetime | None] = mapped_column(DateTime)

    organisation: Mapped[Organisation] = relationship()
    comment: Mapped[Comment | None] = relationship()


class ReaderAddress(db.Model):
    """What a reader's address agreed to: reply notifications (double opt-in), or no mail."""

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    replies_confirmed_at: Mapped[datetime | None] = mapped_column(DateTime)
    unsubscribed_at: Mapped[datetime | None] = mapped_column(DateTime)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class CommentAnnouncement(db.Model):
    """Marks a published comment whose notifications are queued, so the sweep can find misses."""

    comment_id: Mapped[int] = mapped_column(
        ForeignKey("comment.id", ondelete="CASCADE"), primary_key=True
    )
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class EmailStatus(enum.StrEnum):
    QUEUED = "queued"  # waits for a send task (or its retry)
    SENT = "sent"
    FAILED = "failed"  # refused for good (5xx) or given up after the retries: shown to admins


class OutgoingEmail(db.Model):
    """One e-mail, rendered when its event happened; unique on (event, recipient): sent once."""

    __table_args__ = (
        UniqueConstraint("event", "recipient", name="uq_outgoing_email_event_recipient"),
        Index("ix_outgoing_email_status_created", "status", "created_at"),
        Index("ix_outgoing_email_recipient_kind", "recipient", "kind", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event: Mapped[str] = mapped_column(String(120))
    kind: Mapped[str] = mapped_column(String(30))
    recipient: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(300))
    body_text: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text)
    # Set for e-mail to readers: the one-click unsubscribe link, also sent as List-Unsubscribe.
    unsubscribe_url: Mapped[str | None] = mapped_column(String(1000))
    status: Mapped[EmailStatus] = mapped_column(
        Enum(EmailStatus, native_enum=False, length=20), default=EmailStatus.QUEUED
    )
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    next_attempt_at: Mapped[datetime | None] = mapped_column(DateTime)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(DateTime)


class ApiToken(db.Model):
    """A staff bearer token for the API, e.g. for a blog registering its posts; kept hashed."""

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80), unique=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)  # sha256 hex of the token
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(DateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime)

    @property
    def active(self) -> bool:
        return self.revoked_at is None


# --- webhooks: endpoints admins register, and one delivery per event and endpoint -------------


class WebhookEndpoint(db.Model):
    """An address that gets a signed JSON POST for the events it subscribes to."""

    id: Mapped[int] = mapped_column(primary_key=True)
    url: Mapped[str] = mapped_column(String(2000))
    # The key of each request's HMAC-SHA256 signature; the receiver holds the same one.
    secret: Mapped[str] = mapped_column(String(200))
    events: Mapped[list[str]] = mapped_column(JSON)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # Slack-compatible: the body is {"text": ...}, what a Slack incoming webhook accepts.
    slack: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    @property
    def host(self) -> str:
        """The address's host, to name the endpoint in a narrow column."""
        return urlsplit(self.url).hostname or self.url


class WebhookStatus(enum.StrEnum):
    QUEUED = "queued"  # waits for a delivery task (or its retry)
    SENT = "sent"  # the endpoint answered 2xx
    FAILED = "failed"  # refused (4xx, a private address) or given up after the retries


class WebhookDelivery(db.Model):
    """One event for one endpoint, written in the event's transaction; unique, so sent once."""

    __table_args__ = (
        UniqueConstraint("event_id", "endpoint_id", name="uq_webhook_delivery_event_endpoint"),
        Index("ix_webhook_delivery_status_created", "status", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    endpoint_id: Mapped[int] = mapped_column(
        ForeignKey("webhook_endpoint.id", ondelete="CASCADE"), index=True
    )
    event: Mapped[str] = mapped_column(String(40))  # comment.published, ...
    event_id: Mapped[str] = mapped_column(String(120))  # the same for every endpoint
    body: Mapped[str] = mapped_column(Text)  # the JSON sent, fixed when the event happened
    status: Mapped[WebhookStatus] = mapped_column(
        Enum(WebhookStatus, native_enum=False, length=20), default=WebhookStatus.QUEUED
    )
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_status: Mapped[int | None] = mapped_column(Integer)  # the last HTTP status, if any
    last_response: Mapped[str | None] = mapped_column(Text)  # the answer's start, or the error
    last_attempt_at: Mapped[datetime | None] = mapped_column(DateTime)
    next_attempt_at: Mapped[datetime | None] = mapped_column(DateTime)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(DateTime)

    endpoint: Mapped[WebhookEndpoint] = relationship()
