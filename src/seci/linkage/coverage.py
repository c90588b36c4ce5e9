"""Who on the floor has taken a notice in: acknowledgements (the KB's new-knowledge push)
and quiz passes per team, and supervisors' confirmations that their team is ready."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from seci.accounts.models import User, UserQueue, UserRole
from seci.accounts.roles import Role
from seci.audit.service import record
from seci.core.clock import utcnow
from seci.core.db import insert_if_absent
from seci.core.errors import FieldErrors
from seci.knowledge import push
from seci.knowledge.models import ArticleStatus, KnowledgeAck
from seci.linkage import access
from seci.linkage.errors import NotReleased
from seci.linkage.models import Notice, TeamCheck
from seci.linkage.notices import get_notice, get_visible_notice, linked_articles
from seci.linkage.quiz import passed_user_ids

NO_TEAM = ""


def live_version_ids(session: Session, *, notice_id: int) -> list[int]:
    """The live versions of the notice's published articles: what agents acknowledge."""
    return [a.live_version_id for a in linked_articles(session, notice_id=notice_id)
            if a.status == ArticleStatus.PUBLISHED and a.live_version_id is not None]


def expected_agents(session: Session, *, notice: Notice, within_queues: frozenset[int] = frozenset()
                    ) -> list[User]:
    """Active agents of the notice's queues (narrowed to ``within_queues`` when given)."""
    queues = set(notice.queue_ids)
    if within_queues:
        queues &= within_queues
    if not queues:
        return []
    return list(session.scalars(
        select(User).join(UserRole, UserRole.user_id == User.id)
        .where(UserRole.role == Role.AGENT, User.is_active.is_(True),
               User.id.in_(select(UserQueue.user_id).where(UserQueue.queue_id.in_(queues))))
        .order_by(User.username)
    ).unique())


def acknowledged_user_ids(session: Session, *, notice_id: int) -> set[int]:
    """Users who acknowledged every live article of the notice."""
    versions = live_version_ids(session, notice_id=notice_id)
    if not versions:
        return set()
    rows = session.execute(
        select(KnowledgeAck.user_id).where(KnowledgeAck.version_id.in_(versions))
        .group_by(KnowledgeAck.user_id)
        .having(func.count(KnowledgeAck.version_id) == len(versions))
    )
    return {user_id for (user_id,) in rows}


def acknowledge_notice(session: Session, *, notice_id: int, user: User) -> int:
    """An agent confirms reading every article of the notice; returns how many."""
    access.require_take(user)
    notice = get_visible_notice(session, user=user, notice_id=notice_id)
    access.check_released_to(user, notice)
    versions = live_version_ids(session, notice_id=notice_id)
    for version_id in versions:
        push.acknowledge(session, user=user, version_id=version_id)
    return len(versions)


@dataclass(frozen=True)
class TeamCoverage:
    team: str
    agents: list[User]
    acknowledged: list[User]
    passed: list[User]
    check: TeamCheck | None

    @property
    def ack_rate(self) -> float:
        return len(self.acknowledged) / len(self.agents) if self.agents else 1.0

    @property
    def pass_rate(self) -> float:
        return len(self.passed) / len(self.agents) if self.agents else 1.0

    @property
    def missing(self) -> list[User]:
        """Agents who have not both acknowledged and passed."""
        done = {u.id for u in self.acknowledged} & {u.id for u in self.passed}
        return [u for u in self.agents if u.id not in done]


def team_checks(session: Session, *, notice_id: int) -> dict[str, TeamCheck]:
    return {c.team: c for c in session.scalars(
        select(TeamCheck).where(TeamCheck.notice_id == notice_id))}


def team_coverage(session: Session, *, notice: Notice,
                  within_queues: frozenset[int] = frozenset()) -> list[TeamCoverage]:
    """Per team (the agent's team; agents without one together): share of agents who
    acknowledged every article and who passed the quiz."""
    agents = expected_agents(session, notice=notice, within_queues=within_queues)
    acked = acknowledged_user_ids(session, notice_id=notice.id)
    passed = passed_user_ids(session, notice_id=notice.id)
    checks = team_checks(session, notice_id=notice.id)
    by_team: dict[str, list[User]] = defaultdict(list)
    for agent in agents:
        by_team[agent.team or NO_TEAM].append(agent)
    return [TeamCoverage(team, members, [u for u in members if u.id in acked],
                         [u for u in members if u.id in passed], checks.get(team))
            for team, members in sorted(by_team.items())]


def coverage_for(session: Session, *, notice_id: int, actor: User) -> list[TeamCoverage]:
    """Coverage as a reader may see it: supervisors assigned to queues see those only."""
    access.require_coverage(actor)
    notice = get_notice(session, notice_id=notice_id)
    return team_coverage(session, notice=notice, within_queues=actor.queue_ids)


def confirm_team(session: Session, *, notice_id: int, actor: User, note: str = ""
                 ) -> TeamCheck:
    """A supervisor confirms their team has the notice in hand (督导确认); once per team."""
    access.require_team_check(actor)
    notice = get_notice(session, notice_id=notice_id)
    if notice.released_at is None:
        raise NotReleased()
    if not actor.team:
        raise FieldErrors([{"field": "team", "code": "required", "value": ""}])
    check = team_checks(session, notice_id=notice_id).get(actor.team)
    if check is None:
        # Two supervisors of a team (or a double click) confirming at once: one row.
        insert_if_absent(session, TeamCheck, {"notice_id": notice_id, "team": actor.team,
                                              "user_id": actor.id}, ["notice_id", "team"])
        check = team_checks(session, notice_id=notice_id)[actor.team]
    check.note = note.strip()[:400]
    check.user_id = actor.id
    check.checked_at = utcnow()
    session.flush()
    record(session, actor=actor, action="notice.team_check", entity_type="notice",
           entity_id=notice_id, summary=actor.team, after={"team": actor.team,
                                                            "note": check.note})
    return check
