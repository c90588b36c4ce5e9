"""The training pages: a trainer makes plans from a round and edits them, the agent marks a
lesson done on 我的培训计划, coaching pairs, monthly proposals and the loop page; bad input
answers 422 on the same page, others' plans 404."""

from __future__ import annotations

from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from seci.core.clock import today
from seci.people.training_models import TrainingPlan
from tests.conftest import csrf_of
from tests.factories import World, web_login
from tests.people.training import SECOND, closed_round, fill


def _logout(client: TestClient) -> None:
    client.post("/logout", data={"csrf_token": csrf_of(client.get("/").text)})


def test_plans_from_a_round_to_an_agent(client: TestClient, db: Session, world: World) -> None:
    _, found = closed_round(db, world)
    db.commit()
    web_login(client, "trainer")
    page = client.get("/competency/plans")
    assert page.status_code == 200
    assert "第一轮" in page.text
    bad = client.post("/competency/plans/generate", data={
        "csrf_token": csrf_of(page.text), "round_id": str(found.id), "threshold": "9",
        "margin": "0.3", "due_on": ""})
    assert bad.status_code == 422 and "field-error" in bad.text
    made = client.post("/competency/plans/generate", data={
        "csrf_token": csrf_of(page.text), "round_id": str(found.id), "threshold": "3.5",
        "margin": "0.3", "due_on": ""}, follow_redirects=False)
    assert made.status_code == 303, made.text
    plan_url = made.headers["location"].split("?")[0]
    plan_page = client.get(plan_url)
    assert "亲和力" in plan_page.text and "共性计划" in plan_page.text
    bad_item = client.post(f"{plan_url}/items", data={
        "csrf_token": csrf_of(plan_page.text), "kind": "session", "title": "演练",
        "session_at": "", "place": ""})
    assert bad_item.status_code == 422
    added = client.post(f"{plan_url}/items", data={
        "csrf_token": csrf_of(plan_page.text), "kind": "session", "title": "情景演练",
        "session_at": "2026-12-20T14:00", "place": "三楼"}, follow_redirects=False)
    assert added.status_code == 303
    plan_page = client.get(plan_url)
    item_id = plan_page.text.split("/items/")[1].split("/")[0]
    typo = client.post(f"{plan_url}/items/{item_id}/record", data={
        "csrf_token": csrf_of(plan_page.text), "agent_id": "X404"})
    assert typo.status_code == 422 and "field-error" in typo.text
    recorded = client.post(f"{plan_url}/items/{item_id}/record", data={
        "csrf_token": csrf_of(plan_page.text), "agent_id": "T004"}, follow_redirects=False)
    assert recorded.status_code == 303
    overview = client.get("/competency/plans").text
    assert "员工T003" in overview  # the personal plan
    _logout(client)

    web_login(client, "agent")
    mine = client.get("/competency/my-plans")
    assert "亲和力" in mine.text and "情景演练" in mine.text
    plan = db.scalar(select(TrainingPlan).where(TrainingPlan.kind == "common"))
    assert plan is not None
    item_id = mine.text.split("/competency/my-plans/items/")[1].split('"')[0]
    lesson = client.get(f"/competency/my-plans/items/{item_id}")
    assert lesson.status_code == 200 and "语气温和" in lesson.text
    done = client.post(f"/competency/my-plans/items/{item_id}/done",
                       data={"csrf_token": csrf_of(lesson.text)}, follow_redirects=False)
    assert done.status_code == 303
    assert client.get("/competency/my-plans").text.count("tp-row tp-done") == 1
    assert client.get(f"/competency/plans/{plan.id}").status_code == 404
    assert client.get("/competency/plans").status_code == 403


def test_coaching_monthly_and_loop_pages(client: TestClient, db: Session, world: World) -> None:
    team, found = closed_round(db, world)
    db.commit()
    web_login(client, "trainer")
    page = client.get("/competency/coaching")
    assert page.status_code == 200
    same = client.post("/competency/coaching", data={
        "csrf_token": csrf_of(page.text), "coach": "T002", "mentee": "T002",
        "starts_on": today().isoformat(), "ends_on": (today() + timedelta(days=30)).isoformat()})
    assert same.status_code == 422 and "field-error" in same.text
    made = client.post("/competency/coaching", data={
        "csrf_token": csrf_of(page.text), "coach": "T002", "mentee": "T001",
        "coach_team": "亲和力小组", "starts_on": today().isoformat(),
        "ends_on": (today() + timedelta(days=30)).isoformat(), "round_id": str(found.id),
        "target_score": "3.5", "target_fcr": "70"}, follow_redirects=False)
    assert made.status_code == 303, made.text
    pair_url = made.headers["location"].split("?")[0]
    pair = client.get(pair_url)
    assert "员工T001" in pair.text
    no_outcome = client.post(f"{pair_url}/end", data={
        "csrf_token": csrf_of(pair.text), "succeeded": "yes", "outcome": ""})
    assert no_outcome.status_code == 422
    honour = client.post(f"{pair_url}/end", data={
        "csrf_token": csrf_of(pair.text), "succeeded": "yes", "outcome": "进步",
        "honour_title": "金牌师傅"})
    assert honour.status_code == 409  # a trainer holds no honours right
    ended = client.post(f"{pair_url}/end", data={
        "csrf_token": csrf_of(pair.text), "succeeded": "yes", "outcome": "进步明显"},
        follow_redirects=True)
    assert "20" in ended.text

    plans_page = client.get("/competency/plans")
    monthly = client.post("/competency/plans/monthly", data={
        "csrf_token": csrf_of(plans_page.text), "team": "测试组",
        "month": today().strftime("%Y-%m"), "title": "本月在岗培训"}, follow_redirects=True)
    assert monthly.status_code == 200 and "本月在岗培训" in monthly.text

    loop_page = client.get(f"/competency/rounds/{found.id}/loop")
    assert loop_page.status_code == 200
    reassess = client.post(f"/competency/rounds/{found.id}/reassess", data={
        "csrf_token": csrf_of(loop_page.text), "title": "复评",
        "deadline": (today() + timedelta(days=7)).isoformat()}, follow_redirects=False)
    assert reassess.status_code == 303, reassess.text
    from seci.people import loop
    second = loop.reassessment_round(db, found.id)
    assert second is not None
    fill(db, world, team, second, SECOND)
    db.commit()
    report = client.get(f"/competency/rounds/{found.id}/loop?comparison_team=")
    assert report.status_code == 200
    assert 'id="decision"' in report.text and "item-changes" in report.text
