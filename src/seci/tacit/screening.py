"""Step 2, screening and trial (筛选试行): classify, check for duplicates in the KB, score
on the three criteria and generality, then reject, merge, route or trial."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy.orm import Session

from seci.accounts.models import User
from seci.accounts.roles import Perm
from seci.core.clock import utcnow
from seci.core.errors import FieldErrors
from seci.knowledge import articles as kb
from seci.knowledge.models import ArticleStatus
from seci.knowledge.validation import ArticleFields
from seci.retrieval.engine import SearchEngine
from seci.retrieval.service import MAX_QUERY, SearchHit, search
from seci.tacit.errors import ArticleHasPendingRevision
from seci.tacit.incentives import award_points
from seci.tacit.models import Category, Contribution, EventKind, Status
from seci.tacit.workflow import (
    add_event,
    get_contribution,
    move,
    require_not_own,
    require_perm,
    require_status,
)

SCORE_FIELDS = ("timely", "usable", "accurate", "generality")


def similar_articles(session: Session, *, engine: SearchEngine, user: User,
                     contribution: Contribution, limit: int = 5) -> list[SearchHit]:
    """Existing knowledge that may already say the same (the duplicate check, for
    screeners)."""
    require_perm(user, Perm.TACIT_SCREEN)
    query = " ".join(f"{contribution.title} {contribution.content}".split())[:MAX_QUERY]
    return search(session, engine=engine, user=user, query=query, limit=limit).hits


@dataclass(frozen=True)
class Screening:
    category: str
    timely: int
    usable: int
    accurate: int
    generality: int


def _check_screening(screening: Screening) -> None:
    problems: list[dict[str, object]] = []
    if screening.category not in set(Category):
        problems.append({"field": "category", "code": "invalid_choice",
                         "value": screening.category})
    for name in SCORE_FIELDS:
        value = getattr(screening, name)
        if not 1 <= value <= 5:
            problems.append({"field": f"score_{name}", "code": "invalid_choice",
                             "value": value})
    if problems:
        raise FieldErrors(problems)


def _screen(session: Session, contribution_id: int, actor: User, screening: Screening
            ) -> Contribution:
    """Checks shared by every decision, then the classification and scores are kept."""
    require_perm(actor, Perm.TACIT_SCREEN)
    contribution = get_contribution(session, contribution_id=contribution_id)
    require_status(contribution, "screened", Status.SUBMITTED)
    require_not_own(actor, contribution)
    _check_screening(screening)
    contribution.category = screening.category
    contribution.score_timely = screening.timely
    contribution.score_usable = screening.usable
    contribution.score_accurate = screening.accurate
    contribution.score_generality = screening.generality
    contribution.screened_by_id = actor.id
    contribution.screened_at = utcnow()
    return contribution


def _required(name: str, value: str | None) -> str:
    if not value or not value.strip():
        raise FieldErrors([{"field": name, "code": "required"}])
    return value.strip()


def _accepted(session: Session, contribution: Contribution, actor: User,
              adopted: bool) -> None:
    """Points for a contribution that passed screening, and for one that was adopted."""
    award_points(session, user_id=contribution.author_id, reason_code="contribution_submitted",
                 source_type="contribution", source_id=contribution.id, actor=actor)
    if adopted:
        award_points(session, user_id=contribution.author_id,
                     reason_code="contribution_adopted", source_type="contribution",
                     source_id=contribution.id, actor=actor)


def reject(session: Session, *, contribution_id: int, actor: User, screening: Screening,
           reason: str) -> Contribution:
    """Not taken further; the author sees the reason."""
    contribution = _screen(session, contribution_id, actor, screening)
    contribution.decision_reason = _required("reason", reason)
    move(session, contribution=contribution, to=Status.REJECTED, actor=actor,
         note=contribution.decision_reason)
    return contribution


def merge_into_article(session: Session, *, contribution_id: int, actor: User,
                       screening: Screening, article_id: int, reason: str = ""
                       ) -> Contribution:
    """Fold it into an existing article: a revision draft of that article, which then goes
    through the KB's review like any edit (the screener needs edit rights there)."""
    contribution = _screen(session, contribution_id, actor, screening)
    article = kb.get_article(session, article_id=article_id)
    if article.status == ArticleStatus.IN_REVIEW:
        raise ArticleHasPendingRevision(article=article.code)
    addition = f"\n\n### {contribution.method_name or contribution.title}\n\n" \
               f"{contribution.content}\n\n（#{contribution.id}）"
    kb.update_article(session, article_id=article.id, actor=actor,
                      expected_lock_version=article.lock_version, fields=ArticleFields(
                          title=article.title, body=article.body + addition,
                          customer_answer=article.customer_answer,
                          module_id=article.module_id, queue_ids=list(article.queue_ids),
                          tags=list(article.tags),
                          similar_questions=list(article.similar_questions),
                          audience=article.audience, valid_from=article.valid_from,
                          valid_to=article.valid_to))
    contribution.merged_article_id = article.id
    contribution.decision_reason = reason.strip() or None
    move(session, contribution=contribution, to=Status.MERGED, actor=actor,
         note=f"{article.code} {reason.strip()}".strip())
    _accepted(session, contribution, actor, adopted=True)
    return contribution


def route_to_department(session: Session, *, contribution_id: int, actor: User,
                        screening: Screening, department: str, due: date,
                        reason: str = "") -> Contribution:
    """Needs another department's process or system: sent there, followed up until it
    answers by ``due``."""
    contribution = _screen(session, contribution_id, actor, screening)
    contribution.route_department = _required("department", department)[:80]
    contribution.route_due = due
    contribution.decision_reason = reason.strip() or None
    move(session, contribution=contribution, to=Status.ROUTED, actor=actor,
         note=f"{contribution.route_department} {reason.strip()}".strip())
    _accepted(session, contribution, actor, adopted=False)
    return contribution


def follow_up(session: Session, *, contribution_id: int, actor: User, note: str
              ) -> Contribution:
    """Chase the department (kept in the history), optionally with a new due date."""
    require_perm(actor, Perm.TACIT_SCREEN)
    contribution = get_contribution(session, contribution_id=contribution_id)
    require_status(contribution, "followed up", Status.ROUTED)
    add_event(session, contribution=contribution, actor=actor, kind=EventKind.FOLLOW_UP,
              note=_required("note", note), audit_action="contribution.follow_up")
    return contribution


def record_answer(session: Session, *, contribution_id: int, actor: User, answer: str
                  ) -> Contribution:
    """The department answered: the contribution's way ends here."""
    require_perm(actor, Perm.TACIT_SCREEN)
    contribution = get_contribution(session, contribution_id=contribution_id)
    require_status(contribution, "answered", Status.ROUTED)
    contribution.route_answer = _required("answer", answer)
    move(session, contribution=contribution, to=Status.ANSWERED, actor=actor,
         note=contribution.route_answer)
    return contribution


def start_trial(session: Session, *, contribution_id: int, actor: User,
                screening: Screening, team: str, starts: date, ends: date,
                reason: str = "") -> Contribution:
    """A named team tries it for a period before it is promoted."""
    if ends < starts:
        raise FieldErrors([{"field": "trial_to", "code": "before_valid_from"}])
    contribution = _screen(session, contribution_id, actor, screening)
    contribution.trial_team = _required("team", team)[:80]
    contribution.trial_from, contribution.trial_to = starts, ends
    contribution.decision_reason = reason.strip() or None
    move(session, contribution=contribution, to=Status.TRIAL, actor=actor,
         note=f"{contribution.trial_team} {starts.isoformat()}–{ends.isoformat()}")
    _accepted(session, contribution, actor, adopted=True)
    return contribution


def end_trial_unsuccessfully(session: Session, *, contribution_id: int, actor: User,
                             reason: str) -> Contribution:
    """The trial did not work out: rejected with the reason."""
    require_perm(actor, Perm.TACIT_SCREEN)
    contribution = get_contribution(session, contribution_id=contribution_id)
    require_status(contribution, "rejected", Status.TRIAL)
    require_not_own(actor, contribution)
    contribution.decision_reason = _required("reason", reason)
    move(session, contribution=contribution, to=Status.REJECTED, actor=actor,
         note=contribution.decision_reason)
    return contribution
