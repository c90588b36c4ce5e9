"""Demo exams (技能鉴定): a question bank generated from the demo knowledge base and
reviewed by the trainer, a formal exam on a fixed paper that A组 and B组 agents have taken
(scores from weak to strong, one attempt that ran out of time) so that the results and
the item analysis are filled, and a daily practice quiz. The demo agent 张小云 has not
taken the formal exam yet: logging in as ``agent`` shows it open under 我的考试."""

from __future__ import annotations

import math
import random
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from seci.accounts import service as accounts
from seci.accounts.models import User
from seci.accounts.roles import Role
from seci.knowledge.models import Article, ArticleStatus
from seci.people import attempts, exams, questions
from seci.people.errors import NothingToGenerate
from seci.people.exam_models import Exam, ExamAttempt, ExamMode, ExamQuestion, QuestionKind
from seci.people.grading import settle_overdue
from seci.people.question_generation import generate_from_article
from seci.roster.models import RosterAgent

SEED = 1217
BANK_SIZE = 60
TAKERS = 15  # roster agents of A组 and B组 given a login to take the exam
FORMAL_TITLE = "2026年12月业务知识技能鉴定"


def _bank(session: Session, trainer: User) -> list[ExamQuestion]:
    made: list[ExamQuestion] = []
    for article in session.scalars(select(Article).where(
            Article.status == ArticleStatus.PUBLISHED).order_by(Article.code)):
        try:
            made += generate_from_article(session, actor=trainer, article_id=article.id)
        except NothingToGenerate:
            continue
        if len(made) >= BANK_SIZE:
            break
    questions.review_questions(session, actor=trainer, question_ids=[q.id for q in made])
    return made


def _takers(session: Session, users: dict[str, User], password: str) -> list[User]:
    """agent2, agent3 and logins for roster agents of A组 and B组 that have none."""
    takers = [users["agent2"], users["agent3"]]
    roster = session.scalars(select(RosterAgent).where(
        RosterAgent.team.in_(["A组", "B组"]), RosterAgent.user_id.is_(None),
        RosterAgent.left_on.is_(None)).order_by(RosterAgent.agent_id).limit(TAKERS))
    for agent in roster:
        takers.append(accounts.create_user(
            session, username=f"exam_{agent.agent_id.lower()}", password=password,
            display_name=agent.name, roles=[Role.AGENT], team=agent.team))
    return takers


def _response(question: ExamQuestion, right: bool, rnd: random.Random) -> list[str]:
    if right:
        return list(question.answer[:1] if question.kind == QuestionKind.FILL
                    else question.answer)
    if question.kind == QuestionKind.FILL:
        return [rnd.choice(["不清楚", "10010", "30"])]
    if question.kind == QuestionKind.TRUE_FALSE:
        return ["false" if question.answer == ["true"] else "true"]
    wrong = [str(i) for i in range(len(question.options)) if str(i) not in question.answer]
    # The first wrong option is the most tempting one, as real distractors are uneven.
    return [wrong[0] if rnd.random() < 0.55 else rnd.choice(wrong)]


def _take(session: Session, exam: Exam, user: User, ability: float, rnd: random.Random, *,
          days_ago: int, answer_share: float = 1.0) -> ExamAttempt:
    attempt = exams.start_attempt(session, actor=user, exam_id=exam.id, rng=rnd)
    view = attempts.attempt_view(session, actor=user, attempt_id=attempt.id)
    difficulty = {1: -1.2, 2: 0.0, 3: 1.0}
    for item in view.items[:round(len(view.items) * answer_share)]:
        question = session.get(ExamQuestion, item.question_id)
        assert question is not None
        b = difficulty.get(question.difficulty, 0.0) + rnd.gauss(0, 0.3)
        chance = 1 / (1 + math.exp(-1.7 * (ability - b)))
        attempts.save_answer(session, actor=user, attempt_id=attempt.id,
                             position=item.position,
                             response=_response(question, rnd.random() < chance, rnd))
    shift = timedelta(days=days_ago, minutes=rnd.randint(0, 600))
    attempt.started_at -= shift
    attempt.expires_at -= shift
    if answer_share >= 1:
        attempts.submit_attempt(session, actor=user, attempt_id=attempt.id)
        assert attempt.finished_at is not None
        attempt.finished_at = attempt.started_at + timedelta(minutes=rnd.randint(8, 25))
    session.flush()
    return attempt


def load_exam_demo(session: Session, users: dict[str, User], password: str) -> Exam | None:
    trainer = users["trainer"]
    if len(_bank(session, trainer)) < 30:
        return None
    formal = exams.create_exam(session, actor=trainer, settings=exams.ExamSettings(
        title=FORMAL_TITLE, description="全员业务知识鉴定：资费、业务规则与服务号码。",
        question_count=20, easy_percent=30, medium_percent=40, hard_percent=30,
        pass_percent=60, time_limit_minutes=30, mode=ExamMode.FORMAL, fixed_paper=True))
    practice = exams.create_exam(session, actor=trainer, settings=exams.ExamSettings(
        title="每日一练", question_count=10, pass_percent=60, time_limit_minutes=15,
        mode=ExamMode.PRACTICE))
    rnd = random.Random(SEED)  # noqa: S311 - reproducible demo data, no secret
    takers = _takers(session, users, password)
    for index, user in enumerate(takers):
        ability = -1.6 + 3.4 * index / max(1, len(takers) - 1) + rnd.gauss(0, 0.3)
        _take(session, formal, user, ability, rnd, days_ago=rnd.randint(2, 9))
    # One agent lost the connection half-way and never came back: graded at the deadline.
    _take(session, formal, users["supervisor"], 0.4, rnd, days_ago=3, answer_share=0.5)
    settle_overdue(session, exam_id=formal.id)
    _take(session, practice, users["agent"], 0.5, rnd, days_ago=1)
    return formal
