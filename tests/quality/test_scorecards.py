"""Scorecards: validation with field-level problems, frozen after the first score, copy
as new, retire."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from seci.core.errors import FieldErrors, PermissionDenied
from seci.quality.errors import ScorecardInUse, ScorecardRetired
from seci.quality.sampling import draw_sample
from seci.quality.scorecards import (
    ItemSpec,
    ScorecardSpec,
    copy_scorecard,
    create_scorecard,
    default_scorecard_spec,
    list_scorecards,
    retire_scorecard,
    update_scorecard,
)
from seci.quality.scoring import score_call
from tests.calls.helpers import call
from tests.factories import World
from tests.quality.helpers import import_calls, marks, request, small_scorecard


def _problems(error: FieldErrors) -> set[tuple[str, str]]:
    return {(str(p["field"]), str(p["code"])) for p in error.errors}


def test_the_default_scorecard_is_worth_100_points_with_two_critical_items(
        db: Session, world: World) -> None:
    spec = default_scorecard_spec()
    assert sum(item.max_points for item in spec.items) == 100
    assert spec.pass_mark == 80
    assert {i.name for i in spec.items if i.critical} == {"业务解答准确", "服务态度"}
    card = create_scorecard(db, actor=world["manager"], spec=spec)
    assert [i.name for i in card.items][:2] == ["开场白规范", "身份核验"]
    assert card.active


def test_invalid_scorecards_are_refused_field_by_field(db: Session, world: World) -> None:
    spec = ScorecardSpec(name=" ", pass_mark=120, items=[
        ItemSpec("开场白规范", 0), ItemSpec("", 10), ItemSpec("开场白规范", 5)])
    with pytest.raises(FieldErrors) as refused:
        create_scorecard(db, actor=world["manager"], spec=spec)
    assert _problems(refused.value) == {
        ("name", "required"), ("pass_mark", "out_of_range"),
        ("items.0.max_points", "out_of_range"), ("items.1.name", "required"),
        ("items.2.name", "duplicate_figure")}
    with pytest.raises(FieldErrors) as empty:
        create_scorecard(db, actor=world["manager"], spec=ScorecardSpec(name="空表", items=[]))
    assert _problems(empty.value) == {("items", "required")}


@pytest.mark.parametrize("role", ["agent", "supervisor", "analyst", "editor"])
def test_only_qa_managers_keep_scorecards(db: Session, world: World, role: str) -> None:
    with pytest.raises(PermissionDenied):
        create_scorecard(db, actor=world[role], spec=default_scorecard_spec())
    with pytest.raises(PermissionDenied):
        list_scorecards(db, actor=world[role])


def test_a_scorecard_is_editable_until_a_call_is_scored_with_it(
        db: Session, world: World, tmp_path: Path) -> None:
    card = small_scorecard(db, world)
    changed = update_scorecard(db, actor=world["reviewer"], scorecard_id=card.id,
                               spec=ScorecardSpec(name="测试评分表 v2", pass_mark=75, items=[
                                   ItemSpec("开场白规范", 5), ItemSpec("需求理解准确", 10),
                                   ItemSpec("业务解答准确", 15, critical=True),
                                   ItemSpec("结束语规范", 5)]))
    assert (changed.name, changed.pass_mark, len(changed.items)) == ("测试评分表 v2", 75, 4)
    import_calls(db, world, tmp_path, [call("C1")])
    score_call(db, actor=world["reviewer"], call_id="C1", scorecard_id=card.id,
               marks=marks(card, [5, 10, 15, 5]))
    with pytest.raises(ScorecardInUse):
        update_scorecard(db, actor=world["reviewer"], scorecard_id=card.id,
                         spec=ScorecardSpec(name="改不了", items=[ItemSpec("开场白规范", 5)]))


def test_copy_as_new_is_editable_and_the_old_one_can_be_retired(
        db: Session, world: World, tmp_path: Path) -> None:
    card = small_scorecard(db, world)
    import_calls(db, world, tmp_path, [call("C1"), call("C2")])
    score_call(db, actor=world["reviewer"], call_id="C1", scorecard_id=card.id,
               marks=marks(card, [5, 10, 15]))
    copy = copy_scorecard(db, actor=world["manager"], scorecard_id=card.id, name="测试评分表 2027")
    assert copy.id != card.id and copy.active
    assert [(i.name, i.max_points, i.critical) for i in copy.items] == [
        (i.name, i.max_points, i.critical) for i in card.items]
    update_scorecard(db, actor=world["manager"], scorecard_id=copy.id, spec=ScorecardSpec(
        name="测试评分表 2027", items=[ItemSpec("开场白规范", 10)]))
    retired = retire_scorecard(db, actor=world["manager"], scorecard_id=card.id)
    assert not retired.active
    assert [c.id for c in list_scorecards(db, actor=world["reviewer"], active_only=True)] == [
        copy.id]
    # a retired scorecard takes no new samples and no new ad-hoc scores
    with pytest.raises(FieldErrors) as refused:
        draw_sample(db, actor=world["reviewer"], request=request(card))
    assert _problems(refused.value) == {("scorecard_id", "invalid_choice")}
    with pytest.raises(ScorecardRetired):
        score_call(db, actor=world["reviewer"], call_id="C2", scorecard_id=card.id,
                   marks=marks(card, [5, 10, 15]))
