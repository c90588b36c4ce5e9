"""Web pages: login, CSRF on every form, safe Markdown, language switch, offline API docs."""

from __future__ import annotations

import re
import sqlite3

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from seci.knowledge.render import render_markdown
from tests.conftest import csrf_of
from tests.factories import World, bearer, make_article, web_login

EXTERNAL_URL = re.compile(r"""(?:src|href)=["'](?:https?:)?//(?!testserver)""")


def test_login_with_wrong_password_shows_a_chinese_error(client: TestClient,
                                                          world: World) -> None:
    page = client.post("/login", data={"username": "agent", "password": "nope"})
    assert page.status_code == 401
    assert "用户名或密码错误" in page.text


def test_an_admin_edits_their_own_password_on_the_account_page_only(
        client: TestClient, world: World) -> None:
    web_login(client, "admin")
    own = client.get(f"/admin/users/{world['admin'].id}").text
    assert 'name="password"' not in own and 'href="/account"' in own
    other = client.get(f"/admin/users/{world['agent'].id}").text
    assert 'name="password"' in other and 'minlength="10"' in other
    assert "吊销其 API 令牌" in other


def test_login_logout_round_trip(client: TestClient, world: World) -> None:
    web_login(client, "agent")
    home = client.get("/")
    assert home.status_code == 200
    assert "Agent" in home.text
    logout = client.post("/logout", data={"csrf_token": csrf_of(home.text)},
                         follow_redirects=False)
    assert logout.status_code == 303
    assert client.get("/", follow_redirects=False).status_code == 303


def test_login_redirect_stays_on_site(client: TestClient, world: World) -> None:
    response = client.post("/login", data={"username": "agent", "password": "secret-pass-1",
                                           "next": "//evil.example/x"}, follow_redirects=False)
    assert response.headers["location"] == "/"


def test_every_form_needs_the_csrf_token(client: TestClient, db: Session, world: World) -> None:
    article = make_article(db, world)
    web_login(client, "agent")
    forged = client.post(f"/kb/articles/{article.id}/flag",
                         data={"kind": "wrong", "comment": "伪造"})
    assert forged.status_code == 403
    page = client.get(f"/kb/articles/{article.id}")
    ok = client.post(f"/kb/articles/{article.id}/flag", follow_redirects=False, data={
        "kind": "wrong", "comment": "号码有误", "csrf_token": csrf_of(page.text)})
    assert ok.status_code == 303


def test_every_post_form_in_the_pages_carries_a_csrf_field(client: TestClient, db: Session,
                                                           world: World) -> None:
    article = make_article(db, world)
    web_login(client, "manager")
    for url in ("/", "/kb", f"/kb/articles/{article.id}", f"/kb/articles/{article.id}/edit",
                "/kb/import", "/kb/modules", "/kb/feedback", "/kb/new", "/account"):
        html = client.get(url).text
        for form in re.findall(r"<form[^>]*method=\"post\".*?</form>", html, flags=re.S):
            if 'action="/login"' in form:
                continue
            assert 'name="csrf_token"' in form, (url, form[:120])
            assert 'value=""' not in form.split('name="csrf_token"')[1][:20]


def test_api_writes_with_a_session_cookie_need_the_csrf_header(client: TestClient,
                                                               db: Session,
                                                               world: World) -> None:
    article = make_article(db, world)
    web_login(client, "agent")
    denied = client.post(f"/api/v1/articles/{article.id}/vote", json={"helpful": True})
    assert denied.status_code == 403
    assert denied.json()["code"] == "csrf_failed"
    token = csrf_of(client.get("/").text)
    allowed = client.post(f"/api/v1/articles/{article.id}/vote", json={"helpful": True},
                          headers={"X-CSRF-Token": token})
    assert allowed.status_code == 200


def test_markdown_cannot_inject_script() -> None:
    html = render_markdown(
        "<script>alert(1)</script>\n\n[点我](javascript:alert(1))\n\n"
        '<img src=x onerror="alert(1)">\n\n![x](data:text/html;base64,PHNjcmlwdD4=)\n\n'
        "| 档位 | 月租 |\n|---|---|\n| 5G | 129元 |"
    )
    assert "<script" not in html
    assert 'href="javascript' not in html  # the link stays inert text
    assert "<img src=x" not in html  # raw HTML is escaped, not rendered
    assert 'src="data:' not in html
    assert "<table>" in html  # tables still render


def test_article_body_is_rendered_safely_on_the_page(client: TestClient, db: Session,
                                                     world: World) -> None:
    article = make_article(db, world, body="<script>alert('x')</script>\n\n**重要**")
    web_login(client, "agent")
    page = client.get(f"/kb/articles/{article.id}").text
    assert "<script>alert" not in page
    assert "<strong>重要</strong>" in page


def test_pages_send_a_strict_content_security_policy(client: TestClient, world: World) -> None:
    response = client.get("/login")
    assert "script-src 'self'" in response.headers["content-security-policy"]
    assert response.headers["x-frame-options"] == "DENY"


def test_the_english_switch_uses_the_catalog(client: TestClient, world: World) -> None:
    web_login(client, "agent")
    assert "新知识" in client.get("/").text
    client.get("/lang/en?back=/")
    english = client.get("/").text
    assert "New knowledge" in english
    assert "新知识" not in english
    client.get("/lang/zh_CN?back=/")
    assert "新知识" in client.get("/").text


def test_api_errors_are_problem_documents_in_the_requested_language(
        client: TestClient, db: Session, world: World) -> None:
    headers = bearer(db, world, "agent")
    chinese = client.get("/api/v1/articles/999999", headers=headers)
    assert chinese.status_code == 404
    assert chinese.headers["content-type"].startswith("application/problem+json")
    body = chinese.json()
    assert body["code"] == "article_not_found"
    assert body["status"] == 404
    assert body["type"] == "urn:seci:problem:article_not_found"
    assert "未找到" in body["detail"] or "不存在" in body["detail"]
    english = client.get("/api/v1/articles/999999", headers=headers | {"Accept-Language": "en"})
    assert english.json()["detail"] == "Article 999999 not found."


def test_request_validation_errors_are_problem_documents(client: TestClient, db: Session,
                                                         world: World) -> None:
    response = client.post("/api/v1/articles", headers=bearer(db, world, "editor"),
                           json={"title": 5})
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "validation_failed"
    assert {e["field"] for e in body["errors"]} >= {"title", "module_id"}


def test_api_docs_work_offline(client: TestClient) -> None:
    docs = client.get("/api/docs")
    assert docs.status_code == 200
    assert "/static/api-docs/swagger-ui-bundle.js" in docs.text
    assert not EXTERNAL_URL.search(docs.text)
    assert client.get("/static/api-docs/swagger-ui-bundle.js").status_code == 200
    assert client.get("/static/api-docs/swagger-ui.css").status_code == 200
    schema = client.get("/api/v1/openapi.json").json()
    assert "/api/v1/articles/{article_id}/review" in schema["paths"]
    redoc = client.get("/api/redoc")
    assert not EXTERNAL_URL.search(redoc.text)


def test_pages_link_no_external_assets(client: TestClient, db: Session, world: World) -> None:
    article = make_article(db, world)
    web_login(client, "manager")
    for url in ("/login", "/", "/kb", f"/kb/articles/{article.id}", "/kb/import"):
        assert not EXTERNAL_URL.search(client.get(url).text), url


def test_an_unknown_page_is_a_friendly_404(client: TestClient, world: World) -> None:
    web_login(client, "agent")
    page = client.get("/kb/articles/424242")
    assert page.status_code == 404
    assert "<html" in page.text


def test_a_writer_that_waited_too_long_gets_503_and_a_retry_time(
        client: TestClient, db: Session, world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    """SQLite's "database is locked" after the busy timeout (another process held the write
    lock longer, e.g. a large import's merge): nothing was saved and trying again works —
    503 with Retry-After, in the reader's language, never a 500."""
    def locked(*_args: object, **_kwargs: object) -> None:
        raise OperationalError("INSERT INTO suggestions ...", {},
                               sqlite3.OperationalError("database is locked"))

    monkeypatch.setattr("seci.suggestions.service.submit_suggestion", locked)
    response = client.post("/api/v1/suggestions", headers=bearer(db, world, "agent"), json={
        "title": "简化报修登记", "body": "项目太多", "category": "process"})
    assert response.status_code == 503
    assert response.headers["retry-after"] == "5"
    assert response.json()["code"] == "database_busy"
    assert "未保存" in response.json()["detail"]
