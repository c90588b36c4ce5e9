"""Who may act in quality inspection, checked by the services themselves."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from seci.quality import appeals, queries, sampling, scorecards, scoring
from seci.quality.errors import ScoreNotFound
from seci.quality.models import Scorecard
from tests.authorization import Case, allowances, check_allowed, check_refused, refusals
from tests.calls.helpers import call
from tests.factories import World
from tests.quality.helpers import import_calls, link_agent, marks, request, small_scorecard


@pytest.fixture(autouse=True)
def _calls(db: Session, world: World, tmp_path: Path) -> None:
    """C1 taken by the login "agent" (A1001, team A组), C2 by agent_data (B组); a
    scorecard."""
    import_calls(db, world, tmp_path, [call("C1", agent_id="A1001"),
                                       call("C2", agent_id="A1002", team="B组")])
    link_agent(db, "A1001", world["agent"], team="A组")
    link_agent(db, "A1002", world["agent_data"], team="B组", name="刘晓峰")
    small_scorecard(db, world)


def _card(db: Session, _world: World | None = None) -> Scorecard:
    return db.scalars(select(Scorecard)).one()


def _scored(db: Session, world: World) -> int:
    """C1 scored by the reviewer."""
    card = _card(db)
    score, _ = scoring.score_call(db, actor=world["reviewer"], call_id="C1",
                                  scorecard_id=card.id, marks=marks(card, [4, 8, 12]))
    return score.id


def _appealed(db: Session, world: World) -> int:
    """C1 scored by the reviewer, appealed by its agent."""
    return appeals.file_appeal(db, actor=world["agent"], score_id=_scored(db, world),
                               reason="客户要求尽快，未复述是为节省时间").id


def _spec(card: Scorecard) -> scorecards.ScorecardSpec:
    return scorecards.ScorecardSpec(
        name="改过的评分表", pass_mark=70.0,
        items=[scorecards.ItemSpec(i.name, i.max_points, critical=i.critical)
               for i in card.items])


def _scored_for_another_team(db: Session, world: World) -> int:
    world["supervisor"].team = "B组"  # a team lead of another team than the call's
    return _scored(db, world)


CASES = [
    Case("create_scorecard", lambda db, w, actor, card: scorecards.create_scorecard(
        db, actor=actor, spec=_spec(card)), setup=_card, refused="analyst",
        allowed="manager"),
    Case("update_scorecard", lambda db, w, actor, card: scorecards.update_scorecard(
        db, actor=actor, scorecard_id=card.id, spec=_spec(card)), setup=_card,
        refused="agent", allowed="reviewer"),
    Case("copy_scorecard", lambda db, w, actor, card: scorecards.copy_scorecard(
        db, actor=actor, scorecard_id=card.id), setup=_card, refused="supervisor",
        allowed="manager"),
    Case("retire_scorecard", lambda db, w, actor, card: scorecards.retire_scorecard(
        db, actor=actor, scorecard_id=card.id), setup=_card, refused="analyst",
        allowed="reviewer"),
    Case("draw_sample", lambda db, w, actor, card: sampling.draw_sample(
        db, actor=actor, request=request(card, size=2)), setup=_card,
        refused="supervisor", allowed="reviewer"),
    Case("score_call", lambda db, w, actor, card: scoring.score_call(
        db, actor=actor, call_id="C1", scorecard_id=card.id,
        marks=marks(card, [5, 10, 15])), setup=_card, refused="analyst", allowed="manager"),
    # A team lead without the call's team does not even see the score.
    Case("file_appeal", lambda db, w, actor, score_id: appeals.file_appeal(
        db, actor=actor, score_id=score_id, reason="我替他申诉"), setup=_scored,
        refused="supervisor", allowed="agent", error=ScoreNotFound),
    # The reviewer gave the score: another QA manager decides (four eyes).
    Case("decide_appeal", lambda db, w, actor, appeal_id: appeals.decide_appeal(
        db, actor=actor, appeal_id=appeal_id, decision="upheld", note="维持"),
        setup=_appealed, refused="reviewer", allowed="manager"),
    Case("open_appeals", lambda db, w, actor, _: queries.open_appeals(db, actor=actor),
         refused="agent", allowed="reviewer"),
    Case("score_view", lambda db, w, actor, score_id: queries.score_view(
        db, actor=actor, score_id=score_id), setup=_scored_for_another_team,
        refused="supervisor", allowed="agent", error=ScoreNotFound),
]


@pytest.mark.parametrize(("case", "who"), refusals(CASES))
def test_refused(db: Session, world: World, case: Case, who: str) -> None:
    check_refused(db, world, case, who)


@pytest.mark.parametrize("case", allowances(CASES))
def test_allowed(db: Session, world: World, case: Case) -> None:
    check_allowed(db, world, case)
