"""Fitting the confidence model: P(a hit is the right article) from the rankers' evidence.

`seci eval calibrate --kb KB.jsonl --queries QUERIES.jsonl` runs every labelled query, takes
the features of its top hits (``confidence.confidence_features``), labels each hit right or
wrong (every hit of an unanswerable query is wrong) and fits a logistic regression. Each
answerable query is asked a second time with its article filtered out: the knowledge gaps
the model must recognise are exactly such near misses, which a dev set holds too few of.
It prints the coefficients for ``confidence.CONFIDENCE_COEFFICIENTS`` (the prior) and, from
cross-validation grouped by query, how well the current and the refitted model are
calibrated (expected calibration error, Brier score) and what the no-match threshold does.

Each matcher form has its model (its score has a scale of its own): the queries run once
with the linear form forced (``CONFIDENCE_COEFFICIENTS``) and once with the neighbour form
that large knowledge bases use (``NEIGHBOUR_CONFIDENCE_COEFFICIENTS``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date
from itertools import pairwise
from pathlib import Path

import numpy as np

from seci.retrieval.evaluation import EvalStore, LabelledQuery

HITS_PER_QUERY = 5


@dataclass(frozen=True)
class Sample:
    query_index: int
    position: int  # 0 = top hit
    features: dict[str, float]
    correct: bool
    answer_removed: bool = False  # the expected article was filtered out
    # The matcher put an article at least as high as "none of these" (choices allowed).
    recognised: bool = True


def collect_samples(kb_path: Path, queries: Sequence[LabelledQuery],
                    on: date | None = None, matcher: str = "linear") -> list[Sample]:
    from seci.retrieval.confidence import confidence_features
    from seci.retrieval.service import filters_for

    store = EvalStore()
    try:
        store.build(kb_path, on=on, matcher=matcher, calibrate=False)
        engine = store.search_engine
        filters = filters_for(store.user, on=on)
        samples = []
        ids = {facts.code: facts.article_id for facts in engine.all_facts()}
        for index, labelled in enumerate(queries):
            terms = len(set(engine.analyzer.tokens(labelled.query)))
            variants = [filters]
            if labelled.expected in ids:  # also: the same question, its answer missing
                variants.append(replace(filters, exclude=frozenset({ids[labelled.expected]})))
            for variant in variants:
                ranked = engine.rank(labelled.query, variant, HITS_PER_QUERY)
                for position, (item, features) in enumerate(
                        zip(ranked, confidence_features(ranked, terms), strict=True)):
                    samples.append(Sample(index, position, features,
                                          item.facts.code == labelled.expected,
                                          variant is not filters))
        return samples
    finally:
        store.session.close()
        store.directory.cleanup()


def _matrix(samples: Sequence[Sample], names: Sequence[str]) -> np.ndarray:
    return np.array([[s.features[n] for n in names] for s in samples], dtype=float)


def fit(samples: Sequence[Sample], regularization: float = 1.0) -> dict[str, float]:
    """Logistic-regression coefficients, named as in CONFIDENCE_COEFFICIENTS."""
    from sklearn.linear_model import LogisticRegression

    names = [n for n in samples[0].features if n != "bias"]
    model = LogisticRegression(C=regularization, max_iter=2000)
    model.fit(_matrix(samples, names), np.array([s.correct for s in samples]))
    coefficients = {"bias": float(model.intercept_[0])}
    coefficients.update({n: float(c) for n, c in zip(names, model.coef_[0], strict=True)})
    return coefficients


def predict(coefficients: Mapping[str, float], samples: Sequence[Sample]) -> np.ndarray:
    z = np.array([sum(coefficients.get(n, 0.0) * v for n, v in s.features.items())
                  for s in samples])
    return np.asarray(1.0 / (1.0 + np.exp(-np.clip(z, -30, 30))))


def expected_calibration_error(probabilities: np.ndarray, correct: np.ndarray,
                               bins: int = 10) -> float:
    """Σ over equal-width bins of |mean confidence − accuracy| × share of samples."""
    edges = np.linspace(0.0, 1.0, bins + 1)
    total = 0.0
    for low, high in pairwise(edges):
        inside = (probabilities >= low) & ((probabilities < high) | (high == 1.0))
        if inside.any():
            total += abs(probabilities[inside].mean() - correct[inside].mean()) * inside.mean()
    return float(total)


@dataclass(frozen=True)
class FormCalibration:
    """The confidence model of one matcher form."""

    matcher: str
    coefficients: dict[str, float]
    current_ece: float
    refitted_ece: float  # cross-validated
    current_brier: float
    refitted_brier: float
    top_hits: int
    thresholds: list[dict[str, float]]


@dataclass(frozen=True)
class CalibrationReport:
    linear: FormCalibration
    neighbours: FormCalibration


def cross_validated(samples: Sequence[Sample], folds: int = 5,
                    group_of: Mapping[int, int] | None = None) -> np.ndarray:
    """Out-of-fold probabilities, folds grouped by query (no query in its own training).
    ``group_of``: query index → its group's, for queries that are variants of one another
    (a question and the same question inside a caller's story), kept in one fold."""
    def group(sample: Sample) -> int:
        return group_of.get(sample.query_index, sample.query_index) if group_of \
            else sample.query_index

    predictions = np.zeros(len(samples))
    for fold in range(folds):
        train = [s for s in samples if group(s) % folds != fold]
        held = [i for i, s in enumerate(samples) if group(s) % folds == fold]
        coefficients = fit(train)
        predictions[held] = predict(coefficients, [samples[i] for i in held])
    return predictions


def threshold_table(samples: Sequence[Sample], probabilities: np.ndarray,
                    queries: Sequence[LabelledQuery]) -> list[dict[str, float]]:
    """For candidate thresholds on the top hit: the share of queries answered, the precision
    of those answers, the share of unanswerable queries refused, and the share of answerable
    queries refused once their article is filtered out."""
    top = [(s, p) for s, p in zip(samples, probabilities, strict=True)
           if s.position == 0 and not s.answer_removed]
    removed = [p for s, p in zip(samples, probabilities, strict=True)
               if s.position == 0 and s.answer_removed]
    unanswerable = [p for s, p in top if queries[s.query_index].expected is None]
    rows = []
    for threshold in (0.3, 0.4, 0.5, 0.6, 0.7, 0.8):
        answered = [s for s, p in top if p >= threshold]
        rows.append({
            "threshold": threshold,
            "answered": len(answered) / max(len(top), 1),
            "precision": sum(s.correct for s in answered) / max(len(answered), 1),
            "no_answer_accuracy": sum(p < threshold for p in unanswerable)
            / max(len(unanswerable), 1),
            "gap_refused": sum(p < threshold for p in removed) / max(len(removed), 1),
        })
    return rows


def calibrate(kb_path: Path, queries: Sequence[LabelledQuery],
              on: date | None = None) -> CalibrationReport:
    return CalibrationReport(linear=calibrate_form(kb_path, queries, on, "linear"),
                             neighbours=calibrate_form(kb_path, queries, on, "neighbours"))


def calibrate_form(kb_path: Path, queries: Sequence[LabelledQuery], on: date | None,
                   matcher: str) -> FormCalibration:
    from seci.retrieval.service import coefficients_for

    samples = collect_samples(kb_path, queries, on, matcher)
    top = [i for i, s in enumerate(samples) if s.position == 0]
    correct = np.array([s.correct for s in samples], dtype=float)
    current = predict(coefficients_for(matcher == "neighbours"), samples)
    refitted = cross_validated(samples)
    return FormCalibration(
        matcher=matcher,
        coefficients=fit(samples),
        current_ece=expected_calibration_error(current[top], correct[top]),
        refitted_ece=expected_calibration_error(refitted[top], correct[top]),
        current_brier=float(np.mean((current[top] - correct[top]) ** 2)),
        refitted_brier=float(np.mean((refitted[top] - correct[top]) ** 2)),
        top_hits=len(top),
        thresholds=threshold_table(samples, refitted, queries),
    )
