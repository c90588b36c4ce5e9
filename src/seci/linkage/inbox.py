"""What waits for a user in post linkage: the open posts they hold, per notice."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy.orm import Session

from seci.accounts.models import User
from seci.accounts.roles import Perm
from seci.core.clock import today
from seci.core.todo import Todo, todo
from seci.linkage.access import is_released_to
from seci.linkage.chain import Chain, PostState, PostStatus, all_chains
from seci.linkage.coverage import acknowledged_user_ids, team_checks
from seci.linkage.models import Post
from seci.linkage.quiz import find_quiz, passed_user_ids


@dataclass(frozen=True)
class InboxItem:
    kind: str  # "notice.<post>"
    title: str
    url: str
    due_on: date | None
    overdue: bool


# The permission that makes a post the user's own work.
POST_HOLDERS: dict[Post, Perm] = {
    Post.BUSINESS: Perm.NOTICE_MANAGE,
    Post.QUALITY: Perm.ARTICLE_REVIEW,
    Post.PUBLISHING: Perm.NOTICE_MANAGE,
    Post.TRAINING: Perm.QUIZ_MANAGE,
    Post.SUPERVISORS: Perm.NOTICE_TEAM_CHECK,
}


def _item(chain: Chain, state: PostState) -> InboxItem:
    return InboxItem(kind=f"notice.{state.post.value}", title=chain.notice.title,
                     url=f"/notices/{chain.notice.id}", due_on=state.due_on,
                     overdue=state.overdue)


def _team_checked(session: Session, user: User, chain: Chain) -> bool:
    """A supervisor's part is done once their own team is confirmed (or they lead none)."""
    return not user.team or user.team in team_checks(session, notice_id=chain.notice.id)


def _staff_items(session: Session, user: User, chains: list[Chain]) -> list[InboxItem]:
    items = []
    for chain in chains:
        for state in chain.posts:
            holder = POST_HOLDERS.get(state.post)
            if not (holder and user.can(holder) and state.status is PostStatus.OPEN):
                continue
            if state.post is Post.SUPERVISORS and _team_checked(session, user, chain):
                continue
            items.append(_item(chain, state))
    return items


def _agent_items(session: Session, user: User, chains: list[Chain]) -> list[InboxItem]:
    """Released notices of the agent's queues not yet both acknowledged and passed."""
    items = []
    for chain in chains:
        notice = chain.notice
        if not is_released_to(user, notice):
            continue
        acked = user.id in acknowledged_user_ids(session, notice_id=notice.id)
        has_quiz = find_quiz(session, notice_id=notice.id) is not None
        passed = user.id in passed_user_ids(session, notice_id=notice.id)
        if not acked or (has_quiz and not passed):
            state = next(p for p in chain.posts if p.post is Post.AGENTS)
            items.append(_item(chain, state))
    return items


def items_for(session: Session, user: User) -> list[InboxItem]:
    """Open posts of the user's roles (agents: their own acknowledgement and quiz),
    overdue first, then by deadline."""
    chains = [c for c in all_chains(session) if not c.complete]
    items = _staff_items(session, user, chains)
    if user.can(Perm.QUIZ_TAKE):
        items += _agent_items(session, user, chains)
    return sorted(items, key=lambda item: (not item.overdue, item.due_on or date.max))


def todos_for(session: Session, user: User) -> list[Todo]:
    """The open posts counted by kind ("notice.agents": notices to read and quizzes to
    take), each with its nearest deadline."""
    by_kind: dict[str, list[InboxItem]] = {}
    for item in items_for(session, user):
        by_kind.setdefault(item.kind, []).append(item)
    on = today()
    return [todo(kind, found[0].url if len(found) == 1 else "/notices",
                 [i.due_on for i in found], on=on) for kind, found in by_kind.items()]
