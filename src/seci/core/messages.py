"""Words for codes: field names and validation rules, as shown to people."""

from __future__ import annotations

from typing import Any

from seci.core.errors import SeciError
from seci.core.i18n import N_, gettext

FIELD_LABELS: dict[str, str] = {
    "code": N_("Code"),
    "title": N_("Title"),
    "body": N_("Body"),
    "module": N_("Business module"),
    "module_id": N_("Business module"),
    "queues": N_("Queues"),
    "queue_ids": N_("Queues"),
    "tags": N_("Tags"),
    "similar_questions": N_("Similar questions"),
    "audience": N_("Audience"),
    "valid_from": N_("Valid from"),
    "valid_to": N_("Valid to"),
    "kind": N_("Kind"),
    "comment": N_("Comment"),
    "reason": N_("Reason"),
    "password": N_("Password"),
    "username": N_("Username"),
    "canonical": N_("Standard term"),
    "variants": N_("Other ways to say it"),
}

PROBLEM_MESSAGES: dict[str, str] = {
    "required": N_("This field is required."),
    "too_long": N_("Too long (at most {max} characters)."),
    "too_many": N_("Too many entries (at most {max})."),
    "unknown_queue": N_("Unknown queue: {value}."),
    "invalid_choice": N_("Not an allowed value: {value}."),
    "before_valid_from": N_("Valid to is earlier than valid from."),
    "bad_code": N_("A code may hold letters, digits, '-', '_' and '.' only: {value}."),
    "bad_date": N_("Not a date: {value} (write YYYY-MM-DD)."),
    "duplicate_in_file": N_("Code {value} already appears in row {first_row}."),
    "pending_revision": N_(
        "Article {value} has an unpublished revision; approve or reject it first."
    ),
    "formula": N_("The cell holds a spreadsheet formula; formulas are not imported."),
    "not_a_list": N_("Expected a list of texts."),
    "not_text": N_("Expected text."),
    "bad_json": N_("Not a valid JSON object ({value})."),
    "unknown_column": N_("Unknown column: {value}."),
    "no_module_access": N_("You have no access to the business module {value}."),
    "module_archived": N_("The business module {value} is archived."),
    "synonym_taken": N_("{value} is already a synonym of {other}."),
    # hand-off rules and queue hours (assistant)
    "empty_keyword": N_("An empty word between two |; remove the extra |."),
    "keyword_separator": N_("“{value}” holds a comma or 、; separate keywords with | only."),
    "keyword_no_letters": N_("“{value}” has no letter or digit, so it cannot be matched."),
    "not_a_number": N_("Not a whole number: {value}."),
    "bad_hours": N_("Write times as 08:00-20:00 (several ranges separated by commas): "
                    "{value}."),
    "closes_before_opens": N_("{value} closes before it opens; a range after midnight "
                              "belongs to the next day."),
    "overlapping_hours": N_("The ranges overlap: {value}."),
    "no_hours": N_("Enter the hours of at least one day, or choose around the clock."),
    "hours_with_always": N_("You chose 24 hours, every day, but typed hours: choose “These "
                            "hours” to keep them, or clear the days."),
}


LABELS: dict[str, dict[str, str]] = {
    "status": {
        "draft": N_("Draft"),
        "in_review": N_("In review"),
        "published": N_("Published"),
        "retired": N_("Retired"),
        # conversations of the assistant (error messages name their state)
        "bot": N_("with the assistant"),
        "waiting": N_("waiting for an agent"),
        "with_agent": N_("with an agent"),
        "closed": N_("closed"),
    },
    "handoff_reason": {
        "explicit_request": N_("Asked for a person"),
        "complaint": N_("Complaint"),
        "insult": N_("Angry customer"),
        "tier": N_("Customer tier"),
        "failed_answers": N_("Assistant could not answer"),
        "negative_feedback": N_("Answers did not help"),
        "routing": N_("Routing"),
    },
    "rule_kind": {
        "keyword": N_("Keywords"),
        "tier": N_("Customer tier"),
        "failed_answers": N_("Failed answers in a row"),
        "negative_feedback": N_("Answers marked not helpful"),
        "module": N_("Business module"),
    },
    "conversation_status": {
        "bot": N_("With the assistant"),
        "waiting": N_("Waiting"),
        "with_agent": N_("With an agent"),
        "closed": N_("Closed"),
    },
    "callback_status": {
        "open": N_("Open"),
        "claimed": N_("Claimed"),
        "done": N_("Done"),
    },
    "validity": {
        "valid": N_("Valid"),
        "scheduled": N_("Scheduled"),
        "expired": N_("Expired"),
    },
    "audience": {
        "customer": N_("Customers may see"),
        "internal": N_("Internal only"),
    },
    "feedback_kind": {
        "wrong": N_("Wrong"),
        "outdated": N_("Outdated"),
        "unclear": N_("Unclear"),
    },
    "feedback_status": {
        "open": N_("Open"),
        "accepted": N_("Being fixed"),
        "fixed": N_("Fixed"),
        "declined": N_("Declined"),
    },
    "role": {
        "agent": N_("Agent"),
        "editor": N_("Knowledge editor"),
        "reviewer": N_("Reviewer / quality"),
        "manager": N_("Business manager"),
        "supervisor": N_("Supervisor / team lead"),
        "trainer": N_("Trainer"),
        "analyst": N_("Analyst"),
        "admin": N_("Administrator"),
    },
    "source": {
        "review": N_("Review"),
        "import": N_("Import"),
        "rollback": N_("Rollback"),
    },
    "action": {
        "submitted": N_("submitted"),
        "reviewed": N_("reviewed"),
        "retired": N_("retired"),
        "rolled back": N_("rolled back"),
        "handled": N_("handled"),
    },
    "field": {
        "code": N_("Code"),
        "title": N_("Title"),
        "body": N_("Body"),
        "module": N_("Business module"),
        "queues": N_("Queues"),
        "tags": N_("Tags"),
        "similar_questions": N_("Similar questions"),
        "audience": N_("Audience"),
        "valid_from": N_("Valid from"),
        "valid_to": N_("Valid to"),
    },
}

# Error parameters that hold a code rather than free text.
_CODED_PARAMS = {"status": "status", "action": "action"}


def label(kind: str, code: str | None) -> str:
    """The display word for a stored code, e.g. label("status", "in_review")."""
    if code is None:
        return ""
    text = LABELS.get(kind, {}).get(str(code))
    return gettext(text) if text else str(code)


def describe_error(error: SeciError) -> str:
    """The error's message in the current language, coded parameters translated too."""
    params = {
        key: label(_CODED_PARAMS[key], value) if key in _CODED_PARAMS else value
        for key, value in error.params.items()
    }
    return gettext(error.message, **params)


def field_label(name: str) -> str:
    return gettext(FIELD_LABELS.get(name, name)) if name in FIELD_LABELS else name


def describe_problem(problem: dict[str, Any]) -> str:
    """One sentence for a field problem ``{field|column, code, value, ...}``."""
    template = PROBLEM_MESSAGES.get(str(problem.get("code")))
    if template is None:
        return str(problem.get("code"))
    params = {k: v for k, v in problem.items() if k not in {"code", "field", "column"}}
    params.setdefault("value", "")
    return gettext(template, **params)
