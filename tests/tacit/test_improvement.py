"""Continuous improvement: process issues, time per step, stuck contributions."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy.orm import Session

from seci.core.errors import PermissionDenied
from seci.tacit import improvement, mining
from seci.tacit.models import Step
from tests.factories import World
from tests.tacit.helpers import in_trial, submit


def test_anyone_raises_a_process_issue_and_a_manager_resolves_it(db: Session, world: World
                                                                  ) -> None:
    issue = improvement.raise_issue(db, step="screening", description="筛选太慢，两周没人看",
                                    actor=world["agent"])
    with pytest.raises(PermissionDenied):
        improvement.resolve_issue(db, issue_id=issue.id, resolution="x", actor=world["agent"])
    improvement.resolve_issue(db, issue_id=issue.id, resolution="每周二固定筛选",
                              actor=world["manager"])
    assert issue.status == "resolved"
    assert improvement.list_issues(db, open_only=True) == []


def _shift_history(db: Session, contribution_id: int, days_ago: list[float],
                   now: datetime) -> None:
    events = mining.history(db, contribution_id=contribution_id)
    for event, days in zip(events, days_ago, strict=True):
        event.at = now - timedelta(days=days)


def test_time_per_step_and_stuck_contributions(db: Session, world: World) -> None:
    now = datetime(2026, 11, 30, 12)
    fast = in_trial(db, world, title="快")  # 2 days in mining, 1 day in trial so far
    _shift_history(db, fast.id, [3, 1], now)
    slow = in_trial(db, world, title="慢")  # 6 days in mining, 20 in trial
    _shift_history(db, slow.id, [26, 20], now)
    waiting = submit(db, world, title="等")  # 30 days waiting for screening
    _shift_history(db, waiting.id, [30], now)

    result = improvement.timings(db, stuck_after_days=14, now=now)
    mining_step = next(s for s in result.steps if s.step == Step.MINING)
    assert mining_step.finished == 2
    assert mining_step.median_days == pytest.approx(4.0)
    assert mining_step.p90_days == pytest.approx(5.6)  # 2 + 0.9 · (6 − 2)
    assert (mining_step.waiting, mining_step.stuck) == (1, 1)
    screening_step = next(s for s in result.steps if s.step == Step.SCREENING)
    assert (screening_step.waiting, screening_step.stuck) == (2, 1)
    assert [(i.contribution.title, i.step, round(i.days)) for i in result.stuck] == [
        ("等", Step.MINING, 30), ("慢", Step.SCREENING, 20)]
    assert result.days_by_contribution[slow.id] == {Step.MINING: pytest.approx(6),
                                                    Step.SCREENING: pytest.approx(20)}
