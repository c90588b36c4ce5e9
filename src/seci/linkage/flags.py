"""Quality heard a wrong answer in a call: flag it back to the article through the KB's
feedback (纠错), so the owner fixes it like any other correction."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from seci.accounts.models import User
from seci.audit.service import record
from seci.core.errors import FieldErrors
from seci.knowledge import feedback
from seci.knowledge.models import ArticleFeedback, FeedbackKind
from seci.linkage import access
from seci.linkage.errors import ArticleNotLinked
from seci.linkage.models import CallFlag, NoticeArticle
from seci.linkage.notices import get_notice

MAX_CALL_REF = 80


def flag_wrong_answer(session: Session, *, notice_id: int, article_id: int, actor: User,
                      call_ref: str, comment: str, agent_id: int | None = None
                      ) -> ArticleFeedback:
    """Raise a 'wrong' feedback on one of the notice's articles, noting the call."""
    access.require_call_flag(actor)
    get_notice(session, notice_id=notice_id)
    linked = session.scalar(select(NoticeArticle.id).where(
        NoticeArticle.notice_id == notice_id, NoticeArticle.article_id == article_id))
    if linked is None:
        raise ArticleNotLinked(article=article_id)
    if not call_ref.strip() or len(call_ref) > MAX_CALL_REF:
        raise FieldErrors([{"field": "call_ref", "code": "required", "value": ""}])
    item = feedback.flag_article(session, article_id=article_id, user=actor,
                                 kind=FeedbackKind.WRONG, comment=comment)
    session.add(CallFlag(notice_id=notice_id, feedback_id=item.id, call_ref=call_ref.strip(),
                         agent_id=agent_id))
    session.flush()
    record(session, actor=actor, action="notice.call_flag", entity_type="notice",
           entity_id=notice_id, summary=call_ref.strip(),
           after={"article_id": article_id, "feedback_id": item.id, "agent_id": agent_id})
    return item


def call_flags(session: Session, *, notice_id: int, actor: User
               ) -> list[tuple[CallFlag, ArticleFeedback]]:
    """The calls flagged against the notice's articles (the tracker's staff)."""
    access.require_tracker(actor)
    get_notice(session, notice_id=notice_id)
    rows = session.execute(
        select(CallFlag, ArticleFeedback)
        .join(ArticleFeedback, ArticleFeedback.id == CallFlag.feedback_id)
        .where(CallFlag.notice_id == notice_id).order_by(CallFlag.id)
    )
    return [(flag, item) for flag, item in rows]
