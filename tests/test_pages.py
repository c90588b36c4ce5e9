"""Server-rendered pages for each role: the forms do what they say."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from seci.accounts.models import User
from seci.knowledge.models import Article, ArticleStatus, Module
from tests.conftest import csrf_of
from tests.factories import World, make_article, web_login


def test_editor_creates_and_submits_through_the_form(client: TestClient, db: Session,
                                                      world: World) -> None:
    web_login(client, "editor")
    form = client.get("/kb/new-article")
    assert form.status_code == 200
    response = client.post("/kb/articles", follow_redirects=False, data={
        "csrf_token": csrf_of(form.text), "code": "KB-WEB-1", "title": "副卡办理",
        "module_id": str(world.modules["资费套餐"].id),
        "queue_ids": [str(world.queues["A"].id), str(world.queues["B"].id)],
        "audience": "internal", "tags": "副卡，家庭", "similar_questions": "副卡咋办\n能加几张副卡",
        "body": "### 办理\n主卡机主到营业厅办理", "valid_from": "2026-01-01", "valid_to": "",
        "owner_id": str(world["editor"].id), "action": "submit"})
    assert response.status_code == 303
    article = db.scalars(select(Article).where(Article.code == "KB-WEB-1")).one()
    assert article.status == ArticleStatus.IN_REVIEW
    assert article.tags == ["副卡", "家庭"]
    assert article.similar_questions == ["副卡咋办", "能加几张副卡"]
    assert article.audience == "internal"
    assert sorted(article.queue_ids) == sorted(world.queue_ids("A", "B"))


def test_the_editor_form_reports_field_errors_and_keeps_input(client: TestClient,
                                                              world: World) -> None:
    web_login(client, "editor")
    form = client.get("/kb/new-article")
    response = client.post("/kb/articles", data={
        "csrf_token": csrf_of(form.text), "title": "", "module_id": "",
        "body": "我的草稿不能丢", "valid_from": "2026-13-45", "audience": "customer"})
    assert response.status_code == 422
    assert "我的草稿不能丢" in response.text
    assert "2026-13-45" in response.text


def test_reviewer_approves_from_the_page_and_agent_reads_it(client: TestClient, db: Session,
                                                            world: World) -> None:
    article = make_article(db, world, reviewer=None, title="宽带移机")
    from seci.knowledge import articles as kb

    kb.submit_article(db, article_id=article.id, actor=world["editor"])
    db.commit()
    web_login(client, "reviewer")
    queue = client.get("/kb/review")
    assert "宽带移机" in queue.text
    draft = client.get(f"/kb/articles/{article.id}/draft")
    approve = client.post(f"/kb/articles/{article.id}/review", follow_redirects=False, data={
        "csrf_token": csrf_of(draft.text), "decision": "approve", "comment": "",
        "notify_agents": ["off", "on"]})
    assert approve.status_code == 303
    client.cookies.clear()
    web_login(client, "agent")
    assert "宽带移机" in client.get("/kb").text
    assert "宽带移机" in client.get("/kb/new").text


def test_admin_creates_a_user_with_roles_and_queues(client: TestClient, db: Session,
                                                    world: World) -> None:
    web_login(client, "admin")
    page = client.get("/admin/users")
    response = client.post("/admin/users", follow_redirects=False, data={
        "csrf_token": csrf_of(page.text), "username": "zhangsan", "display_name": "张三",
        "password": "pass-word-9", "roles": ["agent"], "queue_ids": [
            str(world.queues["VIP"].id)]})
    assert response.status_code == 303
    user = db.scalars(select(User).where(User.username == "zhangsan")).one()
    assert user.queue_ids == {world.queues["VIP"].id}
    edit = client.get(f"/admin/users/{user.id}")
    client.post(f"/admin/users/{user.id}", data={
        "csrf_token": csrf_of(edit.text), "display_name": "张三", "roles": ["agent", "trainer"],
        "queue_ids": [str(world.queues["VIP"].id)], "is_active": "on"})
    db.refresh(user)
    assert {str(r) for r in user.roles} == {"agent", "trainer"}


def test_manager_builds_the_module_tree_in_the_page(client: TestClient, db: Session,
                                                    world: World) -> None:
    web_login(client, "manager")
    page = client.get("/kb/modules")
    client.post("/kb/modules", data={"csrf_token": csrf_of(page.text), "action": "create",
                                      "name": "物联网", "parent_id": ""})
    created = db.scalars(select(Module).where(Module.name == "物联网")).one()
    client.post("/kb/modules", data={"csrf_token": csrf_of(page.text), "action": "move",
                                      "module_id": str(created.id),
                                      "parent_id": str(world.modules["家庭业务"].id)})
    db.refresh(created)
    assert created.parent_id == world.modules["家庭业务"].id


def test_every_main_page_renders_for_its_role(client: TestClient, db: Session,
                                              world: World) -> None:
    article = make_article(db, world)
    pages = {
        "agent": ["/", "/kb", f"/kb/articles/{article.id}", "/kb/new", "/kb/feedback",
                  "/account"],
        "editor": ["/kb/drafts", "/kb/expiring", f"/kb/articles/{article.id}/edit",
                   f"/kb/articles/{article.id}/versions/1", f"/kb/articles/{article.id}/diff"],
        "reviewer": ["/kb/review", "/audit"],
        "manager": ["/kb/import", "/kb/modules", "/kb/coverage", "/kb/export?format=csv"],
        "admin": ["/admin/users", "/admin/queues"],
    }
    for role, urls in pages.items():
        client.cookies.clear()
        web_login(client, role)
        for url in urls:
            assert client.get(url).status_code == 200, (role, url)


def test_the_agent_is_refused_manager_pages(client: TestClient, world: World) -> None:
    web_login(client, "agent")
    for url in ("/kb/import", "/kb/modules", "/audit", "/admin/users", "/kb/review",
                "/kb/new-article", "/kb/coverage"):
        page = client.get(url)
        assert page.status_code == 403, url
        assert "没有" in page.text or "权限" in page.text


def test_empty_filter_values_are_ignored(client: TestClient, world: World) -> None:
    """A GET form submits '' for "all queues"; that must not be a 422."""
    web_login(client, "manager")
    assert client.get("/kb?queue=&module=&status=&validity=&q=&page=").status_code == 200
    assert client.get("/audit?days=&page=").status_code == 200


def test_error_pages_keep_the_logged_in_top_bar(client: TestClient, world: World) -> None:
    web_login(client, "agent")
    page = client.get("/kb/import")
    assert page.status_code == 403
    assert "Agent" in page.text  # the user's name in the top bar
    assert 'action="/logout"' in page.text



def test_article_views_are_counted_and_written_in_batches(app: object, client: TestClient,
                                                         db: Session, world: World) -> None:
    article = make_article(db, world)
    web_login(client, "agent")
    for _ in range(3):
        client.get(f"/kb/articles/{article.id}")
    headers = {"Accept": "application/json"}
    client.get(f"/api/v1/articles/{article.id}", headers=headers)
    db.expire_all()
    assert db.get(Article, article.id).view_count == 0  # type: ignore[union-attr]
    assert client.app.state.view_counter.flush() == 4  # type: ignore[attr-defined]
    db.expire_all()
    assert db.get(Article, article.id).view_count == 4  # type: ignore[union-attr]
