"""REST API of competency assessment under /api/v1/competency: models (and the shipped
template), rounds, completion and late raters, results per team and person, correlation
with performance, trainers' figures, the rater's forms, one's own results, team profiles."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query

from seci.accounts.models import User
from seci.core.http import CurrentUser, SessionDep
from seci.people import access, competency, performance, profiles, results, rounds
from seci.people.competency import DimensionSpec, ItemSpec, ModelSpec, QuestionSpec
from seci.people.models import AssessmentRound, CompetencyModel
from seci.people.schemas import (
    CompletionRead,
    CorrelationFigure,
    CorrelationPoint,
    CorrelationRead,
    DimensionSchema,
    FacetRead,
    FiguresWrite,
    FormRead,
    FormSummary,
    FormWrite,
    ItemSchema,
    ModelCreate,
    ModelRead,
    ModelSummary,
    ModelWrite,
    NamedScore,
    OwnResultRead,
    PersonRead,
    ProfileWrite,
    QuestionSchema,
    RaterRead,
    RelationCount,
    RoundCreate,
    RoundDetail,
    RoundRead,
    ScoreRead,
    TeamFigureRead,
    TeamProfileRead,
    TeamResultRead,
)
from seci.people.training_routes import router as training_router
from seci.stats.correlation import Correlation

router = APIRouter(prefix="/api/v1/competency", tags=["competency"])

ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"description": "Not logged in (problem details)"},
    403: {"description": "Permission denied (problem details)"},
    404: {"description": "Not found or not visible to you, e.g. another team's round or "
                         "someone else's form (problem details)"},
    409: {"description": "Not in a state that allows this: model in use, round closed, form "
                         "submitted (problem details)"},
    422: {"description": "Invalid input (problem details with `errors`)"},
}


# --- builders ---------------------------------------------------------------------------

def spec_of(body: ModelWrite) -> ModelSpec:
    return ModelSpec(name=body.name, description=body.description, dimensions=[
        DimensionSpec(name=d.name, description=d.description, items=[
            ItemSpec(name=i.name, description=i.description, questions=[
                QuestionSpec(text=q.text, anchor_1=q.anchor_1, anchor_3=q.anchor_3,
                             anchor_5=q.anchor_5) for q in i.questions])
            for i in d.items]) for d in body.dimensions])


def model_read(spec: ModelSpec, model: CompetencyModel | None, in_use: bool) -> ModelRead:
    return ModelRead(
        id=model.id if model else None, archived=model.archived if model else False,
        in_use=in_use, name=spec.name, description=spec.description, dimensions=[
            DimensionSchema(id=d.id, name=d.name, description=d.description, items=[
                ItemSchema(id=i.id, name=i.name, description=i.description, questions=[
                    QuestionSchema(id=q.id, text=q.text, anchor_1=q.anchor_1,
                                   anchor_3=q.anchor_3, anchor_5=q.anchor_5)
                    for q in i.questions]) for i in d.items]) for d in spec.dimensions])


def round_read(found: AssessmentRound) -> RoundRead:
    return RoundRead(
        id=found.id, model_id=found.model_id, team=found.team, title=found.title,
        status=found.status, deadline=found.deadline,
        weights={"self": found.self_weight, "supervisor": found.supervisor_weight,
                 "peer": found.peer_weight},
        peers_per_agent=found.peers_per_agent, opened_at=found.opened_at,
        closed_at=found.closed_at)


def score_read(score: results.Score) -> ScoreRead:
    return ScoreRead(self=score.self, supervisor=score.supervisor, peer=score.peer,
                     others=score.others, combined=score.combined, gap=score.gap)


def person_read(person: results.PersonResult) -> PersonRead:
    return PersonRead(
        agent_id=person.agent.agent_id, name=person.agent.name,
        overall=score_read(person.overall),
        dimensions=[NamedScore(name=d.name, score=score_read(d.score))
                    for d in person.dimensions],
        items=[NamedScore(name=i.name, dimension=i.dimension, score=score_read(i.score))
               for i in person.items],
        weak_items=[i.name for i in person.weak_items()], forms=person.forms)


def figure_read(figure: results.TeamFigure) -> TeamFigureRead:
    return TeamFigureRead(
        name=figure.name, mean=figure.mean, n=figure.n,
        ci=[figure.interval.lower, figure.interval.upper] if figure.interval else None,
        self_mean=figure.self_mean, others_mean=figure.others_mean, gap=figure.gap,
        alpha=figure.alpha, alpha_n=figure.alpha_rows)


def correlation_figure(c: Correlation | None) -> CorrelationFigure | None:
    if c is None:
        return None
    return CorrelationFigure(method=c.method, r=c.r, n=c.n,
                             ci=[c.interval.lower, c.interval.upper], p_value=c.p_value)


def form_summary(row: rounds.FormRow) -> FormSummary:
    return FormSummary(
        id=row.form.id, round_id=row.round.id, round_title=row.round.title,
        rated_agent=row.rated.agent_id, rated_name=row.rated.name, relation=row.form.relation,
        status=row.form.status, deadline=row.round.deadline, late=row.late,
        answered=row.answered, questions=row.questions)


# --- models -----------------------------------------------------------------------------

@router.get("/template", response_model=ModelRead, responses=ERRORS)
def template(user: CurrentUser) -> ModelRead:
    """The shipped model (source 003): 3 dimensions, 11 items, 33 questions."""
    access.require_model_reader(user)
    return model_read(competency.template_spec(), None, False)


@router.get("/models", response_model=list[ModelSummary], responses=ERRORS)
def list_models(db: SessionDep, user: CurrentUser, archived: bool = False
                ) -> list[ModelSummary]:
    return [ModelSummary(id=m.id, name=m.name, archived=m.archived,
                         in_use=competency.model_in_use(db, m.id))
            for m in competency.list_models(db, actor=user, include_archived=archived)]


@router.post("/models", status_code=201, response_model=ModelRead, responses=ERRORS)
def create_model(body: ModelCreate, db: SessionDep, user: CurrentUser) -> ModelRead:
    """From the template, as a copy of another model, or from a full tree."""
    if body.from_template:
        model = competency.create_from_template(db, actor=user, name=body.name)
    elif body.copy_of is not None:
        model = competency.copy_model(db, actor=user, model_id=body.copy_of,
                                      name=body.name or "")
    else:
        model = competency.create_model(
            db, actor=user, spec=spec_of(body.model or ModelWrite(name="", dimensions=[])))
    return model_read(competency.model_spec(db, model.id), model, False)


@router.get("/models/{model_id}", response_model=ModelRead, responses=ERRORS)
def read_model(model_id: int, db: SessionDep, user: CurrentUser) -> ModelRead:
    model = competency.get_model(db, actor=user, model_id=model_id)
    return model_read(competency.model_spec(db, model_id), model,
                      competency.model_in_use(db, model_id))


@router.put("/models/{model_id}", response_model=ModelRead, responses=ERRORS)
def save_model(model_id: int, body: ModelWrite, db: SessionDep, user: CurrentUser
               ) -> ModelRead:
    """Replace the tree; 409 once a round uses the model (copy it instead)."""
    model = competency.save_model(db, actor=user, model_id=model_id, spec=spec_of(body))
    return model_read(competency.model_spec(db, model_id), model, False)


# --- rounds -----------------------------------------------------------------------------

@router.get("/rounds", response_model=list[RoundRead], responses=ERRORS)
def list_rounds(db: SessionDep, user: CurrentUser) -> list[RoundRead]:
    """Rounds of the teams you may assess, newest first."""
    return [round_read(r) for r in rounds.list_rounds(db, actor=user)]


@router.post("/rounds", status_code=201, response_model=RoundDetail, responses=ERRORS)
def open_round(body: RoundCreate, db: SessionDep, user: CurrentUser) -> RoundDetail:
    """Open a round for a team: self, team-lead and peer forms for its current agents."""
    found = rounds.open_round(db, actor=user, settings=rounds.RoundSettings(**body.model_dump()))
    return _detail(db, user, found)


def _detail(db: SessionDep, user: User, found: AssessmentRound) -> RoundDetail:
    c = rounds.completion(db, actor=user, round_id=found.id)
    return RoundDetail(**round_read(found).model_dump(), completion=CompletionRead(
        forms=c.forms, submitted=c.submitted, share=c.share,
        by_relation=[RelationCount(relation=r, submitted=s, forms=n)
                     for r, (s, n) in sorted(c.by_relation.items())],
        raters=[RaterRead(rater=p.rater.display_name, username=p.rater.username,
                          forms=p.total, submitted=p.submitted, late=p.late)
                for p in c.raters],
        agents_without_login=[a.agent_id for a in c.agents_without_login]))


@router.get("/rounds/{round_id}", response_model=RoundDetail, responses=ERRORS)
def read_round(round_id: int, db: SessionDep, user: CurrentUser) -> RoundDetail:
    """The round with its completion per relation and per rater."""
    return _detail(db, user, rounds.get_round(db, actor=user, round_id=round_id))


@router.post("/rounds/{round_id}/close", response_model=RoundRead, responses=ERRORS)
def close_round(round_id: int, db: SessionDep, user: CurrentUser) -> RoundRead:
    """Close the round: results become final and agents see their own."""
    return round_read(rounds.close_round(db, actor=user, round_id=round_id))


@router.get("/rounds/{round_id}/late", response_model=list[RaterRead], responses=ERRORS)
def late(round_id: int, db: SessionDep, user: CurrentUser) -> list[RaterRead]:
    """Raters with open forms after the deadline (whom to remind)."""
    return [RaterRead(rater=p.rater.display_name, username=p.rater.username, forms=p.total,
                      submitted=p.submitted, late=p.late)
            for p in rounds.late_raters(db, actor=user, round_id=round_id)]


@router.get("/rounds/{round_id}/results", response_model=TeamResultRead, responses=ERRORS)
def team_results(round_id: int, db: SessionDep, user: CurrentUser) -> TeamResultRead:
    """Item, dimension and overall means of the team and each person (self, supervisor,
    peers, others, combined), weak items, Cronbach's α per dimension."""
    r = results.team_result(db, actor=user, round_id=round_id)
    return TeamResultRead(
        round=round_read(r.round), overall=figure_read(r.overall),
        dimensions=[figure_read(d) for d in r.dimensions],
        items=[figure_read(i) for i in r.items],
        weak_items=[i.name for i in r.weak_items()],
        people=[person_read(p) for p in r.people])


@router.get("/rounds/{round_id}/correlation", response_model=CorrelationRead,
            responses=ERRORS)
def correlation(round_id: int, db: SessionDep, user: CurrentUser,
                measure: str = Query("fcr", description="fcr, satisfaction or an entered "
                                     "figure's name"),
                score: str = Query("overall", description="overall or a dimension's name")
                ) -> CorrelationRead:
    """Pearson and Spearman between competency and performance, with n, 95 % interval
    (Fisher z) and p-value; null figures below n = 4."""
    c = performance.competency_correlation(db, actor=user, round_id=round_id,
                                           measure=measure, score=score)
    return CorrelationRead(
        measure=c.measure, score=c.score, n=c.n, need=c.need,
        pearson=correlation_figure(c.pearson), spearman=correlation_figure(c.spearman),
        points=[CorrelationPoint(agent_id=a.agent_id, competency=x, performance=y)
                for a, x, y in c.points])


@router.put("/rounds/{round_id}/figures/{measure}", responses=ERRORS)
def put_figures(round_id: int, measure: str, body: FiguresWrite, db: SessionDep,
                user: CurrentUser) -> dict[str, int]:
    """Replace a measure a trainer enters (work number → value) for the round's agents."""
    stored = performance.set_figures(db, actor=user, round_id=round_id, measure=measure,
                                     values=body.values)
    return {"stored": stored}


# --- raters and agents ------------------------------------------------------------------

@router.get("/forms", response_model=list[FormSummary], responses=ERRORS)
def my_forms(db: SessionDep, user: CurrentUser) -> list[FormSummary]:
    """The forms you fill in (my assessments)."""
    return [form_summary(row) for row in rounds.my_forms(db, actor=user)]


@router.get("/forms/{form_id}", response_model=FormRead, responses=ERRORS)
def read_form(form_id: int, db: SessionDep, user: CurrentUser) -> FormRead:
    return _form_read(db, user, form_id)


def _form_read(db: SessionDep, user: User, form_id: int) -> FormRead:
    form = rounds.own_form(db, actor=user, form_id=form_id)
    row = next(r for r in rounds.my_forms(db, actor=user) if r.form.id == form.id)
    spec = competency.model_spec(db, row.round.model_id)
    return FormRead(**form_summary(row).model_dump(), comment=form.comment,
                    model=model_read(spec, None, True),
                    answers=rounds.form_answers(db, form.id))


@router.put("/forms/{form_id}", response_model=FormRead, responses=ERRORS)
def save_form(form_id: int, body: FormWrite, db: SessionDep, user: CurrentUser) -> FormRead:
    """Save answers as you go; ``submit: true`` submits (every question answered)."""
    rounds.save_form(db, actor=user, form_id=form_id, scores=body.scores,
                     comment=body.comment, submit=body.submit)
    return _form_read(db, user, form_id)


@router.get("/me/results", response_model=list[OwnResultRead], responses=ERRORS)
def own_results(db: SessionDep, user: CurrentUser) -> list[OwnResultRead]:
    """Your results of closed rounds: self, others and combined; never who rated what."""
    return [OwnResultRead(round=round_read(r.round), person=person_read(r.person),
                          team_items=[figure_read(i) for i in r.team_items],
                          comments=r.comments)
            for r in results.own_results(db, actor=user)]


# --- profiles ---------------------------------------------------------------------------

@router.get("/teams/{team}/profile", response_model=TeamProfileRead, responses=ERRORS)
def team_profile(team: str, db: SessionDep, user: CurrentUser) -> TeamProfileRead:
    """The team by gender, age band, education, rank, communication style, tenure, stage."""
    p = profiles.team_profile(db, actor=user, team=team)
    return TeamProfileRead(team=p.team, size=p.size, facets={
        facet: [FacetRead(value=f.value, count=f.count, share=f.share) for f in counts]
        for facet, counts in p.facets.items()})


@router.put("/profiles/{agent_id}", responses=ERRORS)
def put_profile(agent_id: str, body: ProfileWrite, db: SessionDep, user: CurrentUser
                ) -> dict[str, str]:
    """Record what the roster lacks about an agent (work number)."""
    profiles.set_profile(db, actor=user, agent_id=agent_id, **body.model_dump())
    return {"agent_id": agent_id}


# --- training plans, coaching and the closed loop (people/training_routes.py) -------------
router.include_router(training_router)
