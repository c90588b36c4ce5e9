"""Reading QA results as a user may see them: one score, lists of scores (per agent, per
sample, mine), open appeals, a sample's progress, and per-agent QA figures for other
pages (`agent_qa_summary`)."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Float, Integer, Select, cast, func, select
from sqlalchemy.orm import Session

from seci.accounts.models import User
from seci.calls.access import own_agent_ids
from seci.calls.kpis import Figure, Period, period_clauses
from seci.calls.models import CallRecord
from seci.quality.access import require_manage, score_clause, score_scope, score_visible
from seci.quality.errors import ScoreNotFound
from seci.quality.models import QaAppeal, QaSample, QaSampleCall, QaScore, Scorecard, ScoreStatus
from seci.quality.sampling import StratumRow, get_sample, sample_strata
from seci.quality.scoring import qa_pass_rate, qa_score_mean
from seci.roster.models import RosterAgent

MAX_LIST = 500


@dataclass(frozen=True)
class ScoreView:
    """A score with its call, its appeal (if any) and the agent's roster name."""

    score: QaScore
    call: CallRecord
    appeal: QaAppeal | None
    agent_name: str


@dataclass(frozen=True)
class AgentQa:
    """An agent's QA figures over a period (totals in % of the scorecard's points)."""

    agent_id: str
    n: int  # scores
    mean: Figure  # mean total, 95 % t interval
    pass_rate: Figure  # share passed, 95 % Wilson interval
    critical_failures: int
    open_appeals: int


def agent_names(session: Session, agent_ids: Collection[str]) -> dict[str, str]:
    """Roster names by call-platform agent id (ids not in the roster are left out)."""
    if not agent_ids:
        return {}
    return {str(a): str(n) for a, n in session.execute(
        select(RosterAgent.agent_id, RosterAgent.name)
        .where(RosterAgent.agent_id.in_(sorted(set(agent_ids)))))}


def get_visible_score(session: Session, *, actor: User, score_id: int) -> QaScore:
    """A score the actor may see; 404 otherwise (a colleague's score does not exist)."""
    score = session.get(QaScore, score_id)
    if score is None:
        raise ScoreNotFound(score=score_id)
    team = session.scalar(select(CallRecord.team).where(CallRecord.call_id == score.call_id))
    if not score_visible(score_scope(session, actor), score, team):
        raise ScoreNotFound(score=score_id)
    return score


def score_view(session: Session, *, actor: User, score_id: int) -> ScoreView:
    score = get_visible_score(session, actor=actor, score_id=score_id)
    return _views(session, [score])[0]


def _views(session: Session, scores: Sequence[QaScore]) -> list[ScoreView]:
    if not scores:
        return []
    call_ids = sorted({s.call_id for s in scores})
    calls = {c.call_id: c for c in session.scalars(
        select(CallRecord).where(CallRecord.call_id.in_(call_ids)))}
    appeals = {a.score_id: a for a in session.scalars(
        select(QaAppeal).where(QaAppeal.score_id.in_([s.id for s in scores])))}
    names = agent_names(session, {s.agent_id for s in scores})
    return [ScoreView(s, calls[s.call_id], appeals.get(s.id), names.get(s.agent_id, ""))
            for s in scores]


def _visible_scores(session: Session, actor: User) -> Select[Any]:
    return select(QaScore).where(score_clause(score_scope(session, actor)))


def _in_period(query: Select[Any], period: Period) -> Select[Any]:
    if period.start is None and period.end is None:
        return query
    return query.where(QaScore.call_id.in_(
        select(CallRecord.call_id).where(*period_clauses(period))))


def list_scores(session: Session, *, actor: User, agent_id: str | None = None,
                sample_id: int | None = None, period: Period = Period(),
                limit: int = 200) -> list[ScoreView]:
    """Scores the actor may see, newest first, narrowed by agent, sample or the calls'
    period (local days)."""
    query = _in_period(_visible_scores(session, actor), period)
    if agent_id is not None:
        query = query.where(QaScore.agent_id == agent_id)
    if sample_id is not None:
        query = query.where(QaScore.sample_id == sample_id)
    limit = max(1, min(limit, MAX_LIST))
    scores = session.scalars(query.order_by(QaScore.scored_at.desc(), QaScore.id.desc())
                             .limit(limit)).all()
    return _views(session, scores)


def scores_for_agent(session: Session, *, actor: User, agent_id: str,
                     period: Period = Period(), limit: int = 200) -> list[ScoreView]:
    """One agent's scores the actor may see (their own, their team's, or all)."""
    return list_scores(session, actor=actor, agent_id=agent_id, period=period, limit=limit)


def my_scores(session: Session, *, actor: User, limit: int = 200) -> list[ScoreView]:
    """The scores of the calls the actor took (through the roster), newest first."""
    mine = own_agent_ids(session, actor)
    if not mine:
        return []
    scores = session.scalars(select(QaScore).where(QaScore.agent_id.in_(sorted(mine)))
                             .order_by(QaScore.scored_at.desc(), QaScore.id.desc())
                             .limit(max(1, min(limit, MAX_LIST)))).all()
    return _views(session, scores)


def scores_of_sample(session: Session, *, actor: User, sample_id: int) -> list[QaScore]:
    """The scores of a sample's calls with the sample's scorecard (inspectors)."""
    sample = get_sample(session, actor=actor, sample_id=sample_id)
    return list(session.scalars(
        select(QaScore).join(QaSampleCall, QaSampleCall.call_id == QaScore.call_id)
        .where(QaSampleCall.sample_id == sample.id,
               QaScore.scorecard_id == sample.scorecard_id)
        .order_by(QaSampleCall.position)))


@dataclass(frozen=True)
class AppealView:
    appeal: QaAppeal
    score: QaScore
    call: CallRecord
    agent_name: str


def open_appeals(session: Session, *, actor: User, include_decided: bool = False,
                 limit: int = 200) -> list[AppealView]:
    """Appeals waiting for a decision, oldest first (QA managers); with
    ``include_decided`` the recently decided ones follow, newest first."""
    require_manage(actor)
    query = (select(QaAppeal, QaScore, CallRecord)
             .join(QaScore, QaScore.id == QaAppeal.score_id)
             .join(CallRecord, CallRecord.call_id == QaScore.call_id))
    if include_decided:
        query = query.order_by(QaAppeal.decision.is_not(None), QaAppeal.filed_at.desc())
    else:
        query = query.where(QaAppeal.decision.is_(None)).order_by(QaAppeal.filed_at)
    rows = session.execute(query.limit(max(1, min(limit, MAX_LIST)))).all()
    names = agent_names(session, {score.agent_id for _a, score, _c in rows})
    return [AppealView(appeal, score, call, names.get(score.agent_id, ""))
            for appeal, score, call in rows]


# --- per-agent figures -------------------------------------------------------------------


def agent_qa_summary(session: Session, *, actor: User, agent_ids: Collection[str],
                     period: Period = Period(), scorecard_id: int | None = None
                     ) -> dict[str, AgentQa]:
    """Per agent, over the scores of calls taken in the period (local days) that the
    actor may see: n, mean total with its 95 % t interval (`qa_score_mean`), pass rate
    with its Wilson interval (`qa_pass_rate`), critical failures and open appeals. Agents
    without scores get n = 0 and no figures."""
    wanted = sorted(set(agent_ids))
    if not wanted:
        return {}
    total = cast(QaScore.total, Float)
    query = (select(QaScore.agent_id, func.count(), func.coalesce(func.sum(total), 0.0),
                    func.coalesce(func.sum(total * total), 0.0),
                    func.coalesce(func.sum(cast(QaScore.passed, Integer)), 0),
                    func.coalesce(func.sum(cast(QaScore.critical_failed, Integer)), 0),
                    func.coalesce(func.sum(cast(QaScore.status == ScoreStatus.APPEALED,
                                                Integer)), 0))
             .join(CallRecord, CallRecord.call_id == QaScore.call_id)
             .where(QaScore.agent_id.in_(wanted), score_clause(score_scope(session, actor)),
                    *period_clauses(period))
             .group_by(QaScore.agent_id))
    if scorecard_id is not None:
        query = query.where(QaScore.scorecard_id == scorecard_id)
    found: dict[str, AgentQa] = {}
    for agent_id, n, sum_total, squares, passed, critical, appealed in session.execute(query):
        found[str(agent_id)] = AgentQa(
            agent_id=str(agent_id), n=int(n),
            mean=qa_score_mean(int(n), float(sum_total), float(squares)),
            pass_rate=qa_pass_rate(int(passed), int(n)), critical_failures=int(critical),
            open_appeals=int(appealed))
    return {a: found.get(a) or AgentQa(a, 0, Figure(None, 0), Figure(None, 0), 0, 0)
            for a in wanted}


# --- a sample's progress -----------------------------------------------------------------


@dataclass(frozen=True)
class SampleCallView:
    position: int
    stratum: str
    call: CallRecord
    agent_name: str
    score: QaScore | None
    own: bool  # the actor took this call: someone else must score it


@dataclass(frozen=True)
class StratumProgress:
    stratum: StratumRow
    scored: int


@dataclass(frozen=True)
class SampleProgress:
    sample: QaSample
    scorecard: Scorecard
    strata: list[StratumProgress]
    calls: list[SampleCallView]

    @property
    def scored(self) -> int:
        return sum(1 for c in self.calls if c.score is not None)

    @property
    def next_call_id(self) -> str | None:
        """The first call in working order that is not scored and not the actor's own."""
        return next((c.call.call_id for c in self.calls if c.score is None and not c.own),
                    None)


def sample_progress(session: Session, *, actor: User, sample_id: int) -> SampleProgress:
    """A sample with its strata (population, allocated, scored) and its calls with their
    scores, in working order (inspectors and QA managers)."""
    sample = get_sample(session, actor=actor, sample_id=sample_id)
    card = session.get_one(Scorecard, sample.scorecard_id)
    rows = session.execute(
        select(QaSampleCall, CallRecord, QaScore)
        .join(CallRecord, CallRecord.call_id == QaSampleCall.call_id)
        .outerjoin(QaScore, (QaScore.call_id == QaSampleCall.call_id)
                   & (QaScore.scorecard_id == sample.scorecard_id))
        .where(QaSampleCall.sample_id == sample.id)
        .order_by(QaSampleCall.position)).all()
    mine = own_agent_ids(session, actor)
    names = agent_names(session, {call.agent_id for _s, call, _q in rows})
    calls = [SampleCallView(entry.position, entry.stratum, call,
                            names.get(call.agent_id, ""), score, call.agent_id in mine)
             for entry, call, score in rows]
    scored: dict[str, int] = {}
    for view in calls:
        if view.score is not None:
            scored[view.stratum] = scored.get(view.stratum, 0) + 1
    strata = [StratumProgress(s, scored.get(s.label, 0)) for s in sample_strata(sample)]
    return SampleProgress(sample, card, strata, calls)


def sample_counts(session: Session, *, sample_ids: Collection[int]) -> dict[int, tuple[int, int]]:
    """(calls, scored) per sample, for lists of samples."""
    if not sample_ids:
        return {}
    sizes = dict(session.execute(
        select(QaSampleCall.sample_id, func.count()).where(
            QaSampleCall.sample_id.in_(sorted(sample_ids))).group_by(QaSampleCall.sample_id)
    ).all())
    scored = dict(session.execute(
        select(QaSampleCall.sample_id, func.count())
        .join(QaSample, QaSample.id == QaSampleCall.sample_id)
        .join(QaScore, (QaScore.call_id == QaSampleCall.call_id)
              & (QaScore.scorecard_id == QaSample.scorecard_id))
        .where(QaSampleCall.sample_id.in_(sorted(sample_ids)))
        .group_by(QaSampleCall.sample_id)).all())
    return {i: (int(sizes.get(i, 0)), int(scored.get(i, 0))) for i in sample_ids}
