"""Test data builders: a small hotline with one user per role."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from seci.accounts import service as accounts
from seci.accounts.models import Queue, User
from seci.accounts.roles import Role
from seci.knowledge import articles as kb
from seci.knowledge.models import Article, Module
from seci.knowledge.modules import create_module
from seci.knowledge.validation import ArticleFields

SYSTEM = accounts.system_actor()
PASSWORD = "secret-pass-1"


@dataclass
class World:
    queues: dict[str, Queue]
    modules: dict[str, Module]
    users: dict[str, User]
    tokens: dict[str, str] = field(default_factory=dict)

    def __getitem__(self, name: str) -> User:
        return self.users[name]

    def queue_ids(self, *codes: str) -> list[int]:
        return [self.queues[c].id for c in codes]


USERS: dict[str, dict[str, Any]] = {
    "agent": {"roles": [Role.AGENT], "queues": ["A"]},
    "agent_data": {"roles": [Role.AGENT], "queues": ["数据专席"]},
    "editor": {"roles": [Role.EDITOR], "modules": ["个人业务"]},
    "editor2": {"roles": [Role.EDITOR], "modules": ["个人业务"]},
    "editor_home": {"roles": [Role.EDITOR], "modules": ["家庭业务"]},
    "reviewer": {"roles": [Role.REVIEWER], "all_modules": True},
    "reviewer_home": {"roles": [Role.REVIEWER], "modules": ["家庭业务"]},
    "manager": {"roles": [Role.MANAGER], "all_modules": True},
    "supervisor": {"roles": [Role.SUPERVISOR], "queues": ["A"]},
    "trainer": {"roles": [Role.TRAINER]},
    "analyst": {"roles": [Role.ANALYST]},
    "admin": {"roles": [Role.ADMIN], "all_modules": True},
}


def build_world(db: Session) -> World:
    accounts.seed_queues(db)
    queues = {q.code: q for q in accounts.list_queues(db)}
    personal = create_module(db, name="个人业务", parent_id=None, actor=SYSTEM)
    home = create_module(db, name="家庭业务", parent_id=None, actor=SYSTEM)
    modules = {
        "个人业务": personal,
        "资费套餐": create_module(db, name="资费套餐", parent_id=personal.id, actor=SYSTEM),
        "账务": create_module(db, name="账务", parent_id=personal.id, actor=SYSTEM),
        "家庭业务": home,
        "宽带": create_module(db, name="宽带", parent_id=home.id, actor=SYSTEM),
    }
    users = {}
    for name, spec in USERS.items():
        users[name] = accounts.create_user(
            db, username=name, password=PASSWORD, display_name=name.title(),
            roles=spec["roles"], queue_ids=[queues[q].id for q in spec.get("queues", [])],
            module_ids=[modules[m].id for m in spec.get("modules", [])],
            all_modules=spec.get("all_modules", False),
        )
    db.commit()
    return World(queues=queues, modules=modules, users=users)


def fields(world: World, **overrides: Any) -> ArticleFields:
    values: dict[str, Any] = {
        "title": "国际漫游开通说明",
        "body": "### 办理方式\n发送 KTMY 到 10086。",
        "module_id": world.modules["资费套餐"].id,
        "queue_ids": world.queue_ids("A"),
        "tags": ["漫游"],
        "similar_questions": ["出国了手机还能用不"],
        "audience": "customer",
        "valid_from": None,
        "valid_to": None,
    }
    values.update(overrides)
    return ArticleFields(**values)


def make_article(db: Session, world: World, *, author: str = "editor",
                 reviewer: str | None = "reviewer", code: str | None = None,
                 **overrides: Any) -> Article:
    """A draft by ``author``; published by ``reviewer`` unless reviewer is None."""
    article = kb.create_article(db, fields=fields(world, **overrides), actor=world[author],
                                code=code)
    if reviewer is not None:
        kb.submit_article(db, article_id=article.id, actor=world[author])
        kb.approve_article(db, article_id=article.id, actor=world[reviewer])
    db.commit()
    return article


def revise(db: Session, world: World, article: Article, *, author: str = "editor",
           reviewer: str | None = "reviewer", **overrides: Any) -> Article:
    """Edit the working copy (and publish it when a reviewer is given)."""
    current = kb.get_article(db, article_id=article.id)
    values = {name: getattr(current, name) for name in (
        "title", "body", "customer_answer", "module_id", "queue_ids", "tags",
        "similar_questions", "audience", "valid_from", "valid_to")}
    values.update(overrides)
    kb.update_article(db, article_id=article.id, fields=ArticleFields(**values),
                      expected_lock_version=current.lock_version, actor=world[author])
    if reviewer is not None:
        kb.submit_article(db, article_id=article.id, actor=world[author])
        kb.approve_article(db, article_id=article.id, actor=world[reviewer])
    db.commit()
    return kb.get_article(db, article_id=article.id)


def bearer(db: Session, world: World, name: str) -> dict[str, str]:
    """Authorization header for a user of the world (token cached per test)."""
    if name not in world.tokens:
        world.tokens[name] = accounts.issue_api_token(db, user=world[name], name="test")
        db.commit()
    return {"Authorization": f"Bearer {world.tokens[name]}"}


def web_login(client: TestClient, username: str, password: str = PASSWORD) -> None:
    response = client.post("/login", data={"username": username, "password": password,
                                           "next": "/"}, follow_redirects=False)
    assert response.status_code == 303, response.text


TODAY = date(2026, 11, 23)
