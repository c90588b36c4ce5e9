"""Scoring: the formula by hand, critical failures, one score per call and scorecard,
inspectors never score their own calls."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from seci.audit.models import AuditEvent
from seci.core.errors import FieldErrors, PermissionDenied
from seci.quality.errors import AlreadyScored, CallNotInSample, OwnCall
from seci.quality.models import QaScore
from seci.quality.sampling import draw_sample, sample_call_ids
from seci.quality.scoring import qa_passed, qa_total, score_call
from tests.calls.helpers import call
from tests.factories import World
from tests.quality.helpers import import_calls, link_agent, marks, request, small_scorecard


def test_total_is_the_share_of_points_and_zero_on_a_critical_failure() -> None:
    # 4 + 8 + 12 = 24 of 5 + 10 + 15 = 30 points → 100 · 24/30 = 80 %
    assert qa_total([4, 8, 12], [5, 10, 15], critical_failed=False) == pytest.approx(80.0)
    assert qa_passed(80.0, 80.0, critical_failed=False)  # the pass mark itself passes
    # 4 + 8 + 11 = 23 of 30 → 76.67 % < 80: failed
    assert qa_total([4, 8, 11], [5, 10, 15], False) == pytest.approx(76.6667, abs=1e-4)
    assert not qa_passed(76.67, 80.0, critical_failed=False)
    # full points, but a critical item failed: 0 and failed
    assert qa_total([5, 10, 15], [5, 10, 15], critical_failed=True) == 0.0
    assert not qa_passed(100.0, 80.0, critical_failed=True)


def test_scoring_a_call_stores_points_total_and_pass(db: Session, world: World,
                                                     tmp_path: Path) -> None:
    import_calls(db, world, tmp_path, [call("C1", agent_id="A2001"), call("C2")])
    card = small_scorecard(db, world)
    score, new = score_call(db, actor=world["reviewer"], call_id="C1", scorecard_id=card.id,
                            marks=marks(card, [4, 8, 12]), comment="开场白未报工号")
    assert new and score.agent_id == "A2001" and score.inspector_id == world["reviewer"].id
    assert score.total == pytest.approx(80.0) and score.passed and not score.critical_failed
    assert score.points == {str(card.items[0].id): 4, str(card.items[1].id): 8,
                            str(card.items[2].id): 12}
    failed, _ = score_call(db, actor=world["reviewer"], call_id="C2", scorecard_id=card.id,
                           marks=marks(card, [5, 10, 15], failed=[2]))
    assert (failed.total, failed.passed, failed.critical_failed) == (0.0, False, True)
    assert failed.failed_items == [card.items[2].id]
    assert db.scalar(select(AuditEvent).where(AuditEvent.action == "qa.score"))


def test_points_are_checked_item_by_item(db: Session, world: World, tmp_path: Path) -> None:
    import_calls(db, world, tmp_path, [call("C1")])
    card = small_scorecard(db, world)
    bad = marks(card, [6, 8, 12], failed=[0])  # 6 > 5; item 0 is not critical
    del bad.points[card.items[1].id]  # type: ignore[attr-defined]
    with pytest.raises(FieldErrors) as refused:
        score_call(db, actor=world["reviewer"], call_id="C1", scorecard_id=card.id, marks=bad)
    assert {(p["field"], p["code"]) for p in refused.value.errors} == {
        (f"points_{card.items[0].id}", "out_of_range"),
        (f"points_{card.items[1].id}", "required"), ("failed_items", "invalid_choice")}


def test_an_inspector_cannot_score_their_own_calls(db: Session, world: World,
                                                   tmp_path: Path) -> None:
    import_calls(db, world, tmp_path, [call("C1", agent_id="Q0001")])
    link_agent(db, "Q0001", world["reviewer"], team="质检组")
    card = small_scorecard(db, world)
    with pytest.raises(OwnCall):
        score_call(db, actor=world["reviewer"], call_id="C1", scorecard_id=card.id,
                   marks=marks(card, [5, 10, 15]))
    score, _ = score_call(db, actor=world["manager"], call_id="C1", scorecard_id=card.id,
                          marks=marks(card, [5, 10, 15]))
    assert score.inspector_id == world["manager"].id


@pytest.mark.parametrize("role", ["agent", "supervisor", "analyst"])
def test_only_inspectors_score(db: Session, world: World, tmp_path: Path, role: str) -> None:
    import_calls(db, world, tmp_path, [call("C1")])
    card = small_scorecard(db, world)
    with pytest.raises((PermissionDenied,)):
        score_call(db, actor=world[role], call_id="C1", scorecard_id=card.id,
                   marks=marks(card, [5, 10, 15]))


def test_one_score_per_call_and_scorecard(db: Session, world: World, tmp_path: Path) -> None:
    import_calls(db, world, tmp_path, [call("C1")])
    card = small_scorecard(db, world)
    first, _ = score_call(db, actor=world["reviewer"], call_id="C1", scorecard_id=card.id,
                          marks=marks(card, [5, 10, 15]))
    # the same inspector corrects it (before any appeal): the same row is updated
    corrected, new = score_call(db, actor=world["reviewer"], call_id="C1",
                                scorecard_id=card.id, marks=marks(card, [2, 10, 15]))
    assert not new and corrected.id == first.id
    assert corrected.total == pytest.approx(90.0)  # 27 of 30
    # another inspector may not score it again
    with pytest.raises(AlreadyScored):
        score_call(db, actor=world["manager"], call_id="C1", scorecard_id=card.id,
                   marks=marks(card, [5, 10, 15]))
    assert len(db.scalars(select(QaScore)).all()) == 1


def test_scoring_within_a_sample_uses_its_scorecard_and_its_calls(
        db: Session, world: World, tmp_path: Path) -> None:
    import_calls(db, world, tmp_path, [call("C1"), call("C2"), call("C3")])
    card = small_scorecard(db, world)
    sample = draw_sample(db, actor=world["reviewer"], request=request(card, size=2))
    inside = sample_call_ids(db, sample_id=sample.id)
    outside = ({"C1", "C2", "C3"} - set(inside)).pop()
    score, _ = score_call(db, actor=world["reviewer"], call_id=inside[0], sample_id=sample.id,
                          marks=marks(card, [5, 10, 15]))
    assert (score.sample_id, score.scorecard_id) == (sample.id, card.id)
    with pytest.raises(CallNotInSample):
        score_call(db, actor=world["reviewer"], call_id=outside, sample_id=sample.id,
                   marks=marks(card, [5, 10, 15]))
