"""What waits for a user in competency assessment, as counts for the home page."""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from seci.accounts.models import User
from seci.accounts.roles import Perm
from seci.core.clock import today
from seci.core.todo import Todo, todo, waiting
from seci.people import access
from seci.people.certification import (
    expiring_certifications,
    own_certifications,
    recertification_due,
)
from seci.people.models import FormStatus, RoundStatus
from seci.people.rounds import my_forms, reminders


def todos_for(session: Session, actor: User, *, on: date | None = None) -> list[Todo]:
    """Forms the actor still has to fill in (with the round's deadline) and, for those who
    run rounds, the raters still owing forms."""
    on = on or today()
    open_forms = [row.round.deadline for row in my_forms(session, actor=actor)
                  if row.form.status == FormStatus.OPEN and row.round.status == RoundStatus.OPEN]
    todos = [todo("competency.forms", "/competency", open_forms, on=on)]
    if actor.can(Perm.COMPETENCY_ASSESS):
        owing = reminders(session, actor=actor)
        todos.append(todo("competency.reminders", "/competency/reminders",
                          [found.deadline for found, _progress in owing], on=on))
    todos += certification_todos_for(session, actor, on=on)
    return waiting(todos)


def certification_todos_for(session: Session, actor: User, *, on: date) -> list[Todo]:
    """The agent's own certifications waiting for re-certification; for team leads,
    trainers and managers the certifications of their agents expiring within 30 days (due
    on their expiry) and those waiting for re-certification."""
    mine = [cert.expires_on for cert, _queue in own_certifications(session, actor=actor)
            if cert.revoked_at is None and cert.recert_due_at is not None
            and cert.expires_on >= on]
    todos = [todo("certification.recertify_mine", "/competency/certification", mine, on=on)]
    if access.may_read_certification(actor):
        expiring = expiring_certifications(session, actor=actor)
        todos.append(todo("certification.expiring", "/competency/certification",
                          [row.certification.expires_on for row in expiring], on=on))
        due = recertification_due(session, actor=actor)
        todos.append(todo("certification.recertify", "/competency/certification",
                          [None for _row in due], on=on))
    return todos
