"""The assistant's configuration (hand-off rules, queue hours): who may change it."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from seci.assistant import rules
from seci.assistant.queues import update_hours
from seci.core.errors import PermissionDenied
from tests.factories import World


@pytest.mark.parametrize("role", ["agent", "editor", "analyst", "supervisor"])
def test_only_configurers_change_rules_and_hours(db: Session, world: World, role: str) -> None:
    """The rule lives in the services, whatever route or page calls them."""
    actor = world[role]
    data = rules.RuleInput(kind="keyword", reason="complaint", pattern="投诉", threshold=0,
                           target_queue=None, priority=100, enabled=True, note="")
    with pytest.raises(PermissionDenied):
        rules.create_rule(db, actor=actor, data=data)
    existing = rules.create_rule(db, actor=world["admin"], data=data)
    with pytest.raises(PermissionDenied):
        rules.update_rule(db, actor=actor, rule_id=existing.id, data=data)
    with pytest.raises(PermissionDenied):
        update_hours(db, actor=actor, queue=world.queues["A"], hours=[])
