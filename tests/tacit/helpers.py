"""Builders for the pipeline tests: a contribution brought to any step."""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from seci.knowledge import articles as kb
from seci.tacit import evaluation as ev
from seci.tacit import mining, promotion, screening
from seci.tacit.models import Contribution
from tests.factories import World

SCORES = screening.Screening(category="method", timely=4, usable=5, accurate=4, generality=3)
TRIAL_FROM, TRIAL_TO = date(2026, 9, 1), date(2026, 9, 30)


def submit(db: Session, world: World, *, author: str = "agent", actor: str | None = None,
           title: str = "工单拦截四步曲", method_name: str | None = "雪豹小组工单拦截四步曲"
           ) -> Contribution:
    return mining.submit_contribution(
        db, actor=world[actor or author], author=world[author],
        data=mining.ContributionInput(
            title=title, content="1. 先查询历史工单\n2. 复述诉求\n3. 当场解决\n4. 回访确认",
            kind="method", source="self", method_name=method_name,
            queue_ids=world.queue_ids("A")))


def in_trial(db: Session, world: World, **kwargs: object) -> Contribution:
    contribution = submit(db, world, **kwargs)  # type: ignore[arg-type]
    return screening.start_trial(db, contribution_id=contribution.id, actor=world["reviewer"],
                                 screening=SCORES, team="雪豹小组", starts=TRIAL_FROM,
                                 ends=TRIAL_TO)


def promoted(db: Session, world: World, *, publish: bool = True) -> Contribution:
    """Trialled, promoted by the manager, evaluation owned by the analyst; the article
    approved by the reviewer when ``publish``."""
    contribution = in_trial(db, world)
    article = promotion.promote(db, contribution_id=contribution.id, actor=world["manager"],
                                evaluation_owner_id=world["analyst"].id,
                                evaluation_due=date(2026, 12, 31), comparison_team="B组")
    if publish:
        kb.approve_article(db, article_id=article.id, actor=world["reviewer"])
        promotion.sync_promotions(db)
    return contribution


FIGURES = [
    ev.FigureInput("fcr", "trial", "before", 1000, successes=800, period="2026-08"),
    ev.FigureInput("fcr", "trial", "after", 1000, successes=850, period="2026-10"),
]
