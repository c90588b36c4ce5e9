"""The chain of one notice as a tracked item: each post's status, progress and deadline.

Statuses are read from the work itself (articles' review state, the release, the quiz,
acknowledgements and quiz passes, supervisors' checks), never set by hand, so the tracker
cannot disagree with the knowledge base.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.orm import Session

from seci.accounts.models import User
from seci.core.clock import today
from seci.knowledge.models import Article, ArticleStatus
from seci.linkage import access
from seci.linkage.coverage import team_coverage
from seci.linkage.models import POSTS, Notice, Post
from seci.linkage.notices import deadlines, linked_articles, list_notices
from seci.linkage.quiz import find_quiz, questions_of


class PostStatus(StrEnum):
    DONE = "done"
    OPEN = "open"  # its turn: the post can work on it now
    WAITING = "waiting"  # an earlier post has not finished


# Which posts must be done before a post can start.
PREREQUISITES: Mapping[Post, tuple[Post, ...]] = {
    Post.BUSINESS: (),
    Post.QUALITY: (Post.BUSINESS,),
    Post.PUBLISHING: (Post.QUALITY,),
    Post.TRAINING: (Post.QUALITY,),
    Post.AGENTS: (Post.PUBLISHING, Post.TRAINING),
    Post.SUPERVISORS: (Post.PUBLISHING,),
}


@dataclass(frozen=True)
class PostState:
    post: Post
    status: PostStatus
    due_on: date | None
    overdue: bool  # not done and past its deadline (the deadline day is still on time)
    done: int  # progress: units finished …
    total: int  # … of units (articles, agents, teams; 1 for single actions)


@dataclass(frozen=True)
class Chain:
    notice: Notice
    posts: list[PostState]

    @property
    def complete(self) -> bool:
        return all(p.status is PostStatus.DONE for p in self.posts)

    @property
    def overdue(self) -> list[PostState]:
        return [p for p in self.posts if p.overdue]

    @property
    def current(self) -> PostState | None:
        """The first post that is not done."""
        return next((p for p in self.posts if p.status is not PostStatus.DONE), None)


def _progress(session: Session, notice: Notice) -> dict[Post, tuple[int, int]]:
    """(finished, total) per post, from the state of the work."""
    articles: list[Article] = [a for a in linked_articles(session, notice_id=notice.id)
                               if a.status != ArticleStatus.RETIRED]
    submitted = sum(1 for a in articles if a.status != ArticleStatus.DRAFT)
    published = sum(1 for a in articles if a.status == ArticleStatus.PUBLISHED)
    quiz = find_quiz(session, notice_id=notice.id)
    has_quiz = quiz is not None and bool(questions_of(session, quiz_id=quiz.id))
    released = notice.released_at is not None
    teams = team_coverage(session, notice=notice) if released else []
    agents = sum(len(t.agents) for t in teams)
    ready = sum(len(t.agents) - len(t.missing) for t in teams) if has_quiz else 0
    checked = sum(1 for t in teams if t.check is not None)
    return {
        Post.BUSINESS: (submitted, max(len(articles), 1)),
        Post.QUALITY: (published, max(len(articles), 1)),
        Post.PUBLISHING: (int(released), 1),
        Post.TRAINING: (int(has_quiz), 1),
        Post.AGENTS: (ready, agents) if released and has_quiz else (0, max(agents, 1)),
        Post.SUPERVISORS: (checked, len(teams)) if released else (0, 1),
    }


def notice_chain(session: Session, *, notice: Notice, on: date | None = None) -> Chain:
    """Every post of the notice with its status, progress and deadline."""
    on = on or today()
    progress = _progress(session, notice)
    due = deadlines(session, notice_id=notice.id)
    finished = {post for post, (done, total) in progress.items() if done >= total}
    states = []
    for post in POSTS:
        done, total = progress[post]
        if post in finished:
            status = PostStatus.DONE
        elif all(p in finished for p in PREREQUISITES[post]):
            status = PostStatus.OPEN
        else:
            status = PostStatus.WAITING
        due_on = due.get(post)
        overdue = status is not PostStatus.DONE and due_on is not None and on > due_on
        states.append(PostState(post, status, due_on, overdue, done, total))
    return Chain(notice, states)


def all_chains(session: Session, *, on: date | None = None) -> list[Chain]:
    notices = session.scalars(select(Notice).order_by(Notice.id.desc()))
    return [notice_chain(session, notice=n, on=on) for n in notices]


def chains_for(session: Session, *, actor: User, on: date | None = None) -> list[Chain]:
    """The chains of the notices the actor may see, newest first."""
    return [notice_chain(session, notice=n, on=on) for n in list_notices(session, user=actor)]


def overdue_steps(session: Session, *, actor: User, on: date | None = None
                  ) -> list[tuple[Notice, PostState]]:
    """Every post past its deadline across notices, the longest overdue first (the
    tracker's staff)."""
    access.require_tracker(actor)
    found = [(chain.notice, state) for chain in all_chains(session, on=on)
             for state in chain.overdue]
    return sorted(found, key=lambda pair: (pair[1].due_on or date.max, pair[0].id))
