"""A small team for competency tests: four agents of 测试组 (three with logins: the
world's agent and two more), the world's supervisor as its team lead, a two-item model."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy.orm import Session

from seci.accounts import service as accounts
from seci.accounts.models import User
from seci.accounts.roles import Role
from seci.core.clock import today
from seci.people import competency, rounds
from seci.people.competency import DimensionSpec, ItemSpec, ModelSpec, QuestionSpec
from seci.people.models import AssessmentForm, AssessmentRound, CompetencyModel
from seci.roster.models import RosterAgent
from tests.factories import PASSWORD, World

TEAM = "测试组"


@dataclass
class Team:
    agents: list[RosterAgent]  # T001 (world agent), T002, T003 with logins; T004 without
    users: dict[str, User]  # agent_id → login
    lead: User
    model: CompetencyModel


def small_spec() -> ModelSpec:
    def q(text: str) -> QuestionSpec:
        return QuestionSpec(text=text, anchor_1="差", anchor_3="一般", anchor_5="好")
    return ModelSpec(name="小模型", dimensions=[DimensionSpec(name="工作能力", items=[
        ItemSpec(name="亲和力", questions=[q("语气温和"), q("尊重客户")]),
        ItemSpec(name="理解能力", questions=[q("抓住诉求")])])])


def make_team(db: Session, world: World, *, with_fourth: bool = True) -> Team:
    world["supervisor"].team = TEAM
    users = {"T001": world["agent"]}
    for number in ("T002", "T003"):
        users[number] = accounts.create_user(
            db, username=f"agent_{number.lower()}", password=PASSWORD,
            display_name=f"坐席{number}", roles=[Role.AGENT])
    agents = []
    numbers = ["T001", "T002", "T003"] + (["T004"] if with_fourth else [])
    for i, number in enumerate(numbers):
        user = users.get(number)
        agent = RosterAgent(agent_id=number, name=f"员工{number}", team=TEAM,
                            hired_on=date(2024, 1, 1) + timedelta(days=100 * i),
                            stage="mature", user_id=user.id if user else None)
        db.add(agent)
        agents.append(agent)
    db.flush()
    model = competency.create_model(db, actor=world["trainer"], spec=small_spec())
    return Team(agents, users, world["supervisor"], model)


def open_small_round(db: Session, world: World, team: Team, *, peers: int = 1,
                     opener: str = "trainer") -> AssessmentRound:
    return rounds.open_round(db, actor=world[opener], settings=rounds.RoundSettings(
        model_id=team.model.id, team=TEAM, title="第一轮", deadline=today() + timedelta(days=7),
        peers_per_agent=peers))


def forms_of(db: Session, found: AssessmentRound) -> list[AssessmentForm]:
    from sqlalchemy import select
    return list(db.scalars(select(AssessmentForm).where(AssessmentForm.round_id == found.id)))


def question_ids(db: Session, team: Team) -> list[int]:
    return [q.id or 0 for q in competency.model_spec(db, team.model.id).questions()]
