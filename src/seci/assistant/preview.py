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
from seci.retrieval.engine import SearchEngine


@dataclass(frozen=True)
class RulePreview:
    """What would happen to the message: the rule that fires and the queue it reaches, or
    nothing (the assistant searches the knowledge base and answers)."""

    text: str
    tier: str | None
    trigger: Trigger | None
    rule: HandoffRule | None
    queue: Queue | None
    # The message with its homophone typos read as the knowledge base's words, when that
    # differs from it: the rules read both (头诉 fires the complaint rule as 投诉).
    read_as: str | None = None


def preview_message(session: Session, *, engine: SearchEngine, text: str,
                    tier: str | None = None) -> RulePreview:
    """The first enabled rule the message fires (cleaned as the chat cleans it; raises
    EmptyMessage / MessageTooLong like the chat), routed as a hand-off would be. The
    message is read as the chat reads it, its homophone typos as the knowledge base's
    words (the engine is synced here, as the chat syncs it before its rules)."""
    cleaned = clean_message(text)
    rules = enabled_rules(session)
    engine.sync(session)
    corrected = engine.corrected(cleaned).text
    read_as = corrected if corrected != cleaned else None
    # Never added to the session: a stand-in for a new conversation with this tier.
    conversation = Conversation(tier=tier or None)
    trigger = message_trigger(rules, text=cleaned, conversation=conversation,
                              read_as=read_as)
    if trigger is None:
        return RulePreview(cleaned, tier, None, None, None, read_as)
    queue = route(session, rules, trigger=trigger, conversation=conversation) \
        or fallback_queue(session)
    rule = next((r for r in rules if r.id == trigger.rule_id), None)
    return RulePreview(cleaned, tier, trigger, rule, queue, read_as)
