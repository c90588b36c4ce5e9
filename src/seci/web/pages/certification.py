"""Certification per queue and growth stages (技能鉴定): for managers a queue's requirements
and the stage rules, a grant with a reason and revocation; for trainers and team leads the
evaluation of a team against a queue, "grant when met" in one step, certifications expiring
within 30 days, re-certification due, readiness for the next stage and moving up; for
agents 我的证书."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response

from seci.accounts.models import User
from seci.core.errors import FieldErrors, SeciError
from seci.core.http import CurrentUser, SessionDep
from seci.core.i18n import N_, gettext
from seci.core.messages import describe_error, describe_problem
from seci.people import access, certification, stages
from seci.people.certification import STAGE_ORDER, RequirementData
from seci.web.pages.common import Form, field, redirect
from seci.web.templating import render

router = APIRouter(include_in_schema=False)

FLASH = {
    "requirement_saved": N_("Requirements saved: agents join this queue only when certified."),
    "requirement_cleared": N_("Requirements removed: the queue is open to every agent."),
    "granted": N_("Certification granted."),
    "team_granted": N_("{n} agents certified."),
    "revoked": N_("Certification revoked."),
    "rule_saved": N_("Stage rules saved."),
    "moved_up": N_("Agent moved to the next growth stage."),
}
CHECK_LABELS = {
    "exam": N_("Exam"), "item": N_("Competency item"), "stage": N_("Growth stage"),
    "fcr": N_("First-contact resolution"), "satisfaction": N_("Satisfaction"),
    "tenure": N_("Tenure (months)"), "certifications": N_("Certifications held"),
}
BASIS_LABELS = {"rules": N_("Requirements met"), "manager": N_("Granted by a manager")}


def check_label(kind: str) -> str:
    text = CHECK_LABELS.get(kind)
    return gettext(text) if text else kind


def basis_label(basis: str) -> str:
    text = BASIS_LABELS.get(basis)
    return gettext(text) if text else basis


def _figure(value: object) -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:.2f}"
    return str(value)


def _float(value: str) -> float | None:
    value = value.strip()
    if not value:
        return None
    try:
        return float(value)
    except ValueError:
        raise FieldErrors([{"field": "value", "code": "invalid_choice", "value": value}]
                          ) from None


def _int(value: str, default: int) -> int:
    try:
        return int(value.strip()) if value.strip() else default
    except ValueError:
        raise FieldErrors([{"field": "value", "code": "invalid_choice", "value": value}]
                          ) from None


def _flash(request: Request) -> str | None:
    key = request.query_params.get("flash", "")
    text = FLASH.get(key)
    if text is None:
        return None
    return gettext(text, n=request.query_params.get("n", ""))


def _cert_page(request: Request, db: SessionDep, user: User, *, team: str | None = None,
               queue_id: int | None = None, error: str | None = None,
               status_code: int = 200) -> HTMLResponse:
    context: dict[str, Any] = {
        "own": certification.own_certifications(db, actor=user),
        "reader": access.may_read_certification(user),
        "manager": access.may_manage_certification(user),
        "flash": _flash(request), "error": error, "check_label": check_label,
        "basis_label": basis_label, "figure": _figure, "stages": STAGE_ORDER,
    }
    if context["reader"]:
        context |= {
            "requirements": certification.list_requirements(db, actor=user),
            "exam_titles": certification.exam_choices(db, actor=user),
            "items": certification.item_choices(db, actor=user),
            "expiring": certification.expiring_certifications(db, actor=user),
            "recert": certification.recertification_due(db, actor=user),
            "held": certification.list_certifications(db, actor=user),
            "team": team or user.team or "", "queue_id": queue_id,
            "teams": certification.team_choices(db, actor=user),
            "evaluations": None,
            "agents": certification.agent_choices(db, actor=user) if context["manager"] else [],
        }
        if team and queue_id:
            try:
                context["evaluations"] = certification.evaluate_team(
                    db, actor=user, team=team, queue_id=queue_id)
            except SeciError as problem:
                if problem.status_code == 403:
                    raise
                context["error"] = describe_error(problem)
    return render(request, "competency/cert.html", context, user=user,
                  status_code=status_code)


@router.get("/competency/certification", response_class=HTMLResponse)
def cert_page(request: Request, db: SessionDep, user: CurrentUser,
              team: str | None = Query(default=None, max_length=40),
              queue_id: int | None = None) -> HTMLResponse:
    """Requirements per queue, a team's evaluation, expiring and re-certification lists,
    and one's own certificates."""
    return _cert_page(request, db, user, team=team, queue_id=queue_id)


def _problem_text(error: SeciError) -> str:
    if isinstance(error, FieldErrors):
        return "；".join(describe_problem(e) for e in error.errors)
    return describe_error(error)


def _on_error(request: Request, db: SessionDep, user: User, error: SeciError,
              **kwargs: Any) -> HTMLResponse:
    if error.status_code == 403:
        raise error
    db.rollback()
    return _cert_page(request, db, user, error=_problem_text(error),
                      status_code=error.status_code, **kwargs)


def _rules(form: Form, name: str, value_name: str) -> list[tuple[int, float]]:
    """Rows of a rule list: ``name`` holds the chosen ids, ``value_name`` the minimums."""
    chosen = form.getlist(name)
    values = form.getlist(value_name)
    rows = []
    for raw_id, raw_value in zip(chosen, values, strict=False):
        if str(raw_id).strip():
            minimum = _float(str(raw_value))
            if minimum is None:
                raise FieldErrors([{"field": value_name, "code": "required"}])
            rows.append((_int(str(raw_id), -1), minimum))
    return rows


@router.post("/competency/certification/requirements/{queue_id}")
def save_requirement(request: Request, db: SessionDep, user: CurrentUser, form: Form,
                     queue_id: int) -> Response:
    try:
        if field(form, "clear") == "on":
            certification.clear_requirement(db, actor=user, queue_id=queue_id)
            return redirect("/competency/certification", "requirement_cleared")
        fcr = _float(field(form, "min_fcr"))
        certification.set_requirement(db, actor=user, queue_id=queue_id, data=RequirementData(
            exam_rules=_rules(form, "exam_id", "exam_min"),
            item_rules=_rules(form, "item_id", "item_min"),
            min_stage=field(form, "min_stage") or None,
            min_fcr=fcr / 100 if fcr is not None else None,
            min_satisfaction=_float(field(form, "min_satisfaction")),
            validity_months=_int(field(form, "validity_months"), 12)))
    except SeciError as error:
        return _on_error(request, db, user, error)
    return redirect("/competency/certification", "requirement_saved")


@router.post("/competency/certification/grant-team")
def grant_team(request: Request, db: SessionDep, user: CurrentUser, form: Form) -> Response:
    team = field(form, "team")
    queue_id = _int(field(form, "queue_id"), -1)
    try:
        report = certification.grant_when_met(db, actor=user, team=team, queue_id=queue_id)
    except SeciError as error:
        return _on_error(request, db, user, error, team=team, queue_id=queue_id)
    return redirect("/competency/certification", "team_granted", n=len(report.granted),
                    team=team, queue_id=queue_id)


@router.post("/competency/certification/grant")
def grant(request: Request, db: SessionDep, user: CurrentUser, form: Form) -> Response:
    try:
        certification.grant_by_manager(
            db, actor=user, user_id=_int(field(form, "user_id"), -1),
            queue_id=_int(field(form, "queue_id"), -1), reason=field(form, "reason"))
    except SeciError as error:
        return _on_error(request, db, user, error)
    return redirect("/competency/certification", "granted")


@router.post("/competency/certification/{certification_id}/revoke")
def revoke(request: Request, db: SessionDep, user: CurrentUser, form: Form,
           certification_id: int) -> Response:
    try:
        certification.revoke(db, actor=user, certification_id=certification_id,
                             reason=field(form, "reason"))
    except SeciError as error:
        return _on_error(request, db, user, error)
    return redirect("/competency/certification", "revoked")


# --- growth stages ------------------------------------------------------------------------

def _stages_page(request: Request, db: SessionDep, user: User, *, team: str | None = None,
                 error: str | None = None, status_code: int = 200) -> HTMLResponse:
    evaluations = stages.evaluate_stages(db, actor=user, team=team or None)
    return render(request, "competency/stages.html", {
        "rules": stages.list_stage_rules(db, actor=user),
        "quality": stages.stage_quality(db, actor=user),
        "evaluations": evaluations, "team": team or "",
        "manager": access.may_manage_certification(user), "stages": STAGE_ORDER,
        "flash": _flash(request), "error": error, "check_label": check_label,
        "figure": _figure,
    }, user=user, status_code=status_code)


@router.get("/competency/stages", response_class=HTMLResponse)
def stages_page(request: Request, db: SessionDep, user: CurrentUser,
                team: str | None = Query(default=None, max_length=40)) -> HTMLResponse:
    """Stage rules, number and quality per stage and queue, who is ready to move up."""
    return _stages_page(request, db, user, team=team)


@router.post("/competency/stages/rules/{stage}")
def save_stage_rule(request: Request, db: SessionDep, user: CurrentUser, form: Form,
                    stage: str) -> Response:
    try:
        fcr = _float(field(form, "min_fcr"))
        stages.set_stage_rule(db, actor=user, stage=stage, data=stages.StageRuleData(
            min_tenure_months=_int(field(form, "min_tenure_months"), 0),
            min_certifications=_int(field(form, "min_certifications"), 0),
            min_fcr=fcr / 100 if fcr is not None else None,
            min_satisfaction=_float(field(form, "min_satisfaction"))))
    except SeciError as error:
        if error.status_code == 403:
            raise
        db.rollback()
        return _stages_page(request, db, user, error=_problem_text(error),
                            status_code=error.status_code)
    return redirect("/competency/stages", "rule_saved")


@router.post("/competency/stages/{roster_agent_id}/move-up")
def move_up(request: Request, db: SessionDep, user: CurrentUser, form: Form,
            roster_agent_id: int) -> Response:
    try:
        stages.move_up(db, actor=user, roster_agent_id=roster_agent_id,
                       reason=field(form, "reason"))
    except SeciError as error:
        if error.status_code in (403, 404):
            raise
        db.rollback()
        return _stages_page(request, db, user, error=_problem_text(error),
                            status_code=error.status_code)
    return redirect("/competency/stages", "moved_up")
