"""REST API of quality inspection (质检) under /api/v1/qa."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Query, Response

from seci.accounts.models import User
from seci.accounts.service import users_by_id
from seci.calls.kpis import Figure, Period
from seci.core.http import CurrentUser, SessionDep
from seci.quality import appeals, queries, sampling, scorecards, scoring
from seci.quality.models import QaAppeal, QaSample, Scorecard
from seci.quality.schemas import (
    AgentQaRead,
    AppealCreate,
    AppealDecide,
    AppealListRead,
    AppealRead,
    FigureRead,
    ItemRead,
    SampleCallRead,
    SampleCreate,
    SampleRead,
    ScorecardCopy,
    ScorecardIn,
    ScorecardRead,
    ScoreIn,
    ScoreRead,
    StratumRead,
)

router = APIRouter(prefix="/api/v1/qa", tags=["quality"])

ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"description": "Not logged in (problem details)"},
    403: {"description": "Permission denied, e.g. not an inspector, scoring one's own call "
                         "(`qa_own_call`), deciding on one's own score (`qa_four_eyes`), "
                         "appealing a colleague's score (`qa_not_your_call`)"},
    404: {"description": "Not found or not visible to you (problem details)"},
    409: {"description": "Not allowed in the current state: scorecard in use "
                         "(`qa_scorecard_in_use`) or retired, call already scored "
                         "(`qa_already_scored`), already appealed, appeal window closed, "
                         "appeal already decided"},
    422: {"description": "Invalid input (problem details with field-level `errors`), or no "
                         "call to sample (`qa_empty_population`)"},
}


def _spec(body: ScorecardIn) -> scorecards.ScorecardSpec:
    return scorecards.ScorecardSpec(
        name=body.name, description=body.description, pass_mark=body.pass_mark,
        items=[scorecards.ItemSpec(name=i.name, description=i.description,
                                   max_points=i.max_points, critical=i.critical)
               for i in body.items])


def _scorecard_read(db: SessionDep, card: Scorecard) -> ScorecardRead:
    return ScorecardRead(
        id=card.id, name=card.name, description=card.description, pass_mark=card.pass_mark,
        active=card.active, in_use=scorecards.scorecard_in_use(db, scorecard_id=card.id),
        max_points=sum(i.max_points for i in card.items), created_at=card.created_at,
        items=[ItemRead(id=i.id, position=i.position, name=i.name, description=i.description,
                        max_points=i.max_points, critical=i.critical) for i in card.items])


# --- scorecards --------------------------------------------------------------------------


@router.get("/scorecards", response_model=list[ScorecardRead], responses=ERRORS)
def list_scorecards(db: SessionDep, user: CurrentUser, active_only: bool = False
                    ) -> list[ScorecardRead]:
    """Scorecards, active first (inspectors and QA managers)."""
    return [_scorecard_read(db, c) for c in
            scorecards.list_scorecards(db, actor=user, active_only=active_only)]


@router.post("/scorecards", status_code=201, response_model=ScorecardRead, responses=ERRORS)
def create_scorecard(body: ScorecardIn, db: SessionDep, user: CurrentUser) -> ScorecardRead:
    """A new scorecard: items with their points, critical items (致命项), pass mark in %
    (QA managers)."""
    return _scorecard_read(db, scorecards.create_scorecard(db, actor=user, spec=_spec(body)))


@router.get("/scorecards/{scorecard_id}", response_model=ScorecardRead, responses=ERRORS)
def read_scorecard(scorecard_id: int, db: SessionDep, user: CurrentUser) -> ScorecardRead:
    return _scorecard_read(db, scorecards.read_scorecard(db, actor=user,
                                                         scorecard_id=scorecard_id))


@router.put("/scorecards/{scorecard_id}", response_model=ScorecardRead, responses=ERRORS)
def update_scorecard(scorecard_id: int, body: ScorecardIn, db: SessionDep,
                     user: CurrentUser) -> ScorecardRead:
    """Replace a scorecard's name, pass mark and items: only while no call has been scored
    with it (else 409 `qa_scorecard_in_use`: copy it instead)."""
    return _scorecard_read(db, scorecards.update_scorecard(
        db, actor=user, scorecard_id=scorecard_id, spec=_spec(body)))


@router.post("/scorecards/{scorecard_id}/copy", status_code=201, response_model=ScorecardRead,
             responses=ERRORS)
def copy_scorecard(scorecard_id: int, body: ScorecardCopy, db: SessionDep,
                   user: CurrentUser) -> ScorecardRead:
    """An editable, active copy (the way to change a scorecard in use)."""
    return _scorecard_read(db, scorecards.copy_scorecard(db, actor=user,
                                                         scorecard_id=scorecard_id,
                                                         name=body.name))


@router.post("/scorecards/{scorecard_id}/retire", response_model=ScorecardRead,
             responses=ERRORS)
def retire_scorecard(scorecard_id: int, db: SessionDep, user: CurrentUser) -> ScorecardRead:
    """No new samples or scores with this scorecard; its scores stay."""
    return _scorecard_read(db, scorecards.retire_scorecard(db, actor=user,
                                                           scorecard_id=scorecard_id))


# --- samples -----------------------------------------------------------------------------


def _sample_base(sample: QaSample, people: dict[int, User]) -> dict[str, Any]:
    creator = people.get(sample.created_by_id) if sample.created_by_id else None
    return {"id": sample.id, "name": sample.name, "seed": sample.seed,
            "population": sample.population, "scorecard_id": sample.scorecard_id,
            "created_at": sample.created_at,
            "created_by": creator.display_name if creator else None,
            "params": {k: v for k, v in sample.params.items() if k != "strata"}}


def _sample_read(db: SessionDep, sample: QaSample, *, user: User) -> SampleRead:
    """A sample with its strata and calls."""
    base = _sample_base(sample, users_by_id(db, [sample.created_by_id]
                                            if sample.created_by_id else []))
    progress = queries.sample_progress(db, actor=user, sample_id=sample.id)
    return SampleRead(
        **base, calls_total=len(progress.calls), calls_scored=progress.scored,
        strata=[StratumRead(label=s.stratum.label, values=s.stratum.values,
                            population=s.stratum.population, allocated=s.stratum.allocated,
                            scored=s.scored) for s in progress.strata],
        calls=[SampleCallRead(
            position=c.position, call_id=c.call.call_id, stratum=c.stratum,
            agent_id=c.call.agent_id, agent_name=c.agent_name, team=c.call.team,
            started_at=c.call.started_at, duration_s=c.call.duration_s,
            region=c.call.region, product=c.call.product,
            score_id=c.score.id if c.score else None,
            total=c.score.total if c.score else None,
            passed=c.score.passed if c.score else None,
            status=c.score.status if c.score else None) for c in progress.calls])


@router.post("/samples", status_code=201, response_model=SampleRead, responses=ERRORS)
def draw_sample(body: SampleCreate, db: SessionDep, user: CurrentUser) -> SampleRead:
    """Draw a reproducible stratified sample (inspectors): allocation proportional to the
    strata sizes (largest remainder, at least one per non-empty stratum when the size
    allows), the calls with the smallest blake2b(seed:call_id) in each stratum."""
    filters = {name: getattr(body, name) for name in sampling.FILTER_COLUMNS
               if getattr(body, name).strip()}
    sample = sampling.draw_sample(db, actor=user, request=sampling.SampleRequest(
        start=body.start, end=body.end, size=body.size, scorecard_id=body.scorecard_id,
        dimensions=body.dimensions, filters=filters, with_transcripts=body.with_transcripts,
        seed=body.seed, name=body.name))
    return _sample_read(db, sample, user=user)


@router.get("/samples", response_model=list[SampleRead], responses=ERRORS)
def list_samples(db: SessionDep, user: CurrentUser) -> list[SampleRead]:
    """Samples, newest first, with their scoring progress (inspectors)."""
    samples = sampling.list_samples(db, actor=user)
    counts = queries.sample_counts(db, sample_ids=[s.id for s in samples])
    people = users_by_id(db, {s.created_by_id for s in samples if s.created_by_id})
    return [SampleRead(**_sample_base(s, people), calls_total=counts[s.id][0],
                       calls_scored=counts[s.id][1]) for s in samples]


@router.get("/samples/{sample_id}", response_model=SampleRead, responses=ERRORS)
def read_sample(sample_id: int, db: SessionDep, user: CurrentUser) -> SampleRead:
    """A sample with its strata (population, allocated, scored) and calls."""
    return _sample_read(db, sampling.get_sample(db, actor=user, sample_id=sample_id),
                        user=user)


# --- scores ------------------------------------------------------------------------------


def _appeal_read(appeal: QaAppeal, people: dict[int, User]) -> AppealRead:
    decider = people.get(appeal.decided_by_id) if appeal.decided_by_id else None
    return AppealRead(id=appeal.id, score_id=appeal.score_id, reason=appeal.reason,
                      filed_at=appeal.filed_at, original_total=appeal.original_total,
                      decision=appeal.decision, decision_note=appeal.decision_note,
                      decided_by=decider.display_name if decider else None,
                      decided_at=appeal.decided_at)


def _score_reads(db: SessionDep, views: Sequence[queries.ScoreView]) -> list[ScoreRead]:
    people = users_by_id(db, {i for v in views for i in (
        v.score.inspector_id, v.appeal.decided_by_id if v.appeal else None) if i is not None})
    reads = []
    for v in views:
        inspector = people.get(v.score.inspector_id) if v.score.inspector_id else None
        reads.append(ScoreRead(
            id=v.score.id, call_id=v.score.call_id, agent_id=v.score.agent_id,
            agent_name=v.agent_name, team=v.call.team, scorecard_id=v.score.scorecard_id,
            sample_id=v.score.sample_id,
            inspector=inspector.display_name if inspector else None,
            points={str(k): int(p) for k, p in v.score.points.items()},
            failed_items=list(v.score.failed_items), total=v.score.total,
            critical_failed=v.score.critical_failed, passed=v.score.passed,
            comment=v.score.comment, status=v.score.status, scored_at=v.score.scored_at,
            appeal_deadline=appeals.appeal_deadline(v.score),
            appeal=_appeal_read(v.appeal, people) if v.appeal else None))
    return reads


def _one(db: SessionDep, user: User, score_id: int) -> ScoreRead:
    return _score_reads(db, [queries.score_view(db, actor=user, score_id=score_id)])[0]


@router.post("/scores", status_code=201, response_model=ScoreRead, responses=ERRORS | {
    200: {"description": "The inspector's own score corrected (before any appeal)"}})
def score_call(body: ScoreIn, db: SessionDep, user: CurrentUser, response: Response
               ) -> ScoreRead:
    """Score a call (inspectors, never their own calls): points per item, critical items
    failed, a comment. total = 100·Σpoints/Σmax, 0 when a critical item failed; passed =
    total ≥ pass mark and no critical failure. One score per call and scorecard."""
    score, new = scoring.score_call(
        db, actor=user, call_id=body.call_id, sample_id=body.sample_id,
        scorecard_id=body.scorecard_id, comment=body.comment,
        marks=scoring.Marks(points=body.points, failed_items=body.failed_items))
    if not new:
        response.status_code = 200
    return _one(db, user, score.id)


@router.get("/scores", response_model=list[ScoreRead], responses=ERRORS)
def list_scores(db: SessionDep, user: CurrentUser, agent_id: str | None = None,
                sample_id: int | None = None, start: date | None = None,
                end: date | None = None, limit: int = 200) -> list[ScoreRead]:
    """Scores you may see (inspectors: all; team leads: their team; agents: their own),
    newest first, by agent, sample or the calls' period (local days)."""
    return _score_reads(db, queries.list_scores(db, actor=user, agent_id=agent_id,
                                                sample_id=sample_id,
                                                period=Period(start, end), limit=limit))


@router.get("/scores/mine", response_model=list[ScoreRead], responses=ERRORS)
def my_scores(db: SessionDep, user: CurrentUser) -> list[ScoreRead]:
    """The scores of the calls you took, with their appeals."""
    return _score_reads(db, queries.my_scores(db, actor=user))


@router.get("/scores/{score_id}", response_model=ScoreRead, responses=ERRORS)
def read_score(score_id: int, db: SessionDep, user: CurrentUser) -> ScoreRead:
    return _one(db, user, score_id)


@router.post("/scores/{score_id}/appeal", status_code=201, response_model=ScoreRead,
             responses=ERRORS)
def appeal_score(score_id: int, body: AppealCreate, db: SessionDep, user: CurrentUser
                 ) -> ScoreRead:
    """The call's agent appeals, once, within the appeal window (days after scoring)."""
    appeals.file_appeal(db, actor=user, score_id=score_id, reason=body.reason)
    return _one(db, user, score_id)


# --- appeals -----------------------------------------------------------------------------


@router.get("/appeals", response_model=list[AppealListRead], responses=ERRORS)
def list_appeals(db: SessionDep, user: CurrentUser, include_decided: bool = False
                 ) -> list[AppealListRead]:
    """Appeals waiting for a decision, oldest first (QA managers)."""
    rows = queries.open_appeals(db, actor=user, include_decided=include_decided)
    views = [queries.ScoreView(r.score, r.call, r.appeal, r.agent_name) for r in rows]
    reads = _score_reads(db, views)
    return [AppealListRead(appeal=read.appeal, score=read) for read in reads
            if read.appeal is not None]


@router.post("/appeals/{appeal_id}/decide", response_model=ScoreRead, responses=ERRORS)
def decide_appeal(appeal_id: int, body: AppealDecide, db: SessionDep, user: CurrentUser
                  ) -> ScoreRead:
    """Uphold (note required) or revise (new points: the score is recomputed and the
    appeal keeps the original total). A QA manager who did not give the score."""
    marks = (scoring.Marks(points=body.points, failed_items=body.failed_items)
             if body.points is not None else None)
    appeal = appeals.decide_appeal(db, actor=user, appeal_id=appeal_id,
                                   decision=body.decision, note=body.note, marks=marks)
    return _one(db, user, appeal.score_id)


# --- figures -----------------------------------------------------------------------------


def _figure(figure: Figure) -> FigureRead:
    return FigureRead(value=figure.value, n=figure.n, low=figure.low, high=figure.high)


@router.get("/agents", response_model=list[AgentQaRead], responses=ERRORS)
def agent_figures(db: SessionDep, user: CurrentUser,
                  agent_id: Annotated[list[str], Query()] = [],  # noqa: B006 - FastAPI copies it
                  start: date | None = None, end: date | None = None) -> list[AgentQaRead]:
    """Per agent: scores n, mean total with its 95 % t interval, pass rate with its
    Wilson interval, critical failures, open appeals (of the scores you may see)."""
    summary = queries.agent_qa_summary(db, actor=user, agent_ids=agent_id,
                                       period=Period(start, end))
    return [AgentQaRead(agent_id=a.agent_id, n=a.n, mean_total=_figure(a.mean),
                        pass_rate=_figure(a.pass_rate), critical_failures=a.critical_failures,
                        open_appeals=a.open_appeals) for a in summary.values()]
