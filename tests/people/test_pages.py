"""The competency pages: a trainer opens a round, the agent fills a form on the page, the
trainer reads the results; the model editor; refusals answer 403/404, bad input 422."""

from __future__ import annotations

import re
from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from seci.core.clock import today
from tests.conftest import csrf_of
from tests.factories import World, web_login
from tests.people.helpers import TEAM, make_team


def _logout(client: TestClient) -> None:
    client.post("/logout", data={"csrf_token": csrf_of(client.get("/").text)})


def test_round_form_and_results_pages(client: TestClient, db: Session, world: World) -> None:
    team = make_team(db, world)
    db.commit()
    web_login(client, "trainer")
    hub = client.get("/competency").text
    assert "新建评估" in hub or "/competency/rounds/new" in hub
    page = client.get("/competency/rounds/new").text
    bad = client.post("/competency/rounds", data={
        "csrf_token": csrf_of(page), "model_id": str(team.model.id), "team": TEAM,
        "title": "", "deadline": "not-a-day", "self_weight": "20", "supervisor_weight": "40",
        "peer_weight": "40", "peers_per_agent": "1"})
    assert bad.status_code == 422
    response = client.post("/competency/rounds", data={
        "csrf_token": csrf_of(page), "model_id": str(team.model.id), "team": TEAM,
        "title": "页面轮", "deadline": (today() + timedelta(days=3)).isoformat(),
        "self_weight": "20", "supervisor_weight": "40", "peer_weight": "40",
        "peers_per_agent": "1"}, follow_redirects=False)
    assert response.status_code == 303, response.text
    round_url = response.headers["location"].split("?")[0]
    assert "页面轮" in client.get(round_url).text
    assert client.get("/competency/reminders").status_code == 200
    _logout(client)

    web_login(client, "agent")
    hub = client.get("/competency").text
    form_url = re.findall(r'href="(/competency/forms/\d+)"', hub)[0]
    form_page = client.get(form_url).text
    qids = re.findall(r'name="q(\d+)"', form_page)
    assert len(set(qids)) == 3
    partial = client.post(form_url, data={"csrf_token": csrf_of(form_page), f"q{qids[0]}": "4",
                                          "action": "submit"})
    assert partial.status_code == 422  # the missing questions are shown, the answer kept
    assert 'value="4" checked' in partial.text
    done = client.post(form_url, data={"csrf_token": csrf_of(form_page), "comment": "不错",
                                       "action": "submit",
                                       **{f"q{q}": "5" for q in set(qids)}},
                       follow_redirects=False)
    assert done.status_code == 303
    assert client.get(round_url).status_code == 404  # an agent may not see the round
    _logout(client)

    web_login(client, "trainer")
    results = client.get(round_url).text
    assert "团队结果" in results or "team-results" in results
    person = re.findall(r'href="(/competency/rounds/\d+/people/\d+)"', results)[0]
    assert client.get(person).status_code == 200
    bad_figures = client.post(round_url + "/figures", data={
        "csrf_token": csrf_of(results), "measure": "绩效", "figures": "T001 ninety"})
    assert bad_figures.status_code == 422
    figures = client.post(round_url + "/figures", data={
        "csrf_token": csrf_of(results), "measure": "绩效", "figures": "T001, 90\nT002, 80"},
        follow_redirects=False)
    assert figures.status_code == 303
    assert "绩效" in client.get(round_url + "?measure=绩效").text
    profile = client.post("/competency/profiles/T001", data={
        "csrf_token": csrf_of(results), "gender": "female", "birth_year": "1996",
        "education": "college", "rank": "二级", "communication_style": "amiable",
        "back": person}, follow_redirects=False)
    assert profile.status_code == 303
    assert client.post("/competency/profiles/T001", data={
        "csrf_token": csrf_of(results), "gender": "robot"}).status_code == 422
    assert client.get(round_url + "?measure=unknown&score=nothing").status_code == 200
    close = client.post(round_url + "/close", data={"csrf_token": csrf_of(results)},
                        follow_redirects=False)
    assert close.status_code == 303
    _logout(client)

    web_login(client, "agent")
    mine = client.get("/competency/me").text
    assert "页面轮" in mine and "chart-own-0" in mine


def test_model_editor(client: TestClient, db: Session, world: World) -> None:
    web_login(client, "trainer")
    hub = client.get("/competency").text
    made = client.post("/competency/models", data={"csrf_token": csrf_of(hub), "name": "模板副本"},
                       follow_redirects=False)
    assert made.status_code == 303
    url = made.headers["location"].split("?")[0]
    page = client.get(url).text
    assert page.count('_text" value="') >= 33
    fields = dict(re.findall(r'name="([^"]+)"[^>]*? value="([^"]*)"', page))
    fields["d0_i0_name"] = "人际沟通能力"
    fields["d3_name"] = "新维度"  # a new dimension without an item: refused at its item
    fields["csrf_token"] = csrf_of(page)
    refused = client.post(url, data=fields)
    assert refused.status_code == 422
    fields["d3_name"] = ""
    saved = client.post(url, data=fields, follow_redirects=False)
    assert saved.status_code == 303, saved.text
    assert "人际沟通能力" in client.get(url).text
    _logout(client)
    web_login(client, "agent")
    assert client.get(url).status_code == 403
