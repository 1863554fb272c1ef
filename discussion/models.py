"""The tables of Samtal and their small domain methods."""

from __future__ import annotations

import enum
from datetime import UTC, date, datetime

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
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .extensions import db

GENERAL_THREAD_TEXT = "Övriga kommentarer"


def utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


class CommentState(enum.StrEnum):
    """Where a comment is in its life: stored, waiting for a moderator, or decided."""

    RECEIVED = "received"  # stored; the worker has not sanitised and checked it yet
    PENDING = "pending"  # waits in the moderation queue
    APPROVED = "approved"  # visible to readers
    REJECTED = "rejected"
    SPAM = "spam"


class QuestionKind(enum.StrEnum):
    CLOSING = "closing"  # a closing question of the post
    GENERAL = "general"  # the one "Övriga kommentarer" thread of each post


class Post(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(120), unique=True)
    title: Mapped[str] = mapped_column(String(300))
    author_handle: Mapped[str] = mapped_column(String(120))
    published: Mapped[date] = mapped_column(Date, index=True)
    body_markdown: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)

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
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("post.id", ondelete="CASCADE"))
    question_id: Mapped[int] = mapped_column(
        ForeignKey("question.id", ondelete="CASCADE"), index=True
    )
    parent_id: Mapped[int | None] = mapped_column(
        ForeignKey("comment.id", ondelete="SET NULL"), index=True
    )
    author_name: Mapped[str] = mapped_column(String(80))
    email: Mapped[str | None] = mapped_column(String(254))
    email_hash: Mapped[str | None] = mapped_column(String(64), index=True)
    ip_hash: Mapped[str | None] = mapped_column(String(64), index=True)
    body_raw: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str | None] = mapped_column(Text)
    state: Mapped[CommentState] = mapped_column(
        Enum(CommentState, native_enum=False, length=20), default=CommentState.RECEIVED
    )
    spam_score: Mapped[float | None] = mapped_column(Float)
    spam_reasons: Mapped[list[str] | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    processed_at: Mapped[datetime | None] = mapped_column(DateTime)

    question: Mapped[Question] = relationship()
    post: Mapped[Post] = relationship()
    parent: Mapped[Comment | None] = relationship(remote_side=[id])

    @property
    def visible(self) -> bool:
        return self.state == CommentState.APPROVED

    def __repr__(self) -> str:
        return f"<Comment {self.id} {self.state}>"
