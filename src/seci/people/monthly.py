"""Monthly on-job training (月度在岗培训, source 004) drawn from SECI's own evidence: for a
month, lessons proposed from

- ``search``: questions agents searched in the month without a good answer (no confident
  result and no article opened; the search log's gap report, most searched first);
- ``gap``: knowledge gaps of the latest call-mining run stored by the month's end (topics
  whose agents say they do not know and resolve less), with customers' example questions;
- ``feedback``: corrections (纠错) agents reported in the month that the owner accepted or
  fixed, so agents learn what was wrong;
- ``new_knowledge``: articles published (a new version) in the month.

The trainer picks proposals and adds them to a plan (``add_proposals``); lessons from search
and gaps carry the question for the trainer to answer, feedback and new knowledge link the
article. Read on the system's behalf: the trainer needs no search-insight or mining right.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from seci.accounts.models import User
from seci.core.errors import FieldErrors
from seci.knowledge.models import Article, ArticleFeedback, ArticleVersion, FeedbackStatus
from seci.mining.models import MiningRun
from seci.people import access
from seci.people.plans import ItemInput, add_item
from seci.people.training_models import ItemSource, PlanItemKind, TrainingPlanItem
from seci.retrieval.models import SearchLog

PER_SOURCE = 10


@dataclass(frozen=True)
class Proposal:
    key: str  # source:reference, stable for the month
    source: str  # ItemSource
    kind: str  # PlanItemKind: lesson or article
    title: str
    detail: str  # the question, the correction, or the change note
    count: int = 0  # searches, calls, reports
    article_id: int | None = None


def month_bounds(month: date) -> tuple[datetime, datetime]:
    """[first day 00:00, first day of the next month 00:00) of the month."""
    first = month.replace(day=1)
    following = (first + timedelta(days=32)).replace(day=1)
    return datetime.combine(first, time()), datetime.combine(following, time())


def unanswered_searches(session: Session, start: datetime, end: datetime) -> list[Proposal]:
    """Queries searched in the window with neither a confident answer nor an opened article,
    most searched first."""
    rows = session.execute(
        select(SearchLog.normalized, func.max(SearchLog.query), func.count())
        .where(SearchLog.at >= start, SearchLog.at < end, SearchLog.confident.is_(False),
               SearchLog.opened_article_id.is_(None))
        .group_by(SearchLog.normalized)
        .order_by(func.count().desc(), SearchLog.normalized).limit(PER_SOURCE)).all()
    return [Proposal(f"search:{normalized}"[:200], ItemSource.SEARCH, PlanItemKind.LESSON,
                     str(query), str(query), int(count))
            for normalized, query, count in rows]


def mined_gaps(session: Session, end: datetime) -> list[Proposal]:
    """Knowledge gaps of the latest mining run stored before the window's end."""
    run = session.scalar(select(MiningRun).where(MiningRun.created_at < end)
                         .order_by(MiningRun.created_at.desc(), MiningRun.id.desc()).limit(1))
    if run is None:
        return []
    gaps: list[dict[str, Any]] = [g for g in run.findings.get("knowledge_gaps", [])
                                  if g.get("is_gap")]
    return [Proposal(f"gap:{run.id}:{g['topic']}"[:200], ItemSource.GAP, PlanItemKind.LESSON,
                     str(g["topic"]),
                     "\n".join(str(q) for q in (g.get("example_questions") or [])[:3]),
                     int(g.get("calls", 0)))
            for g in gaps[:PER_SOURCE]]


def corrections(session: Session, start: datetime, end: datetime) -> list[Proposal]:
    """Corrections reported in the window and accepted or fixed, per article."""
    rows = session.execute(
        select(Article.id, Article.title, func.count(), func.max(ArticleFeedback.comment))
        .join(Article, Article.id == ArticleFeedback.article_id)
        .where(ArticleFeedback.created_at >= start, ArticleFeedback.created_at < end,
               ArticleFeedback.status.in_([FeedbackStatus.ACCEPTED, FeedbackStatus.FIXED]))
        .group_by(Article.id, Article.title)
        .order_by(func.count().desc(), Article.id).limit(PER_SOURCE)).all()
    return [Proposal(f"feedback:{article_id}", ItemSource.FEEDBACK, PlanItemKind.ARTICLE,
                     str(title), str(comment), int(count), int(article_id))
            for article_id, title, count, comment in rows]


def new_knowledge(session: Session, start: datetime, end: datetime) -> list[Proposal]:
    """Articles with a version published in the window (new first versions ahead)."""
    first_version = func.min(ArticleVersion.version_no)
    rows = session.execute(
        select(ArticleVersion.article_id, func.max(ArticleVersion.title),
               func.max(ArticleVersion.change_note), func.count(), first_version)
        .where(ArticleVersion.published_at >= start, ArticleVersion.published_at < end,
               ArticleVersion.source != "rollback")
        .group_by(ArticleVersion.article_id)
        .order_by(case((first_version == 1, 0), else_=1), ArticleVersion.article_id)
        .limit(PER_SOURCE)).all()
    return [Proposal(f"new:{article_id}", ItemSource.NEW_KNOWLEDGE, PlanItemKind.ARTICLE,
                     str(title), str(note or ""), int(count), int(article_id))
            for article_id, title, note, count, _ in rows]


def propose_monthly_content(session: Session, *, actor: User, month: date) -> list[Proposal]:
    """The month's proposals from the four sources, in that order (see the module)."""
    access.require_assessor(actor)
    start, end = month_bounds(month)
    return [*unanswered_searches(session, start, end), *mined_gaps(session, end),
            *corrections(session, start, end), *new_knowledge(session, start, end)]


def add_proposals(session: Session, *, actor: User, plan_id: int, month: date,
                  keys: list[str]) -> list[TrainingPlanItem]:
    """Add the chosen proposals of the month to a plan (ones already in it are skipped)."""
    plan = access.visible_plan(session, actor, plan_id)
    proposals = {p.key: p for p in propose_monthly_content(session, actor=actor, month=month)}
    unknown = [k for k in keys if k not in proposals]
    if unknown or not keys:
        raise FieldErrors([{"field": "keys", "code": "invalid_choice", "value": k}
                           for k in unknown] or [{"field": "keys", "code": "required"}])
    present = set(session.scalars(select(TrainingPlanItem.source_ref).where(
        TrainingPlanItem.plan_id == plan.id)))
    added = []
    for key in dict.fromkeys(keys):
        if key in present:
            continue
        p = proposals[key]
        added.append(add_item(session, actor=actor, plan_id=plan.id, data=ItemInput(
            kind=p.kind, title=p.title[:200], body=p.detail or p.title,
            article_id=p.article_id, source=p.source, source_ref=key)))
    return added
