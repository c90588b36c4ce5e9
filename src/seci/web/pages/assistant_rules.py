"""Managers' page for the assistant's hand-off rules: the rules in the order they are
tried, adding and editing one (errors shown at the field, a rule saved by someone else in
the meantime answered with 409), enabling and disabling, and a box to try a message.

Thin: ``seci.assistant.rules`` validates and audits, ``seci.assistant.preview`` answers
the try box with the functions the dialogue itself calls.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from seci.accounts.models import User
from seci.accounts.roles import Perm
from seci.accounts.service import list_queues
from seci.assistant import rules as svc
from seci.assistant.errors import (
    EmptyMessage,
    MessageTooLong,
    RuleNotFound,
    StaleRule,
    UnknownQueue,
)
from seci.assistant.models import HandoffReason, HandoffRule, RuleKind
from seci.assistant.preview import RulePreview, preview_message
from seci.core.errors import FieldErrors, PermissionDenied
from seci.core.http import CurrentUser, SessionDep
from seci.core.messages import describe_error, describe_problem
from seci.web.pages.common import Form, field, messages_by_field, redirect
from seci.web.templating import render

router = APIRouter(include_in_schema=False)

RULE_KINDS = tuple(k.value for k in RuleKind)
KEYWORD_REASONS = (HandoffReason.COMPLAINT.value, HandoffReason.INSULT.value,
                   HandoffReason.EXPLICIT_REQUEST.value)
TEXT_FIELDS = ("kind", "reason", "pattern", "threshold", "target_queue", "priority", "note")
# The fields a problem is shown next to (the rest go above the form).
ERROR_FIELDS = (*TEXT_FIELDS, "answer_first")
NEW_RULE: dict[str, Any] = {"kind": RuleKind.KEYWORD.value, "reason": "complaint",
                            "pattern": "", "threshold": "0", "target_queue": "",
                            "priority": "100", "note": "", "enabled": True,
                            "answer_first": False}
# A form without a readable copy of the rule's time always counts as stale.
NEVER = datetime.min  # noqa: DTZ901 - compared with the database's naive UTC times


def _configurer(user: CurrentUser) -> User:
    if not user.can(Perm.ASSISTANT_CONFIGURE):
        raise PermissionDenied()
    return user


Configurer = Annotated[User, Depends(_configurer)]


# --- form values -----------------------------------------------------------------------------


def values_of(rule: HandoffRule) -> dict[str, Any]:
    """A rule as the form shows it (numbers as text, like a posted form)."""
    return {"kind": rule.kind, "reason": rule.reason, "pattern": rule.pattern,
            "threshold": str(rule.threshold), "target_queue": rule.target_queue or "",
            "priority": str(rule.priority), "note": rule.note, "enabled": rule.enabled,
            "answer_first": rule.answer_first,
            "updated_at": rule.updated_at.isoformat()}


def values_from_form(form: FormData) -> dict[str, Any]:
    values: dict[str, Any] = {name: field(form, name).strip() for name in TEXT_FIELDS}
    values["enabled"] = field(form, "enabled") == "on"
    values["answer_first"] = field(form, "answer_first") == "on"
    values["updated_at"] = field(form, "updated_at")
    return values


def _number(values: dict[str, Any], name: str, problems: list[dict[str, object]]) -> int:
    text = str(values[name]).strip() or "0"
    try:
        number = int(text)
    except ValueError:
        problems.append({"field": name, "code": "not_a_whole_number", "value": values[name]})
        return 0
    if not -100_000 <= number <= 100_000:
        problems.append({"field": name, "code": "invalid_choice", "value": values[name]})
    return number


def rule_input(values: dict[str, Any]) -> svc.RuleInput:
    """The service's input; numbers that are not numbers are field errors too."""
    problems: list[dict[str, object]] = []
    threshold = _number(values, "threshold", problems)
    priority = _number(values, "priority", problems)
    if problems:
        raise FieldErrors(problems)
    return svc.RuleInput(kind=values["kind"], pattern=values["pattern"], threshold=threshold,
                         target_queue=values["target_queue"] or None, priority=priority,
                         enabled=bool(values["enabled"]), note=values["note"],
                         reason=values["reason"] or None,
                         answer_first=bool(values["answer_first"]))


def expected_time(text: str) -> datetime:
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        return NEVER


def field_errors(error: FieldErrors | UnknownQueue) -> dict[str, str]:
    """Messages by field name, to show next to each field ("" = the form as a whole)."""
    if isinstance(error, UnknownQueue):
        return {"target_queue": describe_problem({"code": "unknown_queue",
                                                  "value": error.params.get("queue")})}
    return messages_by_field(error, ERROR_FIELDS)


# --- rendering -------------------------------------------------------------------------------


def _tiers(all_rules: list[HandoffRule]) -> list[str]:
    return sorted({r.pattern for r in all_rules if r.kind == RuleKind.TIER and r.pattern})


def _rules_page(request: Request, db: Session, user: User, *,
                values: dict[str, Any] | None = None, errors: dict[str, str] | None = None,
                trial: RulePreview | None = None, trial_text: str = "", trial_tier: str = "",
                trial_error: str | None = None, problem: str | None = None,
                saved: int | None = None, status_code: int = 200) -> HTMLResponse:
    all_rules = list(svc.list_rules(db))
    return render(request, "assistant/rules.html", {
        "triggers": [r for r in all_rules if r.kind != RuleKind.MODULE],
        "routing": [r for r in all_rules if r.kind == RuleKind.MODULE],
        "values": values or NEW_RULE, "errors": errors or {},
        "trial": trial, "trial_text": trial_text, "trial_tier": trial_tier,
        "trial_error": trial_error, "tiers": _tiers(all_rules), "problem": problem,
        "saved": saved, **_form_choices(db),
    }, user=user, status_code=status_code)


def _form_choices(db: Session) -> dict[str, Any]:
    queues = list_queues(db)
    return {"queues": queues, "queue_names": {q.code: q.name for q in queues},
            "kinds": RULE_KINDS, "reasons": KEYWORD_REASONS}


def _edit_page(request: Request, db: Session, user: User, *, rule: HandoffRule,
               values: dict[str, Any], errors: dict[str, str] | None = None,
               current: dict[str, Any] | None = None, status_code: int = 200
               ) -> HTMLResponse:
    return render(request, "assistant/rule_edit.html", {
        "rule": rule, "values": values, "errors": errors or {}, "current": current,
        **_form_choices(db),
    }, user=user, status_code=status_code)


def _rule(db: Session, rule_id: int) -> HandoffRule:
    rule = db.get(HandoffRule, rule_id)
    if rule is None:
        raise RuleNotFound(rule=rule_id)
    return rule


# --- routes ----------------------------------------------------------------------------------


@router.get("/assistant/rules", response_class=HTMLResponse)
def rules_page(request: Request, db: SessionDep, user: Configurer, text: str = "",
               tier: str = "", rule: int | None = None) -> HTMLResponse:
    """The rules in the order they are tried; ``text`` (and ``tier``): which one fires;
    ``rule``: the one just saved (marked)."""
    trial, trial_error = None, None
    if text.strip():
        try:
            trial = preview_message(db, engine=request.app.state.search_engine, text=text,
                                    tier=tier.strip() or None)
        except (EmptyMessage, MessageTooLong) as error:
            trial_error = describe_error(error)
    return _rules_page(request, db, user, trial=trial, trial_text=text, trial_tier=tier,
                       trial_error=trial_error, saved=rule)


@router.post("/assistant/rules", response_class=HTMLResponse)
def create_rule(request: Request, db: SessionDep, user: Configurer, form: Form) -> Response:
    values = values_from_form(form)
    try:
        rule = svc.create_rule(db, actor=user, data=rule_input(values))
    except (FieldErrors, UnknownQueue) as error:
        db.rollback()
        return _rules_page(request, db, user, values=values, errors=field_errors(error),
                           status_code=422)
    return redirect("/assistant/rules", "rule_saved", rule=rule.id)


@router.get("/assistant/rules/{rule_id}", response_class=HTMLResponse)
def edit_rule_page(request: Request, db: SessionDep, user: Configurer, rule_id: int
                   ) -> HTMLResponse:
    rule = _rule(db, rule_id)
    return _edit_page(request, db, user, rule=rule, values=values_of(rule))


@router.post("/assistant/rules/{rule_id}", response_class=HTMLResponse)
def save_rule(request: Request, db: SessionDep, user: Configurer, rule_id: int, form: Form
              ) -> Response:
    values = values_from_form(form)
    try:
        svc.update_rule(db, actor=user, rule_id=rule_id, data=rule_input(values),
                        expected_updated_at=expected_time(values["updated_at"]))
    except (FieldErrors, UnknownQueue) as error:
        db.rollback()
        return _edit_page(request, db, user, rule=_rule(db, rule_id), values=values,
                          errors=field_errors(error), status_code=422)
    except StaleRule:
        # Nothing is lost: the manager keeps their values and sees the other person's.
        db.rollback()
        rule = _rule(db, rule_id)
        current = values_of(rule)
        return _edit_page(request, db, user, rule=rule,
                          values=values | {"updated_at": current["updated_at"]},
                          current=current, status_code=409)
    return redirect("/assistant/rules", "rule_saved", rule=rule_id)


@router.post("/assistant/rules/{rule_id}/enabled", response_class=HTMLResponse)
def switch_rule(request: Request, db: SessionDep, user: Configurer, rule_id: int, form: Form
                ) -> Response:
    """Enable or disable a rule as it was shown (409 when it changed since)."""
    rule = _rule(db, rule_id)
    values = values_of(rule) | {"enabled": field(form, "enabled") == "on"}
    try:
        svc.update_rule(db, actor=user, rule_id=rule_id, data=rule_input(values),
                        expected_updated_at=expected_time(field(form, "updated_at")))
    except (FieldErrors, UnknownQueue, StaleRule) as error:
        db.rollback()
        message = describe_error(error) if isinstance(error, StaleRule) \
            else " ".join(field_errors(error).values())
        return _rules_page(request, db, user, problem=message, status_code=error.status_code)
    flash = "rule_enabled" if values["enabled"] else "rule_disabled"
    return redirect("/assistant/rules", flash, rule=rule_id)
