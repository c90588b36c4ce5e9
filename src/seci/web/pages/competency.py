"""Competency assessment pages (勝任力): the hub (my assessments, my results, rounds,
models), a rater's form (works on a phone), a round's results for the team and each person,
a new round, reminders, and the model editor."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from datetime import date
from typing import Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response
from starlette.datastructures import FormData

from seci.accounts.models import User
from seci.accounts.roles import Perm
from seci.core.errors import FieldErrors, InvalidInput
from seci.core.http import CurrentUser, SessionDep
from seci.core.i18n import N_, gettext
from seci.core.messages import describe_error
from seci.people import access, competency, performance, profiles, results, rounds
from seci.people.competency import DimensionSpec, ItemSpec, ModelSpec, QuestionSpec
from seci.people.models import RoundStatus
from seci.web.charts import Chart, ColumnFormat, Table
from seci.web.pages.common import (
    Form,
    field,
    labeller,
    messages_by_field,
    page_with_flash,
    redirect,
)

router = APIRouter(include_in_schema=False)

LABELS: dict[str, dict[str, str]] = {
    "relation": {"self": N_("Self"), "supervisor": N_("Team lead"), "peer": N_("Peer"),
                 "others": N_("Others")},
    "round_status": {"open": N_("In progress"), "closed": N_("Closed")},
    "form_status": {"open": N_("To do"), "submitted": N_("Submitted")},
    "facet": {"gender": N_("Gender"), "age_band": N_("Age"), "education": N_("Education"),
              "rank": N_("Rank"), "communication_style": N_("Communication style"),
              "tenure_band": N_("Tenure"), "stage": N_("Stage")},
    "value": {"unknown": N_("Not recorded"), "female": N_("Female"), "male": N_("Male"),
              "lt25": N_("Under 25"), "25_29": N_("25–29"), "30_34": N_("30–34"),
              "35_39": N_("35–39"), "40plus": N_("40 and over"),
              "secondary": N_("Secondary school"), "college": N_("College (大专)"),
              "bachelor": N_("Bachelor"), "master": N_("Master or above"),
              "amiable": N_("Amiable"), "expressive": N_("Expressive"),
              "analytical": N_("Analytical"), "driver": N_("Driver"),
              "lt6m": N_("Under 6 months"), "6_18m": N_("6–18 months"),
              "18m_3y": N_("18 months – 3 years"), "3yplus": N_("3 years and more"),
              "new": N_("New agent"), "growing": N_("Growing"), "mature": N_("Mature")},
    "measure": {"fcr": N_("First-contact resolution"), "satisfaction": N_("Satisfaction"),
                "overall": N_("Overall")},
}
FLASH = {
    "round_opened": N_("Round opened; the raters find their forms under My assessments."),
    "round_closed": N_("Round closed; each agent now sees their own results."),
    "form_saved": N_("Answers saved; you can come back and finish later."),
    "form_submitted": N_("Thank you, your assessment is submitted."),
    "model_saved": N_("Competency model saved."),
    "figures_saved": N_("Figures saved."),
    "profile_saved": N_("Profile saved."),
}


clabel = labeller(LABELS)


def _page(request: Request, user: User, name: str, context: dict[str, Any],
          status_code: int = 200) -> HTMLResponse:
    return page_with_flash(request, user, f"competency/{name}", context | {"clabel": clabel},
                           FLASH, status_code)


def _number(value: float | None) -> float | None:
    return None if value is None else round(value, 2)


def radar_chart(chart_id: str, title: str, names: list[str],
                series: list[tuple[str, list[float | None]]]) -> Chart | None:
    """A radar of 1–5 scores per item; series with a gap are left out of the drawing but
    stay in the table."""
    decimal: ColumnFormat = "decimal"
    drawn = [{"name": n, "values": [_number(v) for v in values]} for n, values in series
             if all(v is not None for v in values)]
    if not drawn:
        return None
    return Chart(chart_id, "radar", title, {
        "indicators": [{"name": n, "max": 5} for n in names], "series": drawn},
        Table(headers=[gettext("Item"), *[n for n, _ in series]],
              rows=[[name, *[_number(values[i]) for _, values in series]]
                    for i, name in enumerate(names)],
              formats=[None, *[decimal for _ in series]]), height="tall")


# --- hub --------------------------------------------------------------------------------

@router.get("/competency", response_class=HTMLResponse)
def hub(request: Request, db: SessionDep, user: CurrentUser) -> HTMLResponse:
    """My assessments to fill in, my results, and for trainers the rounds and models."""
    assessor = user.can(Perm.COMPETENCY_ASSESS)
    return _page(request, user, "hub.html", {
        "forms": rounds.my_forms(db, actor=user),
        "own": results.own_results(db, actor=user),
        "rounds": rounds.list_rounds(db, actor=user) if assessor else [],
        "assessor": assessor,
        "models": competency.list_models(db, actor=user)
        if access.may_read_models(user) else [],
        "edits_models": user.can(Perm.COMPETENCY_MODEL),
    })


# --- the rater's form -------------------------------------------------------------------

def _form_page(request: Request, db: SessionDep, user: User, form_id: int, *,
               values: dict[int, int] | None = None, comment: str | None = None,
               errors: dict[str, str] | None = None, status_code: int = 200) -> HTMLResponse:
    form = rounds.own_form(db, actor=user, form_id=form_id)
    row = next(r for r in rounds.my_forms(db, actor=user) if r.form.id == form.id)
    return _page(request, user, "form.html", {
        "row": row, "spec": competency.model_spec(db, row.round.model_id),
        "answers": values if values is not None else rounds.form_answers(db, form.id),
        "comment": comment if comment is not None else form.comment,
        "editable": row.form.status == "open" and row.round.status == RoundStatus.OPEN,
        "errors": errors or {},
    }, status_code)


@router.get("/competency/forms/{form_id}", response_class=HTMLResponse)
def form_view(request: Request, db: SessionDep, user: CurrentUser, form_id: int
              ) -> HTMLResponse:
    return _form_page(request, db, user, form_id)


def _scores(form: FormData) -> dict[int, int | None]:
    scores: dict[int, int | None] = {}
    for name in form:
        if name.startswith("q") and name[1:].isdigit():
            value = field(form, name)
            scores[int(name[1:])] = int(value) if value.isdigit() else None
    return scores


@router.post("/competency/forms/{form_id}")
def form_save(request: Request, db: SessionDep, user: CurrentUser, form: Form,
              form_id: int) -> Response:
    scores = _scores(form)
    comment = field(form, "comment")
    submit = field(form, "action") == "submit"
    try:
        rounds.save_form(db, actor=user, form_id=form_id, scores=scores, comment=comment,
                         submit=submit)
    except FieldErrors as error:
        # What was answered stays saved (a submit with gaps still saves the answers given);
        # the page shows what is missing or wrong at its question.
        names = [f"q{q}" for q in scores] + ["comment"]
        return _form_page(request, db, user, form_id, comment=comment,
                          errors=messages_by_field(error, names), status_code=422)
    if submit:
        return redirect("/competency", "form_submitted")
    return redirect(f"/competency/forms/{form_id}", "form_saved")


# --- own results ------------------------------------------------------------------------

@router.get("/competency/me", response_class=HTMLResponse)
def own(request: Request, db: SessionDep, user: CurrentUser) -> HTMLResponse:
    """My results of closed rounds: self against others, the team's mean, my weak items."""
    mine = results.own_results(db, actor=user)
    charts = []
    for index, r in enumerate(mine):
        names = [i.name for i in r.person.items]
        charts.append(radar_chart(f"chart-own-{index}", gettext("My competency profile"), names, [
            (gettext("Self"), [i.score.self for i in r.person.items]),
            (gettext("Others"), [i.score.others for i in r.person.items]),
            (gettext("Team mean"), [t.mean for t in r.team_items])]))
    return _page(request, user, "own.html", {"results": mine, "charts": charts})


# --- rounds -----------------------------------------------------------------------------

ROUND_FIELDS = ("model_id", "team", "title", "deadline", "self_weight", "supervisor_weight",
                "peer_weight", "peers_per_agent")


def _new_round_page(request: Request, db: SessionDep, user: User, *,
                    values: dict[str, str] | None = None,
                    errors: dict[str, str] | None = None, status_code: int = 200
                    ) -> HTMLResponse:
    return _page(request, user, "new_round.html", {
        "teams": rounds.list_teams(db, actor=user),
        "models": competency.list_models(db, actor=user),
        "values": values or {"self_weight": "20", "supervisor_weight": "40",
                             "peer_weight": "40", "peers_per_agent": "3"},
        "errors": errors or {},
    }, status_code)


@router.get("/competency/rounds/new", response_class=HTMLResponse)
def new_round(request: Request, db: SessionDep, user: CurrentUser) -> HTMLResponse:
    access.require_assessor(user)
    return _new_round_page(request, db, user)


def _int(value: str, default: int = -1) -> int:
    value = value.strip()
    return int(value) if value.isdigit() else default


@router.post("/competency/rounds")
def create_round(request: Request, db: SessionDep, user: CurrentUser, form: Form) -> Response:
    values = {name: field(form, name) for name in ROUND_FIELDS}
    try:
        deadline = date.fromisoformat(values["deadline"]) if values["deadline"] else None
    except ValueError:
        deadline = None
    try:
        found = rounds.open_round(db, actor=user, settings=rounds.RoundSettings(
            model_id=_int(values["model_id"]), team=values["team"], title=values["title"],
            deadline=deadline, self_weight=_int(values["self_weight"]),
            supervisor_weight=_int(values["supervisor_weight"]),
            peer_weight=_int(values["peer_weight"]),
            peers_per_agent=_int(values["peers_per_agent"])))
    except FieldErrors as error:
        return _new_round_page(request, db, user, values=values,
                               errors=messages_by_field(error, ROUND_FIELDS), status_code=422)
    except InvalidInput as error:
        return _new_round_page(request, db, user, values=values,
                               errors={"": describe_error(error)}, status_code=422)
    return redirect(f"/competency/rounds/{found.id}", "round_opened")


def _correlation_chart(c: performance.CorrelationResult) -> Chart | None:
    if not c.points:
        return None
    measure = clabel("measure", c.measure)
    return Chart("chart-correlation", "scatter", gettext("Competency and performance"), {
        "points": [{"x": round(x, 3), "y": round(y, 4), "label": a.name, "url": None}
                   for a, x, y in c.points],
        "x_name": gettext("Competency (combined)"), "y_name": measure},
        Table(headers=[gettext("Agent"), gettext("Competency (combined)"), measure],
              rows=[[a.name, x, y] for a, x, y in c.points],
              formats=[None, "decimal", "decimal"]), height="short")


@router.get("/competency/rounds/{round_id}", response_class=HTMLResponse)
def round_results(request: Request, db: SessionDep, user: CurrentUser, round_id: int,
                  measure: str = Query("fcr"), score: str = Query("overall")
                  ) -> HTMLResponse:
    """A round: completion, the team's results and profile, people, correlation."""
    return _round_page(request, db, user, round_id, measure=measure, score=score)


def _round_page(request: Request, db: SessionDep, user: User, round_id: int, *,
                measure: str = "fcr", score: str = "overall",
                errors: dict[str, str] | None = None, status_code: int = 200) -> HTMLResponse:
    found = rounds.get_round(db, actor=user, round_id=round_id)
    team = results.compute_team_result(db, found)
    measures = performance.measures(db, actor=user, round_id=round_id)
    try:
        correlation = performance.competency_correlation(
            db, actor=user, round_id=round_id, measure=measure if measure in measures
            else "fcr", score=score)
    except InvalidInput:
        correlation = performance.competency_correlation(db, actor=user, round_id=round_id,
                                                         measure="fcr")
    names = [i.name for i in team.items]
    chart = radar_chart("chart-team", gettext("Team competency profile"), names, [
        (gettext("Self"), [i.self_mean for i in team.items]),
        (gettext("Others"), [i.others_mean for i in team.items]),
        (gettext("Combined"), [i.mean for i in team.items])])
    return _page(request, user, "round.html", {
        "round": found, "team": team,
        "completion": rounds.completion(db, actor=user, round_id=round_id),
        "profile": profiles.team_profile(db, actor=user, team=found.team),
        "chart": chart, "correlation": correlation,
        "correlation_chart": _correlation_chart(correlation),
        "measures": measures, "measure": correlation.measure, "score": correlation.score,
        "alpha_needs": results.alpha_needs(), "errors": errors or {},
    }, status_code)


@router.post("/competency/rounds/{round_id}/close")
def close(db: SessionDep, user: CurrentUser, form: Form, round_id: int) -> Response:
    del form  # checked for its CSRF token
    rounds.close_round(db, actor=user, round_id=round_id)
    return redirect(f"/competency/rounds/{round_id}", "round_closed")


@router.post("/competency/rounds/{round_id}/figures")
def figures(request: Request, db: SessionDep, user: CurrentUser, form: Form,
            round_id: int) -> Response:
    measure = field(form, "measure")
    try:
        values = performance.parse_figure_lines(field(form, "figures"))
        performance.set_figures(db, actor=user, round_id=round_id, measure=measure,
                                values=values)
    except FieldErrors as error:
        return _round_page(request, db, user, round_id,
                           errors=messages_by_field(error, ("measure", "figures")),
                           status_code=422)
    return redirect(f"/competency/rounds/{round_id}", "figures_saved", measure=measure.strip())


@router.get("/competency/rounds/{round_id}/people/{agent_id}", response_class=HTMLResponse)
def person(request: Request, db: SessionDep, user: CurrentUser, round_id: int,
           agent_id: int) -> HTMLResponse:
    """One person's results for the trainer: by source, combined, gap, weak items."""
    team, one = results.person_of_round(db, actor=user, round_id=round_id, agent_id=agent_id)
    names = [i.name for i in one.items]
    chart = radar_chart("chart-person", gettext("Competency profile"), names, [
        (gettext("Self"), [i.score.self for i in one.items]),
        (gettext("Others"), [i.score.others for i in one.items]),
        (gettext("Team mean"), [t.mean for t in team.items])])
    return _page(request, user, "person.html", {"round": team.round, "team": team,
                                                 "person": one, "chart": chart})


@router.get("/competency/reminders", response_class=HTMLResponse)
def reminders(request: Request, db: SessionDep, user: CurrentUser) -> HTMLResponse:
    """Raters still owing forms in open rounds, the late first."""
    return _page(request, user, "reminders.html",
                 {"rows": rounds.reminders(db, actor=user)})


# --- models -----------------------------------------------------------------------------

@router.post("/competency/models")
def create_model(db: SessionDep, user: CurrentUser, form: Form) -> Response:
    copy_of = _int(field(form, "copy_of"))
    if copy_of > 0:
        model = competency.copy_model(db, actor=user, model_id=copy_of,
                                      name=field(form, "name") or gettext("Copy"))
    else:
        model = competency.create_from_template(db, actor=user, name=field(form, "name"))
    return redirect(f"/competency/models/{model.id}", "model_saved")


def _model_page(request: Request, db: SessionDep, user: User, model_id: int, *,
                spec: ModelSpec | None = None, errors: dict[str, str] | None = None,
                status_code: int = 200) -> HTMLResponse:
    model = competency.get_model(db, actor=user, model_id=model_id)
    return _page(request, user, "model.html", {
        "model": model, "spec": spec or competency.model_spec(db, model_id),
        "in_use": competency.model_in_use(db, model_id),
        "editable": user.can(Perm.COMPETENCY_MODEL), "errors": errors or {},
    }, status_code)


@router.get("/competency/models/{model_id}", response_class=HTMLResponse)
def model_view(request: Request, db: SessionDep, user: CurrentUser, model_id: int
               ) -> HTMLResponse:
    return _model_page(request, db, user, model_id)


def _kept_rows(form: FormData, parent: str, letter: str, key: str) -> Iterator[str]:
    """The prefixes of the editor's rows under ``parent`` (``d0``, ``d0_i1`` …) in order,
    up to the first number the form lacks, without those ticked ``…_del``."""
    for number in itertools.count():
        prefix = f"{parent}{letter}{number}"
        if f"{prefix}_{key}" not in form:
            return
        if not field(form, f"{prefix}_del").strip():
            yield prefix


def spec_from_form(form: FormData) -> ModelSpec:
    """The editor's fields (d0_name, d0_i1_q2_text, …; a blank new row is ignored, a
    ticked ``…_del`` removes that row)."""
    def get(name: str) -> str:
        return field(form, name).strip()

    def question(prefix: str) -> QuestionSpec | None:
        found = QuestionSpec(text=get(f"{prefix}_text"), anchor_1=get(f"{prefix}_anchor_1"),
                             anchor_3=get(f"{prefix}_anchor_3"),
                             anchor_5=get(f"{prefix}_anchor_5"))
        return found if any((found.text, found.anchor_1, found.anchor_3,
                             found.anchor_5)) else None

    def item(prefix: str) -> ItemSpec | None:
        questions = [q for qp in _kept_rows(form, f"{prefix}_", "q", "text")
                     if (q := question(qp)) is not None]
        if not (get(f"{prefix}_name") or questions):
            return None
        return ItemSpec(name=get(f"{prefix}_name"), description=get(f"{prefix}_description"),
                        questions=questions)

    def dimension(prefix: str) -> DimensionSpec | None:
        items = [i for ip in _kept_rows(form, f"{prefix}_", "i", "name")
                 if (i := item(ip)) is not None]
        if not (get(f"{prefix}_name") or items):
            return None
        return DimensionSpec(name=get(f"{prefix}_name"),
                             description=get(f"{prefix}_description"), items=items)

    dimensions = [d for dp in _kept_rows(form, "", "d", "name")
                  if (d := dimension(dp)) is not None]
    return ModelSpec(name=get("name"), description=get("description"), dimensions=dimensions)


@router.post("/competency/models/{model_id}")
def model_save(request: Request, db: SessionDep, user: CurrentUser, form: Form,
               model_id: int) -> Response:
    spec = spec_from_form(form)
    try:
        competency.save_model(db, actor=user, model_id=model_id, spec=spec)
    except FieldErrors as error:
        names = [str(e.get("field")) for e in error.errors]
        return _model_page(request, db, user, model_id, spec=spec,
                           errors=messages_by_field(error, names), status_code=422)
    return redirect(f"/competency/models/{model_id}", "model_saved")


@router.post("/competency/profiles/{agent_id}")
def profile_save(request: Request, db: SessionDep, user: CurrentUser, form: Form,
                 agent_id: str) -> Response:
    year = field(form, "birth_year").strip()
    profiles.set_profile(db, actor=user, agent_id=agent_id, gender=field(form, "gender"),
                         birth_year=int(year) if year.isdigit() else None,
                         education=field(form, "education"), rank=field(form, "rank"),
                         communication_style=field(form, "communication_style"))
    back = field(form, "back")
    return redirect(back if back.startswith("/competency/") else "/competency", "profile_saved")
