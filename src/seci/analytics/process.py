"""Key-process handling speed (关键流程处理速度, source 002): how long the centre takes to
handle an agent's 纠错 (article feedback), to close a post-linkage chain (岗位联动: from the
notice's entry to the last team's check) and to accept a customer handed off by the
assistant. Median and 90th percentile, in hours, with n."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from seci.accounts.models import User
from seci.accounts.roles import Perm
from seci.assistant.models import Conversation
from seci.calls.kpis import Figure
from seci.core.config import get_settings
from seci.core.errors import PermissionDenied
from seci.knowledge.models import ArticleFeedback
from seci.linkage.chain import notice_chain
from seci.linkage.models import Notice, TeamCheck
from seci.stats.descriptive import median, p90
from seci.suggestions.models import ANSWERED
from seci.suggestions.stats import load_facts, suggestion_stats


@dataclass(frozen=True)
class Speed:
    process: str  # feedback_handled, linkage_closed, handoff_accepted
    n: int
    median_hours: float | None
    p90_hours: float | None


def speed_of(process: str, hours: list[float]) -> Speed:
    """Median and p90 (linear interpolation) of the hours each case took."""
    return Speed(process, len(hours), median(hours), p90(hours))


def utc_bounds(start: date, end: date) -> tuple[datetime, datetime]:
    """The period's local days as naive UTC bounds [begin, end), as stored."""
    tz = get_settings().tz
    begin = datetime.combine(start, time.min, tzinfo=tz)
    finish = datetime.combine(end + timedelta(days=1), time.min, tzinfo=tz)
    return (begin.astimezone(UTC).replace(tzinfo=None),
            finish.astimezone(UTC).replace(tzinfo=None))


def _hours(later: datetime, earlier: datetime) -> float:
    return (later - earlier).total_seconds() / 3600


def feedback_hours(session: Session, begin: datetime, end: datetime) -> list[float]:
    rows = session.execute(select(ArticleFeedback.created_at, ArticleFeedback.handled_at).where(
        ArticleFeedback.handled_at.is_not(None), ArticleFeedback.handled_at >= begin,
        ArticleFeedback.handled_at < end))
    return [_hours(handled, created) for created, handled in rows if handled is not None]


def handoff_hours(session: Session, begin: datetime, end: datetime) -> list[float]:
    rows = session.execute(select(Conversation.handed_off_at, Conversation.accepted_at).where(
        Conversation.accepted_at.is_not(None), Conversation.handed_off_at.is_not(None),
        Conversation.accepted_at >= begin, Conversation.accepted_at < end))
    return [_hours(accepted, handed) for handed, accepted in rows
            if accepted is not None and handed is not None]


def linkage_hours(session: Session, begin: datetime, end: datetime) -> list[float]:
    """Complete chains, from the notice's entry to its last team check in the period."""
    last_checks = dict(session.execute(
        select(TeamCheck.notice_id, func.max(TeamCheck.checked_at))
        .group_by(TeamCheck.notice_id)).all())
    hours = []
    for notice in session.scalars(select(Notice).where(Notice.id.in_(list(last_checks)))):
        closed = last_checks[notice.id]
        if closed is None or not begin <= closed < end:
            continue
        if notice_chain(session, notice=notice).complete:
            hours.append(_hours(closed, notice.created_at))
    return hours


def key_process_speed(session: Session, *, actor: User, start: date, end: date
                      ) -> list[Speed]:
    """The three processes' speed over cases finished in the period (local days)."""
    if not actor.can(Perm.CALLS_ANALYZE):
        raise PermissionDenied()
    begin, finish = utc_bounds(start, end)
    return [speed_of("feedback_handled", feedback_hours(session, begin, finish)),
            speed_of("linkage_closed", linkage_hours(session, begin, finish)),
            speed_of("handoff_accepted", handoff_hours(session, begin, finish))]


@dataclass(frozen=True)
class SuggestionFigures:
    """建议采纳率 and time to answer for suggestions filed in the period."""

    filed: int
    adoption: Figure  # adopted ÷ answered, Wilson interval
    median_days: float | None
    p90_days: float | None


def suggestion_figures(session: Session, *, actor: User, start: date, end: date
                       ) -> SuggestionFigures:
    """The suggestion box's two KPIs for a report, with the adoption rate's interval."""
    begin, finish = utc_bounds(start, end)
    stats = suggestion_stats(session, user=actor, since=begin, until=finish)
    days = [(f.answered_at - f.submitted_at).total_seconds() / 86_400
            for f in load_facts(session, since=begin, until=finish)
            if f.status in ANSWERED and f.answered_at is not None]
    return SuggestionFigures(stats.total,
                             Figure.of_rate(stats.adoption.part, stats.adoption.whole),
                             median(days), p90(days))
