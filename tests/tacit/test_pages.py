"""The pages: board, submitting, a contribution's forms, honours, leaderboard, inbox."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.conftest import csrf_of
from tests.factories import World, web_login
from tests.tacit.helpers import promoted, submit


def test_an_agent_submits_from_the_form_and_sees_it_on_the_board(
        client: TestClient, db: Session, world: World) -> None:
    web_login(client, "agent")
    form = client.get("/tacit/new").text
    response = client.post("/tacit/new", data={
        "csrf_token": csrf_of(form), "title": "宽带报障安抚话术", "content": "先致歉，再报时限",
        "kind": "script", "source": "self", "method_name": "",
        "queue_ids": [str(world.queues["A"].id)]}, follow_redirects=True)
    assert response.status_code == 200
    assert "谢谢！您的贡献正在等待筛选。" in response.text
    board = client.get("/tacit").text
    assert "宽带报障安抚话术" in board
    assert "挖掘路径" in board and "效果评估" in board  # a column per step
    assert "筛选" not in re.sub(r"筛选试行|待筛选|筛选太慢", "", client.get(
        response.url.path).text.split("<aside>")[0])  # no screening form for the author


def test_a_missing_title_is_shown_next_to_the_form(client: TestClient, world: World) -> None:
    web_login(client, "agent")
    form = client.get("/tacit/new").text
    response = client.post("/tacit/new", data={"csrf_token": csrf_of(form), "title": "",
                                               "content": "x", "kind": "case",
                                               "source": "self"})
    assert response.status_code == 422
    assert "标题: 此项为必填项。" in response.text


def test_the_screener_sees_the_form_and_the_inbox_item(client: TestClient, db: Session,
                                                      world: World) -> None:
    contribution = submit(db, world)
    db.commit()
    web_login(client, "reviewer")
    home = client.get("/").text
    assert 'data-kind="tacit.screen"' in home and "待筛选的经验贡献" in home
    inbox = client.get("/inbox").text
    assert "隐性知识流程中待我处理" in inbox and "工单拦截四步曲" in inbox
    page = client.get(f"/tacit/contributions/{contribution.id}").text
    assert 'id="screening"' in page
    response = client.post(f"/tacit/contributions/{contribution.id}/screen", data={
        "csrf_token": csrf_of(page), "decision": "trial", "category": "method",
        "timely": "4", "usable": "5", "accurate": "4", "generality": "3", "team": "雪豹小组",
        "trial_from": "2026-09-01", "trial_to": "2026-08-01", "reason": ""})
    assert response.status_code == 422
    assert "早于" in response.text  # the period ends before it starts


def test_evaluation_page_shows_the_result_in_words(client: TestClient, db: Session,
                                                   world: World) -> None:
    contribution = promoted(db, world)
    db.commit()
    web_login(client, "analyst")
    page = client.get(f"/tacit/contributions/{contribution.id}").text
    response = client.post(f"/tacit/contributions/{contribution.id}/figures", data={
        "csrf_token": csrf_of(page), "fcr.trial.before.n": "1000",
        "fcr.trial.before.successes": "800", "fcr.trial.after.n": "1000",
        "fcr.trial.after.successes": "850"}, follow_redirects=True)
    assert "提升5.00个百分点, p=0.003, 显著" in response.text
    assert "两比例z检验" in response.text
    bad = client.post(f"/tacit/contributions/{contribution.id}/figures.csv", data={
        "csrf_token": csrf_of(page)}, files={"file": ("f.csv", b"metric,team,phase,n\n"
                                                               b"fcr,trial,after,abc\n")})
    assert bad.status_code == 422
    assert "第 1 行：" in bad.text


def test_honours_leaderboard_and_points_pages(client: TestClient, db: Session, world: World
                                              ) -> None:
    web_login(client, "manager")
    wall = client.get("/tacit/honours").text
    response = client.post("/tacit/honours", data={
        "csrf_token": csrf_of(wall), "kind": "red_flag", "title": "流动红旗",
        "citation": "本月一次解决率第一", "team": "A组", "period": "2026-11"},
        follow_redirects=True)
    assert "本月一次解决率第一" in response.text
    assert client.get("/tacit/leaderboard?period=all").status_code == 200
    points = client.get("/tacit/points").text
    assert "contribution_promoted" in points and 'name="points"' in points
    web_login(client, "agent")
    agent_page = client.get("/tacit/points").text
    assert 'name="points"' not in agent_page
    refused = client.post("/tacit/points", data={"csrf_token": csrf_of(agent_page),
                                                 "code": "x", "points": "1"})
    assert refused.status_code == 403
    assert "您没有执行此操作的权限。" in refused.text
