"""When a call counts as over-long (超长通话): beyond the 95th percentile of its topic's
durations over the latest 90 days of calls, or beyond a threshold a manager set."""

from __future__ import annotations

from datetime import date, timedelta
from itertools import groupby

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from seci.accounts.models import User
from seci.audit.service import record
from seci.calls.access import require_configure
from seci.calls.models import CallRecord, TopicThreshold
from seci.core.clock import utcnow
from seci.stats.descriptive import percentile

WINDOW_DAYS = 90
QUANTILE = 0.95


def _window_start(session: Session) -> date | None:
    last = session.scalar(select(func.max(CallRecord.day)))
    if last is None:
        return None
    if isinstance(last, str):
        last = date.fromisoformat(last)
    return last - timedelta(days=WINDOW_DAYS - 1)


def topic_percentiles(session: Session, *, since: date) -> dict[str, tuple[float, int]]:
    """Each topic's p95 duration (linear interpolation between order statistics, as
    PostgreSQL's percentile_cont and numpy's default) and its number of calls."""
    if session.get_bind().dialect.name == "postgresql":
        rows = session.execute(
            select(CallRecord.product,
                   func.percentile_cont(QUANTILE).within_group(CallRecord.duration_s),
                   func.count())
            .where(CallRecord.day >= since).group_by(CallRecord.product))
        return {product: (float(p95), int(n)) for product, p95, n in rows}
    ordered = session.execute(
        select(CallRecord.product, CallRecord.duration_s).where(CallRecord.day >= since)
        .order_by(CallRecord.product, CallRecord.duration_s))
    result = {}
    for product, group in groupby(ordered, key=lambda row: row[0]):
        durations = [float(row[1]) for row in group]
        p95 = percentile(durations, QUANTILE * 100)
        if p95 is not None:
            result[product] = (p95, len(durations))
    return result


def refresh_thresholds(session: Session) -> int:
    """Recompute every topic's p95 (after an import); manual thresholds stay as set."""
    since = _window_start(session)
    if since is None:
        return 0
    existing = {t.product: t for t in session.scalars(select(TopicThreshold))}
    now = utcnow()
    percentiles = topic_percentiles(session, since=since)
    for product, (p95, n) in percentiles.items():
        threshold = existing.get(product) or TopicThreshold(product=product)
        threshold.p95_s, threshold.n, threshold.computed_at = round(p95), n, now
        session.add(threshold)
    session.flush()
    return len(percentiles)


def list_thresholds(session: Session) -> list[TopicThreshold]:
    return list(session.scalars(select(TopicThreshold).order_by(TopicThreshold.product)))


def set_manual_threshold(session: Session, *, actor: User, product: str,
                         seconds: int | None) -> TopicThreshold:
    """A manager's threshold for a topic (None returns the topic to its p95)."""
    require_configure(actor)
    threshold = session.get(TopicThreshold, product) or TopicThreshold(product=product)
    before = threshold.manual_s
    threshold.manual_s, threshold.set_by_id = seconds, actor.id
    session.add(threshold)
    session.flush()
    record(session, actor=actor, action="calls.threshold", entity_type="call_topic",
           entity_id=product, before={"manual_s": before}, after={"manual_s": seconds})
    return threshold
