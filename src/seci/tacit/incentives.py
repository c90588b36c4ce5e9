"""Step 5, incentives (激励落地): the configurable points table and the points ledger.

Other domains award points through ``award_points`` (e.g. suggestions: reason
``suggestion_adopted``); the reasons are rows of ``tacit_point_rules``.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from seci.accounts.models import User
from seci.accounts.roles import Perm
from seci.audit.service import record
from seci.core.clock import utcnow
from seci.core.errors import FieldErrors
from seci.tacit.errors import PointRuleNotFound, SelfAward
from seci.tacit.models import PointEntry, PointRule
from seci.tacit.workflow import require_perm

MAX_POINTS = 10_000
REASON_CODE_CHARS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789_")


def list_rules(session: Session) -> list[PointRule]:
    return list(session.scalars(select(PointRule).order_by(PointRule.code)))


def _find_entry(session: Session, *, user_id: int, reason_code: str, source_type: str,
                source_id: int) -> PointEntry | None:
    return session.scalar(select(PointEntry).where(
        PointEntry.user_id == user_id, PointEntry.reason_code == reason_code,
        PointEntry.source_type == source_type, PointEntry.source_id == source_id))


def award_points(session: Session, *, user_id: int, reason_code: str, source_type: str,
                 source_id: int, points: int | None = None, actor: User) -> PointEntry | None:
    """Credit ``user_id`` for ``reason_code`` on a source, once.

    Idempotent per (user, reason, source type, source id): a second call returns the first
    entry. ``points`` overrides the table's amount (manual awards); an inactive rule
    without an override awards nothing and returns None. Nobody credits themselves. The
    caller checks whether ``actor`` may decide on the source; this function enforces the
    ledger's own rules only.
    """
    if actor.id == user_id:
        raise SelfAward()
    rule = session.get(PointRule, reason_code)
    if rule is None:
        raise PointRuleNotFound(reason=reason_code)
    existing = _find_entry(session, user_id=user_id, reason_code=reason_code,
                           source_type=source_type, source_id=source_id)
    if existing is not None:
        return existing
    if points is None and not rule.active:
        return None
    amount = rule.points if points is None else points
    if not -MAX_POINTS <= amount <= MAX_POINTS:
        raise FieldErrors([{"field": "points", "code": "invalid_choice", "value": amount}])
    user = session.get(User, user_id)
    entry = PointEntry(user_id=user_id, team=user.team if user else None,
                       reason_code=reason_code, source_type=source_type, source_id=source_id,
                       points=amount, actor_id=actor.id)
    try:
        with session.begin_nested():
            session.add(entry)
            session.flush()
    except IntegrityError:
        # Awarded concurrently by another request: the ledger keeps the first one.
        found = _find_entry(session, user_id=user_id, reason_code=reason_code,
                            source_type=source_type, source_id=source_id)
        if found is None:
            raise
        return found
    record(session, actor=actor, action="points.award", entity_type=source_type,
           entity_id=source_id, summary=f"{reason_code} +{amount}",
           after={"user_id": user_id, "reason": reason_code, "points": amount})
    return entry


def award_manual_points(session: Session, *, actor: User, user_id: int, reason_code: str,
                        source_type: str, source_id: int, points: int | None = None
                        ) -> PointEntry | None:
    """A pipeline manager's award by hand (the ledger's rules as in ``award_points``)."""
    require_perm(actor, Perm.TACIT_MANAGE)
    return award_points(session, user_id=user_id, reason_code=reason_code,
                        source_type=source_type, source_id=source_id, points=points,
                        actor=actor)


def set_rule(session: Session, *, code: str, points: int, active: bool, description: str,
             actor: User) -> PointRule:
    """Change a row of the points table, or add a new reason."""
    require_perm(actor, Perm.TACIT_MANAGE)
    code = code.strip().lower()
    problems: list[dict[str, object]] = []
    if not code or len(code) > 40 or not set(code) <= REASON_CODE_CHARS:
        problems.append({"field": "code", "code": "bad_code", "value": code})
    if not 0 <= points <= MAX_POINTS:
        problems.append({"field": "points", "code": "invalid_choice", "value": points})
    if problems:
        raise FieldErrors(problems)
    rule = session.get(PointRule, code)
    before = {"points": rule.points, "active": rule.active} if rule else None
    if rule is None:
        rule = PointRule(code=code, points=points)
        session.add(rule)
    rule.points, rule.active = points, active
    rule.description = description.strip()[:200]
    rule.updated_at = utcnow()
    session.flush()
    record(session, actor=actor, action="points.rule", entity_type="point_rule",
           entity_id=code, summary=f"{code} = {points}", before=before,
           after={"points": points, "active": active})
    return rule


def points_of(session: Session, *, source_type: str, source_id: int) -> list[PointEntry]:
    """What a contribution (or suggestion) has earned so far."""
    return list(session.scalars(select(PointEntry).where(
        PointEntry.source_type == source_type, PointEntry.source_id == source_id)
        .order_by(PointEntry.awarded_at, PointEntry.id)))
