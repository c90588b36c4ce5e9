"""`seci eval retrieval`: how well search finds the right article for real questions."""

from __future__ import annotations

import json
from datetime import date, datetime
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from seci.core.config import get_settings
from seci.core.errors import FieldErrors, SeciError
from seci.core.i18n import gettext
from seci.core.messages import describe_error, describe_problem, label
from seci.retrieval.calibration import FormCalibration
from seci.retrieval.evaluation import EvalStore, evaluate, read_queries, report

app = typer.Typer(help="Evaluate search and the assistant on labelled queries.",
                  no_args_is_help=True)
console = Console(soft_wrap=True, highlight=False)
err = Console(stderr=True, soft_wrap=True, highlight=False)


def _fmt(value: float | None) -> str:
    return "–" if value is None else f"{value:.3f}"


def _vectors(model: str, url: str, api_model: str) -> object | None:
    """A VectorRanker when a neural option was given (errors end the command)."""
    if not (model or url):
        return None
    from seci.retrieval.embeddings import EmbeddingError, encoder_from_settings
    from seci.retrieval.vectors import VectorRanker

    settings = get_settings().model_copy(update={
        "embedding_model": model, "embedding_url": url, "embedding_api_model": api_model,
        "neural_weight": get_settings().neural_weight or 2.0})
    try:
        encoder = encoder_from_settings(settings)
    except EmbeddingError as error:
        err.print(str(error), markup=False)
        raise typer.Exit(2) from None
    return VectorRanker(encoder) if encoder is not None else None


# Shared by `seci eval retrieval` and `seci eval assistant`.
SimilarQuestionsOption = Annotated[int | None, typer.Option(
    min=0, help="Cut every article's similar questions to its first N before the import "
                "(a KB with a few similar questions each, as real ones have)")]
OnOption = Annotated[datetime | None, typer.Option(
    formats=["%Y-%m-%d"], help="Judge validity on this day (YYYY-MM-DD; default today), "
                               "the day the query set was written for")]


def day_of(value: datetime | None) -> date | None:
    return None if value is None else value.date()


class MatcherChoice(StrEnum):
    AUTO = "auto"
    LINEAR = "linear"
    NEIGHBOURS = "neighbours"


@app.command("retrieval")
def eval_retrieval(
    kb: Annotated[Path, typer.Option(exists=True, dir_okay=False, help="KB in import JSONL")],
    queries: Annotated[Path, typer.Option(exists=True, dir_okay=False,
                                          help='Lines {"query", "expected", "style"}')],
    as_json: Annotated[bool, typer.Option("--json", help="Print the figures as JSON")] = False,
    embedding_model: Annotated[str, typer.Option(
        help="Add neural ranking: a local model directory or installed package")] = "",
    embedding_url: Annotated[str, typer.Option(
        help="Add neural ranking: an OpenAI-compatible endpoint root")] = "",
    embedding_api_model: Annotated[str, typer.Option(
        help="Model name the endpoint serves")] = "",
    matcher: Annotated[MatcherChoice, typer.Option(
        help="Matcher form: auto (as a server chooses by KB size), linear or neighbours")
    ] = MatcherChoice.AUTO,
    similar_questions: SimilarQuestionsOption = None,
    on: OnOption = None,
) -> None:
    """Import KB into a throw-away store, run every query, print recall@1/5, MRR, nDCG@10
    and how often an unanswerable query got a confident answer."""
    try:
        labelled = read_queries(queries)
        store = EvalStore()
        try:
            vectors = _vectors(embedding_model, embedding_url, embedding_api_model)
            weight = get_settings().neural_weight or 2.0  # SECI_NEURAL_WEIGHT, as a server
            searcher = store.build(kb, on=day_of(on), vectors=vectors, matcher=matcher.value,
                                   neural_weight=weight, similar_questions=similar_questions)
            outcomes = evaluate(searcher, labelled)
        finally:
            store.directory.cleanup()
    except SeciError as error:
        err.print(describe_error(error), markup=False)
        raise typer.Exit(1) from None
    figures = report(outcomes)
    if as_json:
        print(json.dumps(figures, ensure_ascii=False, indent=2))
        return
    table = Table("style", "queries", "recall@1", "recall@5", "MRR", "nDCG@10", "no-answer")
    rows = [("all", figures), *figures["by_style"].items()]
    for name, values in rows:
        table.add_row(name, str(values["queries"]), _fmt(values["recall@1"]),
                      _fmt(values["recall@5"]), _fmt(values["mrr"]), _fmt(values["ndcg@10"]),
                      _fmt(values["no_answer_accuracy"]))
    console.print(table)


@app.command("calibrate")
def eval_calibrate(
    kb: Annotated[Path, typer.Option(exists=True, dir_okay=False, help="KB in import JSONL")],
    queries: Annotated[Path, typer.Option(exists=True, dir_okay=False,
                                          help='Lines {"query", "expected", "style"}')],
    as_json: Annotated[bool, typer.Option("--json", help="Print the figures as JSON")] = False,
) -> None:
    """Fit the search confidence model on labelled queries (a dev set, never the test set):
    prints coefficients for CONFIDENCE_COEFFICIENTS and calibration before/after."""
    from dataclasses import asdict

    from seci.retrieval.calibration import calibrate

    try:
        result = calibrate(kb, read_queries(queries))
    except SeciError as error:
        err.print(describe_error(error), markup=False)
        raise typer.Exit(1) from None
    if as_json:
        print(json.dumps(asdict(result), ensure_ascii=False, indent=2))
        return
    for form, name in ((result.linear, "CONFIDENCE_COEFFICIENTS"),
                       (result.neighbours, "NEIGHBOUR_CONFIDENCE_COEFFICIENTS")):
        _print_form(form, name)


def _print_form(form: FormCalibration, name: str) -> None:
    console.rule(f"{form.matcher} matcher")
    console.print(f"top hits: {form.top_hits}")
    console.print(f"ECE   current {form.current_ece:.3f}  refitted (5-fold) "
                  f"{form.refitted_ece:.3f}")
    console.print(f"Brier current {form.current_brier:.3f}  refitted (5-fold) "
                  f"{form.refitted_brier:.3f}")
    table = Table("threshold", "answered", "precision", "no-answer", "gap refused")
    for row in form.thresholds:
        table.add_row(f"{row['threshold']:.2f}", f"{row['answered']:.3f}",
                      f"{row['precision']:.3f}", f"{row['no_answer_accuracy']:.3f}",
                      f"{row['gap_refused']:.3f}")
    console.print(table)
    console.print(f"{name} = {{")
    for key, value in form.coefficients.items():
        console.print(f'    "{key}": {value:.3f},')
    console.print("}")


search_app = typer.Typer(help="Search: the confidence model of the served knowledge base.",
                         no_args_is_help=True)


@search_app.command("calibrate")
def calibrate_served(
    json_output: Annotated[bool, typer.Option("--json", help="Print the fit as JSON")] = False,
) -> None:
    """Fit the confidence model and the assistant's thresholds on the knowledge base in the
    database (held-out similar questions and the search log) and store them; running
    servers use the fit within a second."""
    from seci.accounts.service import system_actor
    from seci.core.db import session_scope
    from seci.retrieval.engine import SearchEngine
    from seci.retrieval.served_calibration import PHASES, describe, fit_served_calibration

    def progress(phase: str, done: int, total: int | None) -> None:
        if not json_output:
            typer.echo(f"{gettext(PHASES.get(phase, phase))} {done}/{total or '?'}", err=True)

    with session_scope() as session:
        row = fit_served_calibration(session, engine=SearchEngine(), actor=system_actor(),
                                     progress=progress)
        session.flush()
        figures = describe(row)
    if json_output:
        typer.echo(json.dumps(figures, ensure_ascii=False, default=str))
        return
    if figures["status"] != "fitted":
        typer.echo(gettext("Too few questions to calibrate on ({n}); the prior stays.",
                           n=figures["held_out"]))
        return
    report, thresholds = figures["report"], figures["thresholds"]
    typer.echo(gettext("Calibrated on {n} held-out questions ({log} from the search log), "
                       "{articles} articles.", n=figures["held_out"],
                       log=figures["from_log"], articles=figures["articles"]))
    typer.echo(gettext("Expected calibration error {ece} (prior {prior}).",
                       ece=_fmt(report["ece"]), prior=_fmt(report["prior_ece"])))
    typer.echo(gettext("Thresholds: answer {answer}, choices {choices}, member {member}.",
                       answer=_fmt(thresholds["answer"]), choices=_fmt(thresholds["choices"]),
                       member=_fmt(thresholds["member"])))


@search_app.command("check-situations")
def check_situations(
    sentences: Annotated[Path, typer.Argument(
        exists=True, dir_okay=False, readable=True,
        help="UTF-8 text: 'key<TAB>sentence' a line (the entry that should fire), or a "
             "sentence alone (no entry should fire)")],
    json_output: Annotated[bool, typer.Option("--json", help="Print every sentence's "
                                              "result as JSON")] = False,
) -> None:
    """Check the situation lexicon in force (shipped entries as managers changed them, and
    their own) against callers' sentences: which sentences their entry misses, which a
    wrong situation fires on, which out-of-scope ones something fires on."""
    from seci.accounts.service import system_actor
    from seci.core.db import session_scope
    from seci.retrieval import situation_rules as sit
    from seci.retrieval.situations import SituationLexicon
    from seci.retrieval.text import Analyzer

    try:
        text = sentences.read_text("utf-8-sig")
    except UnicodeDecodeError:
        err.print(gettext("{path} is not UTF-8 text.", path=sentences), markup=False)
        raise typer.Exit(2) from None
    with session_scope() as session:
        lexicon = SituationLexicon(sit.effective_situations(session))
    try:
        check = sit.check_sentences(actor=system_actor(), lexicon=lexicon, text=text,
                                    segment=Analyzer().cut)
    except FieldErrors as error:
        for problem in error.errors:  # each bad line, by its number
            err.print(describe_problem(problem), markup=False)
        raise typer.Exit(2) from None
    found = check.sentences
    if json_output:
        typer.echo(json.dumps([{"line": s.line, "text": s.text, "key": s.key,
                                "outcome": s.outcome, "fired": list(s.fired),
                                "stray": list(s.stray)} for s in found],
                              ensure_ascii=False))
        return
    table = Table(gettext("Line"), gettext("Sentence"), gettext("Should fire"),
                  gettext("Result"), gettext("Fires"))
    for s in check.problems:
        table.add_row(str(s.line), s.text, s.key or "-",
                      label("situation_check", s.outcome), " ".join(s.fired))
    if check.problems:
        console.print(table)
    figures = check.figures
    if figures.fires_own is not None and figures.stray is not None:
        typer.echo(gettext("Of {n} sentences with an entry, {share} fire it; a wrong "
                           "situation fires on {stray}.", n=figures.labelled,
                           share=f"{figures.fires_own:.0%}", stray=f"{figures.stray:.0%}"))
    if figures.out_of_scope_fired is not None:
        typer.echo(gettext("Of {n} sentences out of scope, some entry fires on {share}.",
                           n=figures.out_of_scope, share=f"{figures.out_of_scope_fired:.0%}"))
