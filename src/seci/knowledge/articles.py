"""Article lifecycle: draft → in review → published → retired, with four-eyes review."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from sqlalchemy import func, insert, select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from seci.accounts.models import Queue, User
from seci.accounts.roles import Perm
from seci.audit.service import record
from seci.core.clock import today, utcnow
from seci.core.errors import FieldErrors, PermissionDenied
from seci.knowledge.access import (
    can_see_working_copy,
    live_version_visible,
    module_scope,
    require_module_access,
    validity_of,
)
from seci.knowledge.attachments import link_attachments
from seci.knowledge.errors import (
    ArticleNotFound,
    DuplicateCode,
    FourEyesViolation,
    InvalidTransition,
    ModuleArchived,
    ModuleNotFound,
    NotArticleOwner,
    RejectNeedsComment,
    StaleEdit,
)
from seci.knowledge.models import (
    Article,
    ArticleChange,
    ArticleFeedback,
    ArticleStatus,
    ArticleVersion,
    FeedbackStatus,
    Module,
    Validity,
    VersionQueue,
)
from seci.knowledge.validation import ArticleFields, check_code, check_fields
from seci.people.certification import flag_recertification

CONTENT_FIELDS = (
    "title", "body", "customer_answer", "module_id", "queue_ids", "tags",
    "similar_questions", "audience", "valid_from", "valid_to",
)


def content_of(source: Article | ArticleVersion) -> dict[str, Any]:
    """The comparable content of a working copy or a version, JSON-ready."""
    return {
        "title": source.title,
        "body": source.body,
        "customer_answer": source.customer_answer,
        "module_id": source.module_id,
        "queue_ids": sorted(source.queue_ids or []),
        "tags": list(source.tags or []),
        "similar_questions": list(source.similar_questions or []),
        "audience": source.audience,
        "valid_from": source.valid_from.isoformat() if source.valid_from else None,
        "valid_to": source.valid_to.isoformat() if source.valid_to else None,
    }


# --- reading -----------------------------------------------------------------------------


def fields_of(source: Article | ArticleVersion) -> ArticleFields:
    """The editable content of a working copy or a version, to change a field or two."""
    return ArticleFields(
        title=source.title, body=source.body, customer_answer=source.customer_answer,
        module_id=source.module_id, queue_ids=list(source.queue_ids or []),
        tags=list(source.tags or []), similar_questions=list(source.similar_questions or []),
        audience=source.audience, valid_from=source.valid_from, valid_to=source.valid_to)


def get_article(session: Session, *, article_id: int) -> Article:
    article = session.get(Article, article_id)
    if article is None:
        raise ArticleNotFound(article=article_id)
    return article


def get_article_by_code(session: Session, *, code: str) -> Article:
    article = session.scalar(select(Article).where(Article.code == code))
    if article is None:
        raise ArticleNotFound(article=code)
    return article


@dataclass(frozen=True)
class ArticleAccess:
    """What a user may see of one article and do with it."""

    live: bool  # may read the live (published) version
    working_copy: bool  # may read the draft / submission
    edit: bool
    submit: bool
    review: bool
    retire: bool
    rollback: bool
    validity: Validity | None  # of the live version, today


def article_access(session: Session, *, user: User, article: Article,
                   on: date | None = None) -> ArticleAccess:
    on = on or today()
    version = article.live_version
    live = version is not None and live_version_visible(user, version, article, on)
    working = can_see_working_copy(session, user, article)
    scope = module_scope(session, user)
    in_module = scope is None or article.module_id in scope
    editor = user.can(Perm.ARTICLE_EDIT) and in_module
    is_writer = user.id in {article.updated_by_id, article.submitted_by_id}
    return ArticleAccess(
        live=live,
        working_copy=working,
        edit=editor,
        submit=editor and article.status == ArticleStatus.DRAFT,
        review=user.can(Perm.ARTICLE_REVIEW) and in_module
        and article.status == ArticleStatus.IN_REVIEW and not is_writer,
        retire=user.can(Perm.ARTICLE_RETIRE) and in_module
        and article.status != ArticleStatus.RETIRED,
        rollback=user.can(Perm.ARTICLE_ROLLBACK) and in_module and article.latest_version_no > 1,
        validity=validity_of(version.valid_from, version.valid_to, on) if version else None,
    )


def get_visible_article(session: Session, *, user: User, article_id: int,
                        on: date | None = None) -> tuple[Article, ArticleAccess]:
    """The article if the user may see any of it; otherwise 404 (existence is not leaked)."""
    article = get_article(session, article_id=article_id)
    access = article_access(session, user=user, article=article, on=on)
    if not (access.live or access.working_copy):
        raise ArticleNotFound(article=article_id)
    return article, access


# --- writing -----------------------------------------------------------------------------


def _known_queue_ids(session: Session) -> set[int]:
    return set(session.scalars(select(Queue.id)))


def _validate(session: Session, fields: ArticleFields, code: str | None) -> None:
    problems = check_fields(fields, known_queue_ids=_known_queue_ids(session))
    if code is not None and (problem := check_code(code)):
        problems.append(problem)
    if fields.module_id is not None:
        module = session.get(Module, fields.module_id)
        if module is None:
            raise ModuleNotFound(module=fields.module_id)
        if module.archived:
            raise ModuleArchived(module=module.name)
    if problems:
        raise FieldErrors([p.as_dict() for p in problems])


def _apply(article: Article, fields: ArticleFields) -> None:
    for name in CONTENT_FIELDS:
        setattr(article, name, getattr(fields, name))


def _require(user: User, perm: Perm) -> None:
    if not user.can(perm):
        raise PermissionDenied()


def next_code(session: Session) -> str:
    """KB-000123 style codes for articles created without one."""
    number = (session.scalar(select(func.max(Article.id))) or 0) + 1
    while session.scalar(select(Article.id).where(Article.code == f"KB-{number:06d}")):
        number += 1
    return f"KB-{number:06d}"


def create_article(session: Session, *, fields: ArticleFields, actor: User,
                   code: str | None = None, owner_id: int | None = None) -> Article:
    """A new draft in a module the author may work on."""
    _require(actor, Perm.ARTICLE_EDIT)
    code = (code or "").strip() or next_code(session)
    _validate(session, fields, code)
    assert fields.module_id is not None
    require_module_access(session, actor, fields.module_id)
    if session.scalar(select(Article.id).where(Article.code == code)) is not None:
        raise DuplicateCode(code=code)
    article = Article(
        code=code,
        status=ArticleStatus.DRAFT,
        owner_id=owner_id or actor.id,
        created_by_id=actor.id,
        updated_by_id=actor.id,
    )
    _apply(article, fields)
    session.add(article)
    session.flush()
    link_attachments(session, article=article, actor=actor,
                     body=f"{fields.body}\n{fields.customer_answer}")
    record(session, actor=actor, action="article.create", entity_type="article",
           entity_id=article.id, summary=f"{code} {fields.title}", after=content_of(article))
    return article


def update_article(session: Session, *, article_id: int, fields: ArticleFields,
                   expected_lock_version: int, actor: User, owner_id: int | None = None
                   ) -> Article:
    """Save the working copy; a stale ``expected_lock_version`` raises StaleEdit (409)."""
    _require(actor, Perm.ARTICLE_EDIT)
    article = get_article(session, article_id=article_id)
    require_module_access(session, actor, article.module_id)
    if article.lock_version != expected_lock_version:
        raise _stale(session, article, expected_lock_version)
    _validate(session, fields, None)
    assert fields.module_id is not None
    require_module_access(session, actor, fields.module_id)
    before = content_of(article)
    previous_status = article.status
    _apply(article, fields)
    if owner_id is not None:
        article.owner_id = owner_id
    article.status = ArticleStatus.DRAFT
    article.updated_by_id = actor.id
    article.updated_at = utcnow()
    article.submitted_at = None
    article.submitted_by_id = None
    try:
        session.flush()
    except StaleDataError:
        # Another transaction saved between our read and our write.
        session.rollback()
        raise _stale(session, get_article(session, article_id=article_id),
                     expected_lock_version) from None
    link_attachments(session, article=article, actor=actor,
                     body=f"{fields.body}\n{fields.customer_answer}")
    record(session, actor=actor, action="article.edit", entity_type="article",
           entity_id=article.id, summary=article.code, before=before | {"status": previous_status},
           after=content_of(article))
    return article


def add_similar_question(session: Session, *, article_id: int, question: str, actor: User
                         ) -> Article:
    """One step from the knowledge-gap report: the article's working copy with ``question``
    as one more similar question (a draft that goes through review like any edit). Checked
    like an edit of the article; a question it holds already changes nothing."""
    _require(actor, Perm.ARTICLE_EDIT)
    article = get_article(session, article_id=article_id)
    question = " ".join(question.split())
    if not question:
        raise FieldErrors([{"field": "query", "code": "required"}])
    require_module_access(session, actor, article.module_id)
    fields = fields_of(article)
    if question in fields.similar_questions:
        return article
    fields = replace(fields, similar_questions=[*fields.similar_questions, question])
    return update_article(session, article_id=article.id, fields=fields,
                          expected_lock_version=article.lock_version, actor=actor)


def _stale(session: Session, article: Article, yours: int) -> StaleEdit:
    """The 409 error, carrying the current content so the editor can merge by hand."""
    editor = session.get(User, article.updated_by_id)
    name = editor.display_name if editor else "?"
    return StaleEdit(
        current=content_of(article) | {
            "lock_version": article.lock_version,
            "updated_by": name,
            "updated_at": article.updated_at.isoformat(),
            "status": article.status,
        },
        code=article.code,
        user=name,
        yours=yours,
        current_version=article.lock_version,
    )


def submit_article(session: Session, *, article_id: int, actor: User,
                   expected_lock_version: int | None = None) -> Article:
    """Send a draft to review."""
    _require(actor, Perm.ARTICLE_EDIT)
    article = get_article(session, article_id=article_id)
    require_module_access(session, actor, article.module_id)
    if expected_lock_version is not None and article.lock_version != expected_lock_version:
        raise _stale(session, article, expected_lock_version)
    if article.status != ArticleStatus.DRAFT:
        raise InvalidTransition(status=article.status, action="submitted")
    article.status = ArticleStatus.IN_REVIEW
    article.submitted_by_id = actor.id
    article.submitted_at = utcnow()
    session.flush()
    record(session, actor=actor, action="article.submit", entity_type="article",
           entity_id=article.id, summary=article.code)
    return article


def _check_reviewer(session: Session, article: Article, actor: User) -> None:
    _require(actor, Perm.ARTICLE_REVIEW)
    require_module_access(session, actor, article.module_id)
    if article.status != ArticleStatus.IN_REVIEW:
        raise InvalidTransition(status=article.status, action="reviewed")
    if actor.id in {article.updated_by_id, article.submitted_by_id}:
        raise FourEyesViolation()


def approve_article(session: Session, *, article_id: int, actor: User, comment: str = "",
                    notify_agents: bool = True) -> ArticleVersion:
    """Four-eyes approval publishes the submission as a new immutable version."""
    article = get_article(session, article_id=article_id)
    _check_reviewer(session, article, actor)
    version = publish_working_copy(
        session, article=article, author_id=article.updated_by_id, approver=actor,
        source="review", change_note=comment, notify_agents=notify_agents,
    )
    record(session, actor=actor, action="article.approve", entity_type="article",
           entity_id=article.id, summary=f"{article.code} v{version.version_no}",
           after={"version_no": version.version_no, "comment": comment})
    return version


def publish_working_copy(session: Session, *, article: Article, author_id: int,
                         approver: User | None, source: str, change_note: str = "",
                         notify_agents: bool = True) -> ArticleVersion:
    """Freeze the working copy as the next version and make it live."""
    number = article.latest_version_no + 1
    version = ArticleVersion(
        article_id=article.id,
        version_no=number,
        code=article.code,
        author_id=author_id,
        approved_by_id=approver.id if approver else None,
        source=source,
        change_note=change_note[:400],
        notify_agents=notify_agents,
        queue_links=[VersionQueue(queue_id=q) for q in sorted(set(article.queue_ids))],
        **{name: getattr(article, name) for name in CONTENT_FIELDS},
    )
    session.add(version)
    session.flush()
    article.live_version_id = version.id
    article.latest_version_no = number
    article.status = ArticleStatus.PUBLISHED
    article.review_comment = None
    article.retired_at = None
    article.retire_reason = None
    article.updated_at = utcnow()
    session.flush()
    session.refresh(article, ["live_version"])
    _close_accepted_feedback(session, article_id=article.id, version_no=number,
                             approver=approver)
    note_live_change(session, [article.id])
    if notify_agents and number > 1:
        # A material change (pushed to agents as new knowledge): holders of certifications
        # whose exams ask questions that depend on this article must re-certify.
        flag_recertification(session, article_ids=[article.id])
    record(
        session, actor=approver, action="article.publish", entity_type="article",
        entity_id=article.id, summary=f"{article.code} v{number}",
        after=content_of(version) | {"version_no": number, "source": source},
    )
    return version


def note_live_change(session: Session, article_ids: Sequence[int]) -> None:
    """Append to the change feed that search indexes follow (see ArticleChange)."""
    if article_ids:
        session.execute(insert(ArticleChange), [{"article_id": i} for i in article_ids])


def _close_accepted_feedback(session: Session, *, article_id: int, version_no: int,
                             approver: User | None) -> None:
    session.execute(
        update(ArticleFeedback)
        .where(ArticleFeedback.article_id == article_id,
               ArticleFeedback.status == FeedbackStatus.ACCEPTED)
        .values(status=FeedbackStatus.FIXED, fixed_version_no=version_no, handled_at=utcnow())
        .execution_options(synchronize_session=False)
    )


def reject_article(session: Session, *, article_id: int, actor: User, comment: str) -> Article:
    """Send a submission back to draft; the comment tells the author what to change."""
    article = get_article(session, article_id=article_id)
    _check_reviewer(session, article, actor)
    if not comment.strip():
        raise RejectNeedsComment()
    article.status = ArticleStatus.DRAFT
    article.review_comment = comment.strip()
    article.submitted_at = None
    session.flush()
    # What was sent back, so that the resubmission shows the reviewer what changed since.
    record(session, actor=actor, action="article.reject", entity_type="article",
           entity_id=article.id, summary=article.code, before={"rejected": content_of(article)},
           after={"comment": comment.strip()})
    return article


def retire_article(session: Session, *, article_id: int, actor: User, reason: str = ""
                   ) -> Article:
    """Take an article out of service; its versions stay for the record."""
    _require(actor, Perm.ARTICLE_RETIRE)
    article = get_article(session, article_id=article_id)
    require_module_access(session, actor, article.module_id)
    if article.status == ArticleStatus.RETIRED:
        raise InvalidTransition(status=article.status, action="retired")
    before = article.status
    article.status = ArticleStatus.RETIRED
    article.retired_at = utcnow()
    article.retire_reason = reason.strip()[:400] or None
    session.flush()
    note_live_change(session, [article.id])
    record(session, actor=actor, action="article.retire", entity_type="article",
           entity_id=article.id, summary=article.code, before={"status": before},
           after={"status": ArticleStatus.RETIRED, "reason": reason})
    return article


def set_owner(session: Session, *, article_id: int, owner_id: int, actor: User) -> Article:
    article = get_article(session, article_id=article_id)
    if not (actor.id == article.owner_id or actor.can(Perm.ARTICLE_RETIRE)):
        raise NotArticleOwner()
    before = article.owner_id
    article.owner_id = owner_id
    session.flush()
    record(session, actor=actor, action="article.owner", entity_type="article",
           entity_id=article.id, summary=article.code, before={"owner_id": before},
           after={"owner_id": owner_id})
    return article
