"""Who may act in the suggestion box, checked by the services themselves."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from seci.suggestions import queries, service, stats
from seci.suggestions.errors import NotYourDepartment, SuggestionNotFound
from seci.suggestions.models import Suggestion
from tests.authorization import Case, allowances, check_allowed, check_refused, refusals
from tests.factories import World


def _filed(db: Session, world: World) -> Suggestion:
    """By the agent, in a category business management (the manager) answers."""
    return service.submit_suggestion(db, author=world["agent"], title="话费查询流程太长",
                                     body="客户查话费要转三次菜单，建议合并。",
                                     category="process")


def _adopted(db: Session, world: World) -> Suggestion:
    suggestion = _filed(db, world)
    return service.answer_suggestion(db, suggestion_id=suggestion.id, actor=world["manager"],
                                     adopt=True, reason="下月上线合并菜单")


CASES = [
    Case("submit_suggestion", lambda db, w, actor, _: service.submit_suggestion(
        db, author=actor, title="工牌太重", body="换轻一点的。", category="process"),
        refused=None, allowed="agent"),
    # Reads it (statistics) but is not its author.
    Case("withdraw_suggestion", lambda db, w, actor, s: service.withdraw_suggestion(
        db, suggestion_id=s.id, actor=actor), setup=_filed, refused="manager",
        allowed="agent"),
    # Operations (the supervisor) answers suggestions, but not business ones.
    Case("answer_suggestion", lambda db, w, actor, s: service.answer_suggestion(
        db, suggestion_id=s.id, actor=actor, adopt=True, reason="好"), setup=_filed,
        refused="supervisor", allowed="manager", error=NotYourDepartment),
    Case("reward_suggestion", lambda db, w, actor, s: service.reward_suggestion(
        db, suggestion_id=s.id, actor=actor, bonus_yuan=100, red_flower=True),
        setup=_adopted, refused="supervisor", allowed="manager"),
    Case("configure_category", lambda db, w, actor, _: service.configure_category(
        db, code="product", department="training", answer_days=3, actor=actor),
        refused="supervisor", allowed="admin"),
    Case("suggestion_stats", lambda db, w, actor, _: stats.suggestion_stats(db, user=actor),
         refused="agent", allowed="analyst"),
    Case("all_suggestions", lambda db, w, actor, _: queries.all_suggestions(db, user=actor),
         refused="agent", allowed="trainer"),
    Case("department_inbox", lambda db, w, actor, _: queries.department_inbox(db, user=actor),
         refused="analyst", allowed="reviewer"),
    # A peer: the suggestion does not exist for them.
    Case("get_visible_suggestion", lambda db, w, actor, s: service.get_visible_suggestion(
        db, user=actor, suggestion_id=s.id), setup=_filed, refused="agent_data",
        allowed="agent", error=SuggestionNotFound),
]


@pytest.mark.parametrize(("case", "who"), refusals(CASES))
def test_refused(db: Session, world: World, case: Case, who: str) -> None:
    check_refused(db, world, case, who)


@pytest.mark.parametrize("case", allowances(CASES))
def test_allowed(db: Session, world: World, case: Case) -> None:
    check_allowed(db, world, case)
