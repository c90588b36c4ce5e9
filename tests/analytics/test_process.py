"""Key-process handling speed and the suggestion figures, by hand."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from sqlalchemy.orm import Session

from seci.analytics.process import key_process_speed, speed_of
from seci.assistant.models import Conversation
from seci.core.errors import PermissionDenied
from seci.knowledge.models import ArticleFeedback
from tests.factories import World, make_article

# 2026-09-10 local (UTC+8) runs from 09-09 16:00 to 09-10 16:00 UTC.
DAY = date(2026, 9, 10)
NOON_UTC = datetime(2026, 9, 10, 4, 0)


def test_median_and_p90_by_hand() -> None:
    speed = speed_of("x", [1.0, 2.0, 3.0, 10.0])
    # Median of 1, 2, 3, 10 = 2.5; p90: h = 3·0.9 = 2.7 → 3 + 0.7·(10 − 3) = 7.9.
    assert (speed.n, speed.median_hours) == (4, 2.5)
    assert speed.p90_hours == pytest.approx(7.9)


def test_feedback_and_handoffs_handled_in_the_period(db: Session, world: World) -> None:
    article = make_article(db, world)
    for hours in (2, 4, 30):
        db.add(ArticleFeedback(article_id=article.id, reporter_id=world["agent"].id,
                               kind="wrong", comment="x", status="accepted",
                               created_at=NOON_UTC - timedelta(hours=hours),
                               handled_at=NOON_UTC))
    db.add(ArticleFeedback(article_id=article.id, reporter_id=world["agent"].id, kind="wrong",
                           comment="other day", status="accepted",
                           created_at=NOON_UTC - timedelta(days=3),
                           handled_at=NOON_UTC - timedelta(days=2)))
    for index, minutes in enumerate((3, 9)):
        db.add(Conversation(token_hash=f"t{index}", handed_off_at=NOON_UTC,
                            accepted_at=NOON_UTC + timedelta(minutes=minutes)))
    db.flush()
    speeds = {s.process: s for s in key_process_speed(db, actor=world["analyst"],
                                                       start=DAY, end=DAY)}
    assert (speeds["feedback_handled"].n, speeds["feedback_handled"].median_hours) == (3, 4.0)
    assert speeds["handoff_accepted"].median_hours == pytest.approx(6 / 60)
    assert speeds["linkage_closed"].n == 0
    with pytest.raises(PermissionDenied):
        key_process_speed(db, actor=world["agent"], start=DAY, end=DAY)
