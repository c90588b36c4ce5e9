"""The audit log's objects in words: names, login names, and links only where the reader may
open the object."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from seci.audit.models import AuditEvent
from seci.audit.objects import AuditObject, describe_objects
from seci.core.errors import PermissionDenied
from tests.factories import World, make_article, web_login
from tests.test_i18n import developer_text


def _events(db: Session) -> list[AuditEvent]:
    return list(db.scalars(select(AuditEvent).order_by(AuditEvent.id)))


def test_objects_are_named_and_openable_only_in_the_readers_scope(db: Session,
                                                                    world: World) -> None:
    article = make_article(db, world, code="KB-AUDIT-1")
    key = ("article", str(article.id))
    everywhere = describe_objects(db, actor=world["reviewer"], events=_events(db))
    assert everywhere[key] == AuditObject("KB-AUDIT-1", True)
    editor = world["editor"]
    assert everywhere[("user", str(editor.id))] == AuditObject(
        editor.display_name, False, "editor")  # reviewers do not manage users
    at_home = describe_objects(db, actor=world["reviewer_home"], events=_events(db))
    assert at_home[key] == AuditObject("KB-AUDIT-1", False)  # 个人业务 is not theirs
    admin = describe_objects(db, actor=world["admin"], events=_events(db))
    assert admin[("user", str(editor.id))].openable


def test_only_audit_readers_learn_the_names(db: Session, world: World) -> None:
    make_article(db, world)
    with pytest.raises(PermissionDenied):
        describe_objects(db, actor=world["agent"], events=_events(db))


def test_the_log_page_shows_words_names_and_links(client: TestClient, db: Session,
                                                  world: World) -> None:
    article = make_article(db, world, code="KB-AUDIT-2")
    db.commit()
    web_login(client, "manager")
    page = client.get("/audit").text
    assert "审核通过" in page and developer_text(page, set()) == set()
    assert f'<a href="/kb/articles/{article.id}">KB-AUDIT-2</a>' in page
    assert world["reviewer"].display_name in page
    filtered = client.get("/audit?action=article.approve").text
    assert '<option value="article.approve" selected>审核通过</option>' in filtered
