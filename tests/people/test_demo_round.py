"""The demo's finished round for A组: results, weak items, profile and the link with FCR."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from seci.accounts.models import User
from seci.accounts.service import system_actor
from seci.demo.loader import load_demo
from seci.people import performance, profiles, results, rounds


def test_the_demo_round_is_finished_and_filled(db: Session) -> None:
    load_demo(db)
    actor = system_actor()
    (found,) = rounds.list_rounds(db, actor=actor)
    assert (found.team, found.status) == ("A组", "closed")
    team = results.team_result(db, actor=actor, round_id=found.id)
    assert len(team.rated_people) == len(team.people) >= 10
    assert team.overall.mean is not None and 3.3 < team.overall.mean < 4.5
    assert {i.name for i in team.weak_items()} == {"人际交往能力", "亲和力", "理解能力"}
    assert all(d.alpha is not None for d in team.dimensions)
    c = performance.competency_correlation(db, actor=actor, round_id=found.id, measure="fcr")
    assert c.n >= 10 and c.pearson is not None and c.pearson.r > 0
    profile = profiles.team_profile(db, actor=actor, team="A组")
    assert profile.size == len(team.people)
    assert all(f.value != "unknown" for f in profile.facets["gender"])
    agent = db.scalar(select(User).where(User.username == "agent"))
    assert agent is not None
    (own,) = results.own_results(db, actor=agent)
    assert own.person.overall.combined is not None
