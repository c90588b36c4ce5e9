"""Post-linkage pages (岗位联动): the tracker, one notice's chain with each post's action,
the trainer's quiz editor, the agents' quiz, coverage per team."""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from starlette.datastructures import FormData

from seci.accounts.roles import Perm
from seci.accounts.service import list_queues, users_by_id
from seci.core.errors import FieldErrors
from seci.core.http import CurrentUser, SessionDep
from seci.knowledge import modules as mod
from seci.knowledge.lookups import load_lookups
from seci.knowledge.validation import date_problem, parse_date
from seci.linkage import access, chain, coverage, flags, notices, quiz
from seci.linkage.models import Notice
from seci.web.pages.common import Form, field, ids, messages_by_field, optional_int, redirect
from seci.web.templating import render

router = APIRouter(include_in_schema=False)
QUIZ_SLOTS = 3  # question blocks on the quiz editor


@router.get("/notices", response_class=HTMLResponse)
def tracker(request: Request, db: SessionDep, user: CurrentUser) -> HTMLResponse:
    """Every notice with the status of each post; the overdue posts."""
    return render(request, "linkage/tracker.html", {
        "chains": chain.chains_for(db, actor=user),
        "overdue": chain.overdue_steps(db, actor=user)
        if access.may_view_tracker(user) else [],
    }, user=user)


@router.get("/notices/new", response_class=HTMLResponse)
def new_notice(request: Request, db: SessionDep, user: CurrentUser) -> HTMLResponse:
    access.require_manage(user)
    return _new_notice_page(request, db, user)


def _new_notice_page(request: Request, db: SessionDep, user: CurrentUser, *,
                     values: dict[str, Any] | None = None,
                     errors: dict[str, str] | None = None,
                     status_code: int = 200) -> HTMLResponse:
    return render(request, "linkage/new.html", {
        "tree": mod.build_tree(db), "queues": list_queues(db),
        "values": values or {}, "errors": errors or {}}, user=user, status_code=status_code)


NOTICE_FIELDS = ("title", "body", "reference", "module_id", "queue_ids", "effective_on")


def _effective_day(form: FormData) -> date | None:
    value = field(form, "effective_on").strip()
    try:
        return parse_date(value) if value else None
    except ValueError as error:
        raise FieldErrors([{"field": "effective_on", "code": date_problem(error),
                            "value": value}]
                          ) from None


@router.post("/notices")
def create(request: Request, db: SessionDep, user: CurrentUser, form: Form) -> Response:
    try:
        notice = notices.create_notice(
            db, actor=user, title=field(form, "title"), body=field(form, "body"),
            reference=field(form, "reference"),
            module_id=optional_int(field(form, "module_id")) or 0,
            queue_ids=ids(form, "queue_ids"), effective_on=_effective_day(form))
    except FieldErrors as error:  # shown at the fields, nothing typed is lost
        values: dict[str, Any] = {name: field(form, name) for name in NOTICE_FIELDS}
        values["queue_ids"] = ids(form, "queue_ids")
        return _new_notice_page(request, db, user, values=values,
                                errors=messages_by_field(error, NOTICE_FIELDS),
                                status_code=422)
    return redirect(f"/notices/{notice.id}", "notice_created")


def _visible(db: SessionDep, user: CurrentUser, notice_id: int) -> Notice:
    return notices.get_visible_notice(db, user=user, notice_id=notice_id)


@router.get("/notices/{notice_id}", response_class=HTMLResponse)
def detail(request: Request, db: SessionDep, user: CurrentUser, notice_id: int
           ) -> HTMLResponse:
    """The chain: each post's status, progress and deadline, and what the reader can do."""
    notice = _visible(db, user, notice_id)
    found = quiz.find_quiz(db, notice_id=notice.id)
    attempt = quiz.best_attempt(db, notice_id=notice.id, user_id=user.id)
    return render(request, "linkage/notice.html", {
        "notice": notice, "chain": chain.notice_chain(db, notice=notice),
        "articles": notices.linked_articles(db, notice_id=notice.id),
        "look": load_lookups(db, [notice.created_by_id]),
        "has_quiz": found is not None, "attempt": attempt,
        "acked": user.id in coverage.acknowledged_user_ids(db, notice_id=notice.id),
        "flags": flags.call_flags(db, notice_id=notice.id, actor=user)
        if access.may_view_tracker(user) else [],
        "agents": coverage.expected_agents(db, notice=notice)
        if user.can(Perm.CALL_FLAG) else [],
        "for_me": access.is_for(user, notice),
    }, user=user)


@router.post("/notices/{notice_id}/drafts")
def draft(db: SessionDep, user: CurrentUser, form: Form, notice_id: int) -> Response:
    notices.draft_article(db, notice_id=notice_id, actor=user, title=field(form, "title"),
                          body=field(form, "body"))
    return redirect(f"/notices/{notice_id}", "notice_drafted")


@router.post("/notices/{notice_id}/submit")
def submit(db: SessionDep, user: CurrentUser, form: Form, notice_id: int) -> Response:
    del form  # checked for its CSRF token
    notices.submit_drafts(db, notice_id=notice_id, actor=user)
    return redirect(f"/notices/{notice_id}", "notice_submitted")


@router.post("/notices/{notice_id}/release")
def release(db: SessionDep, user: CurrentUser, form: Form, notice_id: int) -> Response:
    del form
    notices.release_notice(db, notice_id=notice_id, actor=user)
    return redirect(f"/notices/{notice_id}", "notice_released")


@router.post("/notices/{notice_id}/acknowledge")
def acknowledge(db: SessionDep, user: CurrentUser, form: Form, notice_id: int) -> Response:
    del form
    coverage.acknowledge_notice(db, notice_id=notice_id, user=user)
    return redirect(f"/notices/{notice_id}", "notice_acked")


@router.post("/notices/{notice_id}/call-flags")
def call_flag(db: SessionDep, user: CurrentUser, form: Form, notice_id: int) -> Response:
    flags.flag_wrong_answer(db, notice_id=notice_id, actor=user,
                            article_id=optional_int(field(form, "article_id")) or 0,
                            call_ref=field(form, "call_ref"), comment=field(form, "comment"),
                            agent_id=optional_int(field(form, "agent_id")))
    return redirect(f"/notices/{notice_id}", "call_flagged")


# --- quiz ----------------------------------------------------------------------------------


@router.get("/notices/{notice_id}/quiz/edit", response_class=HTMLResponse)
def quiz_editor(request: Request, db: SessionDep, user: CurrentUser, notice_id: int
                ) -> HTMLResponse:
    notice, found, questions = quiz.quiz_for_editing(db, notice_id=notice_id, actor=user)
    return render(request, "linkage/quiz_edit.html", {
        "notice": notice, "quiz": found, "questions": questions,
        "slots": max(QUIZ_SLOTS, len(questions))}, user=user)


def _question_specs(form: FormData) -> list[quiz.QuestionSpec]:
    """Filled-in blocks of the editor: text, options one per line, right option number."""
    specs = []
    for slot in range(1, 21):
        text = field(form, f"q{slot}_text").strip()
        if not text:
            continue
        options = [line.strip() for line in field(form, f"q{slot}_options").splitlines()
                   if line.strip()]
        number = optional_int(field(form, f"q{slot}_answer")) or 0
        specs.append(quiz.QuestionSpec(text, options, number - 1))
    return specs


@router.post("/notices/{notice_id}/quiz")
def save_quiz(db: SessionDep, user: CurrentUser, form: Form, notice_id: int) -> Response:
    quiz.set_quiz(db, notice_id=notice_id, actor=user, questions=_question_specs(form),
                  intro=field(form, "intro"),
                  pass_percent=optional_int(field(form, "pass_percent")) or 80)
    return redirect(f"/notices/{notice_id}", "quiz_saved")


@router.get("/notices/{notice_id}/quiz", response_class=HTMLResponse)
def quiz_page(request: Request, db: SessionDep, user: CurrentUser, notice_id: int
              ) -> HTMLResponse:
    """The agents' quiz: the training note, then one choice per question."""
    notice = _visible(db, user, notice_id)
    found, questions = quiz.quiz_for(db, notice_id=notice_id, actor=user)
    return render(request, "linkage/quiz.html", {
        "notice": notice, "quiz": found, "questions": questions,
        "attempt": quiz.best_attempt(db, notice_id=notice_id, user_id=user.id),
    }, user=user)


@router.post("/notices/{notice_id}/quiz/attempts")
def take_quiz(db: SessionDep, user: CurrentUser, form: Form, notice_id: int) -> Response:
    _found, questions = quiz.quiz_for(db, notice_id=notice_id, actor=user)
    count = len(questions)
    answers = [optional_int(field(form, f"q{i}")) for i in range(count)]
    attempt = quiz.take_quiz(db, notice_id=notice_id, user=user,
                             answers=[-1 if a is None else a for a in answers])
    return redirect(f"/notices/{notice_id}/quiz", None, score=attempt.score_percent)


# --- coverage ------------------------------------------------------------------------------


@router.get("/notices/{notice_id}/coverage", response_class=HTMLResponse)
def coverage_page(request: Request, db: SessionDep, user: CurrentUser, notice_id: int
                  ) -> HTMLResponse:
    """Per team: who acknowledged, who passed; supervisors confirm their team here."""
    rows = coverage.coverage_for(db, notice_id=notice_id, actor=user)
    return render(request, "linkage/coverage.html", {
        "notice": notices.get_notice(db, notice_id=notice_id), "rows": rows,
        "checkers": users_by_id(db, [r.check.user_id for r in rows if r.check]),
    }, user=user)


@router.post("/notices/{notice_id}/team-checks")
def team_check(db: SessionDep, user: CurrentUser, form: Form, notice_id: int) -> Response:
    coverage.confirm_team(db, notice_id=notice_id, actor=user, note=field(form, "note"))
    return redirect(f"/notices/{notice_id}/coverage", "team_checked")
