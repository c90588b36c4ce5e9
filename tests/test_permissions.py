"""Every route checks permission on the server: each role gets 403 on what it may not do."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.factories import World, bearer, make_article

ALL_ROLES = ("agent", "editor", "reviewer", "manager", "supervisor", "trainer", "analyst",
             "admin")


def _article_body(world: World, **overrides: Any) -> dict[str, Any]:
    body = {"title": "权限测试", "body": "正文", "module_id": world.modules["资费套餐"].id,
            "queues": ["A"]}
    return body | overrides


def _call(client: TestClient, method: str, url: str, headers: dict[str, str],
          json: Any = None) -> int:
    return client.request(method, url, headers=headers, json=json).status_code


# (action, roles allowed) — everyone else must get 403.
@pytest.mark.parametrize("role", ALL_ROLES)
def test_create_article_needs_the_editor_right(client: TestClient, db: Session, world: World,
                                               role: str) -> None:
    status = _call(client, "POST", "/api/v1/articles", bearer(db, world, role),
                   _article_body(world))
    assert status == (201 if role in {"editor", "manager"} else 403)


@pytest.mark.parametrize("role", ALL_ROLES)
def test_publishing_needs_review_rights(client: TestClient, db: Session, world: World,
                                        role: str) -> None:
    article = make_article(db, world, author="editor", reviewer=None)
    client.post(f"/api/v1/articles/{article.id}/submit", headers=bearer(db, world, "editor"))
    status = _call(client, "POST", f"/api/v1/articles/{article.id}/review",
                   bearer(db, world, role), {"decision": "approve"})
    if role in {"reviewer", "manager"}:
        assert status == 200
    elif role == "editor":
        assert status == 403  # four-eyes: the author
    else:
        # 404 where the submission is not even visible to the role (no draft access)
        assert status in {403, 404}


def test_an_editor_cannot_approve_their_own_article(client: TestClient, db: Session,
                                                    world: World) -> None:
    article = make_article(db, world, author="editor", reviewer=None)
    headers = bearer(db, world, "editor")
    assert client.post(f"/api/v1/articles/{article.id}/submit", headers=headers).status_code \
        == 200
    response = client.post(f"/api/v1/articles/{article.id}/review", headers=headers,
                           json={"decision": "approve"})
    assert response.status_code == 403
    assert response.json()["code"] in {"permission_denied", "four_eyes"}


@pytest.mark.parametrize("role", ALL_ROLES)
def test_retire_is_for_business_managers(client: TestClient, db: Session, world: World,
                                         role: str) -> None:
    article = make_article(db, world)
    status = _call(client, "POST", f"/api/v1/articles/{article.id}/retire",
                   bearer(db, world, role), {"reason": "下线"})
    assert status == (200 if role == "manager" else 403)


@pytest.mark.parametrize(("method", "url", "allowed"), [
    ("GET", "/api/v1/audit", {"reviewer", "manager", "admin"}),
    ("GET", "/api/v1/users", {"admin"}),
    ("POST", "/api/v1/queues", {"admin"}),
    ("POST", "/api/v1/modules", {"manager", "admin"}),
    ("GET", "/api/v1/export?format=jsonl", {"editor", "manager", "analyst", "admin"}),
    ("GET", "/api/v1/new-knowledge/coverage", {"manager", "supervisor", "trainer"}),
])
@pytest.mark.parametrize("role", ALL_ROLES)
def test_admin_routes(client: TestClient, db: Session, world: World, method: str, url: str,
                      allowed: set[str], role: str) -> None:
    payload = {"code": f"Q-{role}", "name": f"新模块{role}"} if method == "POST" else None
    status = _call(client, method, url, bearer(db, world, role), payload)
    if role in allowed:
        assert status in {200, 201}, (url, role, status)
    else:
        assert status == 403, (url, role, status)


@pytest.mark.parametrize("role", ALL_ROLES)
def test_import_is_for_managers_and_admins(client: TestClient, db: Session, world: World,
                                           role: str) -> None:
    line = ('{"code": "P-1", "title": "t", "body": "b", "module": "个人业务/资费套餐", '
            '"queues": ["A"]}\n')
    response = client.post("/api/v1/import", headers=bearer(db, world, role),
                           files={"file": ("a.jsonl", line.encode(), "application/x-ndjson")},
                           data={"dry_run": "true"})
    assert response.status_code == (200 if role in {"manager", "admin"} else 403)


def test_nobody_sees_a_draft_of_a_module_they_have_no_access_to(client: TestClient,
                                                                 db: Session,
                                                                 world: World) -> None:
    draft = make_article(db, world, author="editor", reviewer=None)
    for role in ("editor_home", "reviewer_home", "agent", "supervisor", "trainer", "admin"):
        response = client.get(f"/api/v1/articles/{draft.id}", headers=bearer(db, world, role))
        assert response.status_code == 404, role
        listing = client.get("/api/v1/articles?status=draft", headers=bearer(db, world, role))
        assert draft.id not in {a["id"] for a in listing.json()["items"]}, role
    assert client.get(f"/api/v1/articles/{draft.id}",
                      headers=bearer(db, world, "editor2")).status_code == 200


def test_a_reviewer_cannot_review_outside_their_modules(client: TestClient, db: Session,
                                                        world: World) -> None:
    draft = make_article(db, world, author="editor", reviewer=None)
    client.post(f"/api/v1/articles/{draft.id}/submit", headers=bearer(db, world, "editor"))
    response = client.post(f"/api/v1/articles/{draft.id}/review",
                           headers=bearer(db, world, "reviewer_home"),
                           json={"decision": "approve"})
    assert response.status_code == 403


def test_an_editor_cannot_edit_outside_their_modules(client: TestClient, db: Session,
                                                     world: World) -> None:
    article = make_article(db, world, author="editor_home",
                           module_id=world.modules["宽带"].id)
    current = client.get(f"/api/v1/articles/{article.id}",
                         headers=bearer(db, world, "editor")).json()
    response = client.put(f"/api/v1/articles/{article.id}", headers=bearer(db, world, "editor"),
                          json=_article_body(world, module_id=world.modules["宽带"].id,
                                             lock_version=current["lock_version"]))
    assert response.status_code == 403


def test_anonymous_requests_get_401(client: TestClient, db: Session, world: World) -> None:
    assert client.get("/api/v1/articles").status_code == 401
    assert client.get("/api/v1/articles",
                      headers={"Authorization": "Bearer nonsense"}).status_code == 401
    page = client.get("/kb", follow_redirects=False)
    assert page.status_code == 303 and page.headers["location"].startswith("/login")
