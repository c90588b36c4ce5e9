"""Template plumbing: placeholders in translated texts are filled, values are escaped."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.factories import World, make_article, web_login


def test_placeholders_are_filled_in_pages(client: TestClient, db: Session,
                                          world: World) -> None:
    make_article(db, world)
    web_login(client, "agent")
    page = client.get("/kb").text
    assert "{n}" not in page
    assert "共 1 条知识" in page


def test_user_values_inside_translations_are_escaped(client: TestClient, db: Session,
                                                     world: World) -> None:
    from seci.accounts import service

    service.update_user(db, user_id=world["agent"].id, actor=world["admin"],
                        changes=service.UserChanges(display_name="<b>张</b>"))
    db.commit()
    web_login(client, "agent")
    home = client.get("/").text
    assert "<b>张</b>" not in home
    assert "&lt;b&gt;张&lt;/b&gt;" in home
