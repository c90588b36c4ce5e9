"""Demo quality inspection: the default scorecard, a sample of last fortnight's calls drawn
by the demo reviewer with half of it scored, a few scores of the demo agent's own calls,
and one appeal waiting for the manager."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from seci.accounts.models import User
from seci.calls.dashboard import latest_day
from seci.calls.models import CallRecord
from seci.quality.appeals import file_appeal
from seci.quality.models import QaSampleCall, Scorecard
from seci.quality.sampling import SampleRequest, draw_sample
from seci.quality.scorecards import ensure_default_scorecard
from seci.quality.scoring import Marks, score_call
from seci.roster.models import RosterAgent

DEMO_SAMPLE_SIZE = 24
DEMO_SEED = 2026


def _marks(card: Scorecard, index: int) -> Marks:
    """Plausible marks: most items full, one or two points lost, now and then a miss."""
    points = {}
    for position, item in enumerate(card.items):
        lost = (index + position) % 5 == 0
        points[item.id] = item.max_points - (max(1, item.max_points // 3) if lost else 0)
    failed = [card.items[-1].id] if index % 11 == 7 and card.items[-1].critical else []
    critical = [item.id for item in card.items if item.critical]
    if index % 9 == 4 and critical:
        failed = [critical[0]]
    return Marks(points=points, failed_items=failed)


def load_quality_demo(session: Session, users: dict[str, User]) -> None:
    reviewer, agent = users["reviewer"], users["agent"]
    card = ensure_default_scorecard(session, actor=users["manager"])
    last = latest_day(session, actor=reviewer)
    if last is None:
        return
    sample = draw_sample(session, actor=reviewer, request=SampleRequest(
        start=last - timedelta(days=13), end=last, size=DEMO_SAMPLE_SIZE,
        scorecard_id=card.id, dimensions=("time", "duration", "region"), seed=DEMO_SEED,
        name="近两周抽检（演示）"))
    sampled = list(session.scalars(select(QaSampleCall.call_id)
                                   .where(QaSampleCall.sample_id == sample.id)
                                   .order_by(QaSampleCall.position)))
    for index, call_id in enumerate(sampled[: len(sampled) // 2]):
        score_call(session, actor=reviewer, call_id=call_id, marks=_marks(card, index),
                   comment="演示评分", sample_id=sample.id)
    _agents_own_scores(session, reviewer=reviewer, agent=agent, card=card)


def _agents_own_scores(session: Session, *, reviewer: User, agent: User,
                       card: Scorecard) -> None:
    """Three scores of the demo agent's calls, the lowest one appealed."""
    agent_ids = list(session.scalars(select(RosterAgent.agent_id)
                                     .where(RosterAgent.user_id == agent.id)))
    calls = list(session.scalars(select(CallRecord.call_id).where(
        CallRecord.agent_id.in_(agent_ids), CallRecord.turn_count > 0)
        .order_by(CallRecord.started_at.desc()).limit(3)))
    scores = [score_call(session, actor=reviewer, call_id=call_id,
                         marks=_marks(card, 4 if i == 0 else i + 1), comment="演示评分",
                         scorecard_id=card.id)[0]
              for i, call_id in enumerate(calls)]
    if scores:
        lowest = min(scores, key=lambda s: s.total)
        file_appeal(session, actor=agent, score_id=lowest.id,
                    reason="客户问的是套餐变更生效时间，我已按知识库口径答复，请复核业务解答这一项。")
