"""Password policy, resets and deactivation ending sessions and tokens, and users
changing their own password (issue 12)."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from seci.accounts import service as accounts
from seci.accounts.errors import (
    CommonPassword,
    CurrentPasswordWrong,
    LoginThrottled,
    OwnPasswordNeedsCurrent,
    PasswordContainsUsername,
    WeakPassword,
)
from seci.accounts.models import ApiToken, WebSession
from seci.accounts.passwords import check_password, common_passwords
from seci.accounts.roles import Role
from seci.audit.models import AuditEvent
from seci.core.errors import PermissionDenied
from seci.demo.loader import DEMO_PASSWORD
from tests.conftest import csrf_of
from tests.factories import PASSWORD, World, bearer, web_login

NEW = "hotline-Night-shift-7"


# --- the policy --------------------------------------------------------------------------


@pytest.mark.parametrize(("password", "error"), [
    ("short-pw1", WeakPassword),
    ("zhangsan-2026", PasswordContainsUsername),
    ("My-ZhangSan-pw", PasswordContainsUsername),
    ("woaini1314", CommonPassword),
    ("QQ123456789", CommonPassword),
    ("1234567890", CommonPassword),
    ("Password123", CommonPassword),
])
def test_the_policy_names_the_rule_a_password_breaks(password: str,
                                                     error: type[WeakPassword]) -> None:
    with pytest.raises(error) as raised:
        check_password(password, username="zhangsan")
    assert type(raised.value) is error


def test_good_passwords_pass_and_short_names_are_not_searched_for() -> None:
    check_password("hotline-Night-shift-7", username="zhangsan")
    check_password("olive-tree-2026", username="li")  # "li" is inside, but too short a name


def test_the_shipped_list_holds_the_typical_chinese_passwords() -> None:
    common = common_passwords()
    assert len(common) >= 300
    assert {"12345678", "a123456", "woaini1314", "qq123456", "88888888", "password",
            "5201314"} <= common


def test_demo_and_test_passwords_satisfy_the_policy() -> None:
    for username in ("agent", "editor", "reviewer", "manager", "supervisor", "admin"):
        check_password(DEMO_PASSWORD, username=username)
        check_password(PASSWORD, username=username)


def test_create_and_reset_apply_the_policy(client: TestClient, db: Session,
                                           world: World) -> None:
    admin = bearer(db, world, "admin")
    created = client.post("/api/v1/users", headers=admin, json={
        "username": "wangfang", "password": "woaini1314", "roles": ["agent"]})
    assert created.status_code == 422
    assert created.json()["code"] == "password_too_common"
    assert created.json()["detail"] == "该密码过于常见，请换一个。"
    short = client.patch(f"/api/v1/users/{world['agent'].id}", headers=admin,
                         json={"password": "12345"})
    assert short.status_code == 422 and short.json()["code"] == "weak_password"
    assert "密码至少需要 10 个字符" in short.json()["detail"]
    named = client.patch(f"/api/v1/users/{world['agent'].id}", headers=admin,
                         json={"password": "agent-agent-1"})
    assert named.json()["code"] == "password_contains_username"


# --- authorization in the service --------------------------------------------------------


def test_only_user_managers_create_users_or_reset_passwords(db: Session, world: World) -> None:
    with pytest.raises(PermissionDenied):
        accounts.create_user(db, username="mole", password=NEW, roles=[Role.ADMIN],
                             actor=world["manager"])
    with pytest.raises(PermissionDenied):
        accounts.update_user(db, user_id=world["agent"].id, actor=world["supervisor"],
                             changes=accounts.UserChanges(password=NEW))
    with pytest.raises(PermissionDenied):  # queues are the administrators' too
        accounts.create_queue(db, code="政企专席", actor=world["manager"])
    assert accounts.create_queue(db, code="政企专席", actor=world["admin"]).code == "政企专席"


def test_an_admin_changes_their_own_password_only_with_the_current_one(db: Session,
                                                                       world: World) -> None:
    with pytest.raises(OwnPasswordNeedsCurrent):
        accounts.update_user(db, user_id=world["admin"].id, actor=world["admin"],
                             changes=accounts.UserChanges(password=NEW))


# --- resets and deactivation end sessions and tokens -------------------------------------


def test_an_admin_reset_ends_the_users_sessions_and_tokens(client: TestClient, db: Session,
                                                           world: World) -> None:
    token = bearer(db, world, "agent")
    web_login(client, "agent")
    assert client.get("/account").status_code == 200
    accounts.update_user(db, user_id=world["agent"].id, actor=world["admin"],
                         changes=accounts.UserChanges(password=NEW))
    db.commit()
    assert client.get("/account", follow_redirects=False).status_code == 303  # to the login
    assert client.get("/api/v1/me", headers=token).status_code == 401
    assert db.scalars(select(WebSession).where(
        WebSession.user_id == world["agent"].id)).all() == []
    event = db.scalars(select(AuditEvent).where(AuditEvent.action == "user.update")).one()
    assert event.after is not None and event.after["sessions_ended"] is True


def test_reactivating_a_user_revives_no_old_token(client: TestClient, db: Session,
                                                  world: World) -> None:
    token = bearer(db, world, "agent")
    admin = bearer(db, world, "admin")
    url = f"/api/v1/users/{world['agent'].id}"
    assert client.patch(url, headers=admin, json={"is_active": False}).status_code == 200
    assert client.patch(url, headers=admin, json={"is_active": True}).status_code == 200
    assert client.get("/api/v1/me", headers=token).status_code == 401
    revoked = db.scalars(select(ApiToken).where(ApiToken.user_id == world["agent"].id)).one()
    assert revoked.revoked_at is not None


# --- users change their own password -----------------------------------------------------


def test_a_user_changes_their_password_on_the_account_page(
        client: TestClient, app: object, db: Session, world: World) -> None:
    token = bearer(db, world, "agent")
    with TestClient(app) as elsewhere:  # type: ignore[arg-type]
        web_login(elsewhere, "agent")
        web_login(client, "agent")
        page = client.get("/account")
        assert "修改密码" in page.text
        changed = client.post("/account/password", follow_redirects=False, data={
            "csrf_token": csrf_of(page.text), "current_password": PASSWORD,
            "new_password": NEW, "confirm_password": NEW})
        assert changed.status_code == 303
        assert "password_changed" in changed.headers["location"]
        assert client.get("/account").status_code == 200  # this login stays
        assert elsewhere.get("/account", follow_redirects=False).status_code == 303
    assert client.get("/api/v1/me", headers=token).status_code == 401
    client.cookies.clear()
    web_login(client, "agent", NEW)
    assert db.scalars(select(AuditEvent).where(
        AuditEvent.action == "user.password_change")).one().actor_name == "agent"


def test_the_page_explains_a_refused_change(client: TestClient, world: World) -> None:
    web_login(client, "agent")
    csrf = csrf_of(client.get("/account").text)
    cases = [
        ({"current_password": "not-it", "new_password": NEW, "confirm_password": NEW},
         422, "当前密码不正确。"),
        ({"current_password": PASSWORD, "new_password": NEW, "confirm_password": NEW + "x"},
         422, "两次输入的新密码不一致。"),
        ({"current_password": PASSWORD, "new_password": "88888888",
          "confirm_password": "88888888"}, 422, "密码至少需要 10 个字符"),
    ]
    for data, status, message in cases:
        page = client.post("/account/password", data={"csrf_token": csrf, **data})
        assert page.status_code == status and message in page.text, page.text
    web_login(client, "agent")  # the old password still works


def test_guessing_the_current_password_is_throttled(db: Session, world: World) -> None:
    agent = world["agent"]
    for _ in range(5):
        with pytest.raises(CurrentPasswordWrong):
            accounts.change_own_password(db, actor=agent, current_password="guess-guess",
                                         new_password=NEW)
    with pytest.raises(LoginThrottled):
        accounts.change_own_password(db, actor=agent, current_password=PASSWORD,
                                     new_password=NEW)


def test_the_api_changes_ones_own_password_and_keeps_the_calling_token(
        client: TestClient, db: Session, world: World) -> None:
    calling = bearer(db, world, "agent")
    other = {"Authorization": "Bearer " + accounts.issue_api_token(
        db, user=world["agent"], name="other script")}
    db.commit()
    wrong = client.post("/api/v1/me/password", headers=calling,
                        json={"current_password": "x", "new_password": NEW})
    assert wrong.status_code == 422 and wrong.json()["code"] == "current_password_wrong"
    done = client.post("/api/v1/me/password", headers=calling,
                       json={"current_password": PASSWORD, "new_password": NEW})
    assert done.status_code == 204
    assert client.get("/api/v1/me", headers=calling).status_code == 200
    assert client.get("/api/v1/me", headers=other).status_code == 401
    login = client.post("/api/v1/auth/token", json={"username": "agent", "password": NEW})
    assert login.status_code == 200
