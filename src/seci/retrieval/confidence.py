"""The confidence model: P(a hit is the right article) from the rankers' evidence, and the
thresholds the assistant decides with (answer alone / offer choices / no good answer).

A deployment fits both on its own knowledge base (``seci.retrieval.served_calibration``):
that fit decides what customers get. ``PRIOR`` only stands in until the first fit, or
when the knowledge base is too small to fit on (fewer held-out questions than
``served_calibration.MIN_HELD_OUT``); its coefficients were fitted on SECI's dev set over the
demo KB with ``seci eval calibrate`` (docs/search.md) and its thresholds set by hand.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from seci.retrieval.engine import RankedArticle

# Logistic model of P(hit is the right article), linear form of the matcher: fitted with
# `seci eval calibrate` on the dev set (evaluation/dev; see docs/search.md): expected
# calibration error of the top hit 0.15 with the earlier hand-set model, 0.039 after
# (cross-validated). The prior only (see the module docstring).
CONFIDENCE_COEFFICIENTS = {
    "bias": 0.390,
    "matcher_score": 5.662,  # linear model's decision value (> 0: it recognises the question)
    "matcher_share": 1.013,  # how clearly the matcher prefers this article
    "lexical_first": -0.046,  # the BM25 ranker puts it first too
    "lexical_per_term": -0.047,  # BM25 score per query term (capped)
    "first": 1.777,  # the top hit
    "margin": -0.308,  # lead over the next hit (mostly explained by matcher_share)
}
# The same for the neighbour form of the matcher (knowledge bases above
# matcher.MAX_LINEAR_CLASSES articles), whose score is a cosine similarity (0–2), fitted on
# the same dev set with that form forced: ECE 0.041 (cross-validated).
NEIGHBOUR_CONFIDENCE_COEFFICIENTS = {
    "bias": -5.729,
    "matcher_score": 3.098,  # best cosine with one of the article's examples
    "matcher_share": 1.193,
    "lexical_first": 1.030,
    "lexical_per_term": 0.304,
    "first": 1.448,
    "margin": -0.589,
}
FEATURES = tuple(CONFIDENCE_COEFFICIENTS)


@dataclass(frozen=True)
class Thresholds:
    """How the assistant decides (``seci.assistant.dialogue.decide``).

    ``answer``: the best hit's confidence at or above which it is sent alone.
    ``choices``: below ``answer``, choices are offered when the confidence that the answer
    is among them (the sum of their confidences: at most one hit is right) reaches this.
    ``member``: a runner-up's confidence at or above which it is one of the choices.
    ``fitted`` False: the prior's hand-set rule (choices when the best hit reaches
    ``choices`` alone, runners-up joining by their fused score).
    """

    answer: float
    choices: float
    member: float
    fitted: bool = False

    def as_dict(self) -> dict[str, float | bool]:
        return {"answer": self.answer, "choices": self.choices, "member": self.member,
                "fitted": self.fitted}


# A runner-up this sure of is moved first (``sure_runner_up_first``). Runners-up are judged
# as second choices, so their confidences are low by design; this is certainty on that
# scale. At the answer threshold instead (0.4–0.5) 1.5 % of the situational dev set's
# questions moved to a wrong article (answered wrong 3.7 → 4.7 %); at 0.9 no question of
# the three dev sets changes place (docs/search.md).
SURE_RUNNER_UP = 0.9

# A calibrated 0.5 is "more likely right than wrong"; choices from 0.3.
PRIOR_THRESHOLDS = Thresholds(answer=0.5, choices=0.3, member=0.0)


@dataclass(frozen=True)
class ConfidenceModel:
    """Coefficients per matcher form and the assistant's thresholds; ``calibration_id``
    is the stored fit it came from (None: the prior)."""

    coefficients: Mapping[str, Mapping[str, float]]  # matcher kind -> coefficients
    thresholds: Thresholds
    calibration_id: int | None = None
    by_kind_thresholds: Mapping[str, Thresholds] = field(default_factory=dict)

    def coefficients_for(self, neighbour_matcher: bool) -> Mapping[str, float]:
        kind = "neighbours" if neighbour_matcher else "linear"
        return self.coefficients.get(kind) or PRIOR.coefficients[kind]

    def thresholds_for(self, neighbour_matcher: bool) -> Thresholds:
        """A fit of the other matcher form (the KB crossed the size at which the matcher
        changes form) does not apply: the prior's thresholds do until the next fit."""
        kind = "neighbours" if neighbour_matcher else "linear"
        return self.by_kind_thresholds.get(kind, PRIOR_THRESHOLDS)

    @classmethod
    def fitted(cls, *, calibration_id: int, kind: str, coefficients: Mapping[str, float],
               thresholds: Mapping[str, Any]) -> ConfidenceModel:
        chosen = Thresholds(answer=float(thresholds["answer"]),
                            choices=float(thresholds["choices"]),
                            member=float(thresholds["member"]), fitted=True)
        return cls(coefficients={kind: dict(coefficients)}, thresholds=chosen,
                   calibration_id=calibration_id, by_kind_thresholds={kind: chosen})


PRIOR = ConfidenceModel(
    coefficients={"linear": CONFIDENCE_COEFFICIENTS,
                  "neighbours": NEIGHBOUR_CONFIDENCE_COEFFICIENTS},
    thresholds=PRIOR_THRESHOLDS,
)


def confidence_features(ranked: Sequence[RankedArticle], query_terms: int
                        ) -> list[dict[str, float]]:
    """The evidence per hit that the confidence model weighs (see docs/search.md)."""
    rows = []
    for position, item in enumerate(ranked):
        runner_up = ranked[position + 1].score if position + 1 < len(ranked) else 0.0
        rows.append({
            "bias": 1.0,
            "matcher_score": _matcher_score(item),
            "matcher_share": item.matcher_share,
            "lexical_first": 1.0 if item.lexical_rank == 1 else 0.0,
            "lexical_per_term": min(item.lexical_score / max(query_terms, 1), 8.0),
            "first": 1.0 if position == 0 else 0.0,
            # How clearly the hit beats the next one (0: a tie, 1: nothing else).
            "margin": (item.score - runner_up) / item.score if item.score > 0 else 0.0,
            # A long statement's story dilutes every other feature (the prior ignores it):
            # log(1 + terms / 10), capped at 40 terms.
            "length": math.log1p(min(query_terms, 40) / 10),
        })
    return rows


def _matcher_score(item: RankedArticle) -> float:
    """The matcher's score, or what stands for 'not recognised' on its scale."""
    if item.matcher_score is not None:
        return item.matcher_score
    return 0.0 if item.neighbour_matcher else -1.0


def logistic(coefficients: Mapping[str, float], features: Mapping[str, float]) -> float:
    """σ(Σ coefficient × feature), clipped to keep exp() finite."""
    z = sum(coefficients.get(name, 0.0) * value for name, value in features.items())
    return 1.0 / (1.0 + math.exp(-max(min(z, 30.0), -30.0)))


def confidence_of(ranked: Sequence[RankedArticle], query_terms: int,
                  model: ConfidenceModel = PRIOR) -> list[float]:
    """A 0–1 confidence per hit under ``model``."""
    return [logistic(model.coefficients_for(item.neighbour_matcher), features)
            for item, features in zip(ranked, confidence_features(ranked, query_terms),
                                      strict=True)]


def sure_runner_up_first(ranked: Sequence[RankedArticle], query_terms: int,
                         model: ConfidenceModel = PRIOR
                         ) -> tuple[list[RankedArticle], list[float]]:
    """The hits and their confidences, with a runner-up moved first when the model is sure
    of it (its confidence, judged as a runner-up, reaches ``SURE_RUNNER_UP`` and beats the
    first's). Fusion weighs the matcher by the examples the KB has, so with a handful
    per article BM25 leads; a question the matcher learnt word for word from the search
    log (a caller's wording an agent answered, ``assistant.learning.answered_by_agent``)
    may then rank third although the matcher is all but certain of it. The confidences
    are computed again in the new order: "first" and "margin" follow the place."""
    hits = list(ranked)
    confidences = confidence_of(hits, query_terms, model)
    if len(hits) < 2:
        return hits, confidences
    surest = max(range(len(hits)), key=lambda i: confidences[i])
    if surest == 0 or confidences[surest] < max(SURE_RUNNER_UP, confidences[0]):
        return hits, confidences
    hits.insert(0, hits.pop(surest))
    return hits, confidence_of(hits, query_terms, model)


# The confidence of the article that settled the very same words before.
KNOWN_WORDING = 1.0


def known_wording_first(ranked: Sequence[RankedArticle], query_terms: int,
                        model: ConfidenceModel, known: int | None
                        ) -> tuple[list[RankedArticle], list[float]] | None:
    """The hits with the article that settled these very words before first (``known``:
    ``SearchEngine.known_answer``; a customer confirmed or picked it, or an agent answered
    a hand-off with it, and no such label of the wording names another), at confidence
    ``KNOWN_WORDING``: a question answered once is answered the next time it is asked in
    the same words, however few similar questions its article has. None when the hits
    do not hold it (not valid, not visible to whoever searches). The places keep their
    fused scores and the others' confidences are computed again in the new order, as
    runners-up (as ``sure_runner_up_first`` does). A wrong pair is undone in the gap
    report (不是这篇), which takes the label away."""
    if known is None:
        return None
    place = next((i for i, item in enumerate(ranked) if item.facts.article_id == known), None)
    if place is None:
        return None
    hits = list(ranked)
    hits.insert(0, hits.pop(place))
    hits = [replace(item, score=at.score) for item, at in zip(hits, ranked, strict=True)]
    return hits, [KNOWN_WORDING, *confidence_of(hits, query_terms, model)[1:]]
