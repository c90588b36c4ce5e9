"""A pending revision's title stays with those who may see the working copy (issue 12)."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from seci.knowledge import feedback as fb
from seci.knowledge import queries
from seci.knowledge.models import Article
from tests.factories import World, bearer, make_article, revise, web_login

PUBLISHED = "国际漫游开通说明"
PENDING = "漫游资费下调内部预告"  # saved by the editor, not yet approved


def _renamed(db: Session, world: World) -> Article:
    article = make_article(db, world, code="MY-KT", title=PUBLISHED)
    return revise(db, world, article, title=PENDING, reviewer=None)


def _titles_found(db: Session, world: World, user: str, text: str) -> list[str]:
    rows, total = queries.list_articles(db, user=world[user],
                                        query=queries.ArticleQuery(text=text))
    assert total == len(rows)
    return [a.code for a in rows]


def test_feedback_shows_the_reporter_the_published_title(db: Session, world: World) -> None:
    article = _renamed(db, world)
    item = fb.flag_article(db, article_id=article.id, user=world["agent"], kind="outdated",
                           comment="资费好像变了")
    [(_, seen)] = fb.my_reports(db, user=world["agent"])
    assert seen.title == PUBLISHED
    assert fb.feedback_article(db, user=world["agent"], article_id=article.id).title == PUBLISHED
    # The owner and managers of the module see what they are working on.
    [(_, owned)] = fb.owner_inbox(db, user=world["editor"])
    assert owned.title == PENDING
    assert fb.feedback_article(db, user=world["manager"], article_id=item.article_id
                               ).title == PENDING


def test_the_title_filter_matches_only_titles_the_user_may_read(db: Session,
                                                                world: World) -> None:
    _renamed(db, world)
    assert _titles_found(db, world, "agent", "下调内部") == []
    assert _titles_found(db, world, "agent", "开通说明") == ["MY-KT"]
    assert _titles_found(db, world, "agent", "MY-KT") == ["MY-KT"]
    for editor in ("editor", "editor2", "reviewer"):  # the module's editors and reviewers
        assert _titles_found(db, world, editor, "下调内部") == ["MY-KT"]
        assert _titles_found(db, world, editor, "开通说明") == ["MY-KT"]
    assert _titles_found(db, world, "editor_home", "下调内部") == []  # another module
    drafts = queries.list_articles(db, user=world["editor"], query=queries.ArticleQuery(
        status="draft", text="下调内部"))[0]
    assert [a.code for a in drafts] == ["MY-KT"]


def test_api_and_pages_show_agents_no_pending_title(client: TestClient, db: Session,
                                                   world: World) -> None:
    article = _renamed(db, world)
    headers = bearer(db, world, "agent")
    flagged = client.post(f"/api/v1/articles/{article.id}/feedback", headers=headers,
                          json={"kind": "outdated", "comment": "资费好像变了"})
    assert flagged.status_code == 201 and flagged.json()["article_title"] == PUBLISHED
    mine = client.get("/api/v1/feedback/mine", headers=headers).json()
    assert [f["article_title"] for f in mine] == [PUBLISHED]
    listed = client.get("/api/v1/articles", params={"text": "下调"}, headers=headers).json()
    assert listed["total"] == 0
    listed = client.get("/api/v1/articles", params={"text": "开通"}, headers=headers).json()
    assert [a["title"] for a in listed["items"]] == [PUBLISHED]

    web_login(client, "agent")
    page = client.get("/kb/feedback")
    assert page.status_code == 200
    assert PUBLISHED in page.text and PENDING not in page.text
    browse = client.get("/kb", params={"q": "下调"})
    assert browse.status_code == 200 and "MY-KT" not in browse.text
    assert "MY-KT" in client.get("/kb", params={"q": "开通说明"}).text

    web_login(client, "editor")
    assert PENDING in client.get("/kb/feedback").text
    assert "MY-KT" in client.get("/kb", params={"q": "下调"}).text
