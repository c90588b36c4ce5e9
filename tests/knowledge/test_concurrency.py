"""Two people editing the same article never silently overwrite each other."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from seci.accounts.models import User
from seci.knowledge import articles as kb
from seci.knowledge.errors import StaleEdit
from seci.knowledge.validation import ArticleFields
from tests.conftest import csrf_of
from tests.factories import World, bearer, build_world, make_article, web_login


def _put_body(article: dict[str, Any], **changes: Any) -> dict[str, Any]:
    content = article["working_copy"]
    body = {k: content[k] for k in ("title", "body", "module_id", "queues", "tags",
                                    "similar_questions", "audience", "valid_from", "valid_to")}
    return body | {"lock_version": article["lock_version"]} | changes


def test_two_api_editors_second_save_gets_409_and_nothing_is_lost(
        client: TestClient, db: Session, world: World) -> None:
    article = make_article(db, world, body="原始正文")
    first, second = bearer(db, world, "editor"), bearer(db, world, "editor2")
    opened_by_first = client.get(f"/api/v1/articles/{article.id}", headers=first).json()
    opened_by_second = client.get(f"/api/v1/articles/{article.id}", headers=second).json()

    saved = client.put(f"/api/v1/articles/{article.id}", headers=first,
                       json=_put_body(opened_by_first, body="编辑甲的修改"))
    assert saved.status_code == 200

    stale = client.put(f"/api/v1/articles/{article.id}", headers=second,
                       json=_put_body(opened_by_second, body="编辑乙的修改"))
    assert stale.status_code == 409
    problem = stale.json()
    assert stale.headers["content-type"].startswith("application/problem+json")
    assert problem["code"] == "stale_edit"
    assert problem["current"]["body"] == "编辑甲的修改"
    assert problem["current"]["updated_by"] == "Editor"
    assert problem["current"]["lock_version"] == saved.json()["lock_version"]

    now = client.get(f"/api/v1/articles/{article.id}", headers=first).json()
    assert now["working_copy"]["body"] == "编辑甲的修改"
    # the second editor retries on top of the current version and succeeds
    retry = client.put(f"/api/v1/articles/{article.id}", headers=second,
                       json=_put_body(now, body="编辑甲的修改\n编辑乙的补充"))
    assert retry.status_code == 200


def test_stale_submit_is_refused(db: Session, world: World) -> None:
    article = make_article(db, world, reviewer=None)
    old_lock = article.lock_version
    current = kb.get_article(db, article_id=article.id)
    kb.update_article(db, article_id=article.id, expected_lock_version=old_lock,
                      actor=world["editor2"], fields=ArticleFields(
                          title="别人改过", body=current.body, module_id=current.module_id,
                          queue_ids=list(current.queue_ids)))
    with pytest.raises(StaleEdit):
        kb.submit_article(db, article_id=article.id, actor=world["editor"],
                          expected_lock_version=old_lock)


def test_web_editor_conflict_shows_their_changes_and_keeps_mine(
        app: Any, db: Session, world: World) -> None:
    article = make_article(db, world, title="宽带资费", body="原始正文")
    with TestClient(app) as first, TestClient(app) as second:
        web_login(first, "editor")
        web_login(second, "editor2")
        form_first = first.get(f"/kb/articles/{article.id}/edit").text
        form_second = second.get(f"/kb/articles/{article.id}/edit").text
        lock = article.lock_version

        def save(client: TestClient, page: str, body: str) -> Any:
            return client.post(f"/kb/articles/{article.id}/edit", data={
                "csrf_token": csrf_of(page), "lock_version": str(lock), "title": "宽带资费",
                "module_id": str(world.modules["资费套餐"].id), "queue_ids": [
                    str(world.queues["A"].id)], "audience": "customer", "body": body,
                "action": "save"}, follow_redirects=False)

        assert save(first, form_first, "甲：月租调整为100元").status_code == 303
        conflict = save(second, form_second, "乙：新增办理渠道")
    assert conflict.status_code == 409
    assert "乙：新增办理渠道" in conflict.text  # my text is still in the form
    assert "月租调整为100元" in conflict.text  # their change is shown
    assert "Editor" in conflict.text  # who changed it
    db.expire_all()
    assert kb.get_article(db, article_id=article.id).body == "甲：月租调整为100元"


def test_truly_concurrent_saves_one_wins_one_gets_stale(committed_engine: Engine) -> None:
    """Two transactions read the same lock version and write at the same time."""
    factory = sessionmaker(bind=committed_engine, expire_on_commit=False)
    with factory() as setup:
        world = build_world(setup)
        article = make_article(setup, world, code=None, body="并发前")
        article_id, lock = article.id, article.lock_version
        editors = (world["editor"].id, world["editor2"].id)
        module_id, queue_ids = article.module_id, list(article.queue_ids)

    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def edit(user_id: int, text: str) -> None:
        with factory() as session:
            user = session.get(User, user_id)
            assert user is not None
            current = kb.get_article(session, article_id=article_id)
            assert current.lock_version == lock
            barrier.wait()
            try:
                kb.update_article(session, article_id=article_id, expected_lock_version=lock,
                                  actor=user, fields=ArticleFields(
                                      title="并发", body=text, module_id=module_id,
                                      queue_ids=queue_ids))
                session.commit()
                outcomes.append("saved")
            except StaleEdit:
                session.rollback()
                outcomes.append("stale")
            except Exception as exc:  # SQLite may refuse the second writer outright
                session.rollback()
                outcomes.append(f"refused:{type(exc).__name__}")

    threads = [threading.Thread(target=edit, args=(uid, f"编辑{i}"))
               for i, uid in enumerate(editors)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert outcomes.count("saved") == 1, outcomes
    with factory() as check:
        final = kb.get_article(check, article_id=article_id)
        assert final.lock_version == lock + 1
        assert final.body in {"编辑0", "编辑1"}


def _second_waits_for_first(factory: sessionmaker[Session], user_id: int,
                            act: Callable[[Session, User, int], object]) -> None:
    """``act`` by one user in two transactions at once: the first has written and not
    committed when the second starts; the second must wait for it and then succeed."""
    failed: list[BaseException] = []

    def second() -> None:
        with factory() as session:
            try:
                user = session.get(User, user_id)
                assert user is not None
                act(session, user, 2)
                session.commit()
            except BaseException as error:  # reported to the test's thread
                failed.append(error)

    with factory() as first:
        user = first.get(User, user_id)
        assert user is not None
        act(first, user, 1)  # not committed yet
        other = threading.Thread(target=second)
        other.start()
        other.join(timeout=1.0)  # it waits for the first transaction
        first.commit()
    other.join(timeout=30)
    assert not other.is_alive() and failed == []


def _postgres_only(engine: Engine) -> sessionmaker[Session]:
    if engine.dialect.name != "postgresql":
        pytest.skip("SQLite queues writers from their first statement")
    return sessionmaker(engine, expire_on_commit=False)


def test_two_first_votes_of_one_user_at_once_keep_one_vote(committed_engine: Engine) -> None:
    """A double click: the second vote must see the first, not insert a second row beside
    it (a unique violation, a 500, on PostgreSQL)."""
    from seci.knowledge.models import Article
    from seci.knowledge.usage import vote

    factory = _postgres_only(committed_engine)
    with factory() as db:
        world = build_world(db)
        article_id = make_article(db, world).id
        agent_id = world["agent"].id
        db.commit()
    _second_waits_for_first(factory, agent_id, lambda session, agent, n: vote(
        session, article_id=article_id, user=agent, helpful=n == 1))
    with factory() as db:
        counted = db.get(Article, article_id)
        assert counted is not None
        assert (counted.helpful_count, counted.unhelpful_count) == (0, 1)


def test_two_first_presence_marks_of_one_agent_at_once_write_one_row(
        committed_engine: Engine) -> None:
    """The inbox page and its live updates may both be an agent's first sign of life:
    ``insert_if_absent`` makes the second wait and do nothing (a primary key violation, a
    500, before). Training items marked done and supervisors' team checks use it too."""
    from seci.assistant.models import AgentPresence
    from seci.assistant.queues import mark_present

    factory = _postgres_only(committed_engine)
    with factory() as db:
        agent_id = build_world(db)["agent"].id
        db.commit()
    _second_waits_for_first(factory, agent_id,
                            lambda session, agent, _: mark_present(session, agent))
    with factory() as db:
        assert db.get(AgentPresence, agent_id) is not None
