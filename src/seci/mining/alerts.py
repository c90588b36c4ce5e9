"""Telling the owners of a business module that calls about it burst: an alert in their
inbox with the evidence one click away.

The module of a topic is the one whose name appears in the topic (宽带故障 → 宽带) or,
failing that, whose name shares the topic's longest word; its owners are the editors and
managers whose modules include it. A topic no module matches goes to the managers who
hold every module.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from seci.accounts.models import User, UserRole
from seci.accounts.roles import Perm, Role
from seci.core.clock import utcnow
from seci.core.todo import Todo, waiting
from seci.knowledge.access import module_scope
from seci.knowledge.models import Module
from seci.mining.models import MiningAlert, MiningRun


def module_for_topic(session: Session, topic: str) -> Module | None:
    modules = list(session.scalars(select(Module).where(Module.archived.is_(False))))
    named = [m for m in modules if len(m.name) >= 2 and m.name in topic]
    if named:
        return max(named, key=lambda m: (len(m.name), m.path.count("/")))
    shared = [m for m in modules if any(topic[i:i + 2] in m.name for i in range(len(topic) - 1))]
    return max(shared, key=lambda m: m.path.count("/")) if shared else None


def owners_of(session: Session, module: Module | None) -> list[User]:
    editors = list(session.scalars(select(User).join(UserRole).where(
        User.is_active.is_(True), UserRole.role.in_([Role.EDITOR, Role.MANAGER])).distinct()))
    if module is None:
        return [u for u in editors if u.can(Perm.MODULE_MANAGE) and u.all_modules]
    owners = [u for u in editors if u.can(Perm.ARTICLE_EDIT) and (
        (scope := module_scope(session, u)) is None or module.id in scope)]
    return owners or [u for u in editors if u.all_modules]


def alert_owners(session: Session, run: MiningRun) -> int:
    """One alert per burst and owner (a burst already told is not told again)."""
    sent = 0
    for burst in run.findings.get("hot_topics") or []:
        if burst.get("source") != "product":
            continue
        week = date.fromisoformat(burst["week"])
        module = module_for_topic(session, burst["topic"])
        for owner in owners_of(session, module):
            known = session.scalar(select(MiningAlert.id).where(
                MiningAlert.user_id == owner.id, MiningAlert.topic == burst["topic"],
                MiningAlert.region == burst["region"], MiningAlert.week == week))
            if known is None:
                session.add(MiningAlert(run_id=run.id, user_id=owner.id, topic=burst["topic"],
                                        region=burst["region"], week=week,
                                        ratio=burst.get("ratio"),
                                        module_id=module.id if module else None))
                sent += 1
    session.flush()
    return sent


@dataclass(frozen=True)
class AlertItem:
    kind: str
    title: str
    url: str
    due_on: date | None
    overdue: bool


def items_for(session: Session, user: User) -> list[AlertItem]:
    """The user's unseen burst alerts, newest first (the inbox's mining section)."""
    alerts = session.scalars(select(MiningAlert).where(
        MiningAlert.user_id == user.id, MiningAlert.seen_at.is_(None))
        .order_by(MiningAlert.id.desc()).limit(50))
    return [AlertItem("mining.burst", f"{a.region} · {a.topic} · {a.week.isoformat()}"
                      + (f" ×{a.ratio:.1f}" if a.ratio else ""),
                      f"/mining/alerts/{a.id}", None, False) for a in alerts]


def todos_for(session: Session, user: User) -> list[Todo]:
    """The user's unseen burst alerts, counted (the inbox lists them)."""
    unseen = session.scalar(select(func.count(MiningAlert.id)).where(
        MiningAlert.user_id == user.id, MiningAlert.seen_at.is_(None))) or 0
    return waiting([Todo("mining.burst", unseen, "/inbox#inbox-mining")])


def open_alert(session: Session, *, user: User, alert_id: int) -> MiningAlert | None:
    """Mark one's own alert seen; returns it (None if it is not one's own)."""
    alert = session.get(MiningAlert, alert_id)
    if alert is None or alert.user_id != user.id:
        return None
    if alert.seen_at is None:
        alert.seen_at = utcnow()
    return alert
