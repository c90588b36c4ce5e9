"""A notice built step by step, for the linkage tests."""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from seci.knowledge import articles as kb
from seci.knowledge.models import Article
from seci.linkage import notices, quiz
from seci.linkage.chain import notice_chain
from seci.linkage.models import Notice
from tests.factories import World

QUESTIONS = [
    quiz.QuestionSpec("新套餐月费多少？", ["38元", "58元", "88元"], 1),
    quiz.QuestionSpec("何时生效？", ["下月1日", "即日起"], 0),
]


def new_notice(db: Session, world: World, **overrides: object) -> Notice:
    values: dict[str, object] = {
        "title": "关于推出58元5G畅享套餐的业务通告", "body": "即日起推出58元5G畅享套餐。",
        "reference": "渝移通〔2026〕118号", "module_id": world.modules["资费套餐"].id,
        "queue_ids": world.queue_ids("A"), "effective_on": None,
    }
    values.update(overrides)
    return notices.create_notice(db, actor=world["manager"], **values)  # type: ignore[arg-type]


def drafted(db: Session, world: World, **overrides: object) -> tuple[Notice, Article]:
    notice = new_notice(db, world, **overrides)
    article = notices.draft_article(db, notice_id=notice.id, actor=world["manager"],
                                    title="58元5G畅享套餐资费说明", body="### 资费\n月费58元。")
    return notice, article


def released(db: Session, world: World, **overrides: object) -> tuple[Notice, Article]:
    """Drafted, submitted, approved by quality, released; no quiz yet."""
    notice, article = drafted(db, world, **overrides)
    notices.submit_drafts(db, notice_id=notice.id, actor=world["manager"])
    kb.approve_article(db, article_id=article.id, actor=world["reviewer"])
    notices.release_notice(db, notice_id=notice.id, actor=world["manager"])
    return notice, article


def statuses(db: Session, notice: Notice, on: date | None = None) -> dict[str, str]:
    return {p.post.value: p.status.value for p in notice_chain(db, notice=notice, on=on).posts}
