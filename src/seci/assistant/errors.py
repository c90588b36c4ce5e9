"""Errors of the assistant: what a customer or an agent may not do, and why."""

from __future__ import annotations

from seci.core.errors import Conflict, InvalidInput, NotAuthenticated, NotFound
from seci.core.i18n import N_


class ConversationNotFound(NotFound):
    code = "conversation_not_found"
    message = N_("Conversation {conversation} not found.")


class BadConversationToken(NotAuthenticated):
    # The same answer for a wrong token and an unknown conversation: a customer learns
    # nothing about conversations that are not theirs.
    code = "conversation_token_invalid"
    message = N_("This chat has ended or the link is not valid; please start a new chat.")


class EmptyMessage(InvalidInput):
    code = "empty_message"
    message = N_("The message is empty. Please type your question.")


class MessageTooLong(InvalidInput):
    code = "message_too_long"
    message = N_("The message is too long (at most {max} characters). Please say it in "
                 "fewer words.")


class ConversationClosed(Conflict):
    code = "conversation_closed"
    message = N_("This chat has ended. Please start a new chat for another question.")


class WrongConversationState(Conflict):
    code = "conversation_state"
    message = N_("Not possible while the conversation is {status}.")


class NotYourConversation(Conflict):
    code = "conversation_taken"
    message = N_("Another agent is handling this conversation.")


class NotInYourQueues(NotFound):
    # Conversations of other queues answer 404: their existence is not the agent's business.
    code = "conversation_not_in_queue"
    message = N_("Conversation {conversation} is not in your queues.")


class NotAnAnswer(InvalidInput):
    code = "not_an_answer"
    message = N_("Message {seq} is not an answer that can be rated.")


class AlreadyRated(Conflict):
    code = "already_rated"
    message = N_("This has already been rated.")


class InternalArticle(Conflict):
    code = "internal_article"
    message = N_("Article {article} is for agents only (or not valid) and cannot be sent to "
                 "a customer.")


class NotACustomerQuestion(InvalidInput):
    code = "not_a_customer_question"
    message = N_("Message {seq} is not one of the customer's messages in this conversation.")


class AnswersWithoutArticle(InvalidInput):
    code = "answers_without_article"
    message = N_("Only a message with an article answers a customer's question: give "
                 "article_id as well.")


class ArticleNotInConversation(NotFound):
    # A customer may read the full text only of articles their conversation was given, and
    # only while they are still customer-visible.
    code = "article_not_in_conversation"
    message = N_("This article is not available in this conversation.")


class UnknownQueue(InvalidInput):
    code = "unknown_queue"
    message = N_("Unknown queue: {queue}.")


class BadPhoneNumber(InvalidInput):
    code = "bad_phone_number"
    message = N_("Please enter an 11-digit mobile number starting with 1, e.g. 13812345678.")


class CallbackNotFound(NotFound):
    code = "callback_not_found"
    message = N_("Call-back request {callback} not found.")


class RuleNotFound(NotFound):
    code = "rule_not_found"
    message = N_("Hand-off rule {rule} not found.")


class StaleRule(Conflict):
    """Someone saved the rule after this manager opened it."""

    code = "stale_rule"
    message = N_("Hand-off rule {rule} was changed by someone else after you opened it.")


class StaleHours(Conflict):
    """Someone saved the queue's hours after this manager opened them."""

    code = "stale_hours"
    message = N_("The hours of queue {queue} were changed by someone else after you opened "
                 "them.")
