"""Words for codes: field names and validation rules, as shown to people."""

from __future__ import annotations

from typing import Any

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
}


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
