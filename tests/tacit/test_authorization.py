"""Who may act in the tacit-knowledge pipeline, checked by the services themselves."""

from __future__ import annotations

from datetime import date
from typing import Any, cast

import pytest
from sqlalchemy.orm import Session

from seci.core.errors import PermissionDenied
from seci.tacit import evaluation as ev
from seci.tacit import honours, improvement, incentives, mining, promotion, screening
from seci.tacit.figures_csv import import_figures
from seci.tacit.models import Contribution
from tests.authorization import Case, allowances, check_allowed, check_refused, refusals
from tests.factories import World, make_article
from tests.tacit.helpers import FIGURES, SCORES, in_trial, promoted, submit

CSV = b"metric,team,phase,period,n,successes,mean,sd\nfcr,trial,before,2026-08,1000,800,,\n"


def _routed(db: Session, world: World) -> Contribution:
    return screening.route_to_department(
        db, contribution_id=submit(db, world).id, actor=world["reviewer"], screening=SCORES,
        department="IT", due=date(2026, 12, 31))


def _by_the_reviewer(db: Session, world: World) -> Contribution:
    return submit(db, world, author="reviewer")


def _with_article(db: Session, world: World) -> tuple[Contribution, int]:
    return submit(db, world), make_article(db, world, title="工单处理规范").id


def _with_figures(db: Session, world: World) -> Contribution:
    contribution = promoted(db, world)
    ev.save_figures(db, contribution_id=contribution.id, actor=world["analyst"], rows=FIGURES)
    return contribution


def _issue(db: Session, world: World) -> int:
    return improvement.raise_issue(db, step="screening", description="筛选等太久",
                                   actor=world["agent"]).id


CASES = [
    # Recording on an agent's behalf needs the record-for right.
    Case("submit_contribution", lambda db, w, actor, _: mining.submit_contribution(
        db, actor=actor, author=w["agent_data"], data=mining.ContributionInput(
            title="查询话费三步", content="先核身，再查询，最后复述。", kind="method",
            source="interview")), refused="agent", allowed="trainer"),
    Case("reject", lambda db, w, actor, c: screening.reject(
        db, contribution_id=c.id, actor=actor, screening=SCORES, reason="已有同类知识"),
        setup=submit, refused="editor", allowed="reviewer"),
    # Nobody decides on a contribution they wrote (four eyes).
    Case("start_trial", lambda db, w, actor, c: screening.start_trial(
        db, contribution_id=c.id, actor=actor, screening=SCORES, team="雪豹小组",
        starts=date(2026, 9, 1), ends=date(2026, 9, 30)), setup=_by_the_reviewer,
        refused="reviewer", allowed="manager"),
    Case("merge_into_article", lambda db, w, actor, pair: screening.merge_into_article(
        db, contribution_id=pair[0].id, actor=actor, screening=SCORES, article_id=pair[1]),
        setup=_with_article, refused="analyst", allowed="manager"),
    Case("route_to_department", lambda db, w, actor, c: screening.route_to_department(
        db, contribution_id=c.id, actor=actor, screening=SCORES, department="IT",
        due=date(2026, 12, 31)), setup=submit, refused="supervisor", allowed="reviewer"),
    Case("follow_up", lambda db, w, actor, c: screening.follow_up(
        db, contribution_id=c.id, actor=actor, note="请本周答复"), setup=_routed,
        refused="agent", allowed="manager"),
    Case("record_answer", lambda db, w, actor, c: screening.record_answer(
        db, contribution_id=c.id, actor=actor, answer="系统下月上线"), setup=_routed,
        refused="editor", allowed="reviewer"),
    Case("end_trial_unsuccessfully", lambda db, w, actor, c: (
        screening.end_trial_unsuccessfully(db, contribution_id=c.id, actor=actor,
                                           reason="试点效果不明显")),
        setup=in_trial, refused="trainer", allowed="reviewer"),
    Case("promote", lambda db, w, actor, c: promotion.promote(
        db, contribution_id=c.id, actor=actor, evaluation_owner_id=w["analyst"].id,
        evaluation_due=date(2026, 12, 31)), setup=in_trial, refused="reviewer",
        allowed="manager"),
    # A holder of tacit.evaluate who does not own the evaluation.
    Case("save_figures", lambda db, w, actor, c: ev.save_figures(
        db, contribution_id=c.id, actor=actor, rows=FIGURES), setup=promoted,
        refused="supervisor", allowed="analyst"),
    Case("import_figures", lambda db, w, actor, c: import_figures(
        db, contribution_id=c.id, actor=actor, data=CSV), setup=promoted,
        refused="agent", allowed="analyst"),
    Case("close_evaluation", lambda db, w, actor, c: ev.close_evaluation(
        db, contribution_id=c.id, actor=actor, verdict="effective", conclusion="一次解决率提升"),
        setup=_with_figures, refused="supervisor", allowed="analyst"),
    Case("award_honour", lambda db, w, actor, _: honours.award_honour(
        db, actor=actor, data=honours.HonourInput(
            kind="benchmark", title="标杆员工", citation="工单拦截四步曲", user_id=w["agent"].id,
            period="2026-11")), refused="supervisor", allowed="manager"),
    Case("award_manual_points", lambda db, w, actor, _: incentives.award_manual_points(
        db, actor=actor, user_id=w["agent"].id, reason_code="suggestion_adopted",
        source_type="manual", source_id=1, points=5), refused="reviewer", allowed="admin"),
    Case("set_rule", lambda db, w, actor, _: incentives.set_rule(
        db, code="mentoring", points=5, active=True, description="带教新人", actor=actor),
        refused="analyst", allowed="manager"),
    Case("raise_issue", lambda db, w, actor, _: improvement.raise_issue(
        db, step="screening", description="筛选等太久", actor=actor),
        refused=None, allowed="agent"),
    Case("resolve_issue", lambda db, w, actor, issue_id: improvement.resolve_issue(
        db, issue_id=issue_id, resolution="每周二集中筛选", actor=actor), setup=_issue,
        refused="reviewer", allowed="admin"),
]


@pytest.mark.parametrize(("case", "who"), refusals(CASES))
def test_refused(db: Session, world: World, case: Case, who: str) -> None:
    check_refused(db, world, case, who)


@pytest.mark.parametrize("case", allowances(CASES))
def test_allowed(db: Session, world: World, case: Case) -> None:
    check_allowed(db, world, case)


def test_a_file_is_refused_before_it_is_read(db: Session, world: World) -> None:
    """Not a report of the rows of a file the agent may not import at all."""
    contribution = promoted(db, world)
    with pytest.raises(PermissionDenied):
        import_figures(db, contribution_id=contribution.id, actor=world["agent"],
                       data=b"not,a,figures,file\n1,2\n")


def test_only_screeners_run_the_duplicate_check(db: Session, world: World) -> None:
    """Refused before the search engine is asked."""
    nowhere = cast(Any, None)
    with pytest.raises(PermissionDenied):
        screening.similar_articles(db, engine=nowhere, user=world["agent"],
                                   contribution=submit(db, world))
