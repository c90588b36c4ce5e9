"""Retrieval quality on a labelled query set: the metrics and the evaluation run.

Each metric is a named function with its formula; the run builds a throw-away store,
imports the knowledge base (the JSONL import form), asks every query and reports.
``cut_similar_questions`` makes the "realistic KB" variant of a KB file (a few similar
questions per article) before it is imported.
"""

from __future__ import annotations

import json
import math
import tempfile
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from secrets import token_urlsafe
from typing import Any

from seci.core.errors import InvalidInput
from seci.core.i18n import N_


@dataclass(frozen=True)
class LabelledQuery:
    query: str
    expected: str | None  # article code, or None: nothing in the KB answers it
    style: str | None = None


@dataclass(frozen=True)
class Outcome:
    query: LabelledQuery
    ranked_codes: list[str]
    confident: bool


class BadQueryFile(InvalidInput):
    code = "bad_query_file"
    message = N_("Line {line} of the query file is not valid: {detail}")


def read_queries(path: Path) -> list[LabelledQuery]:
    queries = []
    for number, line in enumerate(path.read_text(encoding="utf-8-sig").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
            text = obj["query"]
            expected = obj.get("expected")
        except (json.JSONDecodeError, KeyError, TypeError) as exc:
            raise BadQueryFile(line=number, detail=str(exc)) from None
        if not isinstance(text, str) or not (expected is None or isinstance(expected, str)):
            raise BadQueryFile(line=number, detail="query must be text, expected text or null")
        queries.append(LabelledQuery(text, expected, obj.get("style")))
    return queries


# --- metrics -----------------------------------------------------------------------------


def rank_of(outcome: Outcome) -> int | None:
    """1-based position of the expected article among the results, or None."""
    expected = outcome.query.expected
    if expected is None or expected not in outcome.ranked_codes:
        return None
    return outcome.ranked_codes.index(expected) + 1


def recall_at(outcomes: Sequence[Outcome], k: int) -> float:
    """recall@k = |{answerable q : rank(q) ≤ k}| / |answerable q|."""
    answerable = [o for o in outcomes if o.query.expected is not None]
    if not answerable:
        return 0.0
    return sum(1 for o in answerable if (r := rank_of(o)) is not None and r <= k) / len(
        answerable)


def mean_reciprocal_rank(outcomes: Sequence[Outcome]) -> float:
    """MRR = mean over answerable q of 1 / rank(q) (0 when not found)."""
    answerable = [o for o in outcomes if o.query.expected is not None]
    if not answerable:
        return 0.0
    return sum(1 / r for o in answerable if (r := rank_of(o)) is not None) / len(answerable)


def ndcg_at(outcomes: Sequence[Outcome], k: int = 10) -> float:
    """nDCG@k with one relevant article: mean of 1 / log2(rank + 1) when rank ≤ k, else 0
    (the ideal DCG is 1)."""
    answerable = [o for o in outcomes if o.query.expected is not None]
    if not answerable:
        return 0.0
    return sum(1 / math.log2(r + 1) for o in answerable
               if (r := rank_of(o)) is not None and r <= k) / len(answerable)


def no_answer_accuracy(outcomes: Sequence[Outcome]) -> float | None:
    """Share of unanswerable queries (expected null) for which search was not confident."""
    unanswerable = [o for o in outcomes if o.query.expected is None]
    if not unanswerable:
        return None
    return sum(1 for o in unanswerable if not o.confident) / len(unanswerable)


def summarize(outcomes: Sequence[Outcome]) -> dict[str, Any]:
    """The figures of a set of outcomes; ranking figures are null without answerable queries."""
    answerable = any(o.query.expected is not None for o in outcomes)
    return {
        "queries": len(outcomes),
        "recall@1": recall_at(outcomes, 1) if answerable else None,
        "recall@5": recall_at(outcomes, 5) if answerable else None,
        "mrr": mean_reciprocal_rank(outcomes) if answerable else None,
        "ndcg@10": ndcg_at(outcomes, 10) if answerable else None,
        "no_answer_accuracy": no_answer_accuracy(outcomes),
    }


def report(outcomes: Sequence[Outcome]) -> dict[str, Any]:
    """The figures overall and per style (the keys of `seci eval retrieval --json`)."""
    by_style: dict[str, list[Outcome]] = defaultdict(list)
    for outcome in outcomes:
        if outcome.query.style:
            by_style[outcome.query.style].append(outcome)
    result = summarize(outcomes)
    result["by_style"] = {style: summarize(items) for style, items in sorted(by_style.items())}
    return result


# --- the knowledge base as evaluated --------------------------------------------------------


def cut_similar_questions(data: bytes, keep: int) -> bytes:
    """The KB file (import JSONL) with every article's similar questions cut to its first
    ``keep`` (in file order, after the import's own clean-up: blanks and repeats dropped,
    list cells split); articles with fewer keep all. Deterministic, no sampling. Lines
    that are not article objects are passed through for the import to report."""
    from seci.knowledge.tabular import canonical_column, decode_text, split_list_cell
    from seci.knowledge.validation import clean_text_list

    if keep < 0:
        raise ValueError("keep must be 0 or more")
    lines = []
    for line in decode_text(data).splitlines():
        try:
            record = json.loads(line) if line.strip() else None
        except json.JSONDecodeError:
            record = None
        if not isinstance(record, dict):
            lines.append(line)
            continue
        for key, value in record.items():
            if canonical_column(key) != "similar_questions" or value is None:
                continue
            if isinstance(value, str | int | float):
                value = split_list_cell(str(value), "similar_questions")
            if isinstance(value, list) and all(isinstance(v, str | int | float) for v in value):
                record[key] = clean_text_list([str(v) for v in value])[:keep]
        lines.append(json.dumps(record, ensure_ascii=False))
    return ("\n".join(lines) + "\n").encode("utf-8")


# --- the run -----------------------------------------------------------------------------


Searcher = Callable[[str], tuple[list[str], bool]]


@dataclass
class EvalStore:
    """A throw-away SQLite store holding the imported KB, searched as staff of all queues."""

    directory: tempfile.TemporaryDirectory[str] = field(
        default_factory=lambda: tempfile.TemporaryDirectory(prefix="seci-eval-"))
    # Set by build(), for tools that look inside the ranking (calibration).
    session: Any = None
    search_engine: Any = None
    user: Any = None

    def build(self, kb_path: Path, on: date | None = None, vectors: Any = None,
              matcher: str = "auto", neural_weight: float = 2.0,
              similar_questions: int | None = None, calibrate: bool = True) -> Searcher:
        """``vectors``: a VectorRanker for the optional neural ranking, fused with
        ``neural_weight`` (SECI_NEURAL_WEIGHT in a server). ``matcher``: 'auto'
        (as a server chooses), 'linear' or 'neighbours' (forced, to measure each form).
        ``similar_questions``: import the KB cut to that many similar questions per
        article (``cut_similar_questions``); None imports it as it is. ``on``: the day
        validity is judged on (default today), for the searches the returned function
        makes. ``calibrate``: fit the confidence model and the assistant's thresholds on
        the imported KB, as a deployment does after a change (False: the prior)."""
        from sqlalchemy.orm import sessionmaker

        from seci.accounts import service as accounts
        from seci.accounts.roles import Role
        from seci.core import migrate
        from seci.core.db import build_engine
        from seci.knowledge.importing import import_articles
        from seci.retrieval.engine import SearchEngine
        from seci.retrieval.matcher import MAX_LINEAR_CLASSES
        from seci.retrieval.service import search

        linear_up_to = {"auto": MAX_LINEAR_CLASSES, "linear": 10**9, "neighbours": 0}[matcher]

        url = f"sqlite:///{Path(self.directory.name) / 'eval.db'}"
        migrate.upgrade(url)
        engine = build_engine(url)
        session = sessionmaker(bind=engine)()
        accounts.seed_queues(session)
        importer = accounts.create_user(session, username="eval", password=token_urlsafe(16),
                                        roles=[Role.MANAGER], all_modules=True)
        data = kb_path.read_bytes()
        if similar_questions is not None:
            data = cut_similar_questions(data, similar_questions)
        import_articles(session, data=data, filename=kb_path.name, actor=importer,
                        max_bytes=len(data) + 1, fmt="jsonl")
        session.commit()
        search_engine = SearchEngine(vectors=vectors, max_linear_classes=linear_up_to,
                                     neural_weight=neural_weight)
        search_engine.sync(session)
        if calibrate:
            from seci.retrieval.served_calibration import fit_served_calibration

            fit_served_calibration(session, engine=search_engine, actor=importer, on=on)
            session.commit()
            search_engine.sync(session)
        self.session, self.search_engine, self.user = session, search_engine, importer

        def ask(query: str) -> tuple[list[str], bool]:
            result = search(session, engine=search_engine, user=importer, query=query,
                            limit=10, on=on)
            return [hit.code for hit in result.hits], result.confident

        return ask


def evaluate(searcher: Searcher, queries: Sequence[LabelledQuery]) -> list[Outcome]:
    outcomes = []
    for labelled in queries:
        codes, confident = searcher(labelled.query)
        outcomes.append(Outcome(labelled, codes, confident))
    return outcomes
