"""The QA pages: draw a sample, score its calls, appeal and decide, keep scorecards —
through the forms, as each role."""

from __future__ import annotations

import re
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from seci.audit.models import AuditEvent
from seci.quality.models import QaAppeal, QaSample, QaScore, Scorecard
from seci.quality.sampling import sample_call_ids
from tests.calls.helpers import call
from tests.conftest import csrf_of
from tests.factories import World, web_login
from tests.quality.helpers import import_calls, link_agent, small_scorecard


def _setup(db: Session, world: World, tmp_path: Path) -> Scorecard:
    turns = [{"speaker": "agent", "text": "您好，工号1001为您服务", "start_ms": 0},
             {"speaker": "customer", "text": "我的号码是138****5678，流量怎么超了",
              "start_ms": 4200}]
    import_calls(db, world, tmp_path, [
        call(f"P{i}", agent_id="A1001", turns=turns,
             started_at=f"2026-09-{7 + i:02d}T{8 + 3 * i:02d}:10:00+08:00")
        for i in range(4)])
    link_agent(db, "A1001", world["agent"])
    return small_scorecard(db, world)


def _forms_have_csrf(html: str) -> None:
    for form in re.findall(r"<form[^>]*method=\"post\".*?</form>", html, flags=re.S):
        assert 'name="csrf_token"' in form, form[:120]


def test_inspector_draws_scores_and_the_agent_appeals(
        client: TestClient, db: Session, world: World, tmp_path: Path) -> None:
    card = _setup(db, world, tmp_path)
    web_login(client, "reviewer")
    home = client.get("/qa")
    assert home.status_code == 200 and 'id="draw-form"' in home.text
    _forms_have_csrf(home.text)
    drawn = client.post("/qa/samples", follow_redirects=False, data={
        "csrf_token": csrf_of(home.text), "name": "九月抽检", "scorecard_id": str(card.id),
        "start": "2026-09-01", "end": "2026-09-30", "size": "3", "seed": "11",
        "dimensions": ["time"], "with_transcripts": ["off", "on"]})
    assert drawn.status_code == 303, drawn.text
    sample = db.scalars(select(QaSample)).one()
    assert drawn.headers["location"].startswith(f"/qa/samples/{sample.id}")
    assert (sample.seed, sample.name, sample.params["dimensions"]) == (11, "九月抽检", ["time"])
    page = client.get(f"/qa/samples/{sample.id}")
    assert page.status_code == 200 and 'id="strata"' in page.text and "0/3" in page.text

    first = sample_call_ids(db, sample_id=sample.id)[0]
    nxt = client.get(f"/qa/samples/{sample.id}/next", follow_redirects=False)
    assert nxt.headers["location"] == f"/qa/samples/{sample.id}/calls/{first}"
    form = client.get(nxt.headers["location"])
    assert form.status_code == 200
    assert "138****5678" in form.text and 'class="qa-turn qa-turn-customer"' in form.text
    assert db.scalar(select(AuditEvent).where(AuditEvent.action == "calls.transcript_view",
                                              AuditEvent.entity_id == first))
    items = {i.name: i.id for i in card.items}
    bad = client.post(f"/qa/samples/{sample.id}/calls/{first}", data={
        "csrf_token": csrf_of(form.text), f"points_{items['开场白规范']}": "9",
        f"points_{items['需求理解准确']}": "8", f"points_{items['业务解答准确']}": "12",
        "then": "next"})
    assert bad.status_code == 422 and 'aria-invalid="true"' in bad.text
    saved = client.post(f"/qa/samples/{sample.id}/calls/{first}", follow_redirects=False,
                        data={"csrf_token": csrf_of(form.text),
                              f"points_{items['开场白规范']}": "4",
                              f"points_{items['需求理解准确']}": "8",
                              f"points_{items['业务解答准确']}": "12",
                              "comment": "未复述客户诉求", "then": "next"})
    assert saved.status_code == 303
    assert saved.headers["location"].startswith(f"/qa/samples/{sample.id}/calls/")
    score = db.scalars(select(QaScore)).one()
    assert (score.total, score.passed, score.sample_id) == (80.0, True, sample.id)
    assert "1/3" in client.get(f"/qa/samples/{sample.id}").text

    # the agent sees it among their scores and appeals from there
    client.post("/logout", data={"csrf_token": csrf_of(form.text)})
    web_login(client, "agent")
    assert client.get("/qa", follow_redirects=False).headers["location"] == "/qa/mine"
    mine = client.get("/qa/mine")
    assert first in mine.text and 'id="my-figures"' in mine.text
    _forms_have_csrf(mine.text)
    appealed = client.post(f"/qa/scores/{score.id}/appeal", follow_redirects=False, data={
        "csrf_token": csrf_of(mine.text), "reason": "02:10 处已复述", "back": "mine"})
    assert appealed.status_code == 303
    assert db.scalars(select(QaAppeal)).one().reason == "02:10 处已复述"
    assert client.get(f"/qa/samples/{sample.id}").status_code == 403

    # a QA manager other than the inspector decides
    client.post("/logout", data={"csrf_token": csrf_of(mine.text)})
    web_login(client, "manager")
    inbox = client.get("/qa/appeals")
    assert first in inbox.text
    detail = client.get(f"/qa/scores/{score.id}")
    assert 'id="decide-form"' in detail.text
    appeal = db.scalars(select(QaAppeal)).one()
    missing_note = client.post(f"/qa/appeals/{appeal.id}/decide", data={
        "csrf_token": csrf_of(detail.text), "decision": "upheld", "note": "",
        **{f"points_{i}": str(p) for i, p in zip(items.values(), (4, 8, 12), strict=True)}})
    assert missing_note.status_code == 422
    revised = client.post(f"/qa/appeals/{appeal.id}/decide", follow_redirects=False, data={
        "csrf_token": csrf_of(detail.text), "decision": "revised", "note": "已复述",
        **{f"points_{i}": str(p) for i, p in zip(items.values(), (4, 10, 12), strict=True)}})
    assert revised.status_code == 303
    db.refresh(score)
    assert round(score.total, 2) == 86.67 and score.status == "revised"


def test_the_inspector_of_a_score_is_not_offered_the_decision(
        client: TestClient, db: Session, world: World, tmp_path: Path) -> None:
    card = _setup(db, world, tmp_path)
    from seci.quality.appeals import file_appeal
    from seci.quality.scoring import score_call
    from tests.quality.helpers import marks

    score, _ = score_call(db, actor=world["reviewer"], call_id="P0", scorecard_id=card.id,
                          marks=marks(card, [5, 10, 15]))
    file_appeal(db, actor=world["agent"], score_id=score.id, reason="理由")
    db.commit()
    web_login(client, "reviewer")
    assert 'id="decide-form"' not in client.get(f"/qa/scores/{score.id}").text
    inbox = client.get("/qa/appeals").text
    assert "P0" in inbox and f'href="/qa/scores/{score.id}#decide"' not in inbox
    web_login(client, "manager")
    assert f'href="/qa/scores/{score.id}#decide"' in client.get("/qa/appeals").text


def test_scorecard_editor_reports_problems_at_the_rows(
        client: TestClient, db: Session, world: World) -> None:
    web_login(client, "manager")
    new = client.get("/qa/scorecards/new?start=default")
    assert new.status_code == 200 and "业务解答准确" in new.text
    _forms_have_csrf(new.text)
    data = {"csrf_token": csrf_of(new.text), "name": "新表", "pass_mark": "80",
            "item_name_0": "开场白", "item_max_0": "0", "item_name_1": "礼貌用语",
            "item_max_1": "10", "item_name_2": "", "item_max_2": ""}
    bad = client.post("/qa/scorecards", data=data)
    assert bad.status_code == 422 and 'id="error-item_max_0"' in bad.text
    saved = client.post("/qa/scorecards", follow_redirects=False,
                        data=data | {"item_max_0": "5", "item_critical_1": "on"})
    assert saved.status_code == 303
    card = db.scalars(select(Scorecard).where(Scorecard.name == "新表")).one()
    assert [(i.name, i.max_points, i.critical) for i in card.items] == [
        ("开场白", 5, False), ("礼貌用语", 10, True)]
    listing = client.get("/qa/scorecards")
    assert "新表" in listing.text
    web_login(client, "agent")
    assert client.get("/qa/scorecards").status_code == 403


def test_team_lead_sees_the_team_scores_page(client: TestClient, db: Session, world: World,
                                             tmp_path: Path) -> None:
    card = _setup(db, world, tmp_path)
    from seci.quality.scoring import score_call
    from tests.quality.helpers import marks

    score_call(db, actor=world["reviewer"], call_id="P1", scorecard_id=card.id,
               marks=marks(card, [5, 10, 15]))
    world["supervisor"].team = "A组"
    db.commit()
    web_login(client, "supervisor")
    page = client.get("/qa/scores")
    assert page.status_code == 200 and "P1" in page.text and 'id="agent-figures"' in page.text
    web_login(client, "analyst")
    assert client.get("/qa/scores").status_code == 403
