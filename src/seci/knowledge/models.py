"""Business modules, articles, their immutable versions, feedback, votes and read receipts."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import (
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    event,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from seci.core.clock import utcnow
from seci.core.db import Base


class ArticleStatus(StrEnum):
    DRAFT = "draft"  # working copy being written (first draft or a revision)
    IN_REVIEW = "in_review"
    PUBLISHED = "published"  # working copy equals the live version
    RETIRED = "retired"


class Audience(StrEnum):
    INTERNAL = "internal"  # agents only
    CUSTOMER = "customer"  # may be shown to customers (smart assistant)


class Validity(StrEnum):
    SCHEDULED = "scheduled"  # 待生效
    VALID = "valid"  # 有效
    EXPIRED = "expired"  # 已失效


class FeedbackKind(StrEnum):
    WRONG = "wrong"
    OUTDATED = "outdated"
    UNCLEAR = "unclear"


class FeedbackStatus(StrEnum):
    OPEN = "open"
    ACCEPTED = "accepted"  # owner is fixing it
    FIXED = "fixed"  # a new version was published
    DECLINED = "declined"


class Module(Base):
    """A node of the business-module tree (业务模块). ``path`` is '/1/4/9/' for subtree queries."""

    __tablename__ = "modules"

    id: Mapped[int] = mapped_column(primary_key=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("modules.id"), index=True)
    name: Mapped[str] = mapped_column(String(80))
    path: Mapped[str] = mapped_column(String(400), index=True, default="/")
    position: Mapped[int] = mapped_column(Integer, default=0)
    archived: Mapped[bool] = mapped_column(Boolean, default=False)


class Article(Base):
    """The identity of a piece of knowledge plus its editable working copy."""

    __tablename__ = "articles"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    status: Mapped[str] = mapped_column(String(16), default=ArticleStatus.DRAFT, index=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    updated_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)

    # working copy
    module_id: Mapped[int] = mapped_column(ForeignKey("modules.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text, default="")
    # 答复口径: what to tell a customer, written for them (optional; the assistant sends it).
    customer_answer: Mapped[str] = mapped_column(Text, default="")
    tags: Mapped[list[str]] = mapped_column(default=list)
    similar_questions: Mapped[list[str]] = mapped_column(default=list)
    queue_ids: Mapped[list[int]] = mapped_column(default=list)
    audience: Mapped[str] = mapped_column(String(16), default=Audience.CUSTOMER)
    valid_from: Mapped[date | None] = mapped_column(Date, default=None)
    valid_to: Mapped[date | None] = mapped_column(Date, default=None)

    # review state of the working copy
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), default=None)
    submitted_at: Mapped[datetime | None] = mapped_column(default=None)
    review_comment: Mapped[str | None] = mapped_column(Text, default=None)
    retired_at: Mapped[datetime | None] = mapped_column(default=None)
    retire_reason: Mapped[str | None] = mapped_column(String(400), default=None)

    live_version_id: Mapped[int | None] = mapped_column(
        ForeignKey("article_versions.id", use_alter=True), default=None
    )
    latest_version_no: Mapped[int] = mapped_column(Integer, default=0)

    view_count: Mapped[int] = mapped_column(Integer, default=0)
    helpful_count: Mapped[int] = mapped_column(Integer, default=0)
    unhelpful_count: Mapped[int] = mapped_column(Integer, default=0)

    # Optimistic lock: every save must name the lock_version it started from.
    lock_version: Mapped[int] = mapped_column(Integer, nullable=False)
    __mapper_args__ = {"version_id_col": lock_version}  # noqa: RUF012 - SQLAlchemy API

    live_version: Mapped[ArticleVersion | None] = relationship(
        foreign_keys=[live_version_id], lazy="joined"
    )


class ArticleVersion(Base):
    """An immutable published version; rollback and edits create new ones."""

    __tablename__ = "article_versions"
    __table_args__ = (UniqueConstraint("article_id", "version_no"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id"), index=True)
    version_no: Mapped[int] = mapped_column(Integer)
    code: Mapped[str] = mapped_column(String(64))
    module_id: Mapped[int] = mapped_column(ForeignKey("modules.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    customer_answer: Mapped[str] = mapped_column(Text, default="")
    tags: Mapped[list[str]] = mapped_column(default=list)
    similar_questions: Mapped[list[str]] = mapped_column(default=list)
    queue_ids: Mapped[list[int]] = mapped_column(default=list)
    audience: Mapped[str] = mapped_column(String(16))
    valid_from: Mapped[date | None] = mapped_column(Date, default=None)
    valid_to: Mapped[date | None] = mapped_column(Date, default=None)
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), default=None)
    published_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    source: Mapped[str] = mapped_column(String(16), default="review")  # review|import|rollback
    change_note: Mapped[str] = mapped_column(String(400), default="")
    notify_agents: Mapped[bool] = mapped_column(Boolean, default=True)

    # Written with the version, read through SQL filters: never loaded by default.
    queue_links: Mapped[list[VersionQueue]] = relationship(
        cascade="all, delete-orphan", lazy="select"
    )


class VersionQueue(Base):
    """Queues a version applies to, as rows so that queue filters use an index."""

    __tablename__ = "version_queues"
    __table_args__ = (
        UniqueConstraint("version_id", "queue_id"),
        Index("ix_version_queues_queue_version", "queue_id", "version_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("article_versions.id", ondelete="CASCADE"))
    queue_id: Mapped[int] = mapped_column(ForeignKey("queues.id"))


class ArticleFeedback(Base):
    """An agent's correction request (纠错) and the owner's answer."""

    __tablename__ = "article_feedback"

    id: Mapped[int] = mapped_column(primary_key=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id"), index=True)
    version_no: Mapped[int] = mapped_column(Integer, default=0)
    reporter_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    comment: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default=FeedbackStatus.OPEN, index=True)
    response: Mapped[str | None] = mapped_column(Text, default=None)
    handled_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), default=None)
    handled_at: Mapped[datetime | None] = mapped_column(default=None)
    fixed_version_no: Mapped[int | None] = mapped_column(Integer, default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ArticleVote(Base):
    """One helpful / not-helpful vote per user and article (changeable)."""

    __tablename__ = "article_votes"
    __table_args__ = (UniqueConstraint("article_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    helpful: Mapped[bool] = mapped_column(Boolean)
    voted_at: Mapped[datetime] = mapped_column(default=utcnow)


class KnowledgeAck(Base):
    """An agent's acknowledgement of having read a new or changed version (知识确认)."""

    __tablename__ = "knowledge_acks"
    __table_args__ = (UniqueConstraint("version_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(
        ForeignKey("article_versions.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    acked_at: Mapped[datetime] = mapped_column(default=utcnow)


class ArticleChange(Base):
    """Feed of changes to what is live: a row whenever an article's live version is
    published, rolled back or retired. Search indexes (in every server process) follow it."""

    __tablename__ = "article_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id"), index=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)


class VersionIsImmutable(RuntimeError):
    pass


@event.listens_for(ArticleVersion, "before_update")
def _refuse_version_change(_mapper: object, _conn: object, _target: ArticleVersion) -> None:
    raise VersionIsImmutable("published versions are immutable; create a new one")


class Attachment(Base):
    """An image or file uploaded for articles (the editor's images, attachments).

    The bytes live in the attachment store (``SECI_ATTACHMENT_DIR``, default
    ``<data_dir>/attachments``) under their SHA-256; the row says who uploaded what. Who may
    read one follows the articles that use it (``ArticleAttachment``)."""

    __tablename__ = "attachments"

    id: Mapped[int] = mapped_column(primary_key=True)
    filename: Mapped[str] = mapped_column(String(200))
    content_type: Mapped[str] = mapped_column(String(100))
    size_bytes: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    uploaded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    uploaded_at: Mapped[datetime] = mapped_column(default=utcnow)


class ArticleAttachment(Base):
    """An article whose body (any version of it) used an attachment. Links are kept when a
    later version drops the reference, so that old versions still show their images."""

    __tablename__ = "article_attachments"

    article_id: Mapped[int] = mapped_column(
        ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True)
    attachment_id: Mapped[int] = mapped_column(
        ForeignKey("attachments.id", ondelete="CASCADE"), primary_key=True, index=True)
