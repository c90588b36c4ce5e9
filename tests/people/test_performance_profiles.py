"""Competency against performance (call data and entered figures), the team profile, the
shipped template and model editing."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from seci.core.clock import today
from seci.core.errors import FieldErrors
from seci.people import competency, performance, profiles, rounds
from seci.people.errors import ModelInUse, UnknownMeasure
from seci.people.models import AssessmentRound
from seci.stats.correlation import pearson_r, spearman_correlation
from tests.calls.helpers import call, run_import, write_jsonl
from tests.factories import World
from tests.people.helpers import (
    TEAM,
    Team,
    forms_of,
    make_team,
    open_small_round,
    question_ids,
    small_spec,
)

LEVEL = {"T001": 5, "T002": 4, "T003": 3, "T004": 2}  # every answer about each agent


def _rate_everyone(db: Session, world: World, team: Team) -> AssessmentRound:
    found = open_small_round(db, world, team, peers=1)
    qs = question_ids(db, team)
    numbers = {a.id: a.agent_id for a in team.agents}
    raters = {u.id: u for u in [*team.users.values(), team.lead]}
    for form in forms_of(db, found):
        level = LEVEL[numbers[form.rated_agent_id]]
        rounds.save_form(db, actor=raters[form.rater_user_id or 0], form_id=form.id,
                         scores=dict.fromkeys(qs, level), submit=True)
    return found


def test_correlation_with_entered_figures(db: Session, world: World) -> None:
    team = make_team(db, world)
    found = _rate_everyone(db, world, team)
    values = {"T001": 90.0, "T002": 85.0, "T003": 70.0, "T004": 72.0}
    assert performance.set_figures(db, actor=world["trainer"], round_id=found.id,
                                   measure="绩效考核", values=values) == 4
    assert performance.measures(db, actor=world["trainer"], round_id=found.id) == [
        "fcr", "satisfaction", "绩效考核"]
    c = performance.competency_correlation(db, actor=world["trainer"], round_id=found.id,
                                           measure="绩效考核")
    assert c.n == 4
    x, y = [5.0, 4.0, 3.0, 2.0], [90.0, 85.0, 70.0, 72.0]
    # deviations x: 1.5 .5 −.5 −1.5; y (mean 79.25): 10.75 5.75 −9.25 −7.25
    # Σdxdy = 34.5, Σdx² = 5, Σdy² = 286.75 → r = 34.5 / √1433.75 = 0.91113
    assert c.pearson is not None and c.pearson.r == pytest.approx(0.91113, abs=1e-5)
    assert c.pearson.r == pytest.approx(pearson_r(x, y))
    assert c.spearman is not None
    assert c.spearman.r == pytest.approx(spearman_correlation(x, y).r)  # type: ignore[union-attr]
    assert c.spearman.r == pytest.approx(0.8)  # ranks 4 3 2 1 vs 4 3 1 2: 1 − 6·2/60


def test_correlation_says_when_there_is_too_little(db: Session, world: World) -> None:
    team = make_team(db, world)
    found = _rate_everyone(db, world, team)
    performance.set_figures(db, actor=world["trainer"], round_id=found.id, measure="绩效",
                            values={"T001": 1.0, "T002": 2.0, "T003": 3.0})
    c = performance.competency_correlation(db, actor=world["trainer"], round_id=found.id,
                                           measure="绩效")
    assert (c.n, c.need, c.pearson, c.spearman) == (3, 4, None, None)
    with pytest.raises(UnknownMeasure):
        performance.competency_correlation(db, actor=world["trainer"], round_id=found.id,
                                           measure="nothing")


def test_figures_are_checked(db: Session, world: World) -> None:
    team = make_team(db, world)
    found = open_small_round(db, world, team)
    with pytest.raises(FieldErrors):
        performance.set_figures(db, actor=world["trainer"], round_id=found.id,
                                measure="fcr", values={"T001": 1.0})
    with pytest.raises(FieldErrors):
        performance.set_figures(db, actor=world["trainer"], round_id=found.id,
                                measure="绩效", values={"X999": 1.0})
    assert performance.parse_figure_lines("T001, 90\nT002，85.5\n\nT003\t70") == {
        "T001": 90.0, "T002": 85.5, "T003": 70.0}
    with pytest.raises(FieldErrors):
        performance.parse_figure_lines("T001 ninety")


def test_correlation_with_fcr_from_the_calls(db: Session, world: World,
                                             tmp_path: Path) -> None:
    team = make_team(db, world)
    day = today() - timedelta(days=10)
    records = []
    resolved = {"T001": 20, "T002": 18, "T003": 15, "T004": 12}
    for agent_id, good in resolved.items():
        for i in range(20):
            records.append(call(f"C{agent_id}{i:03d}", agent_id=agent_id, team=TEAM,
                                started_at=f"{day.isoformat()}T10:{i:02d}:00+08:00",
                                resolved_first_contact=i < good))
    report = run_import(db, world, write_jsonl(tmp_path / "calls.jsonl", records))
    assert report.rows == 80
    found = _rate_everyone(db, world, team)
    c = performance.competency_correlation(db, actor=world["trainer"], round_id=found.id,
                                           measure="fcr")
    assert [round(y, 2) for _, _, y in c.points] == [1.0, 0.9, 0.75, 0.6]
    assert c.pearson is not None
    assert c.pearson.r == pytest.approx(pearson_r([5, 4, 3, 2], [1.0, 0.9, 0.75, 0.6]))


def test_team_profile_counts_each_facet(db: Session, world: World) -> None:
    make_team(db, world)
    profiles.set_profile(db, actor=world["trainer"], agent_id="T001", gender="female",
                         birth_year=today().year - 27, education="college", rank="二级",
                         communication_style="amiable")
    profiles.set_profile(db, actor=world["trainer"], agent_id="T002", gender="female",
                         birth_year=today().year - 41, education="bachelor", rank=None,
                         communication_style="amiable")
    p = profiles.team_profile(db, actor=world["trainer"], team=TEAM)
    assert p.size == 4
    gender = {f.value: (f.count, f.share) for f in p.facets["gender"]}
    assert gender == {"female": (2, 0.5), "unknown": (2, 0.5)}
    assert {f.value: f.count for f in p.facets["age_band"]} == {
        "25_29": 1, "40plus": 1, "unknown": 2}
    assert sum(f.count for f in p.facets["tenure_band"]) == 4
    with pytest.raises(FieldErrors):
        profiles.set_profile(db, actor=world["trainer"], agent_id="T001", gender="x",
                             birth_year=1900, education=None, rank=None,
                             communication_style=None)


def test_bands() -> None:
    assert profiles.age_band(2000, date(2026, 1, 1)) == "25_29"
    assert profiles.age_band(2002, date(2026, 1, 1)) == "lt25"
    assert profiles.tenure_band(date(2026, 1, 1), date(2026, 6, 29)) == "lt6m"
    assert profiles.tenure_band(date(2025, 1, 1), date(2026, 6, 29)) == "18m_3y"


def test_the_template_has_the_sources_shape(db: Session, world: World) -> None:
    spec = competency.template_spec()
    assert [d.name for d in spec.dimensions] == ["工作能力", "专业知识", "职业素质"]
    assert len(spec.items()) == 11 and len(spec.questions()) == 33
    assert all(len(i.questions) == 3 for i in spec.items())
    assert {"人际交往能力", "亲和力", "理解能力"} <= {i.name for i in spec.items()}
    model = competency.create_from_template(db, actor=world["trainer"])
    assert model.template == competency.TEMPLATE_KEY
    assert len(competency.model_spec(db, model.id).questions()) == 33


def test_editing_a_model(db: Session, world: World) -> None:
    team = make_team(db, world)
    spec = small_spec()
    spec.dimensions[0].items[0].questions.pop()
    spec.dimensions[0].items[1].name = "理解与澄清"
    competency.save_model(db, actor=world["trainer"], model_id=team.model.id, spec=spec)
    saved = competency.model_spec(db, team.model.id)
    assert [i.name for i in saved.items()] == ["亲和力", "理解与澄清"]
    assert len(saved.questions()) == 2
    spec.dimensions[0].items[0].questions = []
    with pytest.raises(FieldErrors) as error:
        competency.save_model(db, actor=world["trainer"], model_id=team.model.id, spec=spec)
    assert error.value.errors[0]["field"] == "d0_i0_q0_text"
    open_small_round(db, world, team)
    with pytest.raises(ModelInUse):
        competency.save_model(db, actor=world["trainer"], model_id=team.model.id,
                              spec=small_spec())
