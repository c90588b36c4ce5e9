"""Rounds, forms, completion and results of a small team, pinned by hand-computed figures."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy.orm import Session

from seci.accounts.models import User
from seci.core.clock import today
from seci.core.errors import FieldErrors
from seci.people import results, rounds
from seci.people.errors import FormNotFound, FormSubmitted, RoundClosed
from seci.people.models import AssessmentForm, AssessmentRound, FormStatus, Relation
from seci.stats.reliability import cronbach_alpha
from tests.factories import World
from tests.people.helpers import Team, forms_of, make_team, open_small_round, question_ids

SCORES = {  # rated → relation → answers to (q1, q2, q3)
    "T001": {Relation.SELF: (4, 4, 5), Relation.SUPERVISOR: (3, 3, 4), Relation.PEER: (2, 3, 3)},
    "T002": {Relation.SELF: (3, 3, 3), Relation.SUPERVISOR: (3, 3, 3), Relation.PEER: (3, 3, 3)},
}


def _raters(world: World, team: Team) -> dict[int, User]:
    return {u.id: u for u in [*team.users.values(), team.lead]}


def _fill(db: Session, world: World, team: Team, found: AssessmentRound) -> None:
    qs = question_ids(db, team)
    numbers = {a.id: a.agent_id for a in team.agents}
    raters = _raters(world, team)
    for form in forms_of(db, found):
        answers = SCORES.get(numbers[form.rated_agent_id], {}).get(Relation(form.relation))
        if answers is None:
            continue
        rounds.save_form(db, actor=raters[form.rater_user_id or 0], form_id=form.id,
                         scores=dict(zip(qs, answers, strict=True)), comment="继续加油",
                         submit=True)


def test_a_round_makes_self_lead_and_peer_forms(db: Session, world: World) -> None:
    team = make_team(db, world)
    found = open_small_round(db, world, team, peers=2)
    forms = forms_of(db, found)
    by_relation = {r: [f for f in forms if f.relation == r] for r in Relation}
    assert len(by_relation[Relation.SELF]) == 3  # T004 has no login
    assert len(by_relation[Relation.SUPERVISOR]) == 4
    assert len(by_relation[Relation.PEER]) == 8  # two peers each, among the three logins
    assert all(f.rater_agent_id != f.rated_agent_id for f in by_relation[Relation.PEER])
    c = rounds.completion(db, actor=world["trainer"], round_id=found.id)
    assert (c.forms, c.submitted) == (15, 0)
    assert [a.agent_id for a in c.agents_without_login] == ["T004"]


def test_peers_rotate_evenly() -> None:
    from datetime import date

    from seci.roster.models import RosterAgent
    agents = [RosterAgent(id=i, agent_id=f"A{i}", name="x", team="t", hired_on=date(2024, 1, 1),
                          stage="new", user_id=i) for i in range(1, 6)]
    chosen = rounds.peers_for(agents, 2, shuffle=False)
    assert [p.agent_id for p in chosen[1]] == ["A2", "A3"]
    assert [p.agent_id for p in chosen[5]] == ["A1", "A2"]
    rated_by: dict[int, int] = {}
    for peers in chosen.values():
        for p in peers:
            rated_by[p.id] = rated_by.get(p.id, 0) + 1
    assert set(rated_by.values()) == {2}  # everyone rates exactly two colleagues


def test_results_hand_computed(db: Session, world: World) -> None:
    team = make_team(db, world)
    found = open_small_round(db, world, team, peers=1)
    _fill(db, world, team, found)
    r = results.team_result(db, actor=world["trainer"], round_id=found.id)
    t001 = next(p for p in r.people if p.agent.agent_id == "T001")
    affinity, understanding = t001.items
    # 亲和力: self (4+4)/2 = 4, lead 3, peer (2+3)/2 = 2.5
    # combined (20·4 + 40·3 + 40·2.5)/100 = 3.0; others (3 + 2.5)/2 = 2.75; gap 1.25
    assert affinity.score.self == 4 and affinity.score.peer == 2.5
    assert affinity.score.combined == pytest.approx(3.0)
    assert affinity.score.others == pytest.approx(2.75)
    assert affinity.score.gap == pytest.approx(1.25)
    # 理解能力: (20·5 + 40·4 + 40·3)/100 = 3.8
    assert understanding.score.combined == pytest.approx(3.8)
    assert t001.overall.combined == pytest.approx(3.4)  # (3.0 + 3.8) / 2
    assert [i.name for i in t001.weak_items(1)] == ["亲和力"]
    # Team: T001 and T002 (all 3s) are rated; T003 and T004 not.
    assert [p.agent.agent_id for p in r.rated_people] == ["T001", "T002"]
    assert r.items[0].mean == pytest.approx(3.0) and r.items[0].n == 2
    assert r.items[1].mean == pytest.approx(3.4)
    assert r.overall.mean == pytest.approx(3.2)
    assert [i.name for i in r.weak_items()] == ["亲和力", "理解能力"]
    # α over the six submitted forms and the dimension's three questions
    rows = [SCORES[a][rel] for a in ("T001", "T002") for rel in Relation]
    assert r.dimensions[0].alpha == pytest.approx(cronbach_alpha(rows))
    assert r.dimensions[0].alpha_rows == 6


def test_weights_leave_a_missing_source_out() -> None:
    assert results.weighted_score({"self": 4.0, "supervisor": None, "peer": 2.5},
                                  {"self": 20, "supervisor": 40, "peer": 40}
                                  ) == pytest.approx(3.0)  # (80 + 100) / 60
    assert results.weighted_score({"self": None}, {"self": 20}) is None


def test_forms_save_as_they_go_and_submit_only_complete(db: Session, world: World) -> None:
    team = make_team(db, world)
    found = open_small_round(db, world, team)
    qs = question_ids(db, team)
    agent = world["agent"]
    own = next(f for f in forms_of(db, found)
               if f.rater_user_id == agent.id and f.relation == Relation.SELF)
    rounds.save_form(db, actor=agent, form_id=own.id, scores={qs[0]: 4})
    assert rounds.form_answers(db, own.id) == {qs[0]: 4}
    with pytest.raises(FieldErrors):  # two questions unanswered
        rounds.save_form(db, actor=agent, form_id=own.id, scores={}, submit=True)
    with pytest.raises(FieldErrors):
        rounds.save_form(db, actor=agent, form_id=own.id, scores={qs[1]: 6})
    with pytest.raises(FieldErrors):
        rounds.save_form(db, actor=agent, form_id=own.id, scores={999999: 3})
    rounds.save_form(db, actor=agent, form_id=own.id, scores={qs[1]: 5, qs[2]: 3},
                     submit=True)
    assert own.status == FormStatus.SUBMITTED
    with pytest.raises(FormSubmitted):
        rounds.save_form(db, actor=agent, form_id=own.id, scores={qs[0]: 1})
    rows = rounds.my_forms(db, actor=agent)
    assert {r.form.relation for r in rows} == {Relation.SELF, Relation.PEER}
    assert next(r for r in rows if r.form.id == own.id).answered == 3


def test_someone_elses_form_does_not_exist(db: Session, world: World) -> None:
    team = make_team(db, world)
    found = open_small_round(db, world, team)
    lead_form = next(f for f in forms_of(db, found) if f.relation == Relation.SUPERVISOR)
    for who in ("agent", "trainer", "manager"):
        with pytest.raises(FormNotFound):
            rounds.save_form(db, actor=world[who], form_id=lead_form.id, scores={})


def test_late_raters_after_the_deadline(db: Session, world: World) -> None:
    team = make_team(db, world)
    found = open_small_round(db, world, team)
    assert rounds.late_raters(db, actor=world["trainer"], round_id=found.id) == []
    found.deadline = today() - timedelta(days=1)
    late = rounds.late_raters(db, actor=world["trainer"], round_id=found.id)
    assert {p.rater.username for p in late} == {"agent", "agent_t002", "agent_t003",
                                                "supervisor"}
    assert all(p.late == p.total for p in late)
    listed = rounds.reminders(db, actor=world["trainer"])
    assert listed[0][1].late > 0


def test_closed_round_refuses_answers(db: Session, world: World) -> None:
    team = make_team(db, world)
    found = open_small_round(db, world, team)
    form = next(f for f in forms_of(db, found) if f.rater_user_id == world["agent"].id)
    rounds.close_round(db, actor=world["trainer"], round_id=found.id)
    with pytest.raises(RoundClosed):
        rounds.save_form(db, actor=world["agent"], form_id=form.id, scores={})
    with pytest.raises(RoundClosed):
        rounds.close_round(db, actor=world["trainer"], round_id=found.id)


def test_the_agent_never_sees_who_rated_what(db: Session, world: World) -> None:
    team = make_team(db, world)
    found = open_small_round(db, world, team, peers=2)
    _fill(db, world, team, found)
    agent = world["agent"]
    assert results.own_results(db, actor=agent) == []  # not before the round closes
    rounds.close_round(db, actor=world["trainer"], round_id=found.id)
    (own,) = results.own_results(db, actor=agent)
    assert own.person.agent.agent_id == "T001"
    for item in [*own.person.items, own.person.overall]:
        score = item if isinstance(item, results.Score) else item.score
        assert score.supervisor is None and score.peer is None
    assert own.person.items[0].score.self == 4
    assert set(own.person.forms) == {"self", "others"}
    # The agent's own forms list holds the forms they fill in, never the ones about them.
    assert all(r.form.rater_user_id == agent.id for r in rounds.my_forms(db, actor=agent))
    peer_form = next(f for f in forms_of(db, found)
                     if f.relation == Relation.PEER and f.rated_agent_id == team.agents[0].id)
    with pytest.raises(FormNotFound):
        rounds.own_form(db, actor=agent, form_id=peer_form.id)
    # Two peers submitted: their comments reach the agent, unattributed and sorted.
    assert own.comments == ["继续加油"] * 3


def test_a_single_peers_comment_is_withheld(db: Session, world: World) -> None:
    team = make_team(db, world)
    found = open_small_round(db, world, team, peers=1)
    _fill(db, world, team, found)
    rounds.close_round(db, actor=world["trainer"], round_id=found.id)
    (own,) = results.own_results(db, actor=world["agent"])
    assert own.comments == ["继续加油"]  # the team lead's only


def test_nobody_rated_gives_empty_figures(db: Session, world: World) -> None:
    team = make_team(db, world)
    found = open_small_round(db, world, team)
    r = results.team_result(db, actor=world["trainer"], round_id=found.id)
    assert r.rated_people == [] and r.overall.mean is None and r.overall.n == 0
    assert r.dimensions[0].alpha is None and r.weak_items() == []


def test_round_settings_are_checked(db: Session, world: World) -> None:
    team = make_team(db, world)
    bad = rounds.RoundSettings(model_id=team.model.id, team="测试组", title=" ",
                               deadline=today() - timedelta(days=1), self_weight=50,
                               supervisor_weight=40, peer_weight=40, peers_per_agent=9)
    with pytest.raises(FieldErrors) as error:
        rounds.open_round(db, actor=world["trainer"], settings=bad)
    assert {e["field"] for e in error.value.errors} == {"title", "deadline", "self_weight",
                                                         "peers_per_agent"}


def _unused(_: AssessmentForm) -> None:  # keeps the import for type checkers
    return None
