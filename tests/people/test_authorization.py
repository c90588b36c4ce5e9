"""Who may act in competency assessment, checked by the services themselves."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy.orm import Session

from seci.core.clock import today
from seci.core.errors import NotFound, PermissionDenied
from seci.people import competency, performance, profiles, rounds
from seci.people.models import Relation
from tests.authorization import Case, allowances, check_allowed, check_refused, refusals
from tests.factories import World
from tests.people.helpers import TEAM, forms_of, make_team, open_small_round, small_spec


def _team(db: Session, world: World) -> Any:
    return make_team(db, world)


def _round(db: Session, world: World) -> Any:
    return open_small_round(db, world, make_team(db, world))


def _agent_form(db: Session, world: World) -> Any:
    found = open_small_round(db, world, make_team(db, world))
    return next(f for f in forms_of(db, found)
                if f.rater_user_id == world["agent"].id and f.relation == Relation.SELF)


def _settings(team: Any) -> rounds.RoundSettings:
    return rounds.RoundSettings(model_id=team.model.id, team=TEAM, title="第二轮",
                                deadline=today() + timedelta(days=3))


CASES = [
    Case("create_from_template", lambda db, w, actor, _: competency.create_from_template(
        db, actor=actor), refused="supervisor", allowed="trainer"),
    Case("create_model", lambda db, w, actor, _: competency.create_model(
        db, actor=actor, spec=small_spec()), refused="agent", allowed="manager"),
    Case("save_model", lambda db, w, actor, team: competency.save_model(
        db, actor=actor, model_id=team.model.id, spec=small_spec()),
        refused="analyst", allowed="trainer", setup=_team),
    Case("copy_model", lambda db, w, actor, team: competency.copy_model(
        db, actor=actor, model_id=team.model.id, name="副本"),
        refused="supervisor", allowed="trainer", setup=_team),
    Case("open_round", lambda db, w, actor, team: rounds.open_round(
        db, actor=actor, settings=_settings(team)),
        refused="agent", allowed="supervisor", setup=_team),
    Case("open_round_any_team", lambda db, w, actor, team: rounds.open_round(
        db, actor=actor, settings=_settings(team)),
        refused="analyst", allowed="trainer", setup=_team),
    Case("close_round", lambda db, w, actor, found: rounds.close_round(
        db, actor=actor, round_id=found.id),
        refused="agent", allowed="trainer", setup=_round, error=NotFound),
    Case("save_form", lambda db, w, actor, form: rounds.save_form(
        db, actor=actor, form_id=form.id, scores={}),
        refused="trainer", allowed="agent", setup=_agent_form, error=NotFound),
    Case("set_figures", lambda db, w, actor, found: performance.set_figures(
        db, actor=actor, round_id=found.id, measure="绩效", values={"T001": 90.0}),
        refused="agent", allowed="trainer", setup=_round, error=NotFound),
    Case("set_profile", lambda db, w, actor, team: profiles.set_profile(
        db, actor=actor, agent_id="T001", gender="female", birth_year=1995,
        education="college", rank="二级", communication_style="amiable"),
        refused="agent", allowed="supervisor", setup=_team),
]


@pytest.mark.parametrize(("case", "who"), refusals(CASES))
def test_refused(db: Session, world: World, case: Case, who: str) -> None:
    check_refused(db, world, case, who)


@pytest.mark.parametrize("case", allowances(CASES))
def test_allowed(db: Session, world: World, case: Case) -> None:
    check_allowed(db, world, case)


def test_a_team_lead_works_with_their_own_team_only(db: Session, world: World) -> None:
    team = make_team(db, world)
    found = open_small_round(db, world, team)
    lead = world["supervisor"]
    assert rounds.list_rounds(db, actor=lead) == [found]
    lead.team = "别的组"
    assert rounds.list_rounds(db, actor=lead) == []
    with pytest.raises(NotFound):
        rounds.completion(db, actor=lead, round_id=found.id)
    with pytest.raises(NotFound):
        profiles.team_profile(db, actor=lead, team=TEAM)
    with pytest.raises(PermissionDenied):
        rounds.open_round(db, actor=lead, settings=_settings(team))


def test_a_model_in_use_cannot_change(db: Session, world: World) -> None:
    from seci.people.errors import ModelInUse
    team = make_team(db, world)
    open_small_round(db, world, team)
    with pytest.raises(ModelInUse):
        competency.save_model(db, actor=world["trainer"], model_id=team.model.id,
                              spec=small_spec())
    copy = competency.copy_model(db, actor=world["trainer"], model_id=team.model.id,
                                 name="副本")
    assert len(competency.model_spec(db, copy.id).questions()) == 3
