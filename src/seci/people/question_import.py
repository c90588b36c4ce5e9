"""Import of exam questions from xlsx or CSV (UTF-8 / GBK), like the knowledge import:
every row is checked first and every problem reported with its row and column; nothing is
written unless the whole file is clean. Imported questions are drafts until reviewed.

Columns (Chinese headers accepted): kind 题型 (单选, 多选, 判断, 填空), module 模块 (a path
such as 个人业务/资费套餐), difficulty 难度 (易, 中, 难), stem 题干, options 选项 (separated
by | or line breaks), answer 答案 (letters such as A or AC; 对/错; accepted texts of a
blank separated by |), explanation 解析, articles 关联知识 (article codes)."""

from __future__ import annotations

import re
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from seci.accounts.models import User
from seci.audit.service import record
from seci.core.errors import InvalidInput
from seci.core.i18n import N_
from seci.core.tabular import Columns, FileFormat, RowStream, check_size, detect_format, text_of
from seci.knowledge.importing import RowError
from seci.knowledge.models import Article
from seci.knowledge.modules import find_by_path
from seci.people import access
from seci.people.exam_models import Difficulty, QuestionKind, QuestionSource
from seci.people.questions import FALSE, TRUE, QuestionData, add_question, question_problems

MAX_FILE_BYTES = 20 * 1024 * 1024
MAX_ROWS = 5000
MAX_REPORTED = 500
COLUMNS = Columns(
    names=("kind", "module", "difficulty", "stem", "options", "answer", "explanation",
           "articles"),
    aliases={"题型": "kind", "类型": "kind", "模块": "module", "业务模块": "module",
             "难度": "difficulty", "题干": "stem", "题目": "stem", "选项": "options",
             "答案": "answer", "正确答案": "answer", "解析": "explanation",
             "关联知识": "articles", "知识编号": "articles", "知识": "articles"},
    required=("kind", "stem", "answer"))
KINDS = {"单选": QuestionKind.SINGLE, "单选题": QuestionKind.SINGLE,
         "多选": QuestionKind.MULTIPLE, "多选题": QuestionKind.MULTIPLE,
         "判断": QuestionKind.TRUE_FALSE, "判断题": QuestionKind.TRUE_FALSE,
         "填空": QuestionKind.FILL, "填空题": QuestionKind.FILL,
         **{k.value: k for k in QuestionKind}}
DIFFICULTIES = {"易": Difficulty.EASY, "简单": Difficulty.EASY, "easy": Difficulty.EASY,
                "1": Difficulty.EASY, "中": Difficulty.MEDIUM, "中等": Difficulty.MEDIUM,
                "medium": Difficulty.MEDIUM, "2": Difficulty.MEDIUM, "": Difficulty.MEDIUM,
                "难": Difficulty.HARD, "困难": Difficulty.HARD, "hard": Difficulty.HARD,
                "3": Difficulty.HARD}
TRUTH = {"对": TRUE, "正确": TRUE, "是": TRUE, "√": TRUE, "true": TRUE, "t": TRUE,
         "错": FALSE, "错误": FALSE, "否": FALSE, "×": FALSE, "false": FALSE, "f": FALSE}
# The template's headers are the Chinese ones a trainer's spreadsheet uses.
TEMPLATE_HEADERS = ("题型", "模块", "难度", "题干", "选项", "答案", "解析", "关联知识")
TEMPLATE_EXAMPLE = {"题型": "单选", "模块": "个人业务/资费套餐", "难度": "中",
                    "题干": "国际漫游包天资费是多少？", "选项": "10元|25元|30元|50元",
                    "答案": "B", "解析": "见国际漫游资费说明", "关联知识": ""}


@dataclass
class QuestionImportReport:
    filename: str
    format: str
    rows: int = 0
    created: int = 0
    errors: list[RowError] = field(default_factory=list)
    error_count: int = 0

    @property
    def ok(self) -> bool:
        return self.error_count == 0

    def as_dict(self) -> dict[str, Any]:
        return {"filename": self.filename, "format": self.format, "rows": self.rows,
                "created": self.created, "ok": self.ok, "error_count": self.error_count,
                "errors": [e.as_dict() for e in self.errors]}


class QuestionImportRejected(InvalidInput):
    code = "exam_import_rejected"
    message = N_("{count} problem(s) found in the file; nothing was imported.")

    def __init__(self, report: QuestionImportReport) -> None:
        super().__init__(count=report.error_count)
        self.report = report

    def extra(self) -> dict[str, Any]:
        return {"report": self.report.as_dict()}


def _split(text: str) -> list[str]:
    separator = "\n" if "\n" in text and "|" not in text else "|"
    return [part.strip() for part in text.split(separator)]


def parse_answer(kind: str, text: str) -> list[str] | None:
    """An answer cell: letters (A, AC, A,C) of choice questions, 对/错 of true/false, the
    accepted texts of a blank separated by |; None when it cannot be read."""
    if kind == QuestionKind.TRUE_FALSE:
        truth = TRUTH.get(text.strip().lower())
        return [truth] if truth else None
    if kind == QuestionKind.FILL:
        return _split(text)
    letters = re.sub(r"[\s,，、|;；]", "", text.upper())
    if not letters or any(not "A" <= ch <= "Z" for ch in letters):
        return None
    return sorted({str(ord(ch) - ord("A")) for ch in letters}, key=int)


def article_ids_by_code(session: Session, text: str, known: dict[str, int] | None = None
                        ) -> tuple[list[int], list[str]]:
    """Article codes separated by commas, spaces or | → their ids, and the unknown codes."""
    known = {} if known is None else known
    codes = [c for c in re.split(r"[\s,，、|;；]+", text) if c]
    missing = [c for c in codes if c not in known]
    if missing:
        known.update((code, article_id) for code, article_id in session.execute(
            select(Article.code, Article.id).where(Article.code.in_(missing))))
    return ([known[c] for c in codes if c in known], [c for c in codes if c not in known])


class _Reader:
    def __init__(self, session: Session, report: QuestionImportReport) -> None:
        self.session = session
        self.report = report
        self.articles: dict[str, int] = {}

    def problem(self, row: int, column: str, code: str, value: object = "", **params: Any
                ) -> None:
        self.report.error_count += 1
        if len(self.report.errors) < MAX_REPORTED:
            self.report.errors.append(RowError(row, column, code, str(value)[:80], params))

    def article_ids(self, number: int, text: str) -> list[int]:
        ids, unknown = article_ids_by_code(self.session, text, self.articles)
        for code in unknown:
            self.problem(number, "articles", "exam_unknown_article", code)
        return ids

    def row(self, number: int, values: dict[str, Any], formulas: list[str]
            ) -> QuestionData | None:
        for column in formulas:
            self.problem(number, column, "formula", values.get(column))
        text = {k: text_of(values.get(k)).strip() for k in COLUMNS.names}
        before = self.report.error_count
        kind = KINDS.get(text["kind"].lower())
        if kind is None:
            self.problem(number, "kind", "invalid_choice", text["kind"])
            return None
        difficulty = DIFFICULTIES.get(text["difficulty"].lower())
        if difficulty is None:
            self.problem(number, "difficulty", "invalid_choice", text["difficulty"])
        module_id = None
        if text["module"]:
            module = find_by_path(self.session, path=text["module"])
            if module is None:
                self.problem(number, "module", "unknown_module", text["module"])
            else:
                module_id = module.id
        options = _split(text["options"]) if text["options"] and kind in (
            QuestionKind.SINGLE, QuestionKind.MULTIPLE) else []
        answer = parse_answer(kind, text["answer"])
        if answer is None:
            self.problem(number, "answer", "exam_bad_answer", text["answer"])
        data = QuestionData(kind=kind, stem=text["stem"], options=options, answer=answer or [],
                            module_id=module_id, difficulty=difficulty or Difficulty.MEDIUM,
                            explanation=text["explanation"],
                            article_ids=self.article_ids(number, text["articles"]))
        if answer is not None:
            for problem in question_problems(self.session, data):
                column = {"module_id": "module", "article_ids": "articles"}.get(
                    problem["field"], problem["field"])
                params = {k: v for k, v in problem.items() if k not in {"field", "code", "value"}}
                self.problem(number, column, problem["code"], problem.get("value", ""), **params)
        return data if self.report.error_count == before else None


def import_questions(session: Session, *, actor: User, path: Path, filename: str,
                     file_format: str | None = None) -> QuestionImportReport:
    """Read, check and (when every row is clean) add the questions as drafts."""
    access.require_exam_manager(actor)
    fmt = detect_format(filename, file_format)
    if fmt is FileFormat.JSONL:
        raise InvalidInput(detail="xlsx / csv")
    check_size(path.stat().st_size, MAX_FILE_BYTES)
    report = QuestionImportReport(filename=filename, format=fmt.value)
    reader = _Reader(session, report)
    parsed: list[QuestionData] = []
    for raw in RowStream(path, fmt, COLUMNS, max_rows=MAX_ROWS):
        report.rows += 1
        data = reader.row(raw.number, raw.values, raw.formula_columns)
        if data is not None:
            parsed.append(data)
    if not report.ok:
        raise QuestionImportRejected(report)
    for data in parsed:
        add_question(session, actor=actor, data=data, source=QuestionSource.IMPORT, audit=False)
    report.created = len(parsed)
    record(session, actor=actor, action="exam.question_import", entity_type="exam_question",
           summary=f"{filename}: {report.created}")
    return report


def import_question_bytes(session: Session, *, actor: User, data: bytes, filename: str
                          ) -> QuestionImportReport:
    """An uploaded file: the readers stream from disk, so it is written to a temporary
    file first."""
    access.require_exam_manager(actor)
    check_size(len(data), MAX_FILE_BYTES)
    suffix = Path(filename).suffix.lower()[:8]
    with tempfile.TemporaryDirectory(prefix="seci-questions-") as folder:
        path = Path(folder) / f"upload{suffix}"
        path.write_bytes(data)
        return import_questions(session, actor=actor, path=path, filename=filename)
