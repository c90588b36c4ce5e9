"""The audit trail: every action recorded append-only, viewable and filterable by managers."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from seci.accounts import service as accounts
from seci.accounts.errors import LoginFailed
from seci.accounts.roles import Role
from seci.audit.models import AuditEvent, AuditIsAppendOnly
from seci.audit.service import AuditFilter, distinct_actions, list_events
from seci.core.errors import PermissionDenied
from seci.knowledge import articles as kb
from tests.authorization import deactivated_copy
from tests.factories import World, bearer, make_article, revise


def _actions(db: Session, entity_type: str | None = None) -> list[str]:
    query = select(AuditEvent.action).order_by(AuditEvent.id)
    if entity_type:
        query = query.where(AuditEvent.entity_type == entity_type)
    return list(db.scalars(query))


def test_the_lifecycle_is_recorded_with_who_and_before_after(db: Session, world: World) -> None:
    article = make_article(db, world, reviewer=None, title="旧标题")
    kb.submit_article(db, article_id=article.id, actor=world["editor"])
    kb.reject_article(db, article_id=article.id, actor=world["reviewer"], comment="补充资费")
    revise(db, world, article, title="新标题")
    kb.retire_article(db, article_id=article.id, actor=world["manager"], reason="停售")
    events = db.scalars(select(AuditEvent).where(AuditEvent.entity_type == "article",
                                                 AuditEvent.entity_id == str(article.id))
                        .order_by(AuditEvent.id)).all()
    assert [e.action for e in events] == [
        "article.create", "article.submit", "article.reject", "article.edit",
        "article.submit", "article.publish", "article.approve", "article.retire",
    ]
    edit = events[3]
    assert edit.actor_name == "editor"
    assert edit.before is not None and edit.before["title"] == "旧标题"
    assert edit.after is not None and edit.after["title"] == "新标题"
    assert events[2].after == {"comment": "补充资费"}


def test_login_failures_and_role_changes_are_recorded(db: Session, world: World) -> None:
    with pytest.raises(LoginFailed):
        accounts.authenticate(db, username="agent", password="wrong", ip="10.1.2.3")
    with pytest.raises(LoginFailed):
        accounts.authenticate(db, username="nobody", password="x", ip="10.1.2.3")
    accounts.update_user(db, user_id=world["agent"].id, actor=world["admin"],
                         changes=accounts.UserChanges(roles={Role.AGENT, Role.SUPERVISOR}))
    failures = db.scalars(select(AuditEvent).where(AuditEvent.action == "auth.login_failed")
                          .order_by(AuditEvent.id)).all()
    assert [(e.actor_name, e.ip) for e in failures] == [("agent", "10.1.2.3"),
                                                         ("nobody", "10.1.2.3")]
    change = db.scalars(select(AuditEvent).where(AuditEvent.action == "user.role_change")).one()
    assert change.before is not None and change.before["roles"] == ["agent"]
    assert change.after is not None and change.after["roles"] == ["agent", "supervisor"]
    assert change.actor_name == "admin"


def test_a_failed_web_login_is_audited_even_though_the_request_fails(
        client: TestClient, db: Session, world: World) -> None:
    response = client.post("/login", data={"username": "agent", "password": "bad"})
    assert response.status_code == 401
    assert "auth.login_failed" in _actions(db)


def test_audit_rows_cannot_be_changed_or_deleted(db: Session, world: World) -> None:
    event = db.scalars(select(AuditEvent)).first()
    assert event is not None
    event.summary = "rewritten"
    with pytest.raises(AuditIsAppendOnly):
        db.flush()
    db.rollback()
    for statement in ("UPDATE audit_events SET summary = 'x'", "DELETE FROM audit_events"):
        with pytest.raises(DBAPIError, match="append-only"), db.begin_nested():
            db.execute(text(statement))


def test_no_route_can_edit_or_delete_the_audit_trail(client: TestClient) -> None:
    schema = client.get("/api/v1/openapi.json").json()
    for path, operations in schema["paths"].items():
        if "audit" in path:
            assert set(operations) == {"get"}, path


def test_managers_filter_the_audit_log(client: TestClient, db: Session, world: World) -> None:
    article = make_article(db, world)
    kb.retire_article(db, article_id=article.id, actor=world["manager"])
    db.commit()
    headers = bearer(db, world, "manager")
    page = client.get("/api/v1/audit", params={"action": "article.retire"}, headers=headers)
    assert page.status_code == 200
    items = page.json()["items"]
    assert [i["actor"] for i in items] == ["manager"]
    assert items[0]["entity_id"] == str(article.id)
    by_actor = client.get("/api/v1/audit", params={"actor": "reviewer"}, headers=headers).json()
    assert {i["action"] for i in by_actor["items"]} == {"article.approve", "article.publish"}
    html = client.get("/audit", params={"action": "article.retire"}, headers=headers)
    assert html.status_code == 200


@pytest.mark.parametrize(("who", "allowed"), [("agent", False), ("editor", False),
                                              ("supervisor", False), ("reviewer", True),
                                              ("manager", True), ("admin", True)])
def test_only_auditors_read_the_trail_whatever_calls_the_service(
        db: Session, world: World, who: str, allowed: bool) -> None:
    """The rule lives in the service: the API's dependency and the page only say it early."""
    reader = world[who]
    if allowed:
        rows, total = list_events(db, actor=reader, filters=AuditFilter())
        assert total == len(rows) > 0
        assert "user.create" in distinct_actions(db, actor=reader)
        return
    with pytest.raises(PermissionDenied):
        list_events(db, actor=reader, filters=AuditFilter())
    with pytest.raises(PermissionDenied):
        distinct_actions(db, actor=reader)


def test_a_deactivated_auditor_reads_nothing(db: Session, world: World) -> None:
    former = deactivated_copy(db, world, "reviewer")
    with pytest.raises(PermissionDenied):
        list_events(db, actor=former, filters=AuditFilter())
