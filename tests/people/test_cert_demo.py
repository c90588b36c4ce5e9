"""The demo's certification: gated specialist seats, every demo agent certified for (and
keeping) their queues, one certification expiring soon, an agent ready to move up."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from seci.accounts.models import User
from seci.demo.certification import DEMO_AGENTS
from seci.demo.loader import DEMO_USERS, load_demo
from seci.people import certification, stages
from seci.people.queue_gate import gated_queue_ids, valid_certification


def _user(db: Session, name: str) -> User:
    found = db.scalar(select(User).where(User.username == name))
    assert found is not None
    return found


def test_the_demo_agents_are_certified_for_their_queues(db: Session) -> None:
    load_demo(db)
    specs = {s.username: s for s in DEMO_USERS}
    manager = _user(db, "manager")
    gated = 0
    for name in DEMO_AGENTS:
        user = _user(db, name)
        assert {q.code for q, _r in certification.list_requirements(db, actor=manager)
                if q.id in user.queue_ids} == set(specs[name].queues)
        for queue_id in gated_queue_ids(db, user.queue_ids):
            gated += 1
            assert valid_certification(db, user_id=user.id, queue_id=queue_id) is not None
    assert gated >= 3
    assert certification.expiring_certifications(db, actor=manager)
    assert any(e.ready for e in stages.evaluate_stages(db, actor=manager))
    assert any(g.queue is not None for g in stages.stage_quality(db, actor=manager))
