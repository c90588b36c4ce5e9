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
             similar_questions: int | None = None) -> list[AssistantOutcome]:
    """Import the KB into a throw-away store and ask every query as a new customer.
    ``on``: the day validity is judged on (default today); ``similar_questions``: cut
    every article's similar questions to its first N before the import
    (``seci.retrieval.evaluation.cut_similar_questions``)."""
    from seci.assistant.conversations import start_conversation
    from seci.assistant.dialogue import send_customer_message

    store = EvalStore()
    try:
        store.build(kb_path, on=on, similar_questions=similar_questions)
        session, engine = store.session, store.search_engine
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


def _classify(labelled: LabelledQuery, replies: Sequence[Any]) -> AssistantOutcome:
    for reply in replies:
        if reply.kind == Kind.ANSWER:
            return AssistantOutcome(labelled, "answer", (str(reply.data["code"]),))
        if reply.kind == Kind.CHOICES:
            return AssistantOutcome(labelled, "choices",
                                    tuple(str(c["code"]) for c in reply.data["choices"]))
    return AssistantOutcome(labelled, "no_answer", ())
