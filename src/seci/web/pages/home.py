"""The home page: what the person must do now, across every domain, and the favicon.

Each domain counts its own work for the actor (``seci.<domain>.todos`` or its inbox
module's ``todos_for``); this page only names the kinds and puts them in order.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, HTMLResponse
from sqlalchemy.orm import Session

from seci.accounts.models import User
from seci.accounts.roles import Perm
from seci.assistant import todos as assistant_todos
from seci.core.clock import today
from seci.core.config import get_settings
from seci.core.http import CurrentUser, SessionDep
from seci.core.i18n import N_
from seci.core.todo import Todo
from seci.knowledge import push, queries
from seci.knowledge import todos as knowledge_todos
from seci.knowledge.models import ArticleStatus
from seci.linkage import inbox as linkage_inbox
from seci.mining import alerts as mining_alerts
from seci.people import todos as people_todos
from seci.quality import todos as quality_todos
from seci.suggestions import inbox as suggestions_inbox
from seci.tacit import inbox as tacit_inbox
from seci.web.templating import render

router = APIRouter(include_in_schema=False)
STATIC_DIR = Path(__file__).resolve().parent.parent / "static"

# What each kind of to-do is called on the home page ({n}: how many).
TODO_LABELS: dict[str, str] = {
    "knowledge.unread": N_("New knowledge to read"),
    "knowledge.review": N_("Submissions to review"),
    "knowledge.feedback": N_("Feedback to handle"),
    "knowledge.sent_back": N_("Drafts sent back to you"),
    "knowledge.expiring": N_("Articles expiring within 30 days"),
    "knowledge.my_feedback": N_("Your feedback still being handled"),
    "assistant.handoffs": N_("Hand-offs waiting"),
    "assistant.callbacks": N_("Call-backs to make"),
    "quality.appeals": N_("QA appeals to decide"),
    "quality.samples": N_("QA samples to finish"),
    "quality.appealable": N_("New QA scores you may appeal"),
    "competency.forms": N_("Competency forms to fill in"),
    "competency.reminders": N_("Raters still owing competency forms"),
    "certification.expiring": N_("Certifications expiring within 30 days"),
    "certification.recertify": N_("Agents who must re-certify"),
    "certification.recertify_mine": N_("Certifications you must renew: take the exam again"),
    "suggestion.answer": N_("Suggestions to answer"),
    "suggestion.reward": N_("Suggestion rewards to decide"),
    "notice.business": N_("Notices: draft their articles"),
    "notice.quality": N_("Notices: review their articles"),
    "notice.publishing": N_("Notices: release to the queues"),
    "notice.training": N_("Notices: attach a quiz"),
    "notice.agents": N_("Notices to read and quizzes to take"),
    "notice.supervisors": N_("Notices: confirm your team is ready"),
    "tacit.screen": N_("Contributions to screen"),
    "tacit.follow_up": N_("Contributions to follow up with departments"),
    "tacit.promote": N_("Trials to promote to best practice"),
    "tacit.evaluate": N_("Six-step evaluations to complete"),
    "tacit.resolve_issue": N_("Process problems to resolve"),
    "mining.burst": N_("Bursts of calls in your modules"),
}


def todos_for(session: Session, user: User) -> list[Todo]:
    """Every domain's to-dos for the user: overdue first, then by deadline, then the rest
    in the order of the domains."""
    todos = [
        *assistant_todos.todos_for(session, user),
        *knowledge_todos.todos_for(session, user),
        *linkage_inbox.todos_for(session, user),
        *people_todos.todos_for(session, user),
        *quality_todos.todos_for(session, user),
        *suggestions_inbox.todos_for(session, user),
        *tacit_inbox.todos_for(session, user),
        *mining_alerts.todos_for(session, user),
    ]
    order = {id(t): n for n, t in enumerate(todos)}
    return sorted(todos, key=lambda t: (t.overdue == 0, t.due or date.max, order[id(t)]))


@router.get("/", response_class=HTMLResponse)
def home(request: Request, db: SessionDep, user: CurrentUser) -> HTMLResponse:
    days = get_settings().new_knowledge_days
    return render(request, "home.html", {
        "todos": todos_for(db, user), "labels": TODO_LABELS, "today": today(),
        "unread": push.new_knowledge(db, user=user, days=days, unread_only=True, limit=8),
        "my_drafts": queries.list_articles(db, user=user, query=queries.ArticleQuery(
            status=ArticleStatus.DRAFT, owner_id=user.id), limit=10)[0]
        if user.can(Perm.ARTICLE_EDIT) else [],
    }, user=user)


@router.get("/favicon.ico")
def favicon() -> FileResponse:
    """Browsers ask for /favicon.ico before they read the page's <link rel=icon>."""
    return FileResponse(STATIC_DIR / "favicon.ico", media_type="image/x-icon",
                        headers={"Cache-Control": "public, max-age=86400"})
