"""Hand-off rules: which message or situation sends a customer to a person, and to which
queue. Managers edit the rows; the defaults ship with migration 0007."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from seci.accounts.models import Queue, User
from seci.assistant.access import require_configurer
from seci.assistant.errors import RuleNotFound, StaleRule, UnknownQueue
from seci.assistant.models import Conversation, HandoffReason, HandoffRule, RuleKind
from seci.assistant.text import EXCEPTION, keyword_prefix, matches_keywords
from seci.audit.service import record
from seci.core.clock import utcnow
from seci.core.errors import FieldErrors
from seci.knowledge.modules import breadcrumb, module_names_by_id, split_path
from seci.retrieval.text import normalize

ROUTING = "routing"  # the reason column of module rows


@dataclass(frozen=True)
class Trigger:
    """Why a conversation goes to a person: the reason, the rule that fired and what in
    the message matched (for the agent and the hand-off report)."""

    reason: HandoffReason
    rule_id: int | None
    target_queue: str | None
    matched: str = ""
    # The rule lets a sure customer answer go first (``HandoffRule.answer_first``).
    answer_first: bool = False


def enabled_rules(session: Session) -> Sequence[HandoffRule]:
    return session.scalars(
        select(HandoffRule).where(HandoffRule.enabled.is_(True))
        .order_by(HandoffRule.priority, HandoffRule.id)
    ).all()


def message_trigger(rules: Sequence[HandoffRule], *, text: str, conversation: Conversation,
                    read_as: str | None = None) -> Trigger | None:
    """The first rule (by priority) that a customer's message fires: keywords (complaint,
    anger, asking for a person) and the customer's tier. ``read_as``: the message with its
    homophone typos read as the knowledge base's words (``SearchEngine.corrected``); a
    keyword rule fires on either reading, as search reads 头诉 as 投诉."""
    readings = (text,) if not read_as or read_as == text else (text, read_as)
    for rule in rules:
        if rule.kind == RuleKind.KEYWORD:
            word = next((found for reading in readings
                         if (found := matches_keywords(reading, rule.pattern)) is not None),
                        None)
            if word is not None:
                return Trigger(HandoffReason(rule.reason), rule.id, rule.target_queue, word,
                               answer_first=rule.answer_first)
        elif rule.kind == RuleKind.TIER and tier_matches(rule, conversation.tier):
            return Trigger(HandoffReason.TIER, rule.id, rule.target_queue,
                           conversation.tier or "")
    return None


def tier_matches(rule: HandoffRule, tier: str | None) -> bool:
    return bool(tier) and (tier or "").casefold() == rule.pattern.strip().casefold()


def count_trigger(rules: Sequence[HandoffRule], *, conversation: Conversation
                  ) -> Trigger | None:
    """Rules on what happened so far: failed answers in a row, "not helpful" marks."""
    for rule in rules:
        if rule.kind == RuleKind.FAILED_ANSWERS and rule.threshold > 0 \
                and conversation.failed_in_row >= rule.threshold:
            return Trigger(HandoffReason.FAILED_ANSWERS, rule.id, rule.target_queue,
                           str(conversation.failed_in_row))
        if rule.kind == RuleKind.NEGATIVE_FEEDBACK and rule.threshold > 0 \
                and conversation.negative_feedback >= rule.threshold:
            return Trigger(HandoffReason.NEGATIVE_FEEDBACK, rule.id, rule.target_queue,
                           str(conversation.negative_feedback))
    return None


def explicit_request_trigger(session: Session) -> Trigger:
    """The customer pressed "转人工" (no text to match): the explicit-request rule, if any."""
    rule = session.scalar(select(HandoffRule).where(
        HandoffRule.kind == RuleKind.KEYWORD,
        HandoffRule.reason == HandoffReason.EXPLICIT_REQUEST,
        HandoffRule.enabled.is_(True)).order_by(HandoffRule.priority).limit(1))
    return Trigger(HandoffReason.EXPLICIT_REQUEST, rule.id if rule else None,
                   rule.target_queue if rule else None, "button")


# --- routing --------------------------------------------------------------------------------


def route(session: Session, rules: Sequence[HandoffRule], *, trigger: Trigger,
          conversation: Conversation) -> Queue | None:
    """The queue a hand-off goes to: the trigger's own queue (complaints → 投诉专席), else the
    customer's tier queue (VIP, 全球通), else the queue serving the topic's module (the
    longest matching module rule), else the catch-all module rule."""
    queues = {q.code: q for q in session.scalars(select(Queue).where(Queue.archived.is_(False)))}
    candidates = [trigger.target_queue]
    candidates += [r.target_queue for r in rules
                   if r.kind == RuleKind.TIER and tier_matches(r, conversation.tier)]
    candidates += module_queues(session, rules, conversation.topic_module_id)
    for code in candidates:
        if code and code in queues:
            return queues[code]
    return None


def module_queues(session: Session, rules: Sequence[HandoffRule], module_id: int | None
                  ) -> list[str | None]:
    """Queues of the module rules matching the module, most specific path first."""
    names: list[str] = []
    if module_id is not None:
        modules = module_names_by_id(session)
        names = [m.name for m in breadcrumb(modules, module_id)]
    matching = []
    for rule in rules:
        if rule.kind != RuleKind.MODULE:
            continue
        prefix = split_path(rule.pattern)
        if names[:len(prefix)] == prefix:
            matching.append((len(prefix), -rule.priority, rule.target_queue))
    return [queue for _, _, queue in sorted(matching, reverse=True)]


# --- managing rules --------------------------------------------------------------------------


@dataclass(frozen=True)
class RuleInput:
    kind: str
    pattern: str = ""
    threshold: int = 0
    target_queue: str | None = None
    priority: int = 100
    enabled: bool = True
    note: str = ""
    reason: str | None = None  # keyword rules: which reason they record
    answer_first: bool = False  # keyword rules: a sure customer answer goes first


_DEFAULT_REASON = {
    RuleKind.TIER: HandoffReason.TIER,
    RuleKind.FAILED_ANSWERS: HandoffReason.FAILED_ANSWERS,
    RuleKind.NEGATIVE_FEEDBACK: HandoffReason.NEGATIVE_FEEDBACK,
}


def list_rules(session: Session) -> Sequence[HandoffRule]:
    return session.scalars(select(HandoffRule).order_by(HandoffRule.priority,
                                                        HandoffRule.id)).all()


# Separators people type out of habit; in a keyword rule only "|" separates words.
_WRONG_SEPARATORS = re.compile(r"[,，、;；]")


def keyword_problems(pattern: str) -> list[dict[str, object]]:
    """What is wrong with a keyword list ("投诉|工信部|=人工|!投诉建议"): an empty word
    between two "|", a comma or 、 where "|" was meant (the words would only match
    together), a word with no letter or digit (it would never match, or match everything),
    only exceptions (the rule would never fire)."""
    problems: list[dict[str, object]] = []
    words = [w.strip() for w in pattern.split("|")]
    for word in words:
        bare = keyword_prefix(word)[1].strip()
        if not bare:
            problems.append({"field": "pattern", "code": "empty_keyword"})
        elif _WRONG_SEPARATORS.search(bare):
            problems.append({"field": "pattern", "code": "keyword_separator", "value": word})
        elif not any(c.isalnum() for c in normalize(bare)):
            problems.append({"field": "pattern", "code": "keyword_no_letters", "value": word})
    written = [w for w in words if w]
    if written and all(keyword_prefix(w)[0] == EXCEPTION for w in written):
        problems.append({"field": "pattern", "code": "keyword_only_exceptions"})
    unique: list[dict[str, object]] = []
    for problem in problems:
        if problem not in unique:
            unique.append(problem)
    return unique


def _validated(session: Session, data: RuleInput) -> dict[str, object]:
    problems: list[dict[str, object]] = []
    kinds = {k.value for k in RuleKind}
    if data.kind not in kinds:
        problems.append({"field": "kind", "code": "invalid_choice", "value": data.kind})
    reason: str = ROUTING
    if data.kind == RuleKind.KEYWORD:
        reason = data.reason or HandoffReason.EXPLICIT_REQUEST
        if reason not in {r.value for r in HandoffReason}:
            problems.append({"field": "reason", "code": "invalid_choice", "value": reason})
        if not data.pattern.strip(" |="):
            problems.append({"field": "pattern", "code": "required"})
        else:
            problems += keyword_problems(data.pattern)
    elif data.kind in _DEFAULT_REASON:
        reason = _DEFAULT_REASON[RuleKind(data.kind)]
    if data.kind == RuleKind.TIER and not data.pattern.strip():
        problems.append({"field": "pattern", "code": "required"})
    if data.kind in {RuleKind.FAILED_ANSWERS, RuleKind.NEGATIVE_FEEDBACK} \
            and not 1 <= data.threshold <= 20:
        problems.append({"field": "threshold", "code": "invalid_choice",
                         "value": data.threshold})
    if data.kind == RuleKind.MODULE and not data.target_queue:
        problems.append({"field": "target_queue", "code": "required"})
    if data.answer_first and data.kind != RuleKind.KEYWORD:
        # Only a keyword rule fires on a message a sure answer could go before.
        problems.append({"field": "answer_first", "code": "keyword_rules_only"})
    if len(data.pattern) > 1000:
        problems.append({"field": "pattern", "code": "too_long", "max": 1000})
    if problems:
        raise FieldErrors(problems)
    if data.target_queue and session.scalar(
            select(Queue.id).where(Queue.code == data.target_queue)) is None:
        raise UnknownQueue(queue=data.target_queue)
    return {"kind": data.kind, "reason": reason, "pattern": data.pattern.strip(),
            "threshold": data.threshold, "target_queue": data.target_queue or None,
            "priority": data.priority, "enabled": data.enabled, "note": data.note[:200],
            "answer_first": data.answer_first,
            "updated_at": utcnow()}


def create_rule(session: Session, *, actor: User, data: RuleInput) -> HandoffRule:
    """Add a rule; it applies to the next message in every server process."""
    require_configurer(actor)
    rule = HandoffRule(**_validated(session, data))
    session.add(rule)
    session.flush()
    record(session, actor=actor, action="assistant_rule_created", entity_type="handoff_rule",
           entity_id=rule.id, summary=f"{rule.kind} {rule.pattern}"[:400],
           after={"kind": rule.kind, "pattern": rule.pattern, "queue": rule.target_queue,
                  "answer_first": rule.answer_first})
    return rule


def update_rule(session: Session, *, actor: User, rule_id: int, data: RuleInput,
                expected_updated_at: datetime | None = None) -> HandoffRule:
    """Change a rule. With ``expected_updated_at`` (the web form's copy) a rule saved by
    someone else in the meantime raises StaleRule instead of being overwritten."""
    require_configurer(actor)
    rule = session.get(HandoffRule, rule_id)
    if rule is None:
        raise RuleNotFound(rule=rule_id)
    if expected_updated_at is not None and rule.updated_at != expected_updated_at:
        raise StaleRule(rule=rule_id)
    before = {"kind": rule.kind, "pattern": rule.pattern, "queue": rule.target_queue,
              "enabled": rule.enabled, "threshold": rule.threshold,
              "answer_first": rule.answer_first}
    for name, value in _validated(session, data).items():
        setattr(rule, name, value)
    session.flush()
    record(session, actor=actor, action="assistant_rule_updated", entity_type="handoff_rule",
           entity_id=rule.id, summary=f"{rule.kind} {rule.pattern}"[:400], before=before,
           after={"kind": rule.kind, "pattern": rule.pattern, "queue": rule.target_queue,
                  "enabled": rule.enabled, "threshold": rule.threshold,
                  "answer_first": rule.answer_first})
    return rule
