"""REST API of exams and certification under /api/v1/exams: the question bank (write,
import, generate from an article, review), exams, results and item analysis for
trainers; one's exams, attempts (start or resume, save answers as you go, submit) and
history for agents."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, File, Query, UploadFile
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from seci.core.http import CurrentUser, SessionDep
from seci.knowledge.upload import read_upload
from seci.people import attempts, exams, item_analysis, question_generation, questions
from seci.people.exam_models import Exam, ExamQuestion
from seci.people.exam_schemas import (
    AnalysisRead,
    AnswerWrite,
    AttemptRead,
    ExamRead,
    ExamWrite,
    GenerateWrite,
    HistoryRead,
    ItemRead,
    OptionFigureRead,
    QuestionFigureRead,
    QuestionPage,
    QuestionRead,
    QuestionWrite,
    ResultRead,
    ResultsRead,
    ReviewWrite,
    SavedRead,
)
from seci.people.question_import import MAX_FILE_BYTES, import_question_bytes

router = APIRouter(prefix="/api/v1/exams", tags=["exams"])

ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"description": "Not logged in (problem details)"},
    403: {"description": "Permission denied (problem details)"},
    404: {"description": "Not found, or someone else's attempt (problem details)"},
    409: {"description": "The attempt is finished, its time is up, or no attempts are left "
                         "(problem details)"},
    422: {"description": "Invalid input (problem details with `errors`; an import's "
                         "`report` lists every row's problems)"},
}


def question_read(question: ExamQuestion, article_ids: list[int]) -> QuestionRead:
    return QuestionRead(
        id=question.id, kind=question.kind, stem=question.stem, options=question.options,
        answer=question.answer, module_id=question.module_id, difficulty=question.difficulty,
        explanation=question.explanation, article_ids=article_ids, status=question.status,
        source=question.source, created_at=question.created_at,
        reviewed_at=question.reviewed_at)


def _questions_read(db: Session, found: list[ExamQuestion]) -> list[QuestionRead]:
    links = questions.articles_of(db, [q.id for q in found])
    return [question_read(q, [a.id for a in links[q.id]]) for q in found]


def data_of(body: QuestionWrite) -> questions.QuestionData:
    return questions.QuestionData(**body.model_dump())


def exam_read(db: Session, exam: Exam) -> ExamRead:
    return ExamRead(
        id=exam.id, title=exam.title, description=exam.description, module_ids=exam.module_ids,
        question_count=exam.question_count, easy_percent=exam.easy_percent,
        medium_percent=exam.medium_percent, hard_percent=exam.hard_percent,
        pass_percent=exam.pass_percent, time_limit_minutes=exam.time_limit_minutes,
        mode=exam.mode, max_attempts=exam.max_attempts, fixed_paper=exam.fixed_paper,
        archived=exam.archived,
        pool=exams.pool_size(db, exam))


def attempt_read(view: attempts.AttemptView) -> AttemptRead:
    a, grade = view.attempt, view.grade
    return AttemptRead(
        id=a.id, exam_id=a.exam_id, exam_title=view.exam.title, practice=a.practice,
        status=a.status, started_at=a.started_at, expires_at=a.expires_at,
        remaining_seconds=view.remaining_seconds, finished=view.finished,
        expired=a.expired or (view.finished and a.status != "graded"),
        correct_count=grade.correct_count if grade else None, question_count=a.question_count,
        score_percent=grade.score_percent if grade else None,
        passed=grade.passed if grade else None, pass_percent=view.exam.pass_percent,
        items=[ItemRead(position=i.position, kind=i.kind, stem=i.stem,
                        options=[[k, t] for k, t in i.options], response=i.response,
                        correct=i.correct, right=i.right, explanation=i.explanation)
               for i in view.items])


# --- question bank ----------------------------------------------------------------------

@router.get("/questions", response_model=QuestionPage, responses=ERRORS)
def list_questions(db: SessionDep, user: CurrentUser,
                   module_id: int | None = None, kind: str | None = None,
                   status: str | None = None, difficulty: int | None = Query(None, ge=1, le=3),
                   article_id: int | None = None, q: str = Query("", max_length=100),
                   offset: int = Query(0, ge=0), limit: int = Query(50, ge=1, le=500)
                   ) -> QuestionPage:
    """The bank, newest first, filtered by module (with its subtree), kind, status,
    difficulty, article or text."""
    found, total = questions.list_questions(db, actor=user, where=questions.QuestionFilter(
        module_id=module_id, kind=kind, status=status, difficulty=difficulty,
        article_id=article_id, text=q), offset=offset, limit=limit)
    return QuestionPage(total=total, items=_questions_read(db, found))


@router.post("/questions", status_code=201, response_model=QuestionRead, responses=ERRORS)
def add_question(body: QuestionWrite, db: SessionDep, user: CurrentUser) -> QuestionRead:
    """Write a question (a draft until reviewed)."""
    made = questions.add_question(db, actor=user, data=data_of(body))
    return _questions_read(db, [made])[0]


@router.get("/questions/{question_id}", response_model=QuestionRead, responses=ERRORS)
def read_question(question_id: int, db: SessionDep, user: CurrentUser) -> QuestionRead:
    return _questions_read(db, [questions.get_question(db, actor=user,
                                                       question_id=question_id)])[0]


@router.put("/questions/{question_id}", response_model=QuestionRead, responses=ERRORS)
def update_question(question_id: int, body: QuestionWrite, db: SessionDep, user: CurrentUser
                    ) -> QuestionRead:
    """Change a question; a reviewed one goes back to draft."""
    changed = questions.update_question(db, actor=user, question_id=question_id,
                                        data=data_of(body))
    return _questions_read(db, [changed])[0]


@router.post("/questions/review", responses=ERRORS)
def review(body: ReviewWrite, db: SessionDep, user: CurrentUser) -> dict[str, int]:
    """Mark questions reviewed (usable in exams), back to draft, or retired."""
    return {"changed": questions.review_questions(db, actor=user, question_ids=body.ids,
                                                  status=body.status)}


@router.post("/questions/generate", status_code=201, response_model=list[QuestionRead],
             responses=ERRORS)
def generate(body: GenerateWrite, db: SessionDep, user: CurrentUser) -> list[QuestionRead]:
    """Draft questions from a published article's key facts and similar questions."""
    made = question_generation.generate_from_article(db, actor=user, article_id=body.article_id)
    return _questions_read(db, made)


@router.post("/questions/import", responses=ERRORS)
async def import_file(db: SessionDep, user: CurrentUser,
                      file: Annotated[UploadFile, File(description=".xlsx or .csv (UTF-8/GBK)")]
                      ) -> dict[str, Any]:
    """Check every row, then add all questions as drafts or none (422 with the report)."""
    data = await read_upload(file, MAX_FILE_BYTES)
    report = await run_in_threadpool(lambda: import_question_bytes(
        db, actor=user, data=data, filename=file.filename or "upload.csv"))
    return report.as_dict()


# --- one's exams --------------------------------------------------------------------------

@router.get("/me/available", response_model=list[ExamRead], responses=ERRORS)
def available(db: SessionDep, user: CurrentUser) -> list[ExamRead]:
    """Exams you may take."""
    return [exam_read(db, e) for e in exams.available_exams(db, actor=user)]


@router.get("/me/attempts", response_model=list[HistoryRead], responses=ERRORS)
def history(db: SessionDep, user: CurrentUser) -> list[HistoryRead]:
    """Your attempts, newest first."""
    return [HistoryRead(attempt_id=h.attempt.id, exam_id=h.exam.id, exam_title=h.exam.title,
                        practice=h.attempt.practice, started_at=h.attempt.started_at,
                        finished=h.finished, score_percent=h.score_percent, passed=h.passed)
            for h in attempts.my_history(db, actor=user)]


@router.get("/attempts/{attempt_id}", response_model=AttemptRead, responses=ERRORS)
def read_attempt(attempt_id: int, db: SessionDep, user: CurrentUser) -> AttemptRead:
    """Your attempt as stored: the same questions and option order after a reload."""
    return attempt_read(attempts.attempt_view(db, actor=user, attempt_id=attempt_id))


@router.put("/attempts/{attempt_id}/answers/{position}", response_model=SavedRead,
            responses=ERRORS)
def save_answer(attempt_id: int, position: int, body: AnswerWrite, db: SessionDep,
                user: CurrentUser) -> SavedRead:
    """Save one answer as you go; 409 once the time is up (the attempt is then graded with
    the answers saved before)."""
    s = attempts.save_answer(db, actor=user, attempt_id=attempt_id, position=position,
                             response=body.response)
    return SavedRead(position=s.position, response=s.response, saved_at=s.saved_at,
                     remaining_seconds=s.remaining_seconds, correct=s.correct, right=s.right,
                     explanation=s.explanation)


@router.post("/attempts/{attempt_id}/submit", response_model=AttemptRead, responses=ERRORS)
def submit(attempt_id: int, db: SessionDep, user: CurrentUser) -> AttemptRead:
    """Hand in and grade the attempt."""
    attempts.submit_attempt(db, actor=user, attempt_id=attempt_id)
    return attempt_read(attempts.attempt_view(db, actor=user, attempt_id=attempt_id))


# --- exams --------------------------------------------------------------------------------

@router.get("", response_model=list[ExamRead], responses=ERRORS)
def list_exams(db: SessionDep, user: CurrentUser, archived: bool = False) -> list[ExamRead]:
    return [exam_read(db, e) for e in exams.list_exams(db, actor=user,
                                                       include_archived=archived)]


@router.post("", status_code=201, response_model=ExamRead, responses=ERRORS)
def create_exam(body: ExamWrite, db: SessionDep, user: CurrentUser) -> ExamRead:
    return exam_read(db, exams.create_exam(db, actor=user,
                                           settings=exams.ExamSettings(**body.model_dump())))


@router.get("/{exam_id}", response_model=ExamRead, responses=ERRORS)
def read_exam(exam_id: int, db: SessionDep, user: CurrentUser) -> ExamRead:
    return exam_read(db, exams.get_exam(db, actor=user, exam_id=exam_id))


@router.put("/{exam_id}", response_model=ExamRead, responses=ERRORS)
def update_exam(exam_id: int, body: ExamWrite, db: SessionDep, user: CurrentUser) -> ExamRead:
    """Change an exam; attempts already started keep their questions."""
    return exam_read(db, exams.update_exam(db, actor=user, exam_id=exam_id,
                                           settings=exams.ExamSettings(**body.model_dump())))


@router.post("/{exam_id}/attempts", status_code=201, response_model=AttemptRead,
             responses=ERRORS)
def start(exam_id: int, db: SessionDep, user: CurrentUser) -> AttemptRead:
    """Start an attempt, or resume the one still running."""
    attempt = exams.start_attempt(db, actor=user, exam_id=exam_id)
    return attempt_read(attempts.attempt_view(db, actor=user, attempt_id=attempt.id))


@router.get("/{exam_id}/results", response_model=ResultsRead, responses=ERRORS)
def results(exam_id: int, db: SessionDep, user: CurrentUser) -> ResultsRead:
    """Every formal attempt with its score, the mean and the pass rate."""
    r = attempts.exam_results(db, actor=user, exam_id=exam_id)
    return ResultsRead(
        exam=exam_read(db, r.exam), finished=r.finished, mean_score=r.mean_score,
        pass_rate=r.pass_rate, attempts=[ResultRead(
            attempt_id=row.attempt.id, username=row.user.username,
            display_name=row.user.display_name, started_at=row.attempt.started_at,
            finished=row.finished, expired=row.attempt.expired,
            score_percent=row.score_percent, correct_count=row.correct_count,
            passed=row.passed) for row in r.rows])


@router.get("/{exam_id}/analysis", response_model=AnalysisRead, responses=ERRORS)
def analysis(exam_id: int, db: SessionDep, user: CurrentUser) -> AnalysisRead:
    """Item analysis: facility, discrimination, discriminative efficiency, distractors
    (overall, top and bottom 27 %), KR-20, SEM and the weak questions."""
    a = item_analysis.exam_analysis(db, actor=user, exam_id=exam_id)
    return AnalysisRead(
        exam_id=a.exam_id, attempts=a.attempts, enough=a.enough, alpha=a.alpha, sem=a.sem,
        common_questions=a.common_questions, mean_score=a.mean_score, questions=[
            QuestionFigureRead(
                question_id=f.question.id, kind=f.question.kind, stem=f.question.stem,
                attempts=f.attempts, facility=f.facility, discrimination=f.discrimination,
                efficiency=f.efficiency, flags=f.flags, options=[
                    OptionFigureRead(key=o.key, text=o.text, right=o.right, overall=o.overall,
                                     top=o.top, bottom=o.bottom) for o in f.options])
            for f in a.questions])
