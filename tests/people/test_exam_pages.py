"""The exam pages: a trainer keeps the bank (write, import, generate, review), creates an
exam and reads results and the item analysis; an agent takes the exam without JavaScript
(the form posts every answer); refusals answer 403/404 and bad input 422 on the page."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.conftest import csrf_of
from tests.factories import World, make_article, web_login
from tests.people.exam_helpers import bank


def _logout(client: TestClient) -> None:
    client.post("/logout", data={"csrf_token": csrf_of(client.get("/").text)})


def test_trainer_pages_and_an_agent_taking_the_exam(client: TestClient, db: Session,
                                                    world: World) -> None:
    bank(db, world)
    make_article(db, world, body="包天资费为25元/天，开通后24小时内生效。",
                 code="KB-EX-1")
    db.commit()
    web_login(client, "trainer")
    assert "题库" in client.get("/exams").text
    page = client.get("/exams/questions/new").text
    bad = client.post("/exams/questions", data={
        "csrf_token": csrf_of(page), "kind": "single", "stem": "题", "options": "只有一个",
        "answer": "B", "difficulty": "2"})
    assert bad.status_code == 422 and "field-error" in bad.text
    made = client.post("/exams/questions", data={
        "csrf_token": csrf_of(page), "kind": "multiple", "stem": "哪些可以开通？",
        "options": "短信\n营业厅\n邮件", "answer": "AB", "difficulty": "2",
        "articles": "KB-EX-1"}, follow_redirects=False)
    assert made.status_code == 303
    listing = client.get("/exams/questions?status=draft").text
    assert "哪些可以开通？" in listing and "KB-EX-1" in listing
    generated = client.post("/exams/generate", data={
        "csrf_token": csrf_of(listing), "article": "KB-EX-1"})
    assert generated.status_code == 200 and "25元" in generated.text
    ids = re.findall(r'name="question_ids" value="(\d+)"', generated.text)
    assert len(ids) == 2
    reviewed = client.post("/exams/questions/review", data={
        "csrf_token": csrf_of(listing), "question_ids": ids, "status": "reviewed",
        "back": "/exams/questions"}, follow_redirects=False)
    assert reviewed.status_code == 303
    assert client.post("/exams/generate", data={
        "csrf_token": csrf_of(listing), "article": "KB-NONE"}).status_code == 404
    imported = client.post("/exams/import", data={"csrf_token": csrf_of(listing)}, files={
        "file": ("q.csv", "题型,题干,答案\n判断,题,也许\n".encode(), "text/csv")})
    assert imported.status_code == 422 and "也许" in imported.text

    form = client.get("/exams/new").text
    assert client.post("/exams", data={"csrf_token": csrf_of(form), "title": "",
                                       "question_count": "0"}).status_code == 422
    created = client.post("/exams", data={
        "csrf_token": csrf_of(form), "title": "页面考试", "question_count": "4",
        "easy_percent": "30", "medium_percent": "50", "hard_percent": "20",
        "pass_percent": "50", "time_limit_minutes": "15", "mode": "formal",
        "module_ids": str(world.modules["个人业务"].id)}, follow_redirects=False)
    assert created.status_code == 303, created.text
    exam_url = created.headers["location"].split("?")[0]
    assert "页面考试" in client.get(exam_url).text
    _logout(client)

    web_login(client, "agent")
    assert client.get(exam_url).status_code == 403
    mine = client.get("/exams/mine").text
    start = re.findall(r'action="(/exams/e/\d+/start)"', mine)[0]
    taken = client.post(start, data={"csrf_token": csrf_of(mine)}, follow_redirects=False)
    take_url = taken.headers["location"]
    page = client.get(take_url).text
    assert 'id="countdown"' in page
    names = sorted(set(re.findall(r'name="(q\d+)"', page)))
    assert len(names) == 4
    answers = {}
    for name in names:
        values = re.findall(rf'name="{name}" value="([^"]*)"', page)
        answers[name] = values[0] if values and values[0] else "10086"
    saved = client.post(take_url, data={"csrf_token": csrf_of(page), **answers,
                                        "action": "save"}, follow_redirects=False)
    assert saved.status_code == 303
    again = client.get(take_url).text
    assert again.count("checked") + again.count('value="10086"') >= 3
    one = client.post(f"{take_url}/answer", data={"csrf_token": csrf_of(page),
                                                  "position": "0"},
                      headers={"Accept": "application/json"})
    assert one.status_code == 200 and one.json()["saved"]
    done = client.post(take_url, data={"csrf_token": csrf_of(page), "action": "submit"},
                       follow_redirects=True)
    assert 'id="result"' in done.text
    late = client.post(f"{take_url}/answer", data={"csrf_token": csrf_of(page),
                                                   "position": "0", "q0": "1"},
                       headers={"Accept": "application/json"})
    assert late.status_code == 409
    assert "页面考试" in client.get("/exams/mine").text
    assert client.get("/exams/questions").status_code == 403
    _logout(client)

    web_login(client, "trainer")
    results = client.get(exam_url).text
    assert "/review" in results
    analysis = client.get(f"{exam_url}/analysis")
    assert analysis.status_code == 200 and 'id="items"' in analysis.text
    review_url = re.findall(r'href="(/exams/attempts/\d+/review)"', results)[0]
    assert client.get(review_url).status_code == 200


def test_the_import_template_reads_back(client: TestClient, db: Session, world: World) -> None:
    web_login(client, "trainer")
    page = client.get("/exams/import").text
    for fmt in ("csv", "xlsx"):
        template = client.get(f"/exams/import/template?format={fmt}")
        assert template.status_code == 200
        imported = client.post("/exams/import", data={"csrf_token": csrf_of(page)}, files={
            "file": (f"template.{fmt}", template.content, "application/octet-stream")})
        assert imported.status_code == 200, imported.text
        assert 'class="card import-report ok"' in imported.text
