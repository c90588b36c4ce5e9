"""Field rules for an article, shared by the editor, the API and imports."""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass
from datetime import date
from typing import Any

from seci.knowledge.models import Audience

MAX_TITLE = 200
MAX_CODE = 64
MAX_BODY = 100_000
# A customer answer (答复口径) is a chat reply: an agent may send it as one message.
MAX_CUSTOMER_ANSWER = 2000
MAX_TAG = 40
MAX_QUESTION = 500
MAX_TAGS = 100
# Similar questions are the matcher's training data: a well-used article gathers hundreds.
MAX_QUESTIONS = 1000
CODE_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-]*$")

# Spelled-out audiences an import or form may use; the stored value is the enum.
AUDIENCE_ALIASES: dict[str, Audience] = {
    "customer": Audience.CUSTOMER,
    "public": Audience.CUSTOMER,
    "external": Audience.CUSTOMER,
    "客户可见": Audience.CUSTOMER,
    "对外": Audience.CUSTOMER,
    "外部": Audience.CUSTOMER,
    "公开": Audience.CUSTOMER,
    "internal": Audience.INTERNAL,
    "内部": Audience.INTERNAL,
    "仅内部": Audience.INTERNAL,
    "对内": Audience.INTERNAL,
    "内部可见": Audience.INTERNAL,
}


@dataclass(frozen=True)
class FieldProblem:
    """One invalid field: ``code`` names the rule, ``value`` shows what was given."""

    field: str
    code: str
    value: str = ""
    params: dict[str, Any] = dataclasses.field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {"field": self.field, "code": self.code, "value": self.value, **self.params}


@dataclass
class ArticleFields:
    """The editable content of an article, already cleaned."""

    title: str
    body: str = ""
    module_id: int | None = None
    customer_answer: str = ""
    queue_ids: list[int] = dataclasses.field(default_factory=list)
    tags: list[str] = dataclasses.field(default_factory=list)
    similar_questions: list[str] = dataclasses.field(default_factory=list)
    audience: str = Audience.CUSTOMER
    valid_from: date | None = None
    valid_to: date | None = None


def clean_text_list(values: list[str] | str | None, *, separators: str = "") -> list[str]:
    """Strip, drop blanks and duplicates (keeping order); split strings on separators."""
    if values is None:
        return []
    items: list[str] = []
    raw = [values] if isinstance(values, str) else list(values)
    for value in raw:
        text = str(value)
        parts = re.split(f"[{re.escape(separators)}]", text) if separators else [text]
        items.extend(" ".join(part.split()) for part in parts)
    seen: set[str] = set()
    unique: list[str] = []
    for item in items:
        if item and item not in seen:
            seen.add(item)
            unique.append(item)
    return unique


def normalise_body(body: str) -> str:
    return body.replace("\r\n", "\n").replace("\r", "\n").strip("\n")


def parse_audience(value: str | None) -> Audience | None:
    """Map a spelled-out audience to the enum; None when not recognised."""
    if value is None or not str(value).strip():
        return Audience.CUSTOMER
    return AUDIENCE_ALIASES.get(str(value).strip().lower())


class DateDoesNotExist(ValueError):
    """Written as a date, but no such day (2026/02/30): a different fix than a typo."""


def date_problem(error: ValueError) -> str:
    """The problem code for a date parse_date refused."""
    return "date_does_not_exist" if isinstance(error, DateDoesNotExist) else "bad_date"


def parse_date(value: object) -> date | None:
    """Dates are YYYY-MM-DD (also YYYY/MM/DD); raises ValueError otherwise, and its
    subclass DateDoesNotExist for a well-formed day the calendar lacks (2026-02-30)."""
    if value is None:
        return None
    if isinstance(value, date):
        return value
    text = str(value).strip()
    if not text or text.lower() in {"null", "none"}:
        return None
    match = re.fullmatch(r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[ T]00:00(?::00)?)?", text)
    if not match:
        raise ValueError(text)
    year, month, day = (int(g) for g in match.groups())
    try:
        return date(year, month, day)
    except ValueError:
        raise DateDoesNotExist(text) from None


def check_fields(fields: ArticleFields, *, known_queue_ids: set[int]) -> list[FieldProblem]:
    """Every rule a saved article must satisfy (the module is checked by the caller)."""
    problems: list[FieldProblem] = []
    if not fields.title.strip():
        problems.append(FieldProblem("title", "required"))
    elif len(fields.title) > MAX_TITLE:
        problems.append(FieldProblem("title", "too_long", fields.title[:40], {"max": MAX_TITLE}))
    if len(fields.body) > MAX_BODY:
        problems.append(FieldProblem("body", "too_long", "", {"max": MAX_BODY}))
    if len(fields.customer_answer) > MAX_CUSTOMER_ANSWER:
        problems.append(FieldProblem("customer_answer", "too_long",
                                     fields.customer_answer[:40],
                                     {"max": MAX_CUSTOMER_ANSWER}))
    if fields.module_id is None:
        problems.append(FieldProblem("module", "required"))
    for queue_id in fields.queue_ids:
        if queue_id not in known_queue_ids:
            problems.append(FieldProblem("queues", "unknown_queue", str(queue_id)))
    for name, values, limit, most in (
        ("tags", fields.tags, MAX_TAG, MAX_TAGS),
        ("similar_questions", fields.similar_questions, MAX_QUESTION, MAX_QUESTIONS),
    ):
        if len(values) > most:
            problems.append(FieldProblem(name, "too_many", str(len(values)), {"max": most}))
        for value in values:
            if len(value) > limit:
                problems.append(FieldProblem(name, "too_long", value[:40], {"max": limit}))
    if fields.audience not in {a.value for a in Audience}:
        problems.append(FieldProblem("audience", "invalid_choice", str(fields.audience)))
    if fields.valid_from and fields.valid_to and fields.valid_to < fields.valid_from:
        problems.append(
            FieldProblem("valid_to", "before_valid_from", fields.valid_to.isoformat())
        )
    return problems


def check_code(code: str) -> FieldProblem | None:
    if not code:
        return FieldProblem("code", "required")
    if len(code) > MAX_CODE:
        return FieldProblem("code", "too_long", code[:40], {"max": MAX_CODE})
    if not CODE_PATTERN.match(code):
        return FieldProblem("code", "bad_code", code)
    return None
