"""Demo training (source 003/004/000) on the demo round of A组: the common plan and the
personal plans made from its results in one step, the common plan filled out with a
knowledge article and a live session, some lessons done (the demo agent has read the first
one), one coaching pair (传帮带) working on the team's weakest item, and a monthly on-job
training plan filled from the month's evidence."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from seci.accounts.models import User
from seci.core.clock import today, utcnow
from seci.knowledge.models import Article, ArticleStatus
from seci.people import coaching, monthly, plans, progress
from seci.people.models import AssessmentRound
from seci.people.results import compute_team_result
from seci.people.training_models import (
    TrainingAssignment,
    TrainingCompletion,
    TrainingPlan,
    TrainingPlanItem,
)

# The demo keeps two personal plans (the first two agents by work number who have one).
PERSONAL_PLANS = 2


def load_training_demo(session: Session, users: dict[str, User],
                       found: AssessmentRound | None) -> None:
    if found is None:
        return
    trainer = users["trainer"]
    made = plans.generate_plans(session, actor=trainer, round_id=found.id,
                                due_on=today() + timedelta(days=21))
    _drop_plans(session, [p.id for p in made.personal[PERSONAL_PLANS:]])
    common = made.common
    if common is not None:
        _fill_common(session, trainer, common.id)
        _some_done(session, users, common.id)
    for plan in made.personal[:PERSONAL_PLANS]:
        items = plans.plan_items(session, plan.id)
        if items and plan.roster_agent_id is not None:
            session.add(TrainingCompletion(item_id=items[0].id,
                                           roster_agent_id=plan.roster_agent_id,
                                           recorded_by_id=trainer.id))
    _pair(session, trainer, found)
    _monthly(session, trainer, found.team)
    session.flush()


def _drop_plans(session: Session, plan_ids: list[int]) -> None:
    if not plan_ids:
        return
    session.execute(delete(TrainingAssignment).where(TrainingAssignment.plan_id.in_(plan_ids)))
    session.execute(delete(TrainingPlanItem).where(TrainingPlanItem.plan_id.in_(plan_ids)))
    session.execute(delete(TrainingPlan).where(TrainingPlan.id.in_(plan_ids)))
    session.flush()


def _fill_common(session: Session, trainer: User, plan_id: int) -> None:
    article = session.scalar(select(Article).where(
        Article.status == ArticleStatus.PUBLISHED, Article.title.contains("投诉"))
        .order_by(Article.id).limit(1)) or session.scalar(
        select(Article).where(Article.status == ArticleStatus.PUBLISHED)
        .order_by(Article.id).limit(1))
    if article is not None:
        plans.add_item(session, actor=trainer, plan_id=plan_id, data=plans.ItemInput(
            kind="article", title=f"读：{article.title}", article_id=article.id))
    day = today() + timedelta(days=7)
    plans.add_item(session, actor=trainer, plan_id=plan_id, data=plans.ItemInput(
        kind="session", title="情绪客户安抚情景演练",
        body="两人一组，轮流扮演激动的客户和坐席，组长点评。",
        session_at=datetime.combine(day, time(6, 30)), place="三楼培训室"))


def _some_done(session: Session, users: dict[str, User], plan_id: int) -> None:
    """The demo agent read the first lesson; a few colleagues are further along."""
    plan = session.get(TrainingPlan, plan_id)
    assert plan is not None
    state = progress.compute_plan_progress(session, plan)
    lessons = [i for i in state.items if i.kind == "lesson"]
    demo_agent = users.get("agent")
    for index, agent in enumerate(state.agents):
        done = 1 if agent.agent.user_id == (demo_agent.id if demo_agent else None) \
            else index % 3
        for item in lessons[:done]:
            session.add(TrainingCompletion(item_id=item.id, roster_agent_id=agent.agent.id,
                                           completed_at=utcnow() - timedelta(days=1)))
    session.flush()


def _pair(session: Session, trainer: User, found: AssessmentRound) -> None:
    result = compute_team_result(session, found)
    weakest = result.weak_items(1)
    names = [i.name for i in result.spec.items()]
    if not weakest or len(result.rated_people) < 2:
        return
    index = names.index(weakest[0].name)
    ranked = sorted(result.rated_people, key=lambda p: p.items[index].score.combined or 0.0)
    mentee, coach = ranked[0], ranked[-1]
    item_id = result.spec.items()[index].id
    coaching.create_pair(session, actor=trainer, data=coaching.PairInput(
        coach=coach.agent.agent_id, mentee=mentee.agent.agent_id,
        starts_on=today() - timedelta(days=10), ends_on=today() + timedelta(days=80),
        goal=f"{weakest[0].name}达到 3.8 分，一次解决率不低于 75%", coach_team="亲和力提升小组",
        round_id=found.id, target_item_id=item_id, target_score=3.8, target_fcr=0.75))


def _monthly(session: Session, trainer: User, team: str) -> None:
    month = today().replace(day=1)
    plan = plans.create_monthly_plan(session, actor=trainer, team=team, month=month,
                                     title=f"{month.month}月在岗培训")
    keys = [p.key for p in monthly.propose_monthly_content(session, actor=trainer, month=month)
            ][:3]
    if keys:
        monthly.add_proposals(session, actor=trainer, plan_id=plan.id, month=month, keys=keys)

