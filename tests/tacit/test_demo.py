"""The demo shows a living centre: every step occupied, a finished evaluation, honours."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from seci.demo.loader import load_demo
from seci.tacit import evaluation as ev
from seci.tacit import honours, improvement
from seci.tacit.models import Contribution, Evaluation, PointEntry, Status, Step


def test_the_demo_fills_every_step_of_the_pipeline(db: Session) -> None:
    load_demo(db)
    contributions = db.scalars(select(Contribution)).all()
    assert {Status(c.status) for c in contributions} >= {
        Status.SUBMITTED, Status.ROUTED, Status.TRIAL, Status.PROMOTING, Status.EVALUATING,
        Status.EVALUATED, Status.REJECTED}
    assert {c.step for c in contributions} >= {Step.MINING, Step.SCREENING, Step.PROMOTION,
                                               Step.EVALUATION, Step.INCENTIVES}
    closed = db.scalars(select(Evaluation).where(Evaluation.status == "closed")).one()
    [fcr, handling] = ev.analyse(ev.figures(db, evaluation_id=closed.id))
    assert fcr.comparison == "did"
    assert fcr.result.significant and fcr.improved
    assert handling.improved
    assert db.scalars(select(PointEntry)).first() is not None
    assert honours.leaderboard(db)[0].name == "张小云"
    assert len(honours.honour_wall(db)) == 3
    assert improvement.timings(db).stuck  # something waits too long: step 6 has work
