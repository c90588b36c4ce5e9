"""The customer answer (答复口径): an optional field of the working copy and of every
version, through the API, the editor, the version diff, rollback, import and export."""

from __future__ import annotations

import json

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from seci.knowledge import articles as kb
from seci.knowledge import versions
from seci.knowledge.exporting import export_records
from seci.knowledge.importing import import_articles
from tests.conftest import csrf_of
from tests.factories import World, bearer, make_article, revise, web_login

ANSWER = "出国前发送 KTMY 到 10086 即可开通国际漫游，境外通话0.99元/分钟。"


def _content(world: World, **extra: object) -> dict[str, object]:
    return {"title": "国际漫游开通", "body": "### 办理\n发送 KTMY 到 10086。",
            "module_id": world.modules["资费套餐"].id, "queues": ["A"],
            "audience": "customer"} | extra


def test_the_api_writes_and_reads_the_customer_answer(client: TestClient, db: Session,
                                                       world: World) -> None:
    editor, reviewer = bearer(db, world, "editor"), bearer(db, world, "reviewer")
    agent = bearer(db, world, "agent")
    created = client.post("/api/v1/articles", headers=editor, json=_content(
        world, code="CA-1", customer_answer=f"  {ANSWER}\r\n"))
    assert created.status_code == 201, created.text
    article = created.json()
    assert article["working_copy"]["customer_answer"] == ANSWER
    client.post(f"/api/v1/articles/{article['id']}/submit", headers=editor)
    approved = client.post(f"/api/v1/articles/{article['id']}/review", headers=reviewer,
                           json={"decision": "approve"})
    assert approved.json()["live"]["customer_answer"] == ANSWER
    seen = client.get(f"/api/v1/articles/{article['id']}", headers=agent).json()
    assert seen["live"]["customer_answer"] == ANSWER
    version = client.get(f"/api/v1/articles/{article['id']}/versions/1", headers=agent)
    assert version.json()["customer_answer"] == ANSWER


def test_a_customer_answer_longer_than_a_chat_message_is_refused(
        client: TestClient, db: Session, world: World) -> None:
    response = client.post("/api/v1/articles", headers=bearer(db, world, "editor"),
                           json=_content(world, code="CA-2", customer_answer="话" * 2001))
    assert response.status_code == 422
    body = response.json()
    assert body["code"] in {"validation_failed", "invalid_fields"}
    assert "customer_answer" in response.text


def test_versions_keep_it_the_diff_shows_it_and_rollback_restores_it(
        db: Session, world: World) -> None:
    article = make_article(db, world, code="CA-3", customer_answer=ANSWER)
    revise(db, world, article, customer_answer="请发送 KTMY 到 10086 开通。")
    [v2, v1] = versions.list_versions(db, user=world["manager"], article_id=article.id)
    assert (v1.customer_answer, v2.customer_answer) == (ANSWER, "请发送 KTMY 到 10086 开通。")
    diffs = {d.field: d for d in versions.compare_versions(
        db, user=world["manager"], article_id=article.id, old_no=1, new_no=2)}
    assert diffs["customer_answer"].changed and not diffs["body"].changed
    versions.rollback_article(db, article_id=article.id, version_no=1, actor=world["manager"])
    db.commit()
    live = kb.get_article(db, article_id=article.id).live_version
    assert live is not None and live.version_no == 3 and live.customer_answer == ANSWER


def test_the_editor_saves_it_and_the_article_page_shows_it(client: TestClient, db: Session,
                                                           world: World) -> None:
    web_login(client, "editor")
    form = client.get("/kb/new-article")
    assert 'name="customer_answer"' in form.text
    saved = client.post("/kb/articles", data={
        "csrf_token": csrf_of(form.text), "code": "CA-4", "title": "国际漫游开通",
        "module_id": str(world.modules["资费套餐"].id), "audience": "customer",
        "queue_ids": str(world.queues["A"].id), "body": "### 办理\n发送 KTMY。",
        "customer_answer": ANSWER, "action": "save"}, follow_redirects=False)
    assert saved.status_code == 303, saved.text
    article = kb.get_article_by_code(db, code="CA-4")
    assert article.customer_answer == ANSWER
    page = client.get(f"/kb/articles/{article.id}")
    assert 'id="customer-answer"' in page.text and ANSWER in page.text
    assert "答复口径" in page.text
    editor = client.get(f"/kb/articles/{article.id}/edit")
    assert ANSWER in editor.text


def test_import_reads_it_and_export_writes_it(db: Session, world: World) -> None:
    row = {"code": "CA-5", "title": "停机保号", "body": "### 资费\n5元/月",
           "答复口径": "停机保号每月5元。", "module": "个人业务/号码业务"}
    data = (json.dumps(row, ensure_ascii=False) + "\n").encode()
    report = import_articles(db, data=data, filename="kb.jsonl", actor=world["manager"],
                             max_bytes=1 << 20)
    assert report.created == ["CA-5"]
    db.commit()
    assert kb.get_article_by_code(db, code="CA-5").customer_answer == "停机保号每月5元。"
    changed = (json.dumps(row | {"答复口径": "停机保号每月5元，最长12个月。"},
                          ensure_ascii=False) + "\n").encode()
    again = import_articles(db, data=changed, filename="kb.jsonl", actor=world["manager"],
                            max_bytes=1 << 20)
    assert again.updated == ["CA-5"]  # only the customer answer changed: a new version
    db.commit()
    [exported] = [r for r in export_records(db, actor=world["manager"]) if r["code"] == "CA-5"]
    assert exported["customer_answer"] == "停机保号每月5元，最长12个月。"
