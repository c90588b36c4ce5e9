"""The demo's training: a common plan and two personal plans in progress from the demo round,
some lessons done, one coaching pair, and a monthly plan."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from seci.accounts.models import User
from seci.accounts.service import system_actor
from seci.demo.loader import load_demo
from seci.people import coaching, plans, progress


def test_the_demo_has_plans_in_progress_and_a_pair(db: Session) -> None:
    load_demo(db)
    actor = system_actor()
    found = plans.list_plans(db, actor=actor)
    kinds = sorted(p.kind for p in found)
    assert kinds == ["common", "monthly", "personal", "personal"]
    common = next(p for p in found if p.kind == "common")
    state = progress.plan_progress(db, actor=actor, plan_id=common.id)
    assert {i.kind for i in state.items} >= {"lesson", "article", "session"}
    assert 0 < state.done < state.total
    agent = db.scalar(select(User).where(User.username == "agent"))
    assert agent is not None
    mine = progress.my_plans(db, actor=agent)
    assert any(o.plan.id == common.id and o.progress.done == 1 for o in mine)
    ((pair, coach, mentee),) = coaching.list_pairs(db, actor=actor)
    assert coach.id != mentee.id and pair.target_item_id is not None
    tracking = coaching.track_pair(db, actor=actor, pair_id=pair.id)
    assert tracking.baseline_score is not None and tracking.fcr_before is not None
    assert progress.reminders(db, actor=actor)
