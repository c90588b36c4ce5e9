"""Business notices: entered by business management, turned into KB drafts, submitted to
the KB's review and released to the queues once every article is published."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from seci.accounts.models import Queue, User
from seci.audit.service import record
from seci.core.clock import today, utcnow
from seci.core.errors import FieldErrors
from seci.knowledge import articles as kb
from seci.knowledge.models import Article, ArticleStatus, Module
from seci.knowledge.validation import ArticleFields
from seci.linkage import access
from seci.linkage.errors import AlreadyReleased, NoticeNotFound, NotReadyToRelease
from seci.linkage.models import POSTS, Notice, NoticeArticle, NoticeStep, Post

MAX_TITLE = 200
MAX_BODY = 20_000
# Default days from the notice's entry to each post's deadline: a notice is live on the
# floor, with every agent tested, within a week.
DEFAULT_DUE_DAYS: Mapping[Post, int] = {
    Post.BUSINESS: 1, Post.QUALITY: 2, Post.PUBLISHING: 3, Post.TRAINING: 4,
    Post.AGENTS: 6, Post.SUPERVISORS: 7,
}


def get_notice(session: Session, *, notice_id: int) -> Notice:
    notice = session.get(Notice, notice_id)
    if notice is None:
        raise NoticeNotFound(notice=notice_id)
    return notice


def get_visible_notice(session: Session, *, user: User, notice_id: int) -> Notice:
    """The tracker's staff see every notice; agents the released ones of their queues."""
    notice = get_notice(session, notice_id=notice_id)
    if access.may_see(user, notice):
        return notice
    raise NoticeNotFound(notice=notice_id)


def list_notices(session: Session, *, user: User) -> list[Notice]:
    """Newest first: every notice for the tracker's staff, released ones of one's queues
    for agents."""
    notices = session.scalars(select(Notice).order_by(Notice.id.desc())).all()
    return [n for n in notices if access.may_see(user, n)]


def linked_articles(session: Session, *, notice_id: int) -> list[Article]:
    return list(session.scalars(
        select(Article).join(NoticeArticle, NoticeArticle.article_id == Article.id)
        .where(NoticeArticle.notice_id == notice_id).order_by(NoticeArticle.id)
    ).unique())


def deadlines(session: Session, *, notice_id: int) -> dict[Post, date]:
    rows = session.scalars(select(NoticeStep).where(NoticeStep.notice_id == notice_id))
    return {Post(step.post): step.due_on for step in rows}


def _notice_problems(session: Session, title: str, body: str, module_id: int,
                     queue_ids: list[int]) -> list[dict[str, Any]]:
    problems: list[dict[str, Any]] = []
    if not title.strip():
        problems.append({"field": "title", "code": "required", "value": ""})
    elif len(title) > MAX_TITLE:
        problems.append({"field": "title", "code": "too_long", "value": "", "max": MAX_TITLE})
    if len(body) > MAX_BODY:
        problems.append({"field": "body", "code": "too_long", "value": "", "max": MAX_BODY})
    module = session.get(Module, module_id)
    if module is None or module.archived:
        problems.append({"field": "module_id", "code": "invalid_choice", "value": module_id})
    known = set(session.scalars(select(Queue.id)))
    if not queue_ids:
        problems.append({"field": "queue_ids", "code": "required", "value": ""})
    problems += [{"field": "queue_ids", "code": "unknown_queue", "value": q}
                 for q in queue_ids if q not in known]
    return problems


def create_notice(session: Session, *, actor: User, title: str, body: str, module_id: int,
                  queue_ids: list[int], reference: str = "", effective_on: date | None = None,
                  due: Mapping[Post, date] | None = None) -> Notice:
    """Enter a notice; each post gets its deadline (given, or the default offsets)."""
    access.require_manage(actor)
    if problems := _notice_problems(session, title, body, module_id, queue_ids):
        raise FieldErrors(problems)
    notice = Notice(title=" ".join(title.split()), body=body.strip(),
                    reference=reference.strip()[:120], module_id=module_id,
                    queue_ids=sorted(set(queue_ids)), effective_on=effective_on,
                    created_by_id=actor.id, created_at=utcnow())
    session.add(notice)
    session.flush()
    start = today()
    due = due or {}
    for post in POSTS:
        session.add(NoticeStep(notice_id=notice.id, post=post,
                               due_on=due.get(post, start + timedelta(DEFAULT_DUE_DAYS[post]))))
    session.flush()
    record(session, actor=actor, action="notice.create", entity_type="notice",
           entity_id=notice.id, summary=notice.title,
           after={"reference": notice.reference, "queue_ids": notice.queue_ids,
                  "deadlines": {p.value: d.isoformat()
                                for p, d in deadlines(session, notice_id=notice.id).items()}})
    return notice


def set_deadline(session: Session, *, notice_id: int, post: Post, due_on: date,
                 actor: User) -> NoticeStep:
    """Move one post's deadline (business management plans the chain)."""
    access.require_manage(actor)
    get_notice(session, notice_id=notice_id)
    step = session.scalars(select(NoticeStep).where(NoticeStep.notice_id == notice_id,
                                                    NoticeStep.post == post)).one()
    before = step.due_on
    step.due_on = due_on
    session.flush()
    record(session, actor=actor, action="notice.deadline", entity_type="notice",
           entity_id=notice_id, summary=post.value, before={post.value: before.isoformat()},
           after={post.value: due_on.isoformat()})
    return step


def draft_article(session: Session, *, notice_id: int, actor: User, title: str, body: str,
                  module_id: int | None = None, audience: str = "customer") -> Article:
    """A real KB draft for the notice: its queues, valid from its effective day."""
    access.require_manage(actor)
    notice = get_notice(session, notice_id=notice_id)
    article = kb.create_article(session, actor=actor, fields=ArticleFields(
        title=" ".join(title.split()), body=body.strip(),
        module_id=module_id or notice.module_id, queue_ids=list(notice.queue_ids),
        tags=[], similar_questions=[], audience=audience,
        valid_from=notice.effective_on, valid_to=None,
    ))
    session.add(NoticeArticle(notice_id=notice.id, article_id=article.id))
    session.flush()
    record(session, actor=actor, action="notice.draft", entity_type="notice",
           entity_id=notice.id, summary=f"{article.code} {article.title}",
           after={"article_id": article.id})
    return article


def submit_drafts(session: Session, *, notice_id: int, actor: User) -> list[Article]:
    """Send every draft of the notice to the KB's review (quality's post)."""
    access.require_manage(actor)
    get_notice(session, notice_id=notice_id)
    drafts = [a for a in linked_articles(session, notice_id=notice_id)
              if a.status == ArticleStatus.DRAFT]
    for article in drafts:
        kb.submit_article(session, article_id=article.id, actor=actor)
    return drafts


def release_notice(session: Session, *, notice_id: int, actor: User) -> Notice:
    """Business management releases the reviewed knowledge to the queues: agents now find
    the notice in their inbox and the acknowledgement clock runs."""
    access.require_manage(actor)
    notice = get_notice(session, notice_id=notice_id)
    if notice.released_at is not None:
        raise AlreadyReleased()
    articles = [a for a in linked_articles(session, notice_id=notice_id)
                if a.status != ArticleStatus.RETIRED]
    if not articles or any(a.status != ArticleStatus.PUBLISHED for a in articles):
        raise NotReadyToRelease()
    notice.released_at = utcnow()
    notice.released_by_id = actor.id
    session.flush()
    record(session, actor=actor, action="notice.release", entity_type="notice",
           entity_id=notice.id, summary=notice.title,
           after={"queue_ids": notice.queue_ids, "article_ids": [a.id for a in articles]})
    return notice
