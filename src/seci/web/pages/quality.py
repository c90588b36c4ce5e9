"""Quality inspection pages (质检): samples and the draw form, a sample's strata and calls,
the scoring page (transcript beside the scorecard), one score with its appeal, the
appeals inbox, scorecards, and "my QA scores" for agents. The services decide who may
do what; these pages read forms and render."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from starlette.datastructures import FormData

from seci.accounts.models import User
from seci.accounts.roles import Perm
from seci.accounts.service import users_by_id
from seci.calls.access import own_agent_ids
from seci.calls.kpis import Figure, Period
from seci.calls.models import CallRecord
from seci.calls.queries import Turn, get_call, read_transcript
from seci.core.clock import today
from seci.core.errors import FieldErrors
from seci.core.http import WRITES, CurrentUser, SessionDep, client_ip
from seci.core.i18n import N_, gettext
from seci.core.messages import describe_error
from seci.quality import access, appeals, queries, sampling, scorecards, scoring
from seci.quality.errors import CallNotInSample, EmptyPopulation
from seci.quality.models import QaSample, Scorecard
from seci.web.pages.common import Form, field, messages_by_field, redirect
from seci.web.templating import render

router = APIRouter(include_in_schema=False)

# Words for the codes of this domain (statuses, strata bands, dimensions).
QA_LABELS: dict[str, dict[str, str]] = {
    "status": {
        "scored": N_("Scored"),
        "appealed": N_("Appeal pending"),
        "upheld": N_("Appeal declined"),
        "revised": N_("Revised on appeal"),
    },
    "decision": {"upheld": N_("Score upheld"), "revised": N_("Score revised")},
    "dimension": {
        "time": N_("Time of day"),
        "duration": N_("Call length"),
        "region": N_("Region"),
        "product": N_("Product"),
    },
    "time": {
        "night": N_("Night 00–08"),
        "morning": N_("Morning 08–12"),
        "afternoon": N_("Afternoon 12–18"),
        "evening": N_("Evening 18–24"),
    },
    "duration": {
        "lt2m": N_("Under 2 min"),
        "2to5m": N_("2–5 min"),
        "5to10m": N_("5–10 min"),
        "ge10m": N_("10 min or more"),
    },
    "filter": {
        "team": N_("Team"),
        "queue": N_("Queue"),
        "product": N_("Product"),
        "region": N_("Region"),
        "agent_id": N_("Agent ID"),
    },
}
DEFAULT_DAYS = 30
DEFAULT_SIZE = 20
DEFAULT_DIMENSIONS = ("time", "duration")
EMPTY_ITEM_ROWS = 3
MIN_ITEM_ROWS = 8


def qa_label(kind: str, code: str | None) -> str:
    if code is None:
        return ""
    text = QA_LABELS.get(kind, {}).get(str(code))
    return gettext(text) if text else str(code)


def stratum_text(values: Mapping[str, str]) -> str:
    """A stratum in words: its bands translated, regions and products as they are."""
    if not values:
        return gettext("All calls")
    parts = []
    for dimension in sampling.DIMENSIONS:
        if dimension in values:
            value = values[dimension]
            parts.append(qa_label(dimension, value) if dimension in {"time", "duration"}
                         else value)
    return " · ".join(parts)


def _figure_text(figure: Figure, *, percent: bool) -> str:
    if figure.value is None:
        return "—"
    scale = 100.0 if percent else 1.0
    text = f"{figure.value * scale:.1f}" + ("%" if percent else "")
    if figure.low is not None and figure.high is not None:
        text += f" ({max(figure.low * scale, 0):.1f}–{min(figure.high * scale, 100):.1f})"
    return text


def _figure_value(figure: Figure, *, percent: bool) -> str:
    if figure.value is None:
        return "—"
    return f"{figure.value * 100:.1f}%" if percent else f"{figure.value:.1f}"


def _figure_interval(figure: Figure, *, percent: bool) -> str:
    """The 95 % interval as "low–high", clipped to 0–100 ("" when there is none)."""
    if figure.low is None or figure.high is None:
        return ""
    scale = 100.0 if percent else 1.0
    return f"{max(figure.low * scale, 0):.1f}–{min(figure.high * scale, 100):.1f}"


def _common(user: User) -> dict[str, Any]:
    """What every QA template needs: labels, formatters, which tabs to show."""
    return {
        "qa_label": qa_label, "stratum_text": stratum_text, "figure_text": _figure_text,
        "figure_value": _figure_value, "figure_interval": _figure_interval,
        "tabs": {
            "inspect": user.can(Perm.QA_INSPECT),
            "manage": user.can(Perm.QA_MANAGE),
            "scores": access.may_list_scores(user),
        },
    }


def _page(request: Request, user: User, template: str, context: dict[str, Any], *,
          status_code: int = 200) -> HTMLResponse:
    return render(request, f"quality/{template}", _common(user) | context, user=user,
                  status_code=status_code)


def _agent_display(name: str, agent_id: str) -> str:
    return f"{name} {agent_id}" if name else agent_id


def _int(value: str, default: int | None = None) -> int | None:
    value = value.strip()
    return int(value) if value.lstrip("-").isdigit() else default


def _day(value: str) -> date | None:
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        return None


# --- home: samples and the draw form ----------------------------------------------------


@router.get("/qa", response_class=HTMLResponse)
def home(request: Request, db: SessionDep, user: CurrentUser) -> Response:
    """Samples with their progress and the form to draw one (inspectors); everybody else
    goes to their own scores."""
    if not user.can(Perm.QA_INSPECT):
        return redirect("/qa/mine")
    return _home_page(request, db, user)


def _default_values(db: SessionDep, user: User) -> dict[str, Any]:
    cards = scorecards.list_scorecards(db, actor=user, active_only=True)
    end = today()
    return {"name": "", "scorecard_id": str(cards[0].id) if cards else "",
            "start": (end - timedelta(days=DEFAULT_DAYS - 1)).isoformat(),
            "end": end.isoformat(), "size": str(DEFAULT_SIZE), "seed": "",
            "dimensions": list(DEFAULT_DIMENSIONS), "with_transcripts": "on",
            **{name: "" for name in sampling.FILTER_COLUMNS}}


def _home_page(request: Request, db: SessionDep, user: User, *,
               values: dict[str, Any] | None = None, errors: dict[str, str] | None = None,
               status_code: int = 200) -> HTMLResponse:
    samples = sampling.list_samples(db, actor=user)
    cards = {c.id: c for c in scorecards.list_scorecards(db, actor=user)}
    people = users_by_id(db, {s.created_by_id for s in samples if s.created_by_id})
    return _page(request, user, "home.html", {
        "samples": samples, "cards": cards, "people": people,
        "counts": queries.sample_counts(db, sample_ids=[s.id for s in samples]),
        "active_cards": [c for c in cards.values() if c.active],
        "choices": sampling.filter_choices(db, actor=user),
        "dimensions": sampling.DIMENSIONS, "filters": list(sampling.FILTER_COLUMNS),
        "max_size": sampling.MAX_SAMPLE_SIZE, "max_seed": sampling.MAX_SEED,
        "values": values or _default_values(db, user), "errors": errors or {},
    }, status_code=status_code)


DRAW_FIELDS = ("name", "scorecard_id", "start", "end", "size", "seed", "dimensions",
               "with_transcripts", *sampling.FILTER_COLUMNS)


@router.post("/qa/samples")
def draw(request: Request, db: SessionDep, user: CurrentUser, form: Form) -> Response:
    values: dict[str, Any] = {name: field(form, name) for name in DRAW_FIELDS}
    values["dimensions"] = [v for v in form.getlist("dimensions") if isinstance(v, str)]
    values["with_transcripts"] = "on" if "on" in form.getlist("with_transcripts") else ""
    seed = _int(values["seed"], -1) if values["seed"].strip() else None
    sample_request = sampling.SampleRequest(
        start=_day(values["start"]), end=_day(values["end"]),
        size=_int(values["size"], 0) or 0, scorecard_id=_int(values["scorecard_id"], 0) or 0,
        dimensions=values["dimensions"], seed=seed, name=values["name"],
        with_transcripts=values["with_transcripts"] == "on",
        filters={name: values[name] for name in sampling.FILTER_COLUMNS if values[name]})
    try:
        sample = sampling.draw_sample(db, actor=user, request=sample_request)
    except FieldErrors as error:
        return _home_page(request, db, user, values=values,
                          errors=messages_by_field(error, DRAW_FIELDS), status_code=422)
    except EmptyPopulation as error:
        return _home_page(request, db, user, values=values,
                          errors={"": describe_error(error)}, status_code=422)
    return redirect(f"/qa/samples/{sample.id}", "qa_sample_drawn")


# --- a sample ----------------------------------------------------------------------------


def _strata_values(sample: QaSample) -> dict[str, dict[str, str]]:
    return {s.label: s.values for s in sampling.sample_strata(sample)}


@router.get("/qa/samples/{sample_id}", response_class=HTMLResponse)
def sample_page(request: Request, db: SessionDep, user: CurrentUser, sample_id: int
                ) -> HTMLResponse:
    """The strata (population, allocated, scored) and the calls with their status."""
    progress = queries.sample_progress(db, actor=user, sample_id=sample_id)
    people = users_by_id(db, {i for i in [progress.sample.created_by_id] if i}
                         | {c.score.inspector_id for c in progress.calls
                            if c.score and c.score.inspector_id})
    return _page(request, user, "sample.html", {
        "progress": progress, "sample": progress.sample, "card": progress.scorecard,
        "params": progress.sample.params, "people": people,
        "strata_values": _strata_values(progress.sample),
        "agent_display": _agent_display,
    })


@router.get("/qa/samples/{sample_id}/next")
def next_call(db: SessionDep, user: CurrentUser, sample_id: int) -> Response:
    """The next call to score, in working order; the sample page once all are done."""
    progress = queries.sample_progress(db, actor=user, sample_id=sample_id)
    if progress.next_call_id is None:
        return redirect(f"/qa/samples/{sample_id}", "qa_sample_done")
    return redirect(f"/qa/samples/{sample_id}/calls/{progress.next_call_id}")


# --- scoring -----------------------------------------------------------------------------


def _turns(request: Request, db: SessionDep, user: User, call: CallRecord) -> list[Turn]:
    return read_transcript(db, actor=user, call_id=call.call_id, ip=client_ip(request))


def _marks_values(card: Scorecard, points: Mapping[str, Any] | None,
                  failed: list[int] | None) -> dict[str, str]:
    """Form values from stored points, or full points for a new score (inspectors
    deduct from full marks, the usual way of a hotline's QA)."""
    values: dict[str, str] = {}
    for item in card.items:
        given = (points or {}).get(str(item.id), item.max_points)
        values[f"points_{item.id}"] = str(given)
        if item.id in (failed or []):
            values[f"failed_{item.id}"] = "on"
    return values


def _form_marks(form: FormData, card: Scorecard) -> tuple[scoring.Marks, dict[str, str]]:
    """The points and critical failures typed into a scorecard form."""
    values: dict[str, str] = {}
    points: dict[int, int] = {}
    failed: list[int] = []
    for item in card.items:
        typed = field(form, f"points_{item.id}")
        values[f"points_{item.id}"] = typed
        number = _int(typed)
        if number is not None:
            points[item.id] = number
        if item.critical and field(form, f"failed_{item.id}") == "on":
            values[f"failed_{item.id}"] = "on"
            failed.append(item.id)
    return scoring.Marks(points=points, failed_items=failed), values


def _score_page(request: Request, db: SessionDep, user: User, sample_id: int, call_id: str,
                *, values: dict[str, str] | None = None, errors: dict[str, str] | None = None,
                status_code: int = 200) -> HTMLResponse:
    progress = queries.sample_progress(db, actor=user, sample_id=sample_id)
    entry = next((c for c in progress.calls if c.call.call_id == call_id), None)
    if entry is None:
        raise CallNotInSample(call=call_id)
    card = progress.scorecard
    call = get_call(db, actor=user, call_id=call_id)
    state, score = scoring.scoring_state(db, actor=user, call=call, scorecard_id=card.id)
    if values is None:
        values = _marks_values(card, score.points if score else None,
                               score.failed_items if score else None)
        values["comment"] = score.comment if score else ""
    later = [c for c in progress.calls if c.position > entry.position
             and c.score is None and not c.own]
    people = users_by_id(db, [score.inspector_id] if score and score.inspector_id else [])
    return _page(request, user, "score_call.html", {
        "progress": progress, "sample": progress.sample, "card": card, "call": call,
        "entry": entry, "turns": _turns(request, db, user, call), "state": state.value,
        "score": score, "people": people, "next_call": later[0] if later else None,
        "stratum": stratum_text(_strata_values(progress.sample).get(entry.stratum, {})),
        "agent": _agent_display(entry.agent_name, call.agent_id),
        "values": values, "errors": errors or {},
        "max_total": sum(i.max_points for i in card.items),
    }, status_code=status_code)


@router.get("/qa/samples/{sample_id}/calls/{call_id}", response_class=HTMLResponse,
            dependencies=WRITES)
def score_form(request: Request, db: SessionDep, user: CurrentUser, sample_id: int,
               call_id: str) -> HTMLResponse:
    """The transcript on the left, the scorecard on the right."""
    return _score_page(request, db, user, sample_id, call_id)


@router.post("/qa/samples/{sample_id}/calls/{call_id}")
def score_submit(request: Request, db: SessionDep, user: CurrentUser, form: Form,
                 sample_id: int, call_id: str) -> Response:
    sample = sampling.get_sample(db, actor=user, sample_id=sample_id)
    card = scorecards.get_scorecard(db, scorecard_id=sample.scorecard_id)
    marks, values = _form_marks(form, card)
    values["comment"] = field(form, "comment")
    try:
        scoring.score_call(db, actor=user, call_id=call_id, sample_id=sample_id, marks=marks,
                           comment=values["comment"])
    except FieldErrors as error:
        names = [*values, "points", "failed_items"]
        return _score_page(request, db, user, sample_id, call_id, values=values,
                           errors=messages_by_field(error, names), status_code=422)
    if field(form, "then") == "stay":
        return redirect(f"/qa/samples/{sample_id}/calls/{call_id}", "qa_scored")
    progress = queries.sample_progress(db, actor=user, sample_id=sample_id)
    if progress.next_call_id is None:
        return redirect(f"/qa/samples/{sample_id}", "qa_sample_done")
    return redirect(f"/qa/samples/{sample_id}/calls/{progress.next_call_id}", "qa_scored")


# --- one score, its appeal ---------------------------------------------------------------


def _score_detail(request: Request, db: SessionDep, user: User, score_id: int, *,
                  values: dict[str, str] | None = None, errors: dict[str, str] | None = None,
                  status_code: int = 200) -> HTMLResponse:
    view = queries.score_view(db, actor=user, score_id=score_id)
    score, appeal = view.score, view.appeal
    card = scorecards.get_scorecard(db, scorecard_id=score.scorecard_id)
    people = users_by_id(db, {i for i in (score.inspector_id, appeal.decided_by_id
                                          if appeal else None) if i})
    may_appeal = (access.is_call_agent(db, user, score)
                  and appeals.may_appeal_now(score, appeal))
    may_decide = (appeal is not None and appeal.decision is None
                  and access.may_decide(db, user, score))
    if values is None:
        values = _marks_values(card, score.points, score.failed_items)
    return _page(request, user, "score.html", {
        "view": view, "score": score, "appeal": appeal, "call": view.call, "card": card,
        "people": people, "turns": _turns(request, db, user, view.call),
        "agent": _agent_display(view.agent_name, score.agent_id),
        "deadline": appeals.appeal_deadline(score), "window_days": appeals.APPEAL_WINDOW_DAYS,
        "may_appeal": may_appeal, "may_decide": may_decide,
        "max_total": sum(i.max_points for i in card.items),
        "values": values, "errors": errors or {},
    }, status_code=status_code)


@router.get("/qa/scores/{score_id}", response_class=HTMLResponse, dependencies=WRITES)
def score_detail(request: Request, db: SessionDep, user: CurrentUser, score_id: int
                 ) -> HTMLResponse:
    """A score item by item, the call's transcript, the appeal and its decision."""
    return _score_detail(request, db, user, score_id)


@router.post("/qa/scores/{score_id}/appeal")
def appeal(request: Request, db: SessionDep, user: CurrentUser, form: Form,
           score_id: int) -> Response:
    reason = field(form, "reason")
    try:
        appeals.file_appeal(db, actor=user, score_id=score_id, reason=reason)
    except FieldErrors as error:
        back = field(form, "back")
        if back == "mine":
            return _mine_page(request, db, user, appeal_errors={
                score_id: messages_by_field(error, ("reason",))}, status_code=422)
        return _score_detail(request, db, user, score_id, values={"reason": reason},
                             errors=messages_by_field(error, ("reason",)), status_code=422)
    target = "/qa/mine" if field(form, "back") == "mine" else f"/qa/scores/{score_id}"
    return redirect(target, "qa_appeal_filed")


@router.post("/qa/appeals/{appeal_id}/decide")
def decide(request: Request, db: SessionDep, user: CurrentUser, form: Form,
           appeal_id: int) -> Response:
    found = appeals.get_appeal(db, actor=user, appeal_id=appeal_id)
    score = queries.get_visible_score(db, actor=user, score_id=found.score_id)
    card = scorecards.get_scorecard(db, scorecard_id=score.scorecard_id)
    decision = field(form, "decision")
    marks, values = _form_marks(form, card)
    values["note"] = field(form, "note")
    try:
        appeals.decide_appeal(db, actor=user, appeal_id=appeal_id, decision=decision,
                              note=values["note"],
                              marks=marks if decision == "revised" else None)
    except FieldErrors as error:
        return _score_detail(request, db, user, score.id, values=values,
                             errors=messages_by_field(error, [*values, "points"]),
                             status_code=422)
    return redirect("/qa/appeals", "qa_appeal_decided")


@router.get("/qa/appeals", response_class=HTMLResponse)
def appeals_inbox(request: Request, db: SessionDep, user: CurrentUser) -> HTMLResponse:
    """Appeals waiting for a decision, oldest first, then the recently decided (QA
    managers)."""
    rows = queries.open_appeals(db, actor=user, include_decided=True)
    people = users_by_id(db, {i for r in rows for i in (
        r.score.inspector_id, r.appeal.filed_by_id, r.appeal.decided_by_id) if i})
    return _page(request, user, "appeals.html", {
        "open": [r for r in rows if r.appeal.decision is None],
        "decided": [r for r in rows if r.appeal.decision is not None][:30],
        "people": people, "agent_display": _agent_display,
        "deciders_own": {r.appeal.id for r in rows if not access.may_decide(db, user, r.score)},
    })


# --- lists of scores ---------------------------------------------------------------------


def _mine_page(request: Request, db: SessionDep, user: User, *,
               appeal_errors: dict[int, dict[str, str]] | None = None,
               status_code: int = 200) -> HTMLResponse:
    views = queries.my_scores(db, actor=user)
    agent_ids = sorted(own_agent_ids(db, user))
    summary = queries.agent_qa_summary(db, actor=user, agent_ids=agent_ids)
    people = users_by_id(db, {v.score.inspector_id for v in views if v.score.inspector_id})
    return _page(request, user, "mine.html", {
        "views": views, "summary": list(summary.values()), "people": people,
        "linked": bool(agent_ids), "window_days": appeals.APPEAL_WINDOW_DAYS,
        "appealable": {v.score.id for v in views
                       if appeals.may_appeal_now(v.score, v.appeal)},
        "deadline": appeals.appeal_deadline, "appeal_errors": appeal_errors or {},
    }, status_code=status_code)


@router.get("/qa/mine", response_class=HTMLResponse)
def mine(request: Request, db: SessionDep, user: CurrentUser) -> HTMLResponse:
    """My QA scores: figures, each score and its appeal, the appeal form."""
    return _mine_page(request, db, user)


@router.get("/qa/scores", response_class=HTMLResponse)
def scores(request: Request, db: SessionDep, user: CurrentUser, agent: str | None = None,
           start: str | None = None, end: str | None = None) -> HTMLResponse:
    """Scores the user may see (a team lead: their team's), with per-agent figures."""
    access.require_score_lists(user)
    period = Period(_day(start or ""), _day(end or ""))
    views = queries.list_scores(db, actor=user, agent_id=agent or None, period=period)
    agent_ids = sorted({v.score.agent_id for v in views})
    summary = queries.agent_qa_summary(db, actor=user, agent_ids=agent_ids, period=period)
    names = queries.agent_names(db, agent_ids)
    people = users_by_id(db, {v.score.inspector_id for v in views if v.score.inspector_id})
    return _page(request, user, "scores.html", {
        "views": views, "summary": sorted(summary.values(), key=lambda a: (-a.n, a.agent_id)),
        "names": names, "people": people, "agent_display": _agent_display,
        "filters": {"agent": agent or "", "start": start or "", "end": end or ""},
    })


# --- scorecards --------------------------------------------------------------------------


@router.get("/qa/scorecards", response_class=HTMLResponse)
def scorecard_list(request: Request, db: SessionDep, user: CurrentUser) -> HTMLResponse:
    cards = scorecards.list_scorecards(db, actor=user)
    return _page(request, user, "scorecards.html", {
        "cards": cards,
        "in_use": {c.id for c in cards if scorecards.scorecard_in_use(db, scorecard_id=c.id)},
        "default_spec": scorecards.default_scorecard_spec(),
    })


def _card_values(spec: scorecards.ScorecardSpec | Scorecard | None) -> dict[str, Any]:
    if spec is None:
        return {"name": "", "description": "", "pass_mark": "80", "items": []}
    return {"name": spec.name, "description": spec.description,
            "pass_mark": f"{spec.pass_mark:g}",
            "items": [{"name": i.name, "description": i.description,
                       "max_points": str(i.max_points), "critical": i.critical}
                      for i in spec.items]}


def _card_page(request: Request, db: SessionDep, user: User, card: Scorecard | None, *,
               values: dict[str, Any] | None = None, errors: dict[str, str] | None = None,
               status_code: int = 200) -> HTMLResponse:
    if card is None:
        access.require_manage(user)
    values = values or _card_values(card)
    rows = max(len(values["items"]) + EMPTY_ITEM_ROWS, MIN_ITEM_ROWS)
    items = values["items"] + [{"name": "", "description": "", "max_points": "",
                                "critical": False}] * (rows - len(values["items"]))
    in_use = card is not None and scorecards.scorecard_in_use(db, scorecard_id=card.id)
    return _page(request, user, "scorecard.html", {
        "card": card, "in_use": in_use, "values": values, "items": items,
        "editable": user.can(Perm.QA_MANAGE) and not in_use,
        "errors": errors or {},
        "max_total": sum(i.max_points for i in card.items) if card else 0,
    }, status_code=status_code)


@router.get("/qa/scorecards/new", response_class=HTMLResponse)
def scorecard_new(request: Request, db: SessionDep, user: CurrentUser,
                  start: str | None = None) -> HTMLResponse:
    """An empty scorecard form, or one filled with the standard hotline scorecard."""
    spec = scorecards.default_scorecard_spec() if start == "default" else None
    return _card_page(request, db, user, None, values=_card_values(spec))


def _form_spec(form: FormData) -> tuple[scorecards.ScorecardSpec, dict[str, Any], list[int]]:
    """The scorecard typed into the form; rows left blank are skipped. Also the typed
    values (to show again) and, per item of the spec, the form row it came from."""
    rows: list[dict[str, Any]] = []
    index = 0
    while f"item_name_{index}" in form:
        rows.append({"name": field(form, f"item_name_{index}"),
                     "description": field(form, f"item_description_{index}"),
                     "max_points": field(form, f"item_max_{index}"),
                     "critical": field(form, f"item_critical_{index}") == "on"})
        index += 1
    used = [i for i, r in enumerate(rows) if r["name"].strip() or r["max_points"].strip()]
    pass_mark = field(form, "pass_mark").strip()
    try:
        mark = float(pass_mark)
    except ValueError:
        mark = -1.0
    spec = scorecards.ScorecardSpec(
        name=field(form, "name"), description=field(form, "description"), pass_mark=mark,
        items=[scorecards.ItemSpec(name=rows[i]["name"], description=rows[i]["description"],
                                   max_points=_int(rows[i]["max_points"], 0) or 0,
                                   critical=rows[i]["critical"]) for i in used])
    values = {"name": spec.name, "description": spec.description, "pass_mark": pass_mark,
              "items": [rows[i] for i in used]}
    return spec, values, used


def _card_errors(error: FieldErrors) -> dict[str, str]:
    """Problems of items.<n>.<field> shown at the n-th row of the form (rows are
    re-numbered without the blank ones when the form is shown again)."""
    renamed = []
    for problem in error.errors:
        name = str(problem.get("field") or "")
        if name.startswith("items."):
            _items, number, part = name.split(".", 2)
            short = {"max_points": "max"}.get(part, part)
            name = f"item_{short}_{number}"
        renamed.append(problem | {"field": name})
    names = {str(p["field"]) for p in renamed}
    return messages_by_field(FieldErrors(renamed), names | {"name", "pass_mark"})


@router.post("/qa/scorecards")
def scorecard_create(request: Request, db: SessionDep, user: CurrentUser,
                     form: Form) -> Response:
    spec, values, _rows = _form_spec(form)
    try:
        card = scorecards.create_scorecard(db, actor=user, spec=spec)
    except FieldErrors as error:
        return _card_page(request, db, user, None, values=values, errors=_card_errors(error),
                          status_code=422)
    return redirect(f"/qa/scorecards/{card.id}", "qa_scorecard_saved")


@router.get("/qa/scorecards/{scorecard_id}", response_class=HTMLResponse)
def scorecard_page(request: Request, db: SessionDep, user: CurrentUser, scorecard_id: int
                   ) -> HTMLResponse:
    card = scorecards.read_scorecard(db, actor=user, scorecard_id=scorecard_id)
    return _card_page(request, db, user, card)


@router.post("/qa/scorecards/{scorecard_id}")
def scorecard_update(request: Request, db: SessionDep, user: CurrentUser, form: Form,
                     scorecard_id: int) -> Response:
    card = scorecards.read_scorecard(db, actor=user, scorecard_id=scorecard_id)
    spec, values, _rows = _form_spec(form)
    try:
        scorecards.update_scorecard(db, actor=user, scorecard_id=card.id, spec=spec)
    except FieldErrors as error:
        return _card_page(request, db, user, card, values=values, errors=_card_errors(error),
                          status_code=422)
    return redirect(f"/qa/scorecards/{card.id}", "qa_scorecard_saved")


@router.post("/qa/scorecards/{scorecard_id}/copy")
def scorecard_copy(db: SessionDep, user: CurrentUser, form: Form, scorecard_id: int
                   ) -> Response:
    name = field(form, "name").strip() or None
    copy = scorecards.copy_scorecard(db, actor=user, scorecard_id=scorecard_id, name=name)
    return redirect(f"/qa/scorecards/{copy.id}", "qa_scorecard_copied")


@router.post("/qa/scorecards/{scorecard_id}/active")
def scorecard_active(db: SessionDep, user: CurrentUser, form: Form, scorecard_id: int
                     ) -> Response:
    active = field(form, "active") == "on"
    scorecards.set_scorecard_active(db, actor=user, scorecard_id=scorecard_id, active=active)
    return redirect(f"/qa/scorecards/{scorecard_id}",
                    "qa_scorecard_restored" if active else "qa_scorecard_retired")

