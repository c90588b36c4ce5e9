"""How well the assistant handles single questions: `seci eval assistant`.

Each labelled query (the same file as `seci eval retrieval`) is the first message of a
fresh conversation with a customer of no particular tier; the assistant's reply is
classified as an answer (which article), choices (which articles), or no answer (a
"no match" reply or a hand-off).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from secrets import token_urlsafe
from typing import Any

from seci.assistant.models import Kind
from seci.retrieval.evaluation import EvalStore, LabelledQuery


@dataclass(frozen=True)
class AssistantOutcome:
    query: LabelledQuery
    kind: str  # answer | choices | no_answer
    codes: tuple[str, ...]  # the answered article, or the offered ones


def answered_correct(outcomes: Sequence[AssistantOutcome]) -> float:
    """|{in-scope q : answered with the expected article}| / |in-scope q|."""
    return _share(_in_scope(outcomes),
                  lambda o: o.kind == "answer" and o.query.expected in o.codes)


def answered_wrong(outcomes: Sequence[AssistantOutcome]) -> float:
    """|{in-scope q : answered with another article}| / |in-scope q|."""
    return _share(_in_scope(outcomes),
                  lambda o: o.kind == "answer" and o.query.expected not in o.codes)


def offered_choices(outcomes: Sequence[AssistantOutcome]) -> float:
    """|{in-scope q : choices offered, the expected article among them}| / |in-scope q|."""
    return _share(_in_scope(outcomes),
                  lambda o: o.kind == "choices" and o.query.expected in o.codes)


def handed_off(outcomes: Sequence[AssistantOutcome]) -> float:
    """|{in-scope q : no answer — "no match" with a human offered, or a hand-off}| /
    |in-scope q|."""
    return _share(_in_scope(outcomes), lambda o: o.kind == "no_answer")


def out_of_scope_handled(outcomes: Sequence[AssistantOutcome]) -> float | None:
    """|{q with expected null : no answer (no match or hand-off)}| / |such q|; choices
    and answers count as not handled."""
    unanswerable = [o for o in outcomes if o.query.expected is None]
    if not unanswerable:
        return None
    return _share(unanswerable, lambda o: o.kind == "no_answer")


def _in_scope(outcomes: Sequence[AssistantOutcome]) -> list[AssistantOutcome]:
    return [o for o in outcomes if o.query.expected is not None]


def _share(items: Sequence[AssistantOutcome], hit: Any) -> float:
    return sum(1 for o in items if hit(o)) / len(items) if items else 0.0


def report(outcomes: Sequence[AssistantOutcome]) -> dict[str, Any]:
    """The figures of `seci eval assistant --json` (fractions), with the counts behind them
    and the reply kinds per style."""
    by_style: dict[str, Counter[str]] = {}
    for outcome in outcomes:
        style = outcome.query.style or "-"
        by_style.setdefault(style, Counter())[_verdict(outcome)] += 1
    return {
        "answered_correct": answered_correct(outcomes),
        "answered_wrong": answered_wrong(outcomes),
        "offered_choices": offered_choices(outcomes),
        "handed_off": handed_off(outcomes),
        "out_of_scope_handled": out_of_scope_handled(outcomes),
        "queries": len(outcomes),
        "in_scope": len(_in_scope(outcomes)),
        "out_of_scope": len(outcomes) - len(_in_scope(outcomes)),
        "by_style": {style: dict(sorted(c.items())) for style, c in sorted(by_style.items())},
    }


def _verdict(outcome: AssistantOutcome) -> str:
    if outcome.query.expected is None:
        return "handled" if outcome.kind == "no_answer" else f"{outcome.kind}_wrongly"
    if outcome.kind == "answer":
        return "correct" if outcome.query.expected in outcome.codes else "wrong"
    if outcome.kind == "choices":
        return "choices_with" if outcome.query.expected in outcome.codes else "choices_without"
    return "no_answer"


def evaluate(kb_path: Path, queries: Sequence[LabelledQuery], on: date | None = None,
             similar_questions: int | None = None,
             learn_from: Sequence[LabelledQuery] = ()) -> list[AssistantOutcome]:
    """Import the KB into a throw-away store and ask every query as a new customer.
    ``on``: the day validity is judged on (default today); ``similar_questions``: cut
    every article's similar questions to its first N before the import
    (``seci.retrieval.evaluation.cut_similar_questions``). ``learn_from``: questions
    customers asked before (``replay_hand_offs``): what the assistant did not answer
    went to an agent, who answered with the expected article; the KB learns from that
    before ``queries`` are asked."""
    from seci.assistant.conversations import start_conversation
    from seci.assistant.dialogue import send_customer_message

    store = EvalStore()
    try:
        store.build(kb_path, on=on, similar_questions=similar_questions)
        session, engine = store.session, store.search_engine
        if learn_from:
            replay_hand_offs(store, learn_from, on=on)
        outcomes = []
        for labelled in queries:
            conversation = start_conversation(session, channel="api").conversation
            turn = send_customer_message(session, engine=engine, conversation=conversation,
                                         text=labelled.query, on=on)
            outcomes.append(_classify(labelled, turn.replies))
            # Each query stands alone: nothing it logged may teach the next one.
            session.rollback()
        return outcomes
    finally:
        if store.session is not None:
            store.session.close()
        store.directory.cleanup()


@dataclass(frozen=True)
class Replayed:
    """What ``replay_hand_offs`` taught the KB: questions labelled by a customer's pick
    among choices, and by the article an agent answered a hand-off with."""

    picked: int
    answered_by_agents: int


def replay_hand_offs(store: EvalStore, questions: Sequence[LabelledQuery],
                     on: date | None = None) -> Replayed:
    """The learning loop, played through the services a deployment uses: each question is
    a new customer's first message. Answered with its article: nothing to learn (a
    customer who does not say 有用 labels nothing). Offered among choices: the customer
    picks it. Otherwise the customer asks for a person (转人工) and an agent of every
    queue accepts and inserts the article (``agents.insert_article``), which labels the
    question (``learning.answered_by_agent``); agent-only and out-of-scope questions
    teach nothing. Then the matcher retrains on the labels and the calibration is
    refitted, as a server does on its own."""
    from seci.accounts import service as accounts
    from seci.accounts.roles import Role
    from seci.assistant import agents
    from seci.assistant.conversations import start_conversation
    from seci.assistant.dialogue import customer_article, send_customer_message
    from seci.assistant.models import Status
    from seci.retrieval.served_calibration import fit_served_calibration

    session, engine = store.session, store.search_engine
    agent = accounts.create_user(
        session, username="eval-agent", password=token_urlsafe(16), roles=[Role.AGENT],
        queue_ids=[q.id for q in accounts.list_queues(session)])
    session.commit()
    ids = {facts.code: facts.article_id for facts in engine.all_facts()}
    picked = answered = 0
    for labelled in questions:
        article_id = ids.get(labelled.expected or "")
        if article_id is None or customer_article(session, article_id=article_id,
                                                  on=on) is None:
            continue
        conversation = start_conversation(session, channel="api").conversation
        turn = send_customer_message(session, engine=engine, conversation=conversation,
                                     text=labelled.query, on=on)
        outcome = _classify(labelled, turn.replies)
        if outcome.kind == "answer" and labelled.expected in outcome.codes:
            session.rollback()
            continue
        if outcome.kind == "choices" and labelled.expected in outcome.codes:
            send_customer_message(session, engine=engine, conversation=conversation,
                                  text=str(outcome.codes.index(labelled.expected) + 1), on=on)
            picked += 1
        else:
            if conversation.status == Status.BOT:
                send_customer_message(session, engine=engine, conversation=conversation,
                                      text="转人工", on=on)
            if conversation.status != Status.WAITING:  # no one on duty: a call-back
                session.rollback()
                continue
            agents.accept(session, agent=agent, conversation_id=conversation.id)
            agents.insert_article(session, agent=agent, conversation_id=conversation.id,
                                  article_id=article_id, on=on)
            answered += 1
        session.commit()
    engine.refresh_log_examples(session)
    fit_served_calibration(session, engine=engine, actor=store.user, on=on)
    session.commit()
    engine.sync(session)
    return Replayed(picked, answered)


def _classify(labelled: LabelledQuery, replies: Sequence[Any]) -> AssistantOutcome:
    for reply in replies:
        if reply.kind == Kind.ANSWER:
            return AssistantOutcome(labelled, "answer", (str(reply.data["code"]),))
        if reply.kind == Kind.CHOICES:
            return AssistantOutcome(labelled, "choices",
                                    tuple(str(c["code"]) for c in reply.data["choices"]))
    return AssistantOutcome(labelled, "no_answer", ())
