"""Builders for the certification and growth-stage tests: a queue's requirements, a graded
exam attempt, a certification expiring on a given day."""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from seci.accounts.models import User
from seci.core.clock import utcnow
from seci.people import certification, exams
from seci.people.cert_models import Certification
from seci.people.exam_models import AttemptStatus, Exam, ExamAttempt
from tests.factories import World
from tests.people.exam_helpers import bank, exam, seeded


def exam_with_bank(db: Session, world: World) -> Exam:
    bank(db, world)
    return exam(db, world)


def graded_attempt(db: Session, user: User, found: Exam, percent: float) -> ExamAttempt:
    """A formal attempt drawn by the exam service and graded at ``percent``."""
    attempt = exams.start_attempt(db, actor=user, exam_id=found.id, rng=seeded())
    attempt.status = AttemptStatus.GRADED
    attempt.finished_at = utcnow()
    attempt.score_percent = percent
    attempt.passed = percent >= found.pass_percent
    db.flush()
    return attempt


def require_exam(db: Session, world: World, queue_code: str, found: Exam,
                 mark: float = 80, **extra: object) -> None:
    certification.set_requirement(
        db, actor=world["manager"], queue_id=world.queues[queue_code].id,
        data=certification.RequirementData(exam_rules=[(found.id, mark)],
                                           **extra))  # type: ignore[arg-type]


def certify(db: Session, user: User, queue_id: int, expires_on: date) -> Certification:
    """A certification granted by the rules, expiring on the given day."""
    cert = Certification(user_id=user.id, queue_id=queue_id, expires_on=expires_on,
                         basis="rules")
    db.add(cert)
    db.flush()
    return cert
