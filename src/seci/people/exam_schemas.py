"""API shapes of the question bank, exams, attempts and item analysis (/api/v1/exams)."""

from __future__ import annotations

from pydantic import BaseModel, Field

from seci.core.clock import UtcDateTime


class QuestionWrite(BaseModel):
    kind: str = Field(description="single, multiple, true_false or fill")
    stem: str = Field(max_length=1000)
    options: list[str] = Field(default_factory=list, max_length=8,
                               description="Choices of a single or multiple choice question")
    answer: list[str] = Field(max_length=10, description="Indexes of the right options (as "
                              "text, from 0), ['true'] / ['false'], or the accepted texts of "
                              "a blank")
    module_id: int | None = None
    difficulty: int = Field(default=2, ge=1, le=3, description="1 easy, 2 medium, 3 hard")
    explanation: str = Field(default="", max_length=2000)
    article_ids: list[int] = Field(default_factory=list, max_length=10,
                                   description="Knowledge articles the question depends on")


class QuestionRead(QuestionWrite):
    id: int
    status: str = Field(description="draft, reviewed or retired; exams draw reviewed ones")
    source: str = Field(description="manual, import or generated")
    created_at: UtcDateTime
    reviewed_at: UtcDateTime | None


class QuestionPage(BaseModel):
    total: int
    items: list[QuestionRead]


class ReviewWrite(BaseModel):
    ids: list[int] = Field(max_length=500)
    status: str = Field(default="reviewed", description="reviewed, draft or retired")


class GenerateWrite(BaseModel):
    article_id: int


class ExamWrite(BaseModel):
    title: str = Field(max_length=120)
    description: str = Field(default="", max_length=2000)
    module_ids: list[int] = Field(default_factory=list, max_length=50,
                                  description="Business modules (with their subtrees); empty: "
                                  "the whole bank")
    question_count: int = Field(default=20, ge=1, le=200)
    easy_percent: int = Field(default=30, ge=0, le=100)
    medium_percent: int = Field(default=50, ge=0, le=100)
    hard_percent: int = Field(default=20, ge=0, le=100)
    pass_percent: int = Field(default=80, ge=1, le=100)
    time_limit_minutes: int = Field(default=30, ge=1, le=600)
    mode: str = Field(default="formal", description="formal or practice (shows the right "
                      "answer after each question; does not count)")
    max_attempts: int | None = Field(default=None, ge=1, le=20,
                                     description="Formal attempts per person; null: no limit")
    fixed_paper: bool = Field(default=False, description="Every attempt gets the same "
                              "questions (drawn once), each in its own order")


class ExamRead(ExamWrite):
    id: int
    archived: bool
    pool: dict[int, int] = Field(default_factory=dict,
                                 description="Reviewed questions available per difficulty")


class ItemRead(BaseModel):
    position: int
    kind: str
    stem: str
    options: list[list[str]] = Field(description="[key, text] in this attempt's order; answer "
                                     "with the keys")
    response: list[str]
    correct: bool | None = Field(description="Once finished; in practice once answered")
    right: list[str] | None = Field(description="Right keys or accepted texts: practice only")
    explanation: str | None


class AttemptRead(BaseModel):
    id: int
    exam_id: int
    exam_title: str
    practice: bool
    status: str = Field(description="in_progress or graded")
    started_at: UtcDateTime
    expires_at: UtcDateTime = Field(description="The server's deadline")
    remaining_seconds: int
    finished: bool = Field(description="Graded, or out of time (graded with what was saved)")
    expired: bool
    correct_count: int | None
    question_count: int
    score_percent: float | None
    passed: bool | None
    pass_percent: int
    items: list[ItemRead]


class AnswerWrite(BaseModel):
    response: list[str] = Field(max_length=8, description="Option keys, ['true'] / ['false'], "
                                "or one text; [] clears the answer")


class SavedRead(BaseModel):
    position: int
    response: list[str]
    saved_at: UtcDateTime
    remaining_seconds: int
    correct: bool | None = Field(description="Practice only")
    right: list[str] | None = Field(description="Practice only")
    explanation: str | None


class HistoryRead(BaseModel):
    attempt_id: int
    exam_id: int
    exam_title: str
    practice: bool
    started_at: UtcDateTime
    finished: bool
    score_percent: float | None
    passed: bool | None


class ResultRead(BaseModel):
    attempt_id: int
    username: str
    display_name: str
    started_at: UtcDateTime
    finished: bool
    expired: bool
    score_percent: float | None
    correct_count: int | None
    passed: bool | None


class ResultsRead(BaseModel):
    exam: ExamRead
    finished: int
    mean_score: float | None
    pass_rate: float | None
    attempts: list[ResultRead]


class OptionFigureRead(BaseModel):
    key: str
    text: str
    right: bool
    overall: float | None
    top: float | None = Field(description="Share in the top 27 % of attempts")
    bottom: float | None = Field(description="Share in the bottom 27 %")


class QuestionFigureRead(BaseModel):
    question_id: int
    kind: str
    stem: str
    attempts: int
    facility: float | None = Field(description="Share right")
    discrimination: float | None = Field(description="Item–rest point-biserial correlation")
    efficiency: float | None = Field(description="Discriminative efficiency (Moodle)")
    options: list[OptionFigureRead]
    flags: list[str] = Field(description="too_hard, too_easy, weak_discrimination, "
                             "attractive_distractor")


class AnalysisRead(BaseModel):
    exam_id: int
    attempts: int
    enough: bool = Field(description="At least 5 finished formal attempts")
    alpha: float | None = Field(description="KR-20 over the questions every attempt drew")
    sem: float | None = Field(description="Standard error of measurement, in questions right")
    common_questions: int
    mean_score: float | None
    questions: list[QuestionFigureRead]
