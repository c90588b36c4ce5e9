"""The suggestion box: submit, withdraw, answer (adopt / decline with a reason), reward."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from seci.accounts.models import User
from seci.audit.service import record
from seci.core.clock import today, utcnow
from seci.core.errors import FieldErrors
from seci.suggestions import access
from seci.suggestions.errors import (
    CategoryNotFound,
    SuggestionAlreadyAnswered,
    SuggestionNotAdopted,
    SuggestionNotFound,
)
from seci.suggestions.models import Department, Suggestion, SuggestionCategory, SuggestionStatus
from seci.suggestions.rewards import award_adoption_points

MAX_TITLE = 200
MAX_BODY = 5000
MAX_ANSWER = 2000
MAX_CITATION = 400
MAX_BONUS_YUAN = 100_000
MAX_ANSWER_DAYS = 365
ANONYMOUS_ACTOR = "(anonymous)"


# --- categories --------------------------------------------------------------------------


def list_categories(session: Session) -> list[SuggestionCategory]:
    return list(session.scalars(select(SuggestionCategory).order_by(
        SuggestionCategory.position, SuggestionCategory.code)))


def get_category(session: Session, *, code: str) -> SuggestionCategory:
    category = session.get(SuggestionCategory, code)
    if category is None:
        raise CategoryNotFound(category=code)
    return category


def configure_category(session: Session, *, code: str, department: str, answer_days: int,
                       actor: User) -> SuggestionCategory:
    """Set who answers a category and within how many days (new suggestions only)."""
    access.require_configure(actor)
    category = get_category(session, code=code)
    problems: list[dict[str, Any]] = []
    if department not in {d.value for d in Department}:
        problems.append({"field": "department", "code": "invalid_choice", "value": department})
    if not 1 <= answer_days <= MAX_ANSWER_DAYS:
        problems.append({"field": "answer_days", "code": "out_of_range", "value": answer_days,
                         "min": 1, "max": MAX_ANSWER_DAYS})
    if problems:
        raise FieldErrors(problems)
    before = {"department": category.department, "answer_days": category.answer_days}
    category.department = department
    category.answer_days = answer_days
    session.flush()
    record(session, actor=actor, action="suggestion.category", entity_type="suggestion_category",
           entity_id=code, summary=code, before=before,
           after={"department": department, "answer_days": answer_days})
    return category


# --- reading -----------------------------------------------------------------------------


def get_suggestion(session: Session, *, suggestion_id: int) -> Suggestion:
    suggestion = session.get(Suggestion, suggestion_id)
    if suggestion is None:
        raise SuggestionNotFound(suggestion=suggestion_id)
    return suggestion


def get_visible_suggestion(session: Session, *, user: User, suggestion_id: int) -> Suggestion:
    """The suggestion if the user may read it; otherwise 404 (existence is not leaked)."""
    suggestion = get_suggestion(session, suggestion_id=suggestion_id)
    if not access.may_read(user, suggestion):
        raise SuggestionNotFound(suggestion=suggestion_id)
    return suggestion


def is_overdue(suggestion: Suggestion) -> bool:
    return suggestion.status == SuggestionStatus.SUBMITTED and today() > suggestion.due_on


# --- writing -----------------------------------------------------------------------------


def _text_problems(name: str, value: str, limit: int) -> list[dict[str, Any]]:
    if not value.strip():
        return [{"field": name, "code": "required", "value": ""}]
    if len(value) > limit:
        return [{"field": name, "code": "too_long", "value": "", "max": limit}]
    return []


def _audit_actor(suggestion: Suggestion, actor: User) -> dict[str, Any]:
    """The audit trail is read by managers, who are the author's peers: an anonymous
    author's own actions are recorded without a name (the suggestion row keeps it)."""
    if suggestion.anonymous and actor.id == suggestion.author_id:
        return {"actor": None, "actor_name": ANONYMOUS_ACTOR}
    return {"actor": actor}


def submit_suggestion(session: Session, *, author: User, title: str, body: str,
                      category: str, anonymous: bool = False) -> Suggestion:
    """File a suggestion; it goes to the category's department with its answer deadline."""
    access.require_submit(author)
    problems = _text_problems("title", title, MAX_TITLE) + _text_problems("body", body,
                                                                          MAX_BODY)
    owner = session.get(SuggestionCategory, category)
    if owner is None:
        problems.append({"field": "category", "code": "invalid_choice", "value": category})
    if problems:
        raise FieldErrors(problems)
    assert owner is not None
    suggestion = Suggestion(
        title=" ".join(title.split()), body=body.strip(), category=owner.code,
        department=owner.department, author_id=author.id, anonymous=anonymous,
        team=author.team, status=SuggestionStatus.SUBMITTED, submitted_at=utcnow(),
        due_on=today() + timedelta(days=owner.answer_days),
    )
    session.add(suggestion)
    session.flush()
    record(session, action="suggestion.submit", entity_type="suggestion",
           entity_id=suggestion.id, summary=f"{owner.code} → {owner.department}",
           after={"category": owner.code, "department": owner.department,
                  "anonymous": anonymous, "due_on": suggestion.due_on.isoformat()},
           **_audit_actor(suggestion, author))
    return suggestion


def withdraw_suggestion(session: Session, *, suggestion_id: int, actor: User) -> Suggestion:
    """The author takes back a suggestion that has not been answered yet."""
    suggestion = get_visible_suggestion(session, user=actor, suggestion_id=suggestion_id)
    access.check_may_withdraw(actor, suggestion)
    if suggestion.status != SuggestionStatus.SUBMITTED:
        raise SuggestionAlreadyAnswered()
    suggestion.status = SuggestionStatus.WITHDRAWN
    session.flush()
    record(session, action="suggestion.withdraw", entity_type="suggestion",
           entity_id=suggestion.id, before={"status": SuggestionStatus.SUBMITTED},
           after={"status": SuggestionStatus.WITHDRAWN}, **_audit_actor(suggestion, actor))
    return suggestion


def _check_handler(session: Session, actor: User, suggestion_id: int) -> Suggestion:
    access.require_answer(actor)
    suggestion = get_visible_suggestion(session, user=actor, suggestion_id=suggestion_id)
    access.check_may_answer(actor, suggestion)
    if suggestion.status != SuggestionStatus.SUBMITTED:
        raise SuggestionAlreadyAnswered()
    return suggestion


def answer_suggestion(session: Session, *, suggestion_id: int, actor: User, adopt: bool,
                      reason: str) -> Suggestion:
    """The owning department adopts or declines; either way the author reads the reason."""
    suggestion = _check_handler(session, actor, suggestion_id)
    if problems := _text_problems("reason", reason, MAX_ANSWER):
        raise FieldErrors(problems)
    suggestion.status = SuggestionStatus.ADOPTED if adopt else SuggestionStatus.DECLINED
    suggestion.answer = reason.strip()
    suggestion.answered_at = utcnow()
    suggestion.answered_by_id = actor.id
    session.flush()
    record(session, actor=actor, action="suggestion.adopt" if adopt else "suggestion.decline",
           entity_type="suggestion", entity_id=suggestion.id, summary=suggestion.title,
           before={"status": SuggestionStatus.SUBMITTED},
           after={"status": suggestion.status, "reason": suggestion.answer})
    if adopt:
        award_adoption_points(session, suggestion=suggestion, actor=actor)
    return suggestion


def reward_suggestion(session: Session, *, suggestion_id: int, actor: User, bonus_yuan: int,
                      red_flower: bool, citation: str = "") -> Suggestion:
    """Grant the 花红 (a bonus in yuan) and / or the 红花 (an honour) to an adopted one."""
    access.require_reward(actor)
    suggestion = get_visible_suggestion(session, user=actor, suggestion_id=suggestion_id)
    access.check_may_reward(actor, suggestion)
    if suggestion.status != SuggestionStatus.ADOPTED:
        raise SuggestionNotAdopted()
    problems: list[dict[str, Any]] = []
    if not 0 <= bonus_yuan <= MAX_BONUS_YUAN:
        problems.append({"field": "bonus_yuan", "code": "out_of_range", "value": bonus_yuan,
                         "min": 0, "max": MAX_BONUS_YUAN})
    elif bonus_yuan == 0 and not red_flower:
        problems.append({"field": "bonus_yuan", "code": "reward_needed", "value": ""})
    if len(citation) > MAX_CITATION:
        problems.append({"field": "citation", "code": "too_long", "value": "",
                         "max": MAX_CITATION})
    if problems:
        raise FieldErrors(problems)
    suggestion.status = SuggestionStatus.REWARDED
    suggestion.bonus_yuan = bonus_yuan
    suggestion.red_flower = red_flower
    suggestion.citation = citation.strip() or None
    suggestion.rewarded_at = utcnow()
    suggestion.rewarded_by_id = actor.id
    session.flush()
    record(session, actor=actor, action="suggestion.reward", entity_type="suggestion",
           entity_id=suggestion.id, summary=suggestion.title,
           before={"status": SuggestionStatus.ADOPTED},
           after={"status": SuggestionStatus.REWARDED, "bonus_yuan": bonus_yuan,
                  "red_flower": red_flower, "citation": suggestion.citation})
    return suggestion
