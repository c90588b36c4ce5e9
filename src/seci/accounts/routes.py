"""REST API for logins, users and queues."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response

from seci.accounts import service
from seci.accounts.models import User
from seci.accounts.roles import Perm
from seci.accounts.schemas import (
    PasswordChange,
    QueueCreate,
    QueueRead,
    TokenRead,
    TokenRequest,
    UserCreate,
    UserRead,
    UserUpdate,
)
from seci.core.clock import utcnow
from seci.core.http import CurrentUser, SessionDep, client_ip, require
from seci.knowledge.lookups import queue_ids_for_codes

router = APIRouter(prefix="/api/v1", tags=["accounts"])

Admin = Annotated[User, Depends(require(Perm.USER_MANAGE))]


def user_read(user: User, queue_codes: dict[int, str]) -> UserRead:
    return UserRead(
        id=user.id, username=user.username, display_name=user.display_name,
        roles=sorted(user.roles), queues=[queue_codes[q] for q in sorted(user.queue_ids)
                                          if q in queue_codes],
        module_ids=sorted(user.module_ids), all_modules=user.all_modules,
        is_active=user.is_active, team=user.team, permissions=sorted(user.permissions),
    )


def _queue_codes(db: SessionDep) -> dict[int, str]:
    return {q.id: q.code for q in service.list_queues(db, include_archived=True)}


@router.post("/auth/token", response_model=TokenRead, responses={401: {}, 429: {}})
def issue_token(body: TokenRequest, request: Request, db: SessionDep) -> TokenRead:
    """Exchange a username and password for a bearer token. After repeated failures for
    the account or from the address: 429 `login_throttled` with Retry-After."""
    user = service.authenticate(db, username=body.username, password=body.password,
                                ip=client_ip(request))
    expires_at = (utcnow() + timedelta(days=body.expires_in_days)
                  if body.expires_in_days else None)
    token = service.issue_api_token(db, user=user, name=body.name, expires_at=expires_at)
    return TokenRead(token=token, expires_at=expires_at)


@router.get("/me", response_model=UserRead)
def me(db: SessionDep, user: CurrentUser) -> UserRead:
    return user_read(user, _queue_codes(db))


@router.post("/me/password", status_code=204, responses={422: {}, 429: {}})
def change_password(body: PasswordChange, request: Request, db: SessionDep,
                    user: CurrentUser) -> Response:
    """Change one's own password (the current one is required). Every other web session
    and API token of the user ends; the token or session making this request stays."""
    service.change_own_password(
        db, actor=user, current_password=body.current_password,
        new_password=body.new_password, ip=client_ip(request),
        keep_web_session_id=getattr(request.state, "web_session_id", None),
        keep_api_token_id=getattr(request.state, "api_token_id", None))
    return Response(status_code=204)


@router.get("/users", response_model=list[UserRead], responses={403: {}})
def list_users(db: SessionDep, _admin: Admin) -> list[UserRead]:
    codes = _queue_codes(db)
    return [user_read(u, codes) for u in service.list_users(db)]


@router.post("/users", status_code=201, response_model=UserRead, responses={403: {}, 409: {}})
def create_user(body: UserCreate, db: SessionDep, admin: Admin) -> UserRead:
    user = service.create_user(
        db, username=body.username, password=body.password, display_name=body.display_name,
        roles=body.roles, queue_ids=queue_ids_for_codes(db, body.queues),
        module_ids=body.module_ids, all_modules=body.all_modules, team=body.team, actor=admin,
    )
    return user_read(user, _queue_codes(db))


@router.patch("/users/{user_id}", response_model=UserRead,
              responses={403: {}, 404: {}, 409: {
                  "description": "An agent not certified for a queue (problem details "
                                 "naming the queue)"}})
def update_user(user_id: int, body: UserUpdate, db: SessionDep, admin: Admin) -> UserRead:
    """Change roles, queues, module access or deactivate (audited as a role change)."""
    changes = service.UserChanges(
        display_name=body.display_name,
        roles=set(body.roles) if body.roles is not None else None,
        queue_ids=set(queue_ids_for_codes(db, body.queues)) if body.queues is not None else None,
        module_ids=set(body.module_ids) if body.module_ids is not None else None,
        all_modules=body.all_modules, is_active=body.is_active, team=body.team,
        password=body.password,
    )
    user = service.update_user(db, user_id=user_id, changes=changes, actor=admin)
    return user_read(user, _queue_codes(db))


@router.get("/queues", response_model=list[QueueRead])
def list_queues(db: SessionDep, _user: CurrentUser) -> list[QueueRead]:
    return [QueueRead(id=q.id, code=q.code, name=q.name, description=q.description)
            for q in service.list_queues(db)]


@router.post("/queues", status_code=201, response_model=QueueRead, responses={403: {}, 409: {}})
def create_queue(body: QueueCreate, db: SessionDep,
                 user: Annotated[User, Depends(require(Perm.QUEUE_MANAGE))]) -> QueueRead:
    queue = service.create_queue(db, code=body.code, name=body.name,
                                 description=body.description, actor=user)
    return QueueRead(id=queue.id, code=queue.code, name=queue.name,
                     description=queue.description)
