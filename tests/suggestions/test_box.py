"""The suggestion box's states, routing, deadlines, anonymity and audit (services)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from seci.audit.models import AuditEvent
from seci.core.clock import today
from seci.core.errors import FieldErrors, PermissionDenied
from seci.suggestions import access, inbox, queries, rewards, service
from seci.suggestions.errors import (
    NotYourDepartment,
    OwnSuggestion,
    SuggestionAlreadyAnswered,
    SuggestionNotAdopted,
    SuggestionNotFound,
)
from seci.suggestions.models import Suggestion, SuggestionStatus
from tests.factories import World


def submit(db: Session, world: World, *, author: str = "agent", category: str = "process",
           anonymous: bool = False) -> Suggestion:
    return service.submit_suggestion(db, author=world[author], title="话费查询流程太长",
                                     body="客户查话费要转三次菜单，建议合并。",
                                     category=category, anonymous=anonymous)


def test_a_suggestion_is_routed_with_the_categorys_deadline(db: Session, world: World) -> None:
    process = submit(db, world, category="process")
    system = submit(db, world, category="system")
    assert (process.department, process.due_on) == ("business", today() + timedelta(days=7))
    assert (system.department, system.due_on) == ("it", today() + timedelta(days=10))
    assert process.status == SuggestionStatus.SUBMITTED


def test_configured_deadline_applies_to_new_suggestions(db: Session, world: World) -> None:
    service.configure_category(db, code="product", department="training", answer_days=3,
                               actor=world["manager"])
    suggestion = submit(db, world, category="product")
    assert (suggestion.department, suggestion.due_on) == ("training",
                                                          today() + timedelta(days=3))
    with pytest.raises(PermissionDenied):
        service.configure_category(db, code="product", department="it", answer_days=3,
                                   actor=world["agent"])
    with pytest.raises(FieldErrors):
        service.configure_category(db, code="product", department="nowhere", answer_days=0,
                                   actor=world["manager"])


def test_invalid_suggestions_are_refused(db: Session, world: World) -> None:
    with pytest.raises(FieldErrors) as caught:
        service.submit_suggestion(db, author=world["agent"], title=" ", body="",
                                  category="weather")
    assert {e["field"] for e in caught.value.errors} == {"title", "body", "category"}


def test_only_the_owning_department_answers(db: Session, world: World) -> None:
    suggestion = submit(db, world, category="process")  # business → managers
    with pytest.raises(NotYourDepartment):  # reads it (statistics) but staffs operations
        service.answer_suggestion(db, suggestion_id=suggestion.id, actor=world["supervisor"],
                                  adopt=True, reason="好")
    with pytest.raises(SuggestionNotFound):  # quality neither reads nor answers it
        service.answer_suggestion(db, suggestion_id=suggestion.id, actor=world["reviewer"],
                                  adopt=True, reason="好")
    with pytest.raises(PermissionDenied):
        service.answer_suggestion(db, suggestion_id=suggestion.id, actor=world["agent"],
                                  adopt=True, reason="好")
    with pytest.raises(FieldErrors):
        service.answer_suggestion(db, suggestion_id=suggestion.id, actor=world["manager"],
                                  adopt=False, reason="  ")
    service.answer_suggestion(db, suggestion_id=suggestion.id, actor=world["manager"],
                              adopt=False, reason="菜单由集团统一配置，暂不能改。")
    assert suggestion.status == SuggestionStatus.DECLINED
    assert suggestion.answer == "菜单由集团统一配置，暂不能改。"
    with pytest.raises(SuggestionAlreadyAnswered):
        service.answer_suggestion(db, suggestion_id=suggestion.id, actor=world["manager"],
                                  adopt=True, reason="改主意了")


def test_nobody_answers_or_rewards_their_own(db: Session, world: World) -> None:
    suggestion = submit(db, world, author="manager")
    with pytest.raises(OwnSuggestion):
        service.answer_suggestion(db, suggestion_id=suggestion.id, actor=world["manager"],
                                  adopt=True, reason="我同意我自己")


def test_adopt_then_reward_with_bonus_and_honour(db: Session, world: World,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    awarded: list[int] = []
    monkeypatch.setattr(service, "award_adoption_points",
                        lambda _s, *, suggestion, actor: awarded.append(suggestion.id))
    suggestion = submit(db, world)
    with pytest.raises(SuggestionNotAdopted):
        service.reward_suggestion(db, suggestion_id=suggestion.id, actor=world["manager"],
                                  bonus_yuan=100, red_flower=True)
    service.answer_suggestion(db, suggestion_id=suggestion.id, actor=world["manager"],
                              adopt=True, reason="下月上线合并菜单")
    assert awarded == [suggestion.id]  # the points hook runs on adoption
    with pytest.raises(FieldErrors):
        service.reward_suggestion(db, suggestion_id=suggestion.id, actor=world["manager"],
                                  bonus_yuan=0, red_flower=False)
    with pytest.raises(PermissionDenied):
        service.reward_suggestion(db, suggestion_id=suggestion.id, actor=world["supervisor"],
                                  bonus_yuan=100, red_flower=True)
    service.reward_suggestion(db, suggestion_id=suggestion.id, actor=world["manager"],
                              bonus_yuan=200, red_flower=True, citation="月度金点子")
    assert (suggestion.status, suggestion.bonus_yuan, suggestion.red_flower) == (
        SuggestionStatus.REWARDED, 200, True)
    with pytest.raises(SuggestionNotAdopted):
        service.reward_suggestion(db, suggestion_id=suggestion.id, actor=world["manager"],
                                  bonus_yuan=50, red_flower=False)


def test_adoption_credits_the_authors_points_once_but_not_when_anonymous(
        db: Session, world: World) -> None:
    from seci.tacit.models import PointEntry

    def entries(suggestion_id: int) -> list[PointEntry]:
        return list(db.scalars(select(PointEntry).where(
            PointEntry.source_type == rewards.POINTS_SOURCE,
            PointEntry.source_id == suggestion_id)))

    named = submit(db, world)
    service.answer_suggestion(db, suggestion_id=named.id, actor=world["manager"],
                              adopt=True, reason="下月上线合并菜单")
    rewards.award_adoption_points(db, suggestion=named, actor=world["manager"])  # again
    assert [(e.user_id, e.reason_code) for e in entries(named.id)] == [
        (named.author_id, rewards.POINTS_REASON)]

    anonymous = submit(db, world, anonymous=True)
    service.answer_suggestion(db, suggestion_id=anonymous.id, actor=world["manager"],
                              adopt=True, reason="采纳")
    assert entries(anonymous.id) == []


def test_the_author_withdraws_before_an_answer(db: Session, world: World) -> None:
    suggestion = submit(db, world)
    with pytest.raises(PermissionDenied):
        service.withdraw_suggestion(db, suggestion_id=suggestion.id, actor=world["manager"])
    service.withdraw_suggestion(db, suggestion_id=suggestion.id, actor=world["agent"])
    assert suggestion.status == SuggestionStatus.WITHDRAWN
    with pytest.raises(SuggestionAlreadyAnswered):
        service.answer_suggestion(db, suggestion_id=suggestion.id, actor=world["manager"],
                                  adopt=True, reason="好")


def test_peers_cannot_read_others_suggestions(db: Session, world: World) -> None:
    suggestion = submit(db, world)
    with pytest.raises(SuggestionNotFound):
        service.get_visible_suggestion(db, user=world["agent_data"],
                                       suggestion_id=suggestion.id)
    assert service.get_visible_suggestion(db, user=world["manager"],
                                          suggestion_id=suggestion.id) is suggestion


def test_anonymity_hides_the_author_from_peers_but_not_admins(db: Session,
                                                              world: World) -> None:
    suggestion = submit(db, world, anonymous=True)
    for peer in ("manager", "supervisor", "analyst", "reviewer"):
        assert not access.author_visible(world[peer], suggestion), peer
    assert access.author_visible(world["admin"], suggestion)
    assert access.author_visible(world["agent"], suggestion)  # the author
    named = submit(db, world, anonymous=False)
    assert access.author_visible(world["manager"], named)


def test_an_anonymous_submission_is_audited_without_the_authors_name(db: Session,
                                                                     world: World) -> None:
    suggestion = submit(db, world, anonymous=True)
    event = db.scalars(select(AuditEvent).where(AuditEvent.action == "suggestion.submit",
                                                AuditEvent.entity_id == str(suggestion.id))
                       ).one()
    assert (event.actor_id, event.actor_name) == (None, service.ANONYMOUS_ACTOR)
    named = submit(db, world)
    event = db.scalars(select(AuditEvent).where(AuditEvent.entity_id == str(named.id),
                                                AuditEvent.entity_type == "suggestion")).one()
    assert event.actor_id == world["agent"].id


def test_every_state_change_is_audited(db: Session, world: World) -> None:
    suggestion = submit(db, world)
    service.answer_suggestion(db, suggestion_id=suggestion.id, actor=world["manager"],
                              adopt=True, reason="好")
    service.reward_suggestion(db, suggestion_id=suggestion.id, actor=world["manager"],
                              bonus_yuan=50, red_flower=False)
    declined = submit(db, world)
    service.answer_suggestion(db, suggestion_id=declined.id, actor=world["manager"],
                              adopt=False, reason="已有")
    withdrawn = submit(db, world)
    service.withdraw_suggestion(db, suggestion_id=withdrawn.id, actor=world["agent"])
    actions = set(db.scalars(select(AuditEvent.action).where(
        AuditEvent.entity_type == "suggestion")))
    # points.award: the adoption's points, audited against the suggestion they are for.
    assert actions == {"suggestion.submit", "suggestion.adopt", "suggestion.reward",
                       "suggestion.decline", "suggestion.withdraw", "points.award"}


def test_overdue_lists_unanswered_past_their_deadline(db: Session, world: World) -> None:
    late = submit(db, world)
    late.due_on = today() - timedelta(days=1)
    on_the_day = submit(db, world)
    on_the_day.due_on = today()
    answered = submit(db, world)
    answered.due_on = today() - timedelta(days=3)
    service.answer_suggestion(db, suggestion_id=answered.id, actor=world["manager"],
                              adopt=True, reason="好")
    db.flush()
    assert queries.overdue_suggestions(db, user=world["manager"]) == [late]
    assert service.is_overdue(late) and not service.is_overdue(on_the_day)


def test_department_inbox_and_items_for(db: Session, world: World) -> None:
    late = submit(db, world)
    late.due_on = today() - timedelta(days=1)
    fresh = submit(db, world)
    it_one = submit(db, world, category="system")
    db.flush()
    assert queries.department_inbox(db, user=world["manager"]) == [late, fresh]
    assert queries.department_inbox(db, user=world["admin"]) == [it_one]
    items = inbox.items_for(db, world["manager"])
    assert [(i.url, i.overdue) for i in items] == [
        (f"/suggestions/{late.id}", True), (f"/suggestions/{fresh.id}", False)]
    assert inbox.items_for(db, world["agent"]) == []
    service.answer_suggestion(db, suggestion_id=fresh.id, actor=world["manager"], adopt=True,
                              reason="好")
    kinds = [(i.kind, i.url) for i in inbox.items_for(db, world["manager"])]
    assert ("suggestion.reward", f"/suggestions/{fresh.id}") in kinds
