"""REST API of the contribution pipeline under /api/v1/contributions."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, File, Query, Request, UploadFile
from starlette.concurrency import run_in_threadpool

from seci.accounts.models import User
from seci.accounts.roles import Perm
from seci.core.config import get_settings
from seci.core.errors import FieldErrors
from seci.core.http import CurrentUser, SessionDep
from seci.knowledge.lookups import load_lookups, queue_ids_for_codes
from seci.knowledge.upload import read_upload
from seci.tacit import evaluation as ev
from seci.tacit import improvement, mining, promotion, screening, wording
from seci.tacit.detail import ContributionDetail, contribution_detail
from seci.tacit.figures_csv import import_figures
from seci.tacit.models import Contribution
from seci.tacit.schemas import (
    AnswerRequest,
    CloseRequest,
    ContributionCreate,
    ContributionRead,
    ContributionSummary,
    EvaluationRead,
    EventRead,
    FigureIn,
    FigureRead,
    IssueCreate,
    IssueRead,
    IssueResolve,
    NoteRequest,
    PointRead,
    PromotionRequest,
    ReasonRequest,
    ResultRead,
    ScreeningDecision,
    SimilarRead,
    StepTimingRead,
    StuckRead,
    TimingsRead,
)
from seci.tacit.workflow import get_contribution, require_perm

router = APIRouter(prefix="/api/v1/contributions", tags=["tacit knowledge"])

ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"description": "Not logged in (problem details)"},
    403: {"description": "Permission denied, e.g. deciding on one's own contribution "
                         "(problem details)"},
    404: {"description": "Not found (problem details)"},
    409: {"description": "Not possible in the contribution's current step, or an "
                         "evaluation without data (problem details)"},
    422: {"description": "Invalid input (problem details with `errors`, numbered `row` "
                         "for figures)"},
}


# --- presentation ------------------------------------------------------------------------


def summary(contribution: Contribution, names: dict[int, str]) -> ContributionSummary:
    return ContributionSummary(
        id=contribution.id, title=contribution.title, method_name=contribution.method_name,
        kind=contribution.kind, source=contribution.source, status=contribution.status,
        step=contribution.step, author=names.get(contribution.author_id),
        team=contribution.team, created_at=contribution.created_at,
        status_since=contribution.status_since)


def result_read(result: ev.MetricResult) -> ResultRead:
    return ResultRead(metric=result.metric, comparison=result.comparison,
                      test=result.result.test, effect=result.result.effect,
                      statistic=result.result.statistic, p_value=result.result.p_value,
                      significant=result.result.significant, improved=result.improved,
                      in_words=wording.describe(result))


def _evaluation_read(detail: ContributionDetail) -> EvaluationRead | None:
    evaluation = detail.evaluation
    if evaluation is None:
        return None
    return EvaluationRead(
        owner=detail.look.user_name(evaluation.owner_id), due_date=evaluation.due_date,
        trial_team=evaluation.trial_team, comparison_team=evaluation.comparison_team,
        status=evaluation.status, verdict=evaluation.verdict,
        conclusion=evaluation.conclusion,
        figures=[FigureRead(metric=f.metric, team=f.team_role, phase=f.phase,
                            period=f.period, n=f.n, successes=f.successes, mean=f.mean,
                            sd=f.sd) for f in detail.figures],
        results=[result_read(r) for r in detail.results])


def detail_read(detail: ContributionDetail) -> ContributionRead:
    c, look = detail.contribution, detail.look
    names = {uid: u.display_name for uid, u in look.users.items()}
    return ContributionRead(
        **summary(c, names).model_dump(),
        content=c.content, queues=look.queue_codes(c.queue_ids),
        recorded_by=look.user_name(c.recorded_by_id), category=c.category,
        scores={"timely": c.score_timely, "usable": c.score_usable,
                "accurate": c.score_accurate, "generality": c.score_generality},
        decision_reason=c.decision_reason, merged_article_id=c.merged_article_id,
        route_department=c.route_department, route_due=c.route_due,
        route_answer=c.route_answer, trial_team=c.trial_team, trial_from=c.trial_from,
        trial_to=c.trial_to, article_id=c.article_id,
        days_per_step={str(k): round(v, 2) for k, v in detail.days_per_step.items()},
        history=[EventRead(at=e.at, actor=look.user_name(e.actor_id), kind=e.kind,
                           from_status=e.from_status, to_status=e.to_status, note=e.note)
                 for e in detail.history],
        points=[PointRead(user=look.user_name(p.user_id), reason_code=p.reason_code,
                          points=p.points, awarded_at=p.awarded_at) for p in detail.points],
        evaluation=_evaluation_read(detail))


def _read(db: SessionDep, user: User, contribution_id: int) -> ContributionRead:
    return detail_read(contribution_detail(db, contribution_id=contribution_id, user=user))


# --- pipeline-wide -----------------------------------------------------------------------


@router.get("", response_model=list[ContributionSummary], responses=ERRORS)
def list_contributions(db: SessionDep, user: CurrentUser,
                       status: Annotated[list[str] | None, Query()] = None,
                       mine: bool = False, limit: int = Query(default=100, le=500)
                       ) -> list[ContributionSummary]:
    """The pipeline, newest first; ``mine`` for your own contributions."""
    promotion.sync_promotions(db)
    rows = mining.list_contributions(db, statuses=status, limit=limit,
                                     author_id=user.id if mine else None)
    look = load_lookups(db, [c.author_id for c in rows])
    names = {uid: u.display_name for uid, u in look.users.items()}
    return [summary(c, names) for c in rows]


@router.post("", status_code=201, response_model=ContributionRead, responses=ERRORS)
def submit(body: ContributionCreate, db: SessionDep, user: CurrentUser) -> ContributionRead:
    """Step 1: submit (or record on someone's behalf with ``author_id``)."""
    author = db.get(User, body.author_id) if body.author_id is not None else user
    if author is None:
        raise FieldErrors([{"field": "author_id", "code": "invalid_choice",
                            "value": body.author_id}])
    contribution = mining.submit_contribution(db, actor=user, author=author,
                                              data=mining.ContributionInput(
        title=body.title, content=body.content, kind=body.kind, source=body.source,
        method_name=body.method_name, queue_ids=queue_ids_for_codes(db, body.queues)))
    return _read(db, user, contribution.id)


@router.get("/timings", response_model=TimingsRead, responses=ERRORS)
def timings(db: SessionDep, _user: CurrentUser,
            stuck_days: int = Query(default=improvement.DEFAULT_STUCK_DAYS, ge=1, le=365)
            ) -> TimingsRead:
    """Step 6: days per step (median, 90th percentile) and contributions stuck longer
    than ``stuck_days``."""
    result = improvement.timings(db, stuck_after_days=stuck_days)
    return TimingsRead(
        steps=[StepTimingRead(step=s.step, finished=s.finished, median_days=s.median_days,
                              p90_days=s.p90_days, waiting=s.waiting, stuck=s.stuck)
               for s in result.steps],
        stuck=[StuckRead(contribution_id=i.contribution.id, title=i.contribution.title,
                         step=i.step, days=round(i.days, 2)) for i in result.stuck])


def _issue_read(db: SessionDep, issues: list[Any]) -> list[IssueRead]:
    look = load_lookups(db, [i.raised_by_id for i in issues])
    return [IssueRead(id=i.id, step=i.step, description=i.description,
                      raised_by=look.user_name(i.raised_by_id), status=i.status,
                      resolution=i.resolution, created_at=i.created_at) for i in issues]


@router.get("/process-issues", response_model=list[IssueRead], responses=ERRORS)
def list_issues(db: SessionDep, _user: CurrentUser, open_only: bool = False
                ) -> list[IssueRead]:
    return _issue_read(db, improvement.list_issues(db, open_only=open_only))


@router.post("/process-issues", status_code=201, response_model=IssueRead, responses=ERRORS)
def raise_issue(body: IssueCreate, db: SessionDep, user: CurrentUser) -> IssueRead:
    """Step 6: anyone says what is wrong with how a step is run."""
    issue = improvement.raise_issue(db, step=body.step, description=body.description,
                                    actor=user)
    return _issue_read(db, [issue])[0]


@router.post("/process-issues/{issue_id}/resolve", response_model=IssueRead,
             responses=ERRORS)
def resolve_issue(issue_id: int, body: IssueResolve, db: SessionDep, user: CurrentUser
                  ) -> IssueRead:
    issue = improvement.resolve_issue(db, issue_id=issue_id, resolution=body.resolution,
                                      actor=user)
    return _issue_read(db, [issue])[0]


# --- one contribution --------------------------------------------------------------------


@router.get("/{contribution_id}", response_model=ContributionRead, responses=ERRORS)
def read(contribution_id: int, db: SessionDep, user: CurrentUser) -> ContributionRead:
    """One contribution with its history, points, evaluation and time per step."""
    return _read(db, user, contribution_id)


@router.get("/{contribution_id}/similar", response_model=list[SimilarRead], responses=ERRORS)
def similar(contribution_id: int, request: Request, db: SessionDep, user: CurrentUser
            ) -> list[SimilarRead]:
    """Duplicate check for screeners: existing articles that may say the same."""
    contribution = get_contribution(db, contribution_id=contribution_id)
    hits = screening.similar_articles(db, engine=request.app.state.search_engine, user=user,
                                      contribution=contribution)
    return [SimilarRead(article_id=h.article_id, code=h.code,
                        title="".join(s.text for s in h.title), confidence=h.confidence)
            for h in hits]


def _required(value: Any, name: str) -> Any:
    if value is None or (isinstance(value, str) and not value.strip()):
        raise FieldErrors([{"field": name, "code": "required"}])
    return value


@router.post("/{contribution_id}/screening", response_model=ContributionRead,
             responses=ERRORS)
def screen(contribution_id: int, body: ScreeningDecision, db: SessionDep, user: CurrentUser
           ) -> ContributionRead:
    """Step 2: classify, score (1–5) and decide: reject, merge, route or trial."""
    scores = screening.Screening(category=body.category, timely=body.timely,
                                 usable=body.usable, accurate=body.accurate,
                                 generality=body.generality)
    cid = contribution_id
    if body.decision == "reject":
        screening.reject(db, contribution_id=cid, actor=user, screening=scores,
                         reason=body.reason)
    elif body.decision == "merge":
        screening.merge_into_article(db, contribution_id=cid, actor=user, screening=scores,
                                     article_id=_required(body.article_id, "article_id"),
                                     reason=body.reason)
    elif body.decision == "route":
        screening.route_to_department(
            db, contribution_id=cid, actor=user, screening=scores,
            department=_required(body.department, "department"),
            due=_required(body.answer_due, "answer_due"), reason=body.reason)
    else:
        screening.start_trial(db, contribution_id=cid, actor=user, screening=scores,
                              team=_required(body.team, "team"),
                              starts=_required(body.trial_from, "trial_from"),
                              ends=_required(body.trial_to, "trial_to"), reason=body.reason)
    return _read(db, user, contribution_id)


@router.post("/{contribution_id}/follow-ups", response_model=ContributionRead,
             responses=ERRORS)
def follow_up(contribution_id: int, body: NoteRequest, db: SessionDep, user: CurrentUser
              ) -> ContributionRead:
    screening.follow_up(db, contribution_id=contribution_id, actor=user, note=body.note)
    return _read(db, user, contribution_id)


@router.post("/{contribution_id}/answer", response_model=ContributionRead, responses=ERRORS)
def answer(contribution_id: int, body: AnswerRequest, db: SessionDep, user: CurrentUser
           ) -> ContributionRead:
    """The department a contribution was routed to answered."""
    screening.record_answer(db, contribution_id=contribution_id, actor=user,
                            answer=body.answer)
    return _read(db, user, contribution_id)


@router.post("/{contribution_id}/end-trial", response_model=ContributionRead,
             responses=ERRORS)
def end_trial(contribution_id: int, body: ReasonRequest, db: SessionDep, user: CurrentUser
              ) -> ContributionRead:
    screening.end_trial_unsuccessfully(db, contribution_id=contribution_id, actor=user,
                                       reason=body.reason)
    return _read(db, user, contribution_id)


@router.post("/{contribution_id}/promotion", response_model=ContributionRead,
             responses=ERRORS)
def promote(contribution_id: int, body: PromotionRequest, db: SessionDep, user: CurrentUser
            ) -> ContributionRead:
    """Step 3: write the best-practice article (submitted to KB review) and name the
    evaluation's owner and due date."""
    promotion.promote(db, contribution_id=contribution_id, actor=user,
                      evaluation_owner_id=body.evaluation_owner_id,
                      evaluation_due=body.evaluation_due,
                      comparison_team=body.comparison_team,
                      queue_ids=queue_ids_for_codes(db, body.queues)
                      if body.queues is not None else None)
    return _read(db, user, contribution_id)


@router.put("/{contribution_id}/evaluation/figures", response_model=ContributionRead,
            responses=ERRORS)
def save_figures(contribution_id: int, body: list[FigureIn], db: SessionDep,
                 user: CurrentUser) -> ContributionRead:
    """Step 4: enter figures per metric, team and phase (all or nothing)."""
    ev.save_figures(db, contribution_id=contribution_id, actor=user, rows=[
        ev.FigureInput(metric=f.metric, team_role=f.team, phase=f.phase, period=f.period,
                       n=f.n, successes=f.successes, mean=f.mean, sd=f.sd) for f in body])
    return _read(db, user, contribution_id)


@router.post("/{contribution_id}/evaluation/figures.csv", response_model=ContributionRead,
             responses=ERRORS)
async def upload_figures(contribution_id: int, db: SessionDep, user: CurrentUser,
                         file: Annotated[UploadFile, File(description=(
                             "CSV: metric,team,phase,period,n,successes,mean,sd"))]
                         ) -> ContributionRead:
    """Step 4: figures from a CSV file; errors carry the row number; all or nothing."""
    require_perm(user, Perm.TACIT_EVALUATE)  # early, before the upload is read
    data = await read_upload(file, get_settings().import_max_bytes)
    await run_in_threadpool(lambda: import_figures(db, contribution_id=contribution_id,
                                                   actor=user, data=data))
    return await run_in_threadpool(_read, db, user, contribution_id)


@router.post("/{contribution_id}/evaluation/close", response_model=ContributionRead,
             responses=ERRORS)
def close(contribution_id: int, body: CloseRequest, db: SessionDep, user: CurrentUser
          ) -> ContributionRead:
    """Step 4 ends: only with data, by the owner or a pipeline manager."""
    ev.close_evaluation(db, contribution_id=contribution_id, actor=user,
                        verdict=body.verdict, conclusion=body.conclusion)
    return _read(db, user, contribution_id)
