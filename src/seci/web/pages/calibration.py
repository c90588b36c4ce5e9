"""The served calibration for knowledge managers (检索 > 置信度校准): the confidence model and
the assistant's thresholds fitted on this knowledge base, its reliability curve, a refit."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, BackgroundTasks, Request
from fastapi.responses import HTMLResponse, Response

from seci.core.http import CurrentUser, SessionDep
from seci.core.i18n import N_, gettext
from seci.jobs.routes import runner_of
from seci.retrieval.models import SearchCalibration
from seci.retrieval.served_calibration import PHASES, recent_calibrations
from seci.retrieval.tasks import pending_calibration, queue_calibration
from seci.web.charts import Chart, Table
from seci.web.pages.common import redirect
from seci.web.templating import render

router = APIRouter(include_in_schema=False)


def reliability_chart(row: SearchCalibration) -> Chart | None:
    """Predicted confidence against the share that was right, per bin; the diagonal is a
    perfectly calibrated model."""
    bins = (row.report or {}).get("reliability") or []
    if not bins:
        return None
    predicted, observed = gettext("Predicted confidence"), gettext("Share right")
    return Chart("chart-reliability", "scatter", gettext("Reliability of the best hit"), {
        "points": [{"x": round(b["predicted"], 3), "y": round(b["observed"], 3),
                    "label": gettext("{count} questions", count=b["count"]), "url": None}
                   for b in bins],
        "x_name": predicted, "y_name": observed, "fit": [[0, 0], [1, 1]],
    }, Table([gettext("Confidence bin"), gettext("Questions"), predicted, observed],
             [[f"{b['low']:.1f}–{b['high']:.1f}", b["count"], b["predicted"], b["observed"]]
              for b in bins], formats=[None, "integer", "percent", "percent"]))


@router.get("/kb/calibration", response_class=HTMLResponse)
def calibration_page(request: Request, db: SessionDep, user: CurrentUser) -> HTMLResponse:
    # The service checks the permission (recent_calibrations takes the actor).
    fits = recent_calibrations(db, actor=user)
    in_force = next((f for f in fits if f.status == "fitted"), None)
    running = pending_calibration(db, actor=user)
    context: dict[str, Any] = {
        "fits": fits, "in_force": in_force, "running": running,
        "phase": gettext(PHASES.get(running.phase, N_("Waiting"))) if running else "",
        "chart": reliability_chart(in_force) if in_force else None,
        "outcomes": (in_force.report or {}).get("outcomes", {}) if in_force else {},
    }
    return render(request, "search/calibration.html", context, user=user)


@router.post("/kb/calibration", response_class=HTMLResponse)
def refit(request: Request, db: SessionDep, user: CurrentUser,
          background: BackgroundTasks) -> Response:
    queue_calibration(db, actor=user)
    runner = runner_of(request)
    if runner is not None:
        background.add_task(runner.wake)  # after the commit: the runner must see the job
    return redirect("/kb/calibration", "calibration_queued")
