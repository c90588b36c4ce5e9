"""What the assistant and the system say, in the conversation's language.

The words live in the message catalog (English source, zh_CN translation) like every other
user-facing string. A message's text is rendered once, when it is stored, so the
transcript an agent reads is exactly what the customer saw.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from seci.core.i18n import N_, get_locale, gettext, set_locale
from seci.core.messages import LABELS

GREETING = N_("Hello, I am the smart assistant. What can I do for you? You can ask in your "
              "own words; type 转人工 at any time to talk to a person.")
ANSWER_FOOTER = N_("Did this solve your problem? (是否解决)")
# Names the article(s) a phrased answer comes from (optional generation).
SOURCE = N_("Source:")
CHOICES = N_("Do you mean one of these? Reply with the number:")
NO_MATCH = N_("Sorry, I could not find a reliable answer to that. Could you say it in other "
              "words? Or type 转人工 and a colleague will help you.")
# The knowledge that answers best is an offer or rule not in force today.
ENDED = N_("What answers this is 《{title}》, which ended on {day} and can no longer be "
           "taken up. Ask me about what is offered now, or type 转人工 to talk to a person.")
NOT_YET = N_("What answers this is 《{title}》, which starts on {day} and cannot be taken up "
             "yet. Ask me anything else, or type 转人工 to talk to a person.")
# The message asks about another operator's business (``operators``).
OTHER_OPERATOR = N_("That is a question about {operator}'s services, which this hotline cannot "
                    "answer for: please ask {operator} ({hotline}). To bring your number to "
                    "us or take it away, ask me about porting (携号转网); or type 转人工 to "
                    "talk to a person.")
# An answer given before a hand-off rule's person (a question about complaining, answered).
PERSON_TOO = N_("If you would like a colleague to take this further (for example to record "
                "your complaint), type 转人工.")
NO_WORDS = N_("I can only read text. Please type your question in words.")
# A message that is courtesy and nothing else (``retrieval.courtesy.courtesy_only``).
COURTESY_GREETING = N_("Hello! What can I do for you? Just tell me your question, for example "
                       "“how much is broadband a month”.")
COURTESY_THANKS = N_("You are welcome. If there is anything else, just ask.")
COURTESY_ACKNOWLEDGED = N_("All right. If there is anything else, just ask.")
COURTESY_FAREWELL = N_("Thank you for contacting us. Goodbye!")
HELPFUL_THANKS = N_("Glad it helped. Anything else?")
NOT_HELPFUL = N_("Sorry that did not help. Could you describe the problem in more detail? Or "
                 "type 转人工 to talk to a person.")
HANDOFF_OPEN = N_("I am passing you to a colleague at {queue}. You are number {position} in "
                  "line; your conversation so far goes with you, so you need not repeat it.")
HANDOFF_NO_AGENT = N_("I am passing you to {queue}. All colleagues are busy at the moment; you "
                      "are number {position} in line. You can also leave your mobile number "
                      "and we will call you back.")
HANDOFF_CLOSED = N_("{queue} is closed now (it opens again {opens}). Please leave your mobile "
                    "number and we will call you back.")
# 转人工 again while waiting: the customer is told where they stand, not left unanswered.
STILL_WAITING = N_("You are already in line for {queue}: {ahead} customers are ahead of "
                   "you. Please stay with us; your messages so far go with you.")
STILL_WAITING_NEXT = N_("You are already in line for {queue}, and you are next. A colleague "
                        "will be with you shortly.")
GENERIC_QUEUE = N_("our service team")
ACCEPTED = N_("{agent} is now helping you.")
TRANSFERRED = N_("You are being transferred to {queue}. Please wait a moment.")
CLOSED = N_("This conversation has ended. How satisfied are you with the service? Please rate "
            "from 1 (very dissatisfied) to 5 (very satisfied).")
CALLBACK = N_("Thank you. We will call {phone} back as soon as a colleague is free.")
WEEKDAYS = (N_("Monday"), N_("Tuesday"), N_("Wednesday"), N_("Thursday"), N_("Friday"),
            N_("Saturday"), N_("Sunday"))
OPENS_AT = N_("{day} {time}")


@contextmanager
def speaking(locale: str) -> Iterator[None]:
    """Render in the conversation's language, whatever the request's language is."""
    previous = get_locale()
    set_locale(locale)
    try:
        yield
    finally:
        set_locale(previous)


def say(locale: str, template: str, **params: Any) -> str:
    with speaking(locale):
        return gettext(template, **params)


def queue_for_customers(code: str) -> str:
    """A queue's name as customers are told it, in the current language: its customer
    word (LABELS["queue_customer"]) or a generic one; never the internal code ("A")."""
    return gettext(LABELS["queue_customer"].get(code, GENERIC_QUEUE))


def choices_text(locale: str, titles: list[str]) -> str:
    lines = [say(locale, CHOICES)]
    lines.extend(f"{number}. {title}" for number, title in enumerate(titles, start=1))
    return "\n".join(lines)


def answer_text(locale: str, title: str, body: str) -> str:
    return f"**{title}**\n\n{body}\n\n{say(locale, ANSWER_FOOTER)}"


def opens_text(locale: str, weekday: int, minute: int) -> str:
    with speaking(locale):
        return gettext(OPENS_AT, day=gettext(WEEKDAYS[weekday]),
                       time=f"{minute // 60:02d}:{minute % 60:02d}")
