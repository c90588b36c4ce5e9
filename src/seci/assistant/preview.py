"""Which hand-off rule a message would fire, for managers trying their rules: the same
functions the dialogue calls on a new conversation's first message, nothing stored."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from seci.accounts.models import Queue
from seci.assistant.handoff import fallback_queue
from seci.assistant.models import Conversation, HandoffRule
from seci.assistant.rules import Trigger, enabled_rules, message_trigger, route
from seci.assistant.text import clean_message


@dataclass(frozen=True)
class RulePreview:
    """What would happen to the message: the rule that fires and the queue it reaches, or
    nothing (the assistant searches the knowledge base and answers)."""

    text: str
    tier: str | None
    trigger: Trigger | None
    rule: HandoffRule | None
    queue: Queue | None


def preview_message(session: Session, *, text: str, tier: str | None = None) -> RulePreview:
    """The first enabled rule the message fires (cleaned as the chat cleans it; raises
    EmptyMessage / MessageTooLong like the chat), routed as a hand-off would be."""
    cleaned = clean_message(text)
    rules = enabled_rules(session)
    # Never added to the session: a stand-in for a new conversation with this tier.
    conversation = Conversation(tier=tier or None)
    trigger = message_trigger(rules, text=cleaned, conversation=conversation)
    if trigger is None:
        return RulePreview(cleaned, tier, None, None, None)
    queue = route(session, rules, trigger=trigger, conversation=conversation) \
        or fallback_queue(session)
    rule = next((r for r in rules if r.id == trigger.rule_id), None)
    return RulePreview(cleaned, tier, trigger, rule, queue)
