"""What waits for a user in quality inspection, as counts for the home page."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from seci.accounts.models import User
from seci.accounts.roles import Perm
from seci.calls.access import own_agent_ids
from seci.core.clock import as_utc, today, utcnow
from seci.core.config import get_settings
from seci.core.todo import Todo, waiting
from seci.quality.appeals import APPEAL_WINDOW_DAYS, appeal_deadline
from seci.quality.models import QaAppeal, QaSample, QaScore, ScoreStatus
from seci.quality.queries import sample_counts

RECENT_SAMPLES = 100  # the samples an inspector's list shows


def count_open_appeals_for(session: Session, *, actor: User) -> int:
    """Appeals waiting for a decision (QA managers decide them; 0 for anyone else)."""
    if not actor.can(Perm.QA_MANAGE):
        return 0
    return session.scalar(select(func.count(QaAppeal.id))
                          .where(QaAppeal.decision.is_(None))) or 0


def count_unfinished_samples_for(session: Session, *, actor: User) -> int:
    """Recent samples with calls still to score (inspectors; 0 for anyone else)."""
    if not actor.can(Perm.QA_INSPECT):
        return 0
    ids = list(session.scalars(select(QaSample.id).order_by(QaSample.id.desc())
                               .limit(RECENT_SAMPLES)))
    return sum(1 for calls, scored in sample_counts(session, sample_ids=ids).values()
               if scored < calls)


def appealable_deadlines_for(session: Session, *, actor: User) -> list[date]:
    """The last local day to appeal each of the actor's own scores still open to appeal
    (scored, not appealed, within the window)."""
    mine = own_agent_ids(session, actor)
    if not mine:
        return []
    since = utcnow() - timedelta(days=APPEAL_WINDOW_DAYS)
    scores = session.scalars(
        select(QaScore).outerjoin(QaAppeal, QaAppeal.score_id == QaScore.id)
        .where(QaScore.agent_id.in_(sorted(mine)), QaScore.status == ScoreStatus.SCORED,
               QaScore.scored_at >= since, QaAppeal.id.is_(None))).all()
    tz = get_settings().tz
    return [as_utc(appeal_deadline(s)).astimezone(tz).date() for s in scores]


def todos_for(session: Session, actor: User, *, on: date | None = None) -> list[Todo]:
    """Appeals to decide, samples to finish, one's own new scores (open to appeal)."""
    on = on or today()
    appealable = appealable_deadlines_for(session, actor=actor)
    return waiting([
        Todo("quality.appeals", count_open_appeals_for(session, actor=actor), "/qa/appeals"),
        Todo("quality.samples", count_unfinished_samples_for(session, actor=actor), "/qa"),
        Todo("quality.appealable", len(appealable), "/qa/mine", min(appealable, default=None)),
    ])
