"""My inbox: what waits for the user, one section per workflow (the knowledge pipeline,
suggestions, post linkage)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from seci.core.http import CurrentUser, SessionDep
from seci.linkage import inbox as linkage_inbox
from seci.mining import alerts as mining_alerts
from seci.suggestions import inbox as suggestions_inbox
from seci.tacit import inbox as tacit_inbox
from seci.web.templating import render

router = APIRouter(include_in_schema=False)


@router.get("/inbox", response_class=HTMLResponse)
def my_inbox(request: Request, db: SessionDep, user: CurrentUser) -> HTMLResponse:
    return render(request, "inbox.html", {
        "tacit_inbox": tacit_inbox.items_for(db, user),
        "sections": [
            ("suggestions", suggestions_inbox.items_for(db, user)),
            ("linkage", linkage_inbox.items_for(db, user)),
            ("mining", mining_alerts.items_for(db, user)),
        ],
    }, user=user)
