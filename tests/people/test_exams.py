"""Question bank, exams and attempts: grading, the server's time limit, resuming after a
reload, stable shuffles, generation from articles and the import's row errors."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from seci.core.clock import utcnow
from seci.core.errors import FieldErrors
from seci.people import attempts, exams, grading, questions
from seci.people.errors import (
    AttemptExpired,
    AttemptFinished,
    NoAttemptsLeft,
    NotEnoughQuestions,
    NothingToGenerate,
)
from seci.people.exam_models import (
    AttemptStatus,
    ExamAttempt,
    ExamMode,
    ExamQuestion,
    QuestionKind,
    QuestionSource,
    QuestionStatus,
)
from seci.people.question_generation import distractors, find_facts, generate_from_article
from seci.people.question_import import QuestionImportRejected, import_questions
from seci.people.questions import QuestionData, normalise_blank
from tests.factories import World, make_article
from tests.people.exam_helpers import bank, exam, seeded


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Callable[[timedelta], None]:
    """Move the exam modules' clock forward."""
    now = [utcnow()]
    for module in (grading, exams, attempts):
        monkeypatch.setattr(module, "utcnow", lambda: now[0])

    def advance(by: timedelta) -> None:
        now[0] = now[0] + by
    return advance


def _answer_all_right(db: Session, world: World, attempt: ExamAttempt) -> None:
    view = attempts.attempt_view(db, actor=world["agent"], attempt_id=attempt.id)
    for item in view.items:
        question = db.get(ExamQuestion, item.question_id)
        assert question is not None
        response = question.answer[:1] if question.kind == QuestionKind.FILL else question.answer
        attempts.save_answer(db, actor=world["agent"], attempt_id=attempt.id,
                             position=item.position, response=list(response))


def test_a_question_starts_as_a_draft_and_exams_draw_reviewed_ones_only(
        db: Session, world: World) -> None:
    made = bank(db, world, reviewed=False)
    assert {q.status for q in made} == {QuestionStatus.DRAFT}
    found = exam(db, world)
    with pytest.raises(NotEnoughQuestions):
        exams.start_attempt(db, actor=world["agent"], exam_id=found.id)
    questions.review_questions(db, actor=world["trainer"], question_ids=[q.id for q in made])
    attempt = exams.start_attempt(db, actor=world["agent"], exam_id=found.id, rng=seeded())
    assert attempt.question_count == 4
    # Editing a reviewed question sends it back for review.
    questions.update_question(db, actor=world["trainer"], question_id=made[0].id, data=QuestionData(
        kind=QuestionKind.SINGLE, stem="改过的题干", options=["a", "b"], answer=["0"]))
    assert made[0].status == QuestionStatus.DRAFT


def test_question_problems(db: Session, world: World) -> None:
    bad = [
        QuestionData(kind="essay", stem="x"),
        QuestionData(kind=QuestionKind.SINGLE, stem="", options=["a"], answer=["0"]),
        QuestionData(kind=QuestionKind.SINGLE, stem="s", options=["a", "b"], answer=["0", "1"]),
        QuestionData(kind=QuestionKind.MULTIPLE, stem="s", options=["a", "a"], answer=["0"]),
        QuestionData(kind=QuestionKind.TRUE_FALSE, stem="s", answer=["maybe"]),
        QuestionData(kind=QuestionKind.FILL, stem="s", answer=[" "]),
        QuestionData(kind=QuestionKind.FILL, stem="s", answer=["1"], article_ids=[99999]),
    ]
    for data in bad:
        with pytest.raises(FieldErrors):
            questions.add_question(db, actor=world["trainer"], data=data)


def test_grading_all_or_nothing_and_normalised_blanks(db: Session, world: World) -> None:
    single, multiple, truth, blank = bank(db, world)
    assert grading.is_right(single, ["1"]) and not grading.is_right(single, ["0"])
    assert grading.is_right(multiple, ["1", "0"])
    assert not grading.is_right(multiple, ["0"])  # half right is wrong
    assert not grading.is_right(multiple, ["0", "1", "2"])
    assert grading.is_right(truth, ["true"]) and not grading.is_right(truth, ["false"])
    assert grading.is_right(blank, ["１００８６。"])  # full-width digits, punctuation
    assert grading.is_right(blank, [" 中国移动 10086 "])  # an accepted alternative
    assert not grading.is_right(blank, ["10010"])
    assert not grading.is_right(blank, None)
    assert normalise_blank("Ａ Ｂ，c") == "abc"


def test_an_attempt_is_graded_and_kept(db: Session, world: World) -> None:
    bank(db, world)
    found = exam(db, world)
    attempt = exams.start_attempt(db, actor=world["agent"], exam_id=found.id, rng=seeded())
    _answer_all_right(db, world, attempt)
    # One wrong answer: 3 of 4 = 75 %, the pass mark.
    view = attempts.attempt_view(db, actor=world["agent"], attempt_id=attempt.id)
    first = view.items[0]
    wrong = ["false"] if first.kind == QuestionKind.TRUE_FALSE else ["错的"] if (
        first.kind == QuestionKind.FILL) else [k for k, _ in first.options
                                               if [k] != db.get(ExamQuestion,
                                                                first.question_id).answer][:1]
    attempts.save_answer(db, actor=world["agent"], attempt_id=attempt.id, position=0,
                         response=wrong)
    done = attempts.submit_attempt(db, actor=world["agent"], attempt_id=attempt.id)
    assert (done.status, done.correct_count, done.score_percent, done.passed) == (
        AttemptStatus.GRADED, 3, 75.0, True)
    assert not done.expired
    with pytest.raises(AttemptFinished):
        attempts.save_answer(db, actor=world["agent"], attempt_id=attempt.id, position=1,
                             response=[])
    history = attempts.my_history(db, actor=world["agent"])
    assert [(h.score_percent, h.passed) for h in history] == [(75.0, True)]
    assert attempts.has_passed(db, user_id=world["agent"].id, exam_id=found.id)
    results = attempts.exam_results(db, actor=world["trainer"], exam_id=found.id)
    assert (results.finished, results.mean_score, results.pass_rate) == (1, 75.0, 1.0)


def test_resume_after_a_reload_shows_the_same_exam(db: Session, world: World) -> None:
    bank(db, world)
    found = exam(db, world)
    attempt = exams.start_attempt(db, actor=world["agent"], exam_id=found.id, rng=seeded(1))
    before = attempts.attempt_view(db, actor=world["agent"], attempt_id=attempt.id)
    attempts.save_answer(db, actor=world["agent"], attempt_id=attempt.id, position=2,
                         response=[before.items[2].options[0][0]] if before.items[2].options
                         else ["10086"])
    db.commit()
    db.expire_all()
    again = exams.start_attempt(db, actor=world["agent"], exam_id=found.id, rng=seeded(2))
    assert again.id == attempt.id  # resumed, not redrawn
    after = attempts.attempt_view(db, actor=world["agent"], attempt_id=attempt.id)
    assert [(i.question_id, i.options) for i in after.items] == [
        (i.question_id, i.options) for i in before.items]
    assert after.items[2].response and after.answered == 1


def test_shuffles_differ_between_attempts_and_stay_within_one(db: Session, world: World
                                                              ) -> None:
    bank(db, world)
    found = exam(db, world, mode=ExamMode.PRACTICE)
    orders = set()
    for seed in range(6):
        attempt = exams.start_attempt(db, actor=world["agent"], exam_id=found.id,
                                      rng=seeded(seed))
        view = attempts.attempt_view(db, actor=world["agent"], attempt_id=attempt.id)
        orders.add(tuple((i.question_id, tuple(k for k, _ in i.options)) for i in view.items))
        assert sorted(i.question_id for i in view.items) == sorted(
            q.id for q in db.scalars(select(ExamQuestion)))
        attempts.submit_attempt(db, actor=world["agent"], attempt_id=attempt.id)
    assert len(orders) > 1


def test_the_server_enforces_the_time_limit(db: Session, world: World,
                                            clock: Callable[[timedelta], None]) -> None:
    bank(db, world)
    found = exam(db, world, minutes=10)
    attempt = exams.start_attempt(db, actor=world["agent"], exam_id=found.id, rng=seeded())
    _answer_all_right(db, world, attempt)
    attempts.save_answer(db, actor=world["agent"], attempt_id=attempt.id, position=0,
                         response=[])  # cleared in time: counts as wrong
    clock(timedelta(minutes=9, seconds=58))
    assert attempts.attempt_view(db, actor=world["agent"], attempt_id=attempt.id
                                 ).remaining_seconds == 2
    clock(timedelta(seconds=30))
    view = attempts.attempt_view(db, actor=world["agent"], attempt_id=attempt.id)
    assert view.finished and view.remaining_seconds == 0 and view.grade is not None
    assert view.grade.correct_count == 3  # what was saved, computed on reading
    with pytest.raises(AttemptExpired):
        attempts.save_answer(db, actor=world["agent"], attempt_id=attempt.id, position=0,
                             response=["1"])
    assert (attempt.status, attempt.expired, attempt.correct_count) == (
        AttemptStatus.GRADED, True, 3)
    assert attempt.finished_at == attempt.expires_at


def test_an_abandoned_attempt_is_graded_at_the_next_start(
        db: Session, world: World, clock: Callable[[timedelta], None]) -> None:
    bank(db, world)
    found = exam(db, world, minutes=5, max_attempts=2)
    first = exams.start_attempt(db, actor=world["agent"], exam_id=found.id, rng=seeded())
    clock(timedelta(minutes=6))
    second = exams.start_attempt(db, actor=world["agent"], exam_id=found.id, rng=seeded())
    assert second.id != first.id
    assert (first.status, first.expired, first.score_percent) == (AttemptStatus.GRADED, True,
                                                                   0.0)
    attempts.submit_attempt(db, actor=world["agent"], attempt_id=second.id)
    with pytest.raises(NoAttemptsLeft):
        exams.start_attempt(db, actor=world["agent"], exam_id=found.id)


def test_practice_shows_the_right_answer_and_does_not_count(db: Session, world: World) -> None:
    bank(db, world)
    found = exam(db, world, mode=ExamMode.PRACTICE)
    attempt = exams.start_attempt(db, actor=world["agent"], exam_id=found.id, rng=seeded())
    assert attempt.practice
    view = attempts.attempt_view(db, actor=world["agent"], attempt_id=attempt.id)
    assert all(i.right is None for i in view.items)
    item = view.items[0]
    saved = attempts.save_answer(db, actor=world["agent"], attempt_id=attempt.id,
                                 position=0, response=["10086"] if item.kind == "fill"
                                 else [item.options[0][0]])
    question = db.get(ExamQuestion, item.question_id)
    assert question is not None
    assert saved.right == question.answer and saved.correct is not None
    attempts.submit_attempt(db, actor=world["agent"], attempt_id=attempt.id)
    assert attempts.exam_results(db, actor=world["trainer"], exam_id=found.id).rows == []
    assert not attempts.has_passed(db, user_id=world["agent"].id, exam_id=found.id)


def test_bad_responses_are_refused(db: Session, world: World) -> None:
    bank(db, world)
    found = exam(db, world)
    attempt = exams.start_attempt(db, actor=world["agent"], exam_id=found.id, rng=seeded())
    with pytest.raises(FieldErrors):
        attempts.save_answer(db, actor=world["agent"], attempt_id=attempt.id, position=99,
                             response=["0"])
    view = attempts.attempt_view(db, actor=world["agent"], attempt_id=attempt.id)
    single = next(i for i in view.items if i.kind == QuestionKind.SINGLE)
    with pytest.raises(FieldErrors):
        attempts.save_answer(db, actor=world["agent"], attempt_id=attempt.id,
                             position=single.position, response=["0", "1"])
    with pytest.raises(FieldErrors):
        attempts.save_answer(db, actor=world["agent"], attempt_id=attempt.id,
                             position=single.position, response=["9"])


def test_the_difficulty_mix(db: Session, world: World) -> None:
    module_id = world.modules["资费套餐"].id
    made = [questions.add_question(db, actor=world["trainer"], data=QuestionData(
        kind=QuestionKind.TRUE_FALSE, stem=f"题{n}", answer=["true"], module_id=module_id,
        difficulty=1 + n % 3)) for n in range(30)]
    questions.review_questions(db, actor=world["trainer"], question_ids=[q.id for q in made])
    found = exams.create_exam(db, actor=world["trainer"], settings=exams.ExamSettings(
        title="难度", question_count=10, easy_percent=20, medium_percent=30, hard_percent=50))
    drawn = exams.draw(made, found, seeded())
    assert sorted(q.difficulty for q in drawn) == [1, 1, 2, 2, 2, 3, 3, 3, 3, 3]
    with pytest.raises(FieldErrors):
        exams.create_exam(db, actor=world["trainer"], settings=exams.ExamSettings(
            title="坏", easy_percent=50, medium_percent=50, hard_percent=50))


BODY = """### 资费
国际漫游包天资费为25元/天，流量不限量。
开通后24小时内生效，最长可连续使用3个月。
每月最多可发送500条国际短信。
如有疑问请拨打10086咨询。"""


def test_facts_and_distractors() -> None:
    facts = find_facts(BODY)
    assert [(f.kind, f.value, f.unit) for f in facts] == [
        ("fee", "25", "元"), ("time", "24", "小时"), ("time", "3", "个月"),
        ("limit", "500", "条"), ("number", "10086", "")]
    wrong = distractors(facts[0], seeded())
    assert len(wrong) == 3 and "25元" not in wrong and all(w.endswith("元") for w in wrong)
    assert "10086" not in distractors(facts[4], seeded())


def test_generation_from_an_article(db: Session, world: World) -> None:
    article = make_article(db, world, body=BODY, similar_questions=["出国上网怎么收费"])
    for n, title in enumerate(["宽带报装", "话费查询", "套餐变更"]):
        make_article(db, world, title=title, body="无", similar_questions=[],
                     code=f"KB-T-{n}")
    made = generate_from_article(db, actor=world["trainer"], article_id=article.id)
    kinds = sorted(q.kind for q in made)
    assert kinds.count(QuestionKind.FILL) == 3 and kinds.count(QuestionKind.SINGLE) == 3
    assert all(q.status == QuestionStatus.DRAFT and q.source == QuestionSource.GENERATED
               for q in made)
    which = next(q for q in made if "出国上网怎么收费" in q.stem)
    assert which.options[int(which.answer[0])] == article.title and len(which.options) == 4
    fee = next(q for q in made if "25元" in q.options)
    assert "（　）" in fee.stem and fee.options[int(fee.answer[0])] == "25元"
    linked = questions.articles_of(db, [fee.id])[fee.id]
    assert [a.id for a in linked] == [article.id]
    # The same article does not give the same questions twice.
    assert generate_from_article(db, actor=world["trainer"], article_id=article.id) == []


def test_generation_needs_something_to_ask(db: Session, world: World) -> None:
    article = make_article(db, world, body="请耐心解释。", similar_questions=[])
    with pytest.raises(NothingToGenerate):
        generate_from_article(db, actor=world["trainer"], article_id=article.id)


def test_import_reports_row_errors_and_writes_nothing(db: Session, world: World,
                                                      tmp_path: Path) -> None:
    path = tmp_path / "questions.csv"
    path.write_text(
        "题型,模块,难度,题干,选项,答案,解析,关联知识\n"
        "单选,个人业务/资费套餐,中,包天资费？,10元|25元|30元,B,,\n"
        "多选,个人业务,难,开通方式？,短信|营业厅|邮件,AB,,\n"
        "判断,,易,漫游要先开长途。,,对,,\n"
        "填空,,中,客服热线____。,,10086|一零零八六,,\n"
        "问答,,中,坏题型,,x,,\n"
        "单选,不存在的模块,中,题,a|b,C,,\n"
        "判断,,超难,题,,也许,,KB-NONE\n", encoding="utf-8")
    with pytest.raises(QuestionImportRejected) as rejected:
        import_questions(db, actor=world["trainer"], path=path, filename="questions.csv")
    report = rejected.value.report.as_dict()
    assert [(e["row"], e["column"], e["code"]) for e in report["errors"]] == [
        (6, "kind", "invalid_choice"), (7, "module", "unknown_module"),
        (7, "answer", "quiz_answer"), (8, "difficulty", "invalid_choice"),
        (8, "answer", "exam_bad_answer"), (8, "articles", "exam_unknown_article")]
    assert db.scalar(select(ExamQuestion.id)) is None
    clean = "\n".join(path.read_text(encoding="utf-8").splitlines()[:5]) + "\n"
    path.write_text(clean, encoding="gbk")
    report_ok = import_questions(db, actor=world["trainer"], path=path,
                                 filename="questions.csv")
    assert report_ok.created == 4
    stored = list(db.scalars(select(ExamQuestion).order_by(ExamQuestion.id)))
    assert [(q.kind, q.answer, q.source) for q in stored] == [
        ("single", ["1"], "import"), ("multiple", ["0", "1"], "import"),
        ("true_false", ["true"], "import"), ("fill", ["10086", "一零零八六"], "import")]


def test_import_reads_xlsx(db: Session, world: World, tmp_path: Path) -> None:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["kind", "stem", "options", "answer"])
    sheet.append(["single", "包天资费？", "10元|25元", "B"])
    sheet.append(["fill", "=1+1", "", "2"])
    path = tmp_path / "q.xlsx"
    book.save(path)
    with pytest.raises(QuestionImportRejected) as rejected:
        import_questions(db, actor=world["trainer"], path=path, filename="q.xlsx")
    assert [(e["row"], e["column"], e["code"]) for e in
            rejected.value.report.as_dict()["errors"]] == [(3, "stem", "formula")]


def test_a_fixed_paper_gives_everyone_the_same_questions(db: Session, world: World) -> None:
    made = bank(db, world)
    extra = [questions.add_question(db, actor=world["trainer"], data=QuestionData(
        kind=QuestionKind.TRUE_FALSE, stem=f"附加题{n}", answer=["false"],
        module_id=world.modules["资费套餐"].id)) for n in range(4)]
    questions.review_questions(db, actor=world["trainer"], question_ids=[q.id for q in extra])
    found = exams.create_exam(db, actor=world["trainer"], settings=exams.ExamSettings(
        title="统一试卷", question_count=4, fixed_paper=True))
    sets = []
    for seed, who in enumerate(("agent", "agent_data", "supervisor")):
        attempt = exams.start_attempt(db, actor=world[who], exam_id=found.id, rng=seeded(seed))
        view = attempts.attempt_view(db, actor=world[who], attempt_id=attempt.id)
        sets.append([i.question_id for i in view.items])
    assert len(found.paper_ids) == 4 and len(made) + len(extra) == 8
    assert all(sorted(s) == found.paper_ids for s in sets)
    assert len({tuple(s) for s in sets}) > 1  # each in its own order
