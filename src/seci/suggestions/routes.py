"""REST API of the suggestion box under /api/v1/suggestions."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from fastapi import APIRouter

from seci.accounts.models import User
from seci.accounts.service import users_by_id
from seci.core.http import CurrentUser, SessionDep
from seci.suggestions import queries, service, stats
from seci.suggestions.models import Suggestion
from seci.suggestions.schemas import (
    CategoryRead,
    CategoryUpdate,
    MonthlyCountRead,
    RateRead,
    StatsRead,
    SuggestionAnswer,
    SuggestionCreate,
    SuggestionRead,
    SuggestionReward,
    TeamFiguresRead,
)

router = APIRouter(prefix="/api/v1/suggestions", tags=["suggestions"])

ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"description": "Not logged in (problem details)"},
    403: {"description": "Permission denied, e.g. another department's suggestion "
                         "(problem details)"},
    404: {"description": "Not found or not visible to you (problem details)"},
    409: {"description": "Not in a state that allows this, e.g. already answered "
                         "(problem details)"},
    422: {"description": "Invalid input (problem details with `errors`)"},
}


def _names(db: SessionDep, rows: list[Suggestion]) -> dict[int, User]:
    ids = {i for s in rows for i in (s.author_id, s.answered_by_id) if i is not None}
    return users_by_id(db, ids)


def suggestion_read(s: Suggestion, user: User, people: dict[int, User]) -> SuggestionRead:
    """The API never names the author of an anonymous suggestion (nor their team)."""
    author = None if s.anonymous else people.get(s.author_id)
    answerer = people.get(s.answered_by_id) if s.answered_by_id else None
    return SuggestionRead(
        id=s.id, title=s.title, body=s.body, category=s.category, department=s.department,
        status=s.status, anonymous=s.anonymous,
        author=author.display_name if author else None,
        team=None if s.anonymous else s.team, mine=s.author_id == user.id,
        submitted_at=s.submitted_at, due_on=s.due_on, overdue=service.is_overdue(s),
        answered_at=s.answered_at, answered_by=answerer.display_name if answerer else None,
        answer=s.answer, bonus_yuan=s.bonus_yuan, red_flower=s.red_flower,
        citation=s.citation, rewarded_at=s.rewarded_at,
    )


def _reads(db: SessionDep, rows: list[Suggestion], user: User) -> list[SuggestionRead]:
    people = _names(db, rows)
    return [suggestion_read(s, user, people) for s in rows]


@router.post("", status_code=201, response_model=SuggestionRead, responses=ERRORS)
def submit(body: SuggestionCreate, db: SessionDep, user: CurrentUser) -> SuggestionRead:
    """File a suggestion (金点子); any employee. It is routed to the category's department."""
    s = service.submit_suggestion(db, author=user, title=body.title, body=body.body,
                                  category=body.category, anonymous=body.anonymous)
    return _reads(db, [s], user)[0]


@router.get("", response_model=list[SuggestionRead], responses=ERRORS)
def list_all(db: SessionDep, user: CurrentUser, status: str | None = None
             ) -> list[SuggestionRead]:
    """All suggestions (statistics readers) or your departments' (their staff)."""
    return _reads(db, queries.all_suggestions(db, user=user, status=status), user)


@router.get("/mine", response_model=list[SuggestionRead], responses=ERRORS)
def mine(db: SessionDep, user: CurrentUser) -> list[SuggestionRead]:
    """What you filed and what became of it."""
    return _reads(db, queries.my_suggestions(db, user=user), user)


@router.get("/inbox", response_model=list[SuggestionRead], responses=ERRORS)
def inbox(db: SessionDep, user: CurrentUser, open_only: bool = True) -> list[SuggestionRead]:
    """Suggestions routed to your departments, earliest deadline first."""
    return _reads(db, queries.department_inbox(db, user=user, open_only=open_only), user)


@router.get("/overdue", response_model=list[SuggestionRead], responses=ERRORS)
def overdue(db: SessionDep, user: CurrentUser) -> list[SuggestionRead]:
    """Unanswered suggestions past their deadline."""
    return _reads(db, queries.overdue_suggestions(db, user=user), user)


def _rate(rate: stats.Rate) -> RateRead:
    return RateRead(part=rate.part, whole=rate.whole, value=rate.value)


@router.get("/stats", response_model=StatsRead, responses=ERRORS)
def statistics(db: SessionDep, user: CurrentUser, since: date | None = None,
               until: date | None = None) -> StatsRead:
    """Adoption rate, median days to answer, per team and per month, for suggestions filed
    in [since, until) (UTC days)."""
    figures = stats.suggestion_stats(
        db, user=user,
        since=datetime.combine(since, datetime.min.time()) if since else None,
        until=datetime.combine(until, datetime.min.time()) if until else None)
    return StatsRead(
        total=figures.total, adoption=_rate(figures.adoption),
        median_days_to_answer=figures.median_days,
        teams=[TeamFiguresRead(team=t.team, submitted=t.submitted, adoption=_rate(t.adoption),
                               median_days_to_answer=t.median_days) for t in figures.teams],
        months=[MonthlyCountRead(month=m.month, team=m.team, submitted=m.submitted,
                                 adopted=m.adopted, declined=m.declined)
                for m in figures.months],
    )


@router.get("/categories", response_model=list[CategoryRead], responses=ERRORS)
def categories(db: SessionDep, _user: CurrentUser) -> list[CategoryRead]:
    """Categories with their department and answer deadline in days."""
    return [CategoryRead(code=c.code, department=c.department, answer_days=c.answer_days)
            for c in service.list_categories(db)]


@router.put("/categories/{code}", response_model=CategoryRead, responses=ERRORS)
def configure(code: str, body: CategoryUpdate, db: SessionDep, user: CurrentUser
              ) -> CategoryRead:
    """Route a category to a department and set its deadline (business manager, admin)."""
    c = service.configure_category(db, code=code, department=body.department,
                                   answer_days=body.answer_days, actor=user)
    return CategoryRead(code=c.code, department=c.department, answer_days=c.answer_days)


@router.get("/{suggestion_id}", response_model=SuggestionRead, responses=ERRORS)
def read(suggestion_id: int, db: SessionDep, user: CurrentUser) -> SuggestionRead:
    s = service.get_visible_suggestion(db, user=user, suggestion_id=suggestion_id)
    return _reads(db, [s], user)[0]


@router.post("/{suggestion_id}/answer", response_model=SuggestionRead, responses=ERRORS)
def answer(suggestion_id: int, body: SuggestionAnswer, db: SessionDep, user: CurrentUser
           ) -> SuggestionRead:
    """Adopt or decline, with a reason for the author (staff of the owning department)."""
    s = service.answer_suggestion(db, suggestion_id=suggestion_id, actor=user,
                                  adopt=body.decision == "adopt", reason=body.reason)
    return _reads(db, [s], user)[0]


@router.post("/{suggestion_id}/reward", response_model=SuggestionRead, responses=ERRORS)
def reward(suggestion_id: int, body: SuggestionReward, db: SessionDep, user: CurrentUser
           ) -> SuggestionRead:
    """Grant the 花红 bonus (yuan) and / or the 红花 honour to an adopted suggestion."""
    s = service.reward_suggestion(db, suggestion_id=suggestion_id, actor=user,
                                  bonus_yuan=body.bonus_yuan, red_flower=body.red_flower,
                                  citation=body.citation)
    return _reads(db, [s], user)[0]


@router.post("/{suggestion_id}/withdraw", response_model=SuggestionRead, responses=ERRORS)
def withdraw(suggestion_id: int, db: SessionDep, user: CurrentUser) -> SuggestionRead:
    """Take back your suggestion before it is answered."""
    s = service.withdraw_suggestion(db, suggestion_id=suggestion_id, actor=user)
    return _reads(db, [s], user)[0]
