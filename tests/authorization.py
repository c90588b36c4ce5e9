"""One table per domain of who may call which service: each row calls the service itself
(not a route) as a role that must be refused, as a deactivated account holding the
allowed role, and as the allowed role. Pages, the API, the CLI and jobs all reach the
same check, so the rule cannot depend on which of them is in front."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from seci.accounts import service as accounts
from seci.accounts.models import User
from seci.audit.models import AuditEvent
from seci.core.errors import NotFound, PermissionDenied
from tests.factories import PASSWORD, World

FORMER = "former "

# What someone else must do first (a notice entered, a call scored), as the world's users;
# its result is handed to the service call.
Setup = Callable[[Session, World], Any]
# The service call as ``actor``, given the setup's result.
Act = Callable[[Session, World, User, Any], object]


def _nothing(_db: Session, _world: World) -> None:
    return None


@dataclass(frozen=True)
class Case:
    name: str
    act: Act
    refused: str | None  # a user of the world, e.g. "agent"; None: every role may act
    allowed: str
    setup: Setup = _nothing
    # What the refused role meets: the domain's permission error, or NotFound where the
    # rule is that the thing does not exist for them (a notice not released to them).
    error: type[Exception] = PermissionDenied


def deactivated_copy(db: Session, world: World, name: str) -> User:
    """A deactivated account with the roles, queues, modules and team of ``name``: a
    leaver whose user object still reaches a service (a queued job, a stale session)."""
    model = world[name]
    user = accounts.create_user(
        db, username=f"former_{name}", password=PASSWORD, display_name=f"Former {name}",
        roles=sorted(model.roles), queue_ids=sorted(model.queue_ids),
        module_ids=sorted(model.module_ids), all_modules=model.all_modules, team=model.team)
    user.is_active = False
    db.flush()
    return user


def refusals(cases: list[Case]) -> list[object]:
    """Each case once with its refused role and once with a deactivated allowed role."""
    return [pytest.param(case, who, id=f"{case.name}-{who.replace(' ', '_')}")
            for case in cases for who in (case.refused, FORMER + case.allowed)
            if who is not None]


def allowances(cases: list[Case]) -> list[object]:
    return [pytest.param(case, id=case.name) for case in cases]


def _audited(db: Session, user: User) -> int:
    return db.scalar(select(func.count()).select_from(AuditEvent)
                     .where(AuditEvent.actor_id == user.id)) or 0


def check_refused(db: Session, world: World, case: Case, who: str) -> None:
    """The service raises the domain's error and nothing is recorded in the actor's name."""
    if who.startswith(FORMER):
        actor, expected = deactivated_copy(db, world, who.removeprefix(FORMER)), (
            PermissionDenied, NotFound)
    else:
        actor, expected = world[who], (case.error,)
    prepared = case.setup(db, world)
    before = _audited(db, actor)
    with pytest.raises(expected):
        case.act(db, world, actor, prepared)
    assert _audited(db, actor) == before


def check_allowed(db: Session, world: World, case: Case) -> None:
    prepared = case.setup(db, world)
    case.act(db, world, world[case.allowed], prepared)
    db.flush()
