"""REST API of post linkage under /api/v1/notices."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from seci.accounts.models import User
from seci.accounts.service import users_by_id
from seci.core.errors import FieldErrors
from seci.core.http import CurrentUser, SessionDep
from seci.knowledge.lookups import load_lookups, queue_ids_for_codes
from seci.linkage import chain, coverage, flags, notices, quiz
from seci.linkage.models import Notice, Post
from seci.linkage.schemas import (
    AckRead,
    AttemptCreate,
    AttemptRead,
    CallFlagCreate,
    CallFlagRead,
    DeadlineUpdate,
    DraftCreate,
    LinkedArticleRead,
    NoticeCreate,
    NoticeRead,
    OverdueRead,
    PostStateRead,
    QuestionRead,
    QuizRead,
    QuizWrite,
    TeamCheckCreate,
    TeamCoverageRead,
)

router = APIRouter(prefix="/api/v1/notices", tags=["post linkage"])

ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"description": "Not logged in (problem details)"},
    403: {"description": "Permission denied (problem details)"},
    404: {"description": "Not found or not visible to you (problem details)"},
    409: {"description": "Not in a state that allows this, e.g. not reviewed yet "
                         "(problem details)"},
    422: {"description": "Invalid input (problem details with `errors`)"},
}


def _post(value: str) -> Post:
    try:
        return Post(value)
    except ValueError:
        raise FieldErrors([{"field": "post", "code": "invalid_choice", "value": value}]
                          ) from None


def notice_read(db: SessionDep, notice: Notice) -> NoticeRead:
    state = chain.notice_chain(db, notice=notice)
    look = load_lookups(db)
    return NoticeRead(
        id=notice.id, title=notice.title, body=notice.body, reference=notice.reference,
        module_id=notice.module_id, queues=look.queue_codes(notice.queue_ids),
        effective_on=notice.effective_on, created_at=notice.created_at,
        released_at=notice.released_at, complete=state.complete,
        posts=[PostStateRead(post=p.post.value, status=p.status.value, due_on=p.due_on,
                             overdue=p.overdue, done=p.done, total=p.total)
               for p in state.posts],
        articles=[LinkedArticleRead(id=a.id, code=a.code, title=a.title, status=a.status,
                                    live_version_id=a.live_version_id)
                  for a in notices.linked_articles(db, notice_id=notice.id)],
    )


@router.post("", status_code=201, response_model=NoticeRead, responses=ERRORS)
def create(body: NoticeCreate, db: SessionDep, user: CurrentUser) -> NoticeRead:
    """Enter a business notice (业务通告); business management."""
    notice = notices.create_notice(
        db, actor=user, title=body.title, body=body.body, reference=body.reference,
        module_id=body.module_id, queue_ids=queue_ids_for_codes(db, body.queues),
        effective_on=body.effective_on,
        due={_post(k): v for k, v in body.deadlines.items()})
    return notice_read(db, notice)


@router.get("", response_model=list[NoticeRead], responses=ERRORS)
def list_all(db: SessionDep, user: CurrentUser) -> list[NoticeRead]:
    """Notices with each post's status (agents: released ones of their queues)."""
    return [notice_read(db, n) for n in notices.list_notices(db, user=user)]


@router.get("/overdue", response_model=list[OverdueRead], responses=ERRORS)
def overdue(db: SessionDep, user: CurrentUser) -> list[OverdueRead]:
    """Posts past their deadline, across notices."""
    return [OverdueRead(notice_id=n.id, notice_title=n.title, post=s.post.value,
                        due_on=s.due_on) for n, s in chain.overdue_steps(db, actor=user)]


@router.get("/{notice_id}", response_model=NoticeRead, responses=ERRORS)
def read(notice_id: int, db: SessionDep, user: CurrentUser) -> NoticeRead:
    """One notice's chain: each post's status, progress and deadline."""
    return notice_read(db, notices.get_visible_notice(db, user=user, notice_id=notice_id))


@router.put("/{notice_id}/deadlines", response_model=NoticeRead, responses=ERRORS)
def set_deadline(notice_id: int, body: DeadlineUpdate, db: SessionDep, user: CurrentUser
                 ) -> NoticeRead:
    notices.set_deadline(db, notice_id=notice_id, post=_post(body.post), due_on=body.due_on,
                         actor=user)
    return notice_read(db, notices.get_notice(db, notice_id=notice_id))


@router.post("/{notice_id}/drafts", status_code=201, response_model=LinkedArticleRead,
             responses=ERRORS)
def draft(notice_id: int, body: DraftCreate, db: SessionDep, user: CurrentUser
          ) -> LinkedArticleRead:
    """Create a KB draft for the notice (its queues, valid from its effective day)."""
    a = notices.draft_article(db, notice_id=notice_id, actor=user, title=body.title,
                              body=body.body, module_id=body.module_id, audience=body.audience)
    return LinkedArticleRead(id=a.id, code=a.code, title=a.title, status=a.status,
                             live_version_id=a.live_version_id)


@router.post("/{notice_id}/submit", response_model=NoticeRead, responses=ERRORS)
def submit(notice_id: int, db: SessionDep, user: CurrentUser) -> NoticeRead:
    """Send every draft of the notice to the KB's review (quality)."""
    notices.submit_drafts(db, notice_id=notice_id, actor=user)
    return notice_read(db, notices.get_notice(db, notice_id=notice_id))


@router.post("/{notice_id}/release", response_model=NoticeRead, responses=ERRORS)
def release(notice_id: int, db: SessionDep, user: CurrentUser) -> NoticeRead:
    """Release the reviewed, published articles to the notice's queues."""
    return notice_read(db, notices.release_notice(db, notice_id=notice_id, actor=user))


def _quiz_read(db: SessionDep, notice_id: int, user: User) -> QuizRead:
    q, questions = quiz.quiz_for(db, notice_id=notice_id, actor=user)
    return QuizRead(intro=q.intro, pass_percent=q.pass_percent, questions=[
        QuestionRead(text=x.text, options=x.options, answer=x.answer) for x in questions])


@router.put("/{notice_id}/quiz", response_model=QuizRead, responses=ERRORS)
def set_quiz(notice_id: int, body: QuizWrite, db: SessionDep, user: CurrentUser) -> QuizRead:
    """Attach the quiz (trainer); replaceable until an agent has taken it."""
    quiz.set_quiz(db, notice_id=notice_id, actor=user, intro=body.intro,
                  pass_percent=body.pass_percent,
                  questions=[quiz.QuestionSpec(q.text, list(q.options), q.answer)
                             for q in body.questions])
    return _quiz_read(db, notice_id, user)


@router.get("/{notice_id}/quiz", response_model=QuizRead, responses=ERRORS)
def get_quiz(notice_id: int, db: SessionDep, user: CurrentUser) -> QuizRead:
    """The quiz; the right answers only for those who manage quizzes."""
    return _quiz_read(db, notice_id, user)


@router.post("/{notice_id}/quiz/attempts", status_code=201, response_model=AttemptRead,
             responses=ERRORS)
def take_quiz(notice_id: int, body: AttemptCreate, db: SessionDep, user: CurrentUser
              ) -> AttemptRead:
    """An agent answers the quiz (one option index per question); the score is stored."""
    attempt = quiz.take_quiz(db, notice_id=notice_id, user=user, answers=body.answers)
    return AttemptRead(correct=attempt.correct, total=len(attempt.answers),
                       score_percent=attempt.score_percent, passed=attempt.passed,
                       taken_at=attempt.taken_at)


@router.post("/{notice_id}/acknowledge", response_model=AckRead, responses=ERRORS)
def acknowledge(notice_id: int, db: SessionDep, user: CurrentUser) -> AckRead:
    """An agent confirms reading every article (the KB's read acknowledgement)."""
    return AckRead(acknowledged_articles=coverage.acknowledge_notice(
        db, notice_id=notice_id, user=user))


@router.get("/{notice_id}/coverage", response_model=list[TeamCoverageRead], responses=ERRORS)
def team_coverage(notice_id: int, db: SessionDep, user: CurrentUser
                  ) -> list[TeamCoverageRead]:
    """Per team: share of agents who acknowledged and who passed the quiz."""
    rows = coverage.coverage_for(db, notice_id=notice_id, actor=user)
    checkers = users_by_id(db, [r.check.user_id for r in rows if r.check])
    return [TeamCoverageRead(
        team=r.team, agents=len(r.agents), acknowledged=len(r.acknowledged),
        passed=len(r.passed), ack_rate=r.ack_rate, pass_rate=r.pass_rate,
        missing=[u.display_name for u in r.missing],
        checked_by=checkers[r.check.user_id].display_name if r.check else None,
        checked_at=r.check.checked_at if r.check else None) for r in rows]


@router.post("/{notice_id}/team-checks", status_code=201, response_model=NoticeRead,
             responses=ERRORS)
def team_check(notice_id: int, body: TeamCheckCreate, db: SessionDep, user: CurrentUser
               ) -> NoticeRead:
    """A supervisor confirms their team has the notice in hand."""
    coverage.confirm_team(db, notice_id=notice_id, actor=user, note=body.note)
    return notice_read(db, notices.get_notice(db, notice_id=notice_id))


@router.post("/{notice_id}/call-flags", status_code=201, response_model=CallFlagRead,
             responses=ERRORS)
def call_flag(notice_id: int, body: CallFlagCreate, db: SessionDep, user: CurrentUser
              ) -> CallFlagRead:
    """Quality flags a wrong answer heard in a call back to the article (KB 纠错)."""
    item = flags.flag_wrong_answer(db, notice_id=notice_id, article_id=body.article_id,
                                   actor=user, call_ref=body.call_ref, comment=body.comment,
                                   agent_id=body.agent_id)
    return CallFlagRead(feedback_id=item.id, article_id=item.article_id,
                        call_ref=body.call_ref.strip(), status=item.status)
