"""A closed round of the small test team with hand-picked scores, for the training tests.

Every rater gives the same answers about an agent, so each combined item score is the
answer itself: 亲和力 (q1, q2) and 理解能力 (q3).

  first round   亲和力  理解能力  overall      second round  亲和力  理解能力  overall
  T001          2       4         3.0          T001          4       4         4.0
  T002          3       4         3.5          T002          4       4         4.0
  T003          4       3         3.5          T003          4       4         4.0
  T004          3       5         4.0          T004          4       5         4.5
  team          3.0     4.0       3.5          team          4.0     4.25      4.125
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.orm import Session

from seci.core.clock import today
from seci.people import loop, rounds
from seci.people.models import AssessmentRound
from tests.factories import World
from tests.people.helpers import Team, forms_of, make_team, open_small_round, question_ids

FIRST = {"T001": (2, 2, 4), "T002": (3, 3, 4), "T003": (4, 4, 3), "T004": (3, 3, 5)}
SECOND = {"T001": (4, 4, 4), "T002": (4, 4, 4), "T003": (4, 4, 4), "T004": (4, 4, 5)}


def fill(db: Session, world: World, team: Team, found: AssessmentRound,
         answers: dict[str, tuple[int, int, int]]) -> None:
    """Every form of the round answered with the rated agent's answers, then closed."""
    qs = question_ids(db, team)
    numbers = {a.id: a.agent_id for a in team.agents}
    raters = {u.id: u for u in [*team.users.values(), team.lead]}
    for form in forms_of(db, found):
        rounds.save_form(db, actor=raters[form.rater_user_id or 0], form_id=form.id,
                         scores=dict(zip(qs, answers[numbers[form.rated_agent_id]],
                                         strict=True)), submit=True)
    rounds.close_round(db, actor=world["trainer"], round_id=found.id)


def closed_round(db: Session, world: World) -> tuple[Team, AssessmentRound]:
    team = make_team(db, world)
    found = open_small_round(db, world, team)
    fill(db, world, team, found, FIRST)
    return team, found


def reassessed(db: Session, world: World) -> tuple[Team, AssessmentRound, AssessmentRound]:
    team, first = closed_round(db, world)
    second = loop.open_reassessment(db, actor=world["trainer"], round_id=first.id,
                                    deadline=today() + timedelta(days=7))
    fill(db, world, team, second, SECOND)
    return team, first, second
