"""`seci eval assistant`: how the assistant handles labelled single questions."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from seci.core.errors import SeciError
from seci.core.messages import describe_error
from seci.retrieval.cli import OnOption, SimilarQuestionsOption, day_of
from seci.retrieval.evaluation import read_queries

console = Console(soft_wrap=True, highlight=False)
err = Console(stderr=True, soft_wrap=True, highlight=False)
FIGURES = ("answered_correct", "answered_wrong", "offered_choices", "handed_off",
           "out_of_scope_handled")


def eval_assistant(
    kb: Annotated[Path, typer.Option(exists=True, dir_okay=False, help="KB in import JSONL")],
    queries: Annotated[Path, typer.Option(exists=True, dir_okay=False,
                                          help='Lines {"query", "expected", "style"}')],
    as_json: Annotated[bool, typer.Option("--json", help="Print the figures as JSON")] = False,
    similar_questions: SimilarQuestionsOption = None,
    on: OnOption = None,
    learn_from: Annotated[Path | None, typer.Option(
        exists=True, dir_okay=False,
        help="Questions customers asked before (same format): what the assistant does not "
             "answer goes to an agent, who answers with the expected article; the KB "
             "learns from that first")] = None,
) -> None:
    """Ask each query as a new customer's first message: answered with the expected
    article, offered it among choices, or handed off; out-of-scope queries (expected
    null) should get no answer."""
    from seci.assistant.evaluation import evaluate, report

    try:
        earlier = read_queries(learn_from) if learn_from is not None else []
        figures = report(evaluate(kb, read_queries(queries), on=day_of(on),
                                  similar_questions=similar_questions, learn_from=earlier))
    except SeciError as error:
        err.print(describe_error(error), markup=False)
        raise typer.Exit(1) from None
    if as_json:
        print(json.dumps(figures, ensure_ascii=False, indent=2))
        return
    table = Table("figure", "value")
    for name in FIGURES:
        value = figures[name]
        table.add_row(name, "–" if value is None else f"{value:.3f}")
    table.add_row("queries (in scope / out of scope)",
                  f"{figures['queries']} ({figures['in_scope']} / {figures['out_of_scope']})")
    console.print(table)
