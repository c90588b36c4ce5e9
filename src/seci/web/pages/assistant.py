"""Pages of the smart assistant: the customer chat (no login), the embeddable widget
script, and the agents' hand-off inbox, conversation workspace and call-back list.

The chat and the workspace are thin shells: their script (static/assistant.js) talks to
the REST API under /api/v1/assistant and follows the conversation's event stream.
"""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session

from seci.accounts.models import Queue, User
from seci.accounts.roles import Perm
from seci.accounts.service import list_queues
from seci.assistant import agents
from seci.assistant.conversations import CHANNELS
from seci.assistant.models import Status
from seci.assistant.replies import speaking
from seci.assistant.routes import callback_read, inbox_item_read, waiting_read
from seci.core.errors import PermissionDenied
from seci.core.http import CurrentUser, SessionDep
from seci.core.i18n import LOCALES, N_, get_locale, gettext
from seci.web.pages.common import Form, redirect
from seci.web.templating import render, templates

router = APIRouter(include_in_schema=False)

API = "/api/v1/assistant"
# Categories offered when closing a conversation (free text is accepted too).
CLOSE_CATEGORIES = (N_("Tariff question"), N_("Bill and balance"), N_("Service change"),
                    N_("Fault report"), N_("Complaint"), N_("Other"))
CALLBACK_STATUSES = ("open", "claimed", "done")
# What the widget's button and frame say, in each language (data-lang picks one).
WIDGET_LABELS = {"open": N_("Online service"), "close": N_("Close the chat"),
                 "title": N_("Chat with customer service")}


def _handler(user: CurrentUser) -> User:
    if not user.can(Perm.ASSISTANT_HANDLE):
        raise PermissionDenied()
    return user


Handler = Annotated[User, Depends(_handler)]


# --- customers -------------------------------------------------------------------------------


@router.get("/chat", response_class=HTMLResponse)
def chat_page(request: Request, embed: bool = False, channel: str = "web") -> HTMLResponse:
    """The customer's chat. No staff login: the page never looks at the session cookie,
    so it can be framed by the widget on other intranet pages."""
    channel = channel if channel in CHANNELS else "web"
    return render(request, "assistant/chat.html", {
        "embed": embed, "channel": channel, "api": API,
        "lang_links": {code: _chat_url(lang=code, channel=channel, embed=embed)
                       for code in LOCALES},
    })


def _chat_url(*, lang: str, channel: str, embed: bool) -> str:
    """The chat in another language: ?lang= rather than the cookie, which a framed page
    on another site may not be able to set."""
    params = {"lang": lang, "channel": channel} | ({"embed": "1"} if embed else {})
    return "/chat?" + urlencode(params)


@router.get("/assistant/widget.js")
def widget_script() -> Response:
    """One script tag adds the 在线客服 button and the chat frame to any page."""
    labels: dict[str, dict[str, str]] = {}
    for locale in LOCALES:
        with speaking(locale):
            labels[locale] = {key: gettext(text) for key, text in WIDGET_LABELS.items()}
    script = templates().get_template("assistant/widget.js").render(labels=labels)
    return Response(script, media_type="text/javascript; charset=utf-8",
                    headers={"Cache-Control": "public, max-age=300"})


# --- agents: the inbox ------------------------------------------------------------------------


def _my_queues(db: Session, agent: User) -> list[Queue]:
    return [q for q in list_queues(db) if q.id in agent.queue_ids]


@router.get("/assistant/inbox", response_class=HTMLResponse)
def inbox_page(request: Request, db: SessionDep, agent: Handler, queue: str | None = None,
               partial: bool = False) -> HTMLResponse:
    """Hand-offs waiting in the agent's queues and the conversations they have. The page
    reloads its lists (``partial``) every few seconds, which also marks the agent present."""
    mine_queues = _my_queues(db, agent)
    chosen = next((q for q in mine_queues if q.code == queue), None)
    waiting, mine = agents.inbox(db, agent=agent, queue_id=chosen.id if chosen else None)
    context: dict[str, Any] = {
        "queues": mine_queues, "chosen": chosen,
        "waiting": [inbox_item_read(i) for i in waiting],
        "mine": [inbox_item_read(i) for i in mine],
        "refresh_url": "/assistant/inbox?" + urlencode(
            {"partial": 1} | ({"queue": chosen.code} if chosen else {})),
    }
    name = "assistant/_inbox_lists.html" if partial else "assistant/inbox.html"
    return render(request, name, context, user=agent)


@router.get("/assistant/inbox/{conversation_id}", response_class=HTMLResponse)
def conversation_page(request: Request, db: SessionDep, agent: Handler,
                      conversation_id: int) -> HTMLResponse:
    """One conversation: transcript, accept, chat, agent assist, transfer, close."""
    view = agents.view_for_agent(db, agent=agent, conversation_id=conversation_id)
    conversation = view.conversation
    queues = list_queues(db)
    current = next((q for q in queues if q.id == conversation.queue_id), None)
    return render(request, "assistant/conversation.html", {
        "conversation": conversation, "queue": current,
        "candidates": view.candidates,
        "waiting": waiting_read(db, view.waiting, get_locale()),
        "transfer_queues": [q for q in queues if q.id != conversation.queue_id],
        "mine": conversation.status == Status.WITH_AGENT and conversation.agent_id == agent.id,
        "categories": [gettext(c) for c in CLOSE_CATEGORIES],
        "api": f"{API}/agent/conversations/{conversation.id}",
        "handed_over_with": view.handed_over_with,
    }, user=agent)


# --- agents: call-backs -----------------------------------------------------------------------


@router.get("/assistant/callbacks", response_class=HTMLResponse)
def callbacks_page(request: Request, db: SessionDep, agent: Handler, status: str = "open"
                   ) -> HTMLResponse:
    """Call-back requests of the agent's queues; numbers masked until one is claimed."""
    status = status if status in CALLBACK_STATUSES else "open"
    codes = {q.id: q.code for q in list_queues(db, include_archived=True)}
    callbacks = [callback_read(c, codes, reveal_to=agent)
                 for c in agents.list_callbacks(db, agent=agent, status=status)]
    return render(request, "assistant/callbacks.html", {
        "callbacks": callbacks, "status": status, "statuses": CALLBACK_STATUSES,
    }, user=agent)


@router.post("/assistant/callbacks/{callback_id}/claim")
def claim_callback(db: SessionDep, agent: Handler, callback_id: int, _form: Form) -> Response:
    agents.claim_callback(db, agent=agent, callback_id=callback_id)
    return redirect("/assistant/callbacks", "callback_claimed", status="claimed")


@router.post("/assistant/callbacks/{callback_id}/done")
def complete_callback(db: SessionDep, agent: Handler, callback_id: int, _form: Form
                      ) -> Response:
    agents.complete_callback(db, agent=agent, callback_id=callback_id)
    return redirect("/assistant/callbacks", "callback_done", status="done")
