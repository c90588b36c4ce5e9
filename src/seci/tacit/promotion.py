"""Step 3, promotion (推广应用): a trialled contribution becomes a best-practice article
in the KB's best-practice module. The article goes through the KB's own four-eyes review;
when it is published (and so pushed to its queues for read acknowledgement), the
contribution moves on to its evaluation."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from seci.accounts.models import User
from seci.accounts.roles import Perm
from seci.accounts.service import system_actor
from seci.core.errors import FieldErrors
from seci.core.i18n import gettext
from seci.knowledge import articles as kb
from seci.knowledge.models import Article, ArticleVersion, Module
from seci.knowledge.modules import create_module
from seci.knowledge.validation import ArticleFields
from seci.tacit.incentives import award_points
from seci.tacit.models import Contribution, Evaluation, Status
from seci.tacit.workflow import (
    get_contribution,
    move,
    require_not_own,
    require_perm,
    require_status,
)

# The KB column best practices live in (最佳实践); created on first promotion.
BEST_PRACTICE_MODULE = "最佳实践"
BEST_PRACTICE_TAG = "最佳实践"


def best_practice_module(session: Session) -> Module:
    module = session.scalar(select(Module).where(Module.parent_id.is_(None),
                                                 Module.name == BEST_PRACTICE_MODULE))
    # The pipeline files best practices under a module of its own, whoever promotes.
    return module or create_module(session, name=BEST_PRACTICE_MODULE, parent_id=None,
                                   actor=system_actor())


def article_body(contribution: Contribution, author: User) -> str:
    """The article text: the contribution, and where it came from (in the KB's language,
    which is the centre's: Chinese)."""
    credit = gettext("Contributed by {author} (contribution #{id}).",
                     author=author.display_name, id=contribution.id)
    return f"{contribution.content}\n\n---\n{credit}"


def promote(session: Session, *, contribution_id: int, actor: User, evaluation_owner_id: int,
            evaluation_due: date, comparison_team: str | None = None,
            queue_ids: list[int] | None = None) -> Article:
    """Write the best-practice article and submit it for review; name who evaluates its
    effect and by when. The promoter needs edit rights in the best-practice module."""
    require_perm(actor, Perm.TACIT_PROMOTE)
    contribution = get_contribution(session, contribution_id=contribution_id)
    require_status(contribution, "promoted", Status.TRIAL)
    require_not_own(actor, contribution)
    owner = session.get(User, evaluation_owner_id)
    if owner is None or not owner.can(Perm.TACIT_EVALUATE):
        raise FieldErrors([{"field": "evaluation_owner_id", "code": "invalid_choice",
                            "value": evaluation_owner_id}])
    author = session.get(User, contribution.author_id)
    assert author is not None
    if queue_ids is not None:
        contribution.queue_ids = sorted(set(queue_ids))
    title = contribution.method_name or contribution.title
    tags = [BEST_PRACTICE_TAG, *([contribution.method_name] if contribution.method_name
                                 else [])]
    article = kb.create_article(session, actor=actor, fields=ArticleFields(
        title=title[:200], body=article_body(contribution, author),
        module_id=best_practice_module(session).id, queue_ids=list(contribution.queue_ids),
        tags=tags, similar_questions=[], audience="internal", valid_from=None,
        valid_to=None), owner_id=actor.id)
    kb.submit_article(session, article_id=article.id, actor=actor)
    contribution.article_id = article.id
    contribution.promoted_by_id = actor.id
    session.add(Evaluation(contribution_id=contribution.id, owner_id=owner.id,
                           due_date=evaluation_due,
                           trial_team=contribution.trial_team or (author.team or ""),
                           comparison_team=(comparison_team or "").strip() or None))
    move(session, contribution=contribution, to=Status.PROMOTING, actor=actor,
         note=article.code)
    award_points(session, user_id=contribution.author_id, reason_code="contribution_promoted",
                 source_type="contribution", source_id=contribution.id, actor=actor)
    return article


def sync_promotions(session: Session) -> list[Contribution]:
    """Move contributions whose best-practice article is now published on to evaluation.

    The KB's review publishes the article; this notices it (called by the board, the
    contribution's page, the inbox and the API) instead of the KB calling back into the
    pipeline. The transition is credited to the reviewer who approved the article.
    """
    rows = session.execute(
        select(Contribution, ArticleVersion)
        .join(Article, Article.id == Contribution.article_id)
        .join(ArticleVersion, ArticleVersion.id == Article.live_version_id)
        .where(Contribution.status == Status.PROMOTING)).all()
    moved = []
    for contribution, version in rows:
        approver = session.get(User, version.approved_by_id) if version.approved_by_id \
            else None
        move(session, contribution=contribution, to=Status.EVALUATING, actor=approver,
             note=f"{version.code} v{version.version_no}")
        moved.append(contribution)
    return moved

