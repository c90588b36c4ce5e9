"""The closed loop (闭环): after the plans, a re-assessment round with the same model for
the same team, opened in one step; the change per item for the agents rated in both rounds
with a paired t-test and the Wilcoxon signed-rank test; the change in the team's KPIs against
a comparison team (difference in differences, as the six-step evaluation does); and the
rule that decides whether another round is due.

``another_round_due``: another round is due when an item weak team-wide before (the plans'
rule, ``plans.weak_team_wide``) is still weak after, or when the team's overall score did not
improve significantly (paired t-test of the people's overall scores: effect ≤ 0 or p ≥ 0.05).

KPI periods: "before" is the ``PERFORMANCE_DAYS`` days up to the first round's opening (the
same window as the correlation with performance); "after" runs from the day after the first
round closed to the day before the re-assessment opened (the training period), or to today
when that is empty.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from seci.accounts.models import User
from seci.accounts.service import system_actor
from seci.audit.service import record
from seci.calls.kpis import CallCounts, Period, slice_counts, total_counts
from seci.core.clock import as_utc, today
from seci.core.config import get_settings
from seci.people import access, rounds
from seci.people.errors import ReassessmentExists, RoundNotClosed
from seci.people.models import AssessmentRound, RoundStatus
from seci.people.performance import PERFORMANCE_DAYS
from seci.people.plans import PlanRules, weak_team_wide
from seci.people.results import TeamResult, compute_team_result
from seci.people.training_models import Reassessment
from seci.stats.comparisons import (
    ALPHA,
    TestResult,
    difference_in_differences_means,
    difference_in_differences_proportions,
    two_proportion_z_test,
    welch_t_test,
)
from seci.stats.descriptive import sample_from_sums
from seci.stats.paired import paired_t_test, wilcoxon_signed_rank
from seci.stats.summaries import Proportion, Sample

MIN_KPI_CALLS = 20


def open_reassessment(session: Session, *, actor: User, round_id: int, deadline: date | None,
                      title: str = "") -> AssessmentRound:
    """Open the re-assessment of a closed round: same model, team, weights and number of
    peers; linked to the first round for the before/after comparison."""
    before = access.visible_round(session, actor, round_id)
    if before.status != RoundStatus.CLOSED:
        raise RoundNotClosed()
    if session.scalar(select(Reassessment).where(Reassessment.before_round_id == before.id)):
        raise ReassessmentExists()
    after = rounds.open_round(session, actor=actor, settings=rounds.RoundSettings(
        model_id=before.model_id, team=before.team, title=title.strip() or before.title,
        deadline=deadline, self_weight=before.self_weight,
        supervisor_weight=before.supervisor_weight, peer_weight=before.peer_weight,
        peers_per_agent=before.peers_per_agent))
    session.add(Reassessment(before_round_id=before.id, after_round_id=after.id,
                             created_by_id=actor.id))
    session.flush()
    record(session, actor=actor, action="training.reassess", entity_type="competency_round",
           entity_id=before.id, summary=f"→ {after.id}")
    return after


def reassessment_round(session: Session, before_round_id: int) -> AssessmentRound | None:
    link = session.scalar(select(Reassessment).where(
        Reassessment.before_round_id == before_round_id))
    return session.get(AssessmentRound, link.after_round_id) if link else None


# --- competency before and after --------------------------------------------------------

@dataclass(frozen=True)
class ItemChange:
    name: str
    n: int  # agents rated in both rounds
    before: float | None  # their mean before
    after: float | None
    paired_t: TestResult | None
    wilcoxon: TestResult | None
    weak_before: bool  # weak team-wide (the plans' rule) in the first round
    weak_after: bool


def _mean(values: list[float]) -> float | None:
    return sum(values) / len(values) if values else None


def _change(name: str, pairs: list[tuple[float, float]], weak_before: bool,
            weak_after: bool) -> ItemChange:
    before, after = [p[0] for p in pairs], [p[1] for p in pairs]
    return ItemChange(name, len(pairs), _mean(before), _mean(after),
                      paired_t_test(before, after), wilcoxon_signed_rank(before, after),
                      weak_before, weak_after)


def item_changes(first: TeamResult, second: TeamResult, rules: PlanRules = PlanRules()
                 ) -> tuple[list[ItemChange], ItemChange]:
    """Per item (and overall) the combined scores of the agents rated in both rounds,
    tested pairwise; items matched by position (both rounds use the same model)."""
    later = {p.agent.id: p for p in second.rated_people}
    both = [(p, later[p.agent.id]) for p in first.rated_people if p.agent.id in later]
    changes = []
    for index, item in enumerate(first.spec.items()):
        pairs = [(a.items[index].score.combined, b.items[index].score.combined)
                 for a, b in both]
        changes.append(_change(
            item.name, [(x, y) for x, y in pairs if x is not None and y is not None],
            weak_team_wide(first.items[index], first.overall.mean, rules),
            weak_team_wide(second.items[index], second.overall.mean, rules)))
    overall = [(a.overall.combined, b.overall.combined) for a, b in both]
    return changes, _change("overall", [(x, y) for x, y in overall
                                        if x is not None and y is not None], False, False)


@dataclass(frozen=True)
class LoopDecision:
    another_round: bool
    still_weak: list[str]  # items weak before and still weak after
    overall_improved: bool  # the overall score rose significantly (paired t)


def another_round_due(changes: list[ItemChange], overall: ItemChange) -> LoopDecision:
    """Another round is due when any item weak team-wide before is still weak after, or
    the overall score did not improve significantly (paired t: effect > 0 and p < α)."""
    still_weak = [c.name for c in changes if c.weak_before and c.weak_after]
    test = overall.paired_t
    improved = test is not None and test.effect > 0 and test.p_value < ALPHA
    return LoopDecision(bool(still_weak) or not improved, still_weak, improved)


# --- KPIs against a comparison team ---------------------------------------------------------

def period_counts(session: Session, period: Period, filters: dict[str, str]) -> CallCounts:
    """The calls' counts over a period for a team or agent, read on the system's behalf
    (whoever may run the team's training sees its figures, as in people/performance.py)."""
    return total_counts(slice_counts(session, actor=system_actor(), by=[], period=period,
                                     filters=filters))


def loop_periods(first: AssessmentRound, second: AssessmentRound) -> tuple[Period, Period]:
    """(before, after) as the module's docstring says."""
    tz = get_settings().tz
    opened = as_utc(first.opened_at).astimezone(tz).date()
    before = Period(start=opened - timedelta(days=PERFORMANCE_DAYS), end=opened - timedelta(days=1))
    start = (as_utc(first.closed_at).astimezone(tz).date() if first.closed_at else opened)
    start += timedelta(days=1)
    end = as_utc(second.opened_at).astimezone(tz).date() - timedelta(days=1)
    if end < start:
        end = today()
    return before, Period(start=start, end=max(start, end))


@dataclass(frozen=True)
class KpiChange:
    measure: str  # fcr, satisfaction
    team_before: float | None
    team_after: float | None
    comparison_before: float | None
    comparison_after: float | None
    test: TestResult | None
    comparison: str  # did (against the comparison team), before_after (team alone), none


def _fcr(c: CallCounts) -> Proportion | None:
    return Proportion(c.fcr, c.n) if c.n >= MIN_KPI_CALLS else None


def _satisfaction(c: CallCounts) -> Sample | None:
    if c.rated < MIN_KPI_CALLS:
        return None
    return sample_from_sums(c.rated, c.satisfaction_sum, c.satisfaction_squares)


def fcr_change(tb: Proportion | None, ta: Proportion | None, cb: Proportion | None,
               ca: Proportion | None) -> tuple[TestResult | None, str]:
    """Difference in differences with a comparison team, else the team before vs after."""
    if tb and ta and cb and ca:
        return difference_in_differences_proportions(tb, ta, cb, ca), "did"
    if tb and ta:
        return two_proportion_z_test(tb, ta), "before_after"
    return None, "none"


def satisfaction_change(tb: Sample | None, ta: Sample | None, cb: Sample | None,
                        ca: Sample | None) -> tuple[TestResult | None, str]:
    """As ``fcr_change``, for means (Welch's t and its difference-in-differences form)."""
    if tb and ta and cb and ca:
        return difference_in_differences_means(tb, ta, cb, ca), "did"
    if tb and ta:
        return welch_t_test(tb, ta), "before_after"
    return None, "none"


def kpi_changes(session: Session, team: str, comparison_team: str | None,
                periods: tuple[Period, Period]) -> list[KpiChange]:
    """FCR (difference in differences of proportions) and mean satisfaction (of means)
    against the comparison team; the team before vs after when there is none."""
    empty = CallCounts()
    cells: dict[tuple[str, str], CallCounts] = {}
    for role, name in (("team", team), ("comparison", comparison_team)):
        for phase, period in zip(("before", "after"), periods, strict=True):
            cells[(role, phase)] = period_counts(session, period, {"team": name}) \
                if name else empty
    order = [("team", "before"), ("team", "after"), ("comparison", "before"),
             ("comparison", "after")]
    fcr = [_fcr(cells[key]) for key in order]
    fcr_test, fcr_kind = fcr_change(*fcr)
    sat = [_satisfaction(cells[key]) for key in order]
    sat_test, sat_kind = satisfaction_change(*sat)
    rates = [f.rate if f else None for f in fcr]
    means = [s.mean if s else None for s in sat]
    return [
        KpiChange("fcr", rates[0], rates[1], rates[2], rates[3], fcr_test, fcr_kind),
        KpiChange("satisfaction", means[0], means[1], means[2], means[3], sat_test, sat_kind),
    ]


@dataclass(frozen=True)
class LoopReport:
    first: AssessmentRound
    second: AssessmentRound | None
    changes: list[ItemChange]
    overall: ItemChange | None
    kpis: list[KpiChange]
    periods: tuple[Period, Period] | None
    decision: LoopDecision | None  # only once the re-assessment is closed


def loop_report(session: Session, *, actor: User, round_id: int,
                comparison_team: str | None = None) -> LoopReport:
    """Before/after per item, the KPIs against a comparison team, and the decision."""
    first = access.visible_round(session, actor, round_id)
    second = reassessment_round(session, first.id)
    if second is None:
        return LoopReport(first, None, [], None, [], None, None)
    changes, overall = item_changes(compute_team_result(session, first),
                                    compute_team_result(session, second))
    periods = loop_periods(first, second)
    comparison = comparison_team if comparison_team and comparison_team != first.team else None
    kpis = kpi_changes(session, first.team, comparison, periods)
    decision = another_round_due(changes, overall) \
        if second.status == RoundStatus.CLOSED else None
    return LoopReport(first, second, changes, overall, kpis, periods, decision)
