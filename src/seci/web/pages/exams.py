"""Exam pages (技能鉴定): for trainers the question bank (list, filter, edit, review,
import, generate from an article), exams (list, create), results and item analysis; for
agents 我的考试 (available exams, taking one with the server's countdown — works on a phone —
history and results)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData, UploadFile

from seci.accounts.models import User
from seci.core.errors import FieldErrors, SeciError
from seci.core.http import CurrentUser, SessionDep
from seci.core.i18n import N_, gettext
from seci.core.messages import describe_error, describe_problem
from seci.core.tabular import FileFormat
from seci.knowledge.modules import all_modules
from seci.knowledge.upload import read_upload
from seci.people import access, attempts, exams, item_analysis, question_generation, questions
from seci.people.errors import AttemptExpired, AttemptFinished
from seci.people.exam_models import ExamMode, QuestionKind, QuestionStatus
from seci.people.question_import import (
    MAX_FILE_BYTES,
    TEMPLATE_EXAMPLE,
    TEMPLATE_HEADERS,
    QuestionImportRejected,
    article_ids_by_code,
    import_question_bytes,
    parse_answer,
)
from seci.web.exports import TemplateFormat, import_template_response
from seci.web.pages.common import Form, field, ids, messages_by_field, optional_int, redirect
from seci.web.templating import render

router = APIRouter(include_in_schema=False)

LABELS: dict[str, dict[str, str]] = {
    "kind": {"single": N_("Single choice"), "multiple": N_("Multiple choice"),
             "true_false": N_("True or false"), "fill": N_("Fill in the blank")},
    "status": {"draft": N_("Draft"), "reviewed": N_("Reviewed"), "retired": N_("Retired")},
    "source": {"manual": N_("Written"), "import": N_("Imported"),
               "generated": N_("Generated")},
    "difficulty": {"1": N_("Easy"), "2": N_("Medium"), "3": N_("Hard")},
    "mode": {"formal": N_("Formal exam"), "practice": N_("Practice")},
    "truth": {"true": N_("True"), "false": N_("False")},
    "flag": {"too_hard": N_("Too hard (facility < 0.2)"),
             "too_easy": N_("Too easy (facility > 0.95)"),
             "weak_discrimination": N_("Weak discrimination (< 0.2)"),
             "attractive_distractor": N_("A wrong option attracts the top group")},
}
FLASH = {
    "question_saved": N_("Question saved as a draft; review it to use it in exams."),
    "reviewed": N_("Questions updated."),
    "exam_created": N_("Exam created."),
    "exam_archived": N_("Exam withdrawn from agents."),
    "answers_saved": N_("Answers saved; you can come back before the time is up."),
    "submitted": N_("Exam handed in."),
    "time_up": N_("The time is up: the exam was graded with the answers saved in time."),
}
QUESTION_FIELDS = ("kind", "module_id", "difficulty", "stem", "options", "answer",
                   "explanation", "article_ids", "articles")
EXAM_FIELDS = ("title", "description", "question_count", "easy_percent", "medium_percent",
               "hard_percent", "pass_percent", "time_limit_minutes", "mode", "max_attempts",
               "module_ids", "fixed_paper")


def elabel(kind: str, code: object) -> str:
    text = LABELS.get(kind, {}).get(str(code))
    return gettext(text) if text else str(code)


def _page(request: Request, user: User, name: str, context: dict[str, Any],
          status_code: int = 200) -> HTMLResponse:
    extra: dict[str, Any] = {"elabel": elabel, "percent": _percent, "figure": _figure}
    flash = FLASH.get(request.query_params.get("flash", ""))
    if flash:
        extra["flash"] = gettext(flash)
    return render(request, f"exams/{name}", context | extra, user=user,
                  status_code=status_code)


def _percent(value: float | None) -> str:
    return "–" if value is None else f"{value * 100:.0f}%"


def _figure(value: float | None) -> str:
    return "–" if value is None else f"{value:.2f}"


def _int(value: str, default: int = -1) -> int:
    value = value.strip()
    return int(value) if value.isdigit() else default


def _modules(db: SessionDep) -> list[Any]:
    return list(all_modules(db))


# --- hub and exams ----------------------------------------------------------------------

@router.get("/exams", response_class=HTMLResponse)
def hub(request: Request, db: SessionDep, user: CurrentUser) -> HTMLResponse:
    """Exams and the question bank's counts, for trainers."""
    found = exams.list_exams(db, actor=user)
    return _page(request, user, "hub.html", {
        "exams": found, "pools": {e.id: sum(exams.pool_size(db, e).values()) for e in found},
        "counts": questions.counts_by_status(db, actor=user)})


def _exam_form(request: Request, db: SessionDep, user: User, *,
               values: dict[str, Any] | None = None, errors: dict[str, str] | None = None,
               status_code: int = 200) -> HTMLResponse:
    return _page(request, user, "exam_form.html", {
        "values": values or {"question_count": "20", "easy_percent": "30",
                             "medium_percent": "50", "hard_percent": "20",
                             "pass_percent": "80", "time_limit_minutes": "30",
                             "mode": ExamMode.FORMAL, "module_ids": []},
        "errors": errors or {}, "modules": _modules(db)}, status_code)


@router.get("/exams/new", response_class=HTMLResponse)
def new_exam(request: Request, db: SessionDep, user: CurrentUser) -> HTMLResponse:
    access.require_exam_manager(user)
    return _exam_form(request, db, user)


@router.post("/exams")
def create_exam(request: Request, db: SessionDep, user: CurrentUser, form: Form) -> Response:
    values: dict[str, Any] = {name: field(form, name) for name in EXAM_FIELDS}
    values["module_ids"] = ids(form, "module_ids")
    try:
        found = exams.create_exam(db, actor=user, settings=exams.ExamSettings(
            title=values["title"], description=values["description"],
            module_ids=values["module_ids"], question_count=_int(values["question_count"]),
            easy_percent=_int(values["easy_percent"]),
            medium_percent=_int(values["medium_percent"]),
            hard_percent=_int(values["hard_percent"]),
            pass_percent=_int(values["pass_percent"]),
            time_limit_minutes=_int(values["time_limit_minutes"]), mode=values["mode"],
            max_attempts=_int(values["max_attempts"]) if values["max_attempts"] else None,
            fixed_paper=values["fixed_paper"] == "1"))
    except FieldErrors as error:
        return _exam_form(request, db, user, values=values,
                          errors=messages_by_field(error, EXAM_FIELDS), status_code=422)
    return redirect(f"/exams/e/{found.id}", "exam_created")


@router.get("/exams/e/{exam_id}", response_class=HTMLResponse)
def exam_page(request: Request, db: SessionDep, user: CurrentUser, exam_id: int
              ) -> HTMLResponse:
    """An exam: its settings, the questions available, every formal attempt's result."""
    found = attempts.exam_results(db, actor=user, exam_id=exam_id)
    return _page(request, user, "exam.html", {
        "results": found, "exam": found.exam, "pool": exams.pool_size(db, found.exam),
        "modules": {m.id: m for m in _modules(db)}})


@router.post("/exams/e/{exam_id}/archive")
def archive(db: SessionDep, user: CurrentUser, form: Form, exam_id: int) -> Response:
    exams.archive_exam(db, actor=user, exam_id=exam_id,
                       archived=field(form, "archived", "1") == "1")
    return redirect(f"/exams/e/{exam_id}", "exam_archived")


@router.get("/exams/e/{exam_id}/analysis", response_class=HTMLResponse)
def analysis(request: Request, db: SessionDep, user: CurrentUser, exam_id: int
             ) -> HTMLResponse:
    """Item analysis: facility, discrimination, efficiency, distractors, KR-20, SEM."""
    result = item_analysis.exam_analysis(db, actor=user, exam_id=exam_id)
    return _page(request, user, "analysis.html", {
        "analysis": result, "exam": exams.get_exam(db, actor=user, exam_id=exam_id)})


@router.get("/exams/attempts/{attempt_id}/review", response_class=HTMLResponse)
def review_attempt(request: Request, db: SessionDep, user: CurrentUser, attempt_id: int
                   ) -> HTMLResponse:
    """An agent's attempt with the right answers, for trainers."""
    view = attempts.review_view(db, actor=user, attempt_id=attempt_id)
    return _page(request, user, "take.html", {"view": view, "reviewing": True})


# --- question bank ----------------------------------------------------------------------

@router.get("/exams/questions", response_class=HTMLResponse)
def bank(request: Request, db: SessionDep, user: CurrentUser,
         module_id: str | None = None, kind: str = "", status: str = "",
         difficulty: str | None = None, article_id: str | None = None,
         q: str = Query("", max_length=100), offset: int = Query(0, ge=0)) -> HTMLResponse:
    where = questions.QuestionFilter(
        module_id=optional_int(module_id), kind=kind or None, status=status or None,
        difficulty=optional_int(difficulty), article_id=optional_int(article_id), text=q)
    found, total = questions.list_questions(db, actor=user, where=where, offset=offset)
    return _page(request, user, "bank.html", {
        "questions": found, "total": total, "offset": offset, "page_size": questions.PAGE_SIZE,
        "articles": questions.articles_of(db, [x.id for x in found]), "where": where,
        "modules": (modules := _modules(db)), "module_names": {m.id: m.name for m in modules},
        "kinds": list(QuestionKind), "statuses": list(QuestionStatus)})


@router.post("/exams/questions/review")
def review(request: Request, db: SessionDep, user: CurrentUser, form: Form) -> Response:
    questions.review_questions(db, actor=user, question_ids=ids(form, "question_ids"),
                               status=field(form, "status", QuestionStatus.REVIEWED))
    back = field(form, "back")
    return redirect(back if back.startswith("/exams/") else "/exams/questions", "reviewed")


def _question_values(db: SessionDep, question_id: int | None, user: User) -> dict[str, Any]:
    if question_id is None:
        return {"kind": QuestionKind.SINGLE, "difficulty": "2"}
    found = questions.get_question(db, actor=user, question_id=question_id)
    links = questions.articles_of(db, [found.id])[found.id]
    if found.kind in (QuestionKind.SINGLE, QuestionKind.MULTIPLE):
        answer = "".join(chr(ord("A") + int(i)) for i in found.answer)
    elif found.kind == QuestionKind.TRUE_FALSE:
        answer = found.answer[0] if found.answer else ""
    else:
        answer = "|".join(found.answer)
    return {"kind": found.kind, "module_id": str(found.module_id or ""),
            "difficulty": str(found.difficulty), "stem": found.stem,
            "options": "\n".join(found.options), "answer": answer,
            "explanation": found.explanation, "articles": " ".join(a.code for a in links),
            "status": found.status, "source": found.source}


def _question_form(request: Request, db: SessionDep, user: User, question_id: int | None, *,
                   values: dict[str, Any] | None = None, errors: dict[str, str] | None = None,
                   status_code: int = 200) -> HTMLResponse:
    access.require_exam_manager(user)
    return _page(request, user, "question.html", {
        "question_id": question_id, "errors": errors or {}, "modules": _modules(db),
        "values": values if values is not None else _question_values(db, question_id, user),
        "kinds": list(QuestionKind)}, status_code)


@router.get("/exams/questions/new", response_class=HTMLResponse)
def new_question(request: Request, db: SessionDep, user: CurrentUser) -> HTMLResponse:
    return _question_form(request, db, user, None)


@router.get("/exams/questions/{question_id}", response_class=HTMLResponse)
def edit_question(request: Request, db: SessionDep, user: CurrentUser, question_id: int
                  ) -> HTMLResponse:
    return _question_form(request, db, user, question_id)


def _question_data(db: SessionDep, form: FormData) -> tuple[dict[str, Any], Any, list[str]]:
    values = {name: field(form, name) for name in QUESTION_FIELDS}
    kind = values["kind"]
    options = [o.strip() for o in values["options"].splitlines() if o.strip()] if kind in (
        QuestionKind.SINGLE, QuestionKind.MULTIPLE) else []
    answer = parse_answer(kind, values["answer"]) if kind in set(QuestionKind) else []
    article_ids, unknown = article_ids_by_code(db, values["articles"])
    data = questions.QuestionData(
        kind=kind, stem=values["stem"], options=options, answer=answer or [],
        module_id=optional_int(values["module_id"]), difficulty=_int(values["difficulty"], 2),
        explanation=values["explanation"], article_ids=article_ids)
    return values, data, unknown


@router.post("/exams/questions")
@router.post("/exams/questions/{question_id}")
def save_question(request: Request, db: SessionDep, user: CurrentUser, form: Form,
                  question_id: int | None = None) -> Response:
    values, data, unknown = _question_data(db, form)
    problems = [{"field": "articles", "code": "exam_unknown_article", "value": c}
                for c in unknown]
    try:
        if problems:
            raise FieldErrors(problems)
        if question_id is None:
            questions.add_question(db, actor=user, data=data)
        else:
            questions.update_question(db, actor=user, question_id=question_id, data=data)
    except FieldErrors as error:
        for problem in error.errors:  # the form names these two differently
            problem["field"] = {"article_ids": "articles", "options": "options"}.get(
                str(problem.get("field")), problem.get("field"))
        return _question_form(request, db, user, question_id, values=values,
                              errors=messages_by_field(error, QUESTION_FIELDS), status_code=422)
    return redirect("/exams/questions", "question_saved", status="draft")


@router.get("/exams/import", response_class=HTMLResponse)
def import_page(request: Request, user: CurrentUser) -> HTMLResponse:
    access.require_exam_manager(user)
    return _page(request, user, "import.html", {"report": None, "error": None})


@router.get("/exams/import/template")
def import_template(user: CurrentUser, format: TemplateFormat = FileFormat.XLSX) -> Response:
    """The question import file with its headers and one example row."""
    access.require_exam_manager(user)
    return import_template_response(TEMPLATE_HEADERS, TEMPLATE_EXAMPLE, FileFormat(format),
                                    gettext("Question import template"))


@router.post("/exams/import", response_class=HTMLResponse)
async def import_upload(request: Request, db: SessionDep, user: CurrentUser, form: Form
                        ) -> HTMLResponse:
    """Check every row; import all or nothing; the page lists each row's problems."""
    access.require_exam_manager(user)
    upload = form.get("file")
    if not isinstance(upload, UploadFile) or not upload.filename:
        return _page(request, user, "import.html", {
            "report": None, "error": gettext("Choose a file to import.")}, 422)
    filename = upload.filename
    try:
        data = await read_upload(upload, MAX_FILE_BYTES)
        # Reading and checking a workbook takes a moment: off the event loop.
        report = await run_in_threadpool(lambda: import_question_bytes(
            db, actor=user, data=data, filename=filename))
    except QuestionImportRejected as rejected:
        db.rollback()
        rows = [{**e.as_dict(), "message": describe_problem(e.as_dict())}
                for e in rejected.report.errors]
        return _page(request, user, "import.html", {
            "report": rejected.report, "rows": rows, "error": describe_error(rejected)}, 422)
    except SeciError as error:
        db.rollback()
        return _page(request, user, "import.html", {
            "report": None, "error": describe_error(error)}, error.status_code)
    return _page(request, user, "import.html", {"report": report, "rows": [], "error": None})


@router.get("/exams/generate", response_class=HTMLResponse)
def generate_page(request: Request, user: CurrentUser, article: str = "") -> HTMLResponse:
    access.require_exam_manager(user)
    return _page(request, user, "generate.html", {"article": article, "made": None,
                                                  "error": None})


@router.post("/exams/generate", response_class=HTMLResponse)
def generate(request: Request, db: SessionDep, user: CurrentUser, form: Form) -> HTMLResponse:
    """Draft questions from an article (code or number), shown for review."""
    code = field(form, "article").strip()
    found, _ = article_ids_by_code(db, code)
    article_id = found[0] if found else _int(code)
    try:
        made = question_generation.generate_from_article(db, actor=user, article_id=article_id)
    except SeciError as error:
        return _page(request, user, "generate.html", {"article": code, "made": None,
                                                      "error": describe_error(error)},
                     error.status_code)
    return _page(request, user, "generate.html", {
        "article": code, "made": made, "error": None,
        "articles": questions.articles_of(db, [q.id for q in made])})


# --- agents: 我的考试 --------------------------------------------------------------------

@router.get("/exams/mine", response_class=HTMLResponse)
def mine(request: Request, db: SessionDep, user: CurrentUser) -> HTMLResponse:
    """Exams I may take and my attempts."""
    history = attempts.my_history(db, actor=user)
    running = {h.exam.id: h.attempt.id for h in history if not h.finished}
    return _page(request, user, "mine.html", {
        "exams": exams.available_exams(db, actor=user), "history": history,
        "running": running})


@router.post("/exams/e/{exam_id}/start")
def start(db: SessionDep, user: CurrentUser, form: Form, exam_id: int) -> Response:
    attempt = exams.start_attempt(db, actor=user, exam_id=exam_id)
    return redirect(f"/exams/take/{attempt.id}")


@router.get("/exams/take/{attempt_id}", response_class=HTMLResponse)
def take(request: Request, db: SessionDep, user: CurrentUser, attempt_id: int
         ) -> HTMLResponse:
    """The attempt: questions in its stored order with the saved answers and the time
    left (the server's), or the result once finished."""
    view = attempts.attempt_view(db, actor=user, attempt_id=attempt_id)
    return _page(request, user, "take.html", {"view": view, "reviewing": False})


def _responses(form: FormData, position: int) -> list[str]:
    return [v.strip() for v in form.getlist(f"q{position}") if isinstance(v, str) and v.strip()]


@router.post("/exams/take/{attempt_id}")
def take_save(db: SessionDep, user: CurrentUser, form: Form, attempt_id: int) -> Response:
    """Save every answer of the form (without JavaScript), then hand in on submit."""
    view = attempts.attempt_view(db, actor=user, attempt_id=attempt_id)
    url = f"/exams/take/{attempt_id}"
    try:
        if not view.finished:
            for item in view.items:
                given = _responses(form, item.position)
                if given != item.response:
                    attempts.save_answer(db, actor=user, attempt_id=attempt_id,
                                         position=item.position, response=given)
        if field(form, "action") == "submit":
            attempts.submit_attempt(db, actor=user, attempt_id=attempt_id)
            return redirect(url, "submitted")
    except (AttemptExpired, AttemptFinished):
        return redirect(url, "time_up")
    except FieldErrors:
        return redirect(url)
    return redirect(url, "answers_saved")


@router.post("/exams/take/{attempt_id}/answer")
def take_answer(db: SessionDep, user: CurrentUser, form: Form, attempt_id: int
                ) -> JSONResponse:
    """One answer, saved as the agent goes (the page's script)."""
    try:
        saved = attempts.save_answer(db, actor=user, attempt_id=attempt_id,
                                     position=_int(field(form, "position")),
                                     response=_responses(form, _int(field(form, "position"))))
    except (AttemptExpired, AttemptFinished) as error:
        return JSONResponse({"finished": True, "message": describe_error(error)}, 409)
    except FieldErrors as error:
        return JSONResponse({"message": " ".join(describe_problem(p) for p in error.errors)},
                            422)
    return JSONResponse({"saved": True, "remaining": saved.remaining_seconds,
                         "correct": saved.correct, "right": saved.right,
                         "explanation": saved.explanation})
