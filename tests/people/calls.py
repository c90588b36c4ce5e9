"""Call records for the training tests' KPI figures."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from itertools import count

from sqlalchemy.orm import Session

from seci.calls.models import CallRecord

_numbers = count(1)


def add_calls(db: Session, *, team: str, agent_id: str, day: date, n: int, resolved: int,
              satisfaction: int | None = None) -> None:
    """``n`` calls of an agent on a day, the first ``resolved`` resolved at first contact."""
    for i in range(n):
        db.add(CallRecord(
            call_id=f"TR-{next(_numbers):06d}", agent_id=agent_id, team=team, queue="A",
            started_at=datetime.combine(day, time(9)), day=day,
            week=day - timedelta(days=day.weekday()), month=day.replace(day=1), hour=9,
            duration_s=300, region="杭州", product="国际漫游", channel="voice",
            fcr=i < resolved, satisfaction=satisfaction, complaint=False, repeat_7d=False))
    db.flush()
