"""Users, roles, queues, logins and API tokens."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import column, delete, or_, select, table, update
from sqlalchemy.orm import Session

from seci.accounts import throttle
from seci.accounts.errors import (
    CurrentPasswordWrong,
    LoginFailed,
    LoginThrottled,
    OwnPasswordNeedsCurrent,
    QueueCodeTaken,
    QueueNotFound,
    UnknownRole,
    UsernameTaken,
    UserNotFound,
)
from seci.accounts.models import (
    ApiToken,
    Queue,
    User,
    UserModule,
    UserQueue,
    UserRole,
    WebSession,
)
from seci.accounts.passwords import check_password
from seci.accounts.roles import Perm, Role
from seci.audit.service import record
from seci.core.clock import utcnow
from seci.core.errors import FieldErrors, PermissionDenied
from seci.core.security import hash_password, new_token, token_digest, verify_password
from seci.people.queue_gate import require_certified

# last_used_at of an API token is written at most this often: a client calling many
# times a second must not turn every read into a write.
TOKEN_USE_RESOLUTION = timedelta(minutes=1)


def parse_roles(names: Iterable[str]) -> set[Role]:
    roles: set[Role] = set()
    for name in names:
        try:
            roles.add(Role(name.strip()))
        except ValueError:
            raise UnknownRole(role=name) from None
    return roles


def get_user(session: Session, *, user_id: int) -> User:
    user = session.get(User, user_id)
    if user is None:
        raise UserNotFound(user=user_id)
    return user


def find_user(session: Session, *, username: str) -> User | None:
    return session.scalar(select(User).where(User.username == username))


def list_users(session: Session) -> Sequence[User]:
    return session.scalars(select(User).order_by(User.username)).all()


def users_by_id(session: Session, ids: Iterable[int]) -> dict[int, User]:
    wanted = set(ids)
    if not wanted:
        return {}
    return {u.id: u for u in session.scalars(select(User).where(User.id.in_(wanted)))}


def _snapshot(user: User) -> dict[str, object]:
    return {
        "roles": sorted(user.roles),
        "queues": sorted(user.queue_ids),
        "modules": sorted(user.module_ids),
        "all_modules": user.all_modules,
        "is_active": user.is_active,
        "display_name": user.display_name,
        "team": user.team,
    }


def create_user(
    session: Session,
    *,
    username: str,
    password: str,
    display_name: str | None = None,
    roles: Iterable[Role] = (),
    queue_ids: Iterable[int] = (),
    module_ids: Iterable[int] = (),
    all_modules: bool = False,
    team: str | None = None,
    actor: User | None = None,
) -> User:
    """Create a user; the role assignment is audited as a role change. ``actor`` None is
    the system (command line, demo)."""
    if actor is not None:
        _require_user_manager(actor)
    username = username.strip()
    if find_user(session, username=username) is not None:
        raise UsernameTaken(username=username)
    check_password(password, username=username)
    module_ids = set(module_ids)
    _require_modules(session, module_ids)
    roles, queue_ids = set(roles), set(queue_ids)
    if Role.AGENT in roles:
        # The queue gate: a new agent holds no certification yet, so only open queues.
        require_certified(session, user_id=None, username=username, queue_ids=queue_ids)
    user = User(
        username=username,
        display_name=(display_name or username).strip(),
        password_hash=hash_password(password),
        all_modules=all_modules,
        team=team,
        role_links=[UserRole(role=str(r)) for r in sorted(set(roles))],
        queue_links=[UserQueue(queue_id=q) for q in sorted(set(queue_ids))],
        module_links=[UserModule(module_id=m) for m in sorted(set(module_ids))],
    )
    session.add(user)
    session.flush()
    record(
        session,
        actor=actor,
        action="user.create",
        entity_type="user",
        entity_id=user.id,
        summary=username,
        after=_snapshot(user),
    )
    return user


@dataclass(frozen=True)
class UserChanges:
    display_name: str | None = None
    roles: set[Role] | None = None
    queue_ids: set[int] | None = None
    module_ids: set[int] | None = None
    all_modules: bool | None = None
    is_active: bool | None = None
    team: str | None = None
    password: str | None = None


def _require_user_manager(actor: User) -> None:
    if not actor.can(Perm.USER_MANAGE):
        raise PermissionDenied()


def update_user(session: Session, *, user_id: int, changes: UserChanges, actor: User,
                now: datetime | None = None) -> User:
    """Change a user's profile, roles, queues or module access, or reset their password
    (audited; user managers only). A reset or a deactivation logs the user out everywhere:
    web sessions deleted, API tokens revoked, so a reactivation revives none of them."""
    _require_user_manager(actor)
    user = get_user(session, user_id=user_id)
    if changes.password is not None:
        if user.id == actor.id:
            # A stolen admin session must not be able to take over the admin's login.
            raise OwnPasswordNeedsCurrent()
        check_password(changes.password, username=user.username)
    before = _snapshot(user)
    if changes.display_name is not None:
        user.display_name = changes.display_name.strip() or user.username
    if changes.team is not None:
        user.team = changes.team.strip() or None
    if changes.all_modules is not None:
        user.all_modules = changes.all_modules
    if changes.is_active is not None:
        user.is_active = changes.is_active
    if changes.roles is not None:
        wanted_roles = {str(r) for r in changes.roles}
        user.role_links = [link for link in user.role_links if link.role in wanted_roles]
        have = {link.role for link in user.role_links}
        user.role_links += [UserRole(role=r) for r in sorted(wanted_roles - have)]
    if changes.queue_ids is not None:
        _require_queues(session, changes.queue_ids)
        if str(Role.AGENT) in {link.role for link in user.role_links}:
            # The queue gate (技能鉴定): an agent joins only queues they are certified for.
            require_certified(session, user_id=user.id, username=user.username,
                              queue_ids=changes.queue_ids - set(user.queue_ids))
        user.queue_links = [q for q in user.queue_links if q.queue_id in changes.queue_ids]
        have_q = {link.queue_id for link in user.queue_links}
        user.queue_links += [UserQueue(queue_id=q) for q in sorted(changes.queue_ids - have_q)]
    if changes.module_ids is not None:
        _require_modules(session, changes.module_ids)
        user.module_links = [m for m in user.module_links if m.module_id in changes.module_ids]
        have_m = {link.module_id for link in user.module_links}
        user.module_links += [
            UserModule(module_id=m) for m in sorted(changes.module_ids - have_m)
        ]
    if changes.password is not None:
        user.password_hash = hash_password(changes.password)
    logged_out = changes.password is not None or changes.is_active is False
    if logged_out:
        end_sessions(session, user_id=user.id, now=now or utcnow())
    session.flush()
    session.refresh(user)
    after = _snapshot(user)
    action = "user.role_change" if before["roles"] != after["roles"] else "user.update"
    record(
        session,
        actor=actor,
        action=action,
        entity_type="user",
        entity_id=user.id,
        summary=user.username,
        before=before,
        after=after | ({"password": "changed"} if changes.password else {})
        | ({"sessions_ended": True} if logged_out else {}),
    )
    return user


def end_sessions(session: Session, *, user_id: int, now: datetime,
                 keep_web_session_id: int | None = None,
                 keep_api_token_id: int | None = None) -> None:
    """Log a user out everywhere but the one session or token named: delete the web
    sessions, revoke the API tokens (revoked stays revoked)."""
    web = delete(WebSession).where(WebSession.user_id == user_id)
    if keep_web_session_id is not None:
        web = web.where(WebSession.id != keep_web_session_id)
    tokens = update(ApiToken).where(ApiToken.user_id == user_id, ApiToken.revoked_at.is_(None))
    if keep_api_token_id is not None:
        tokens = tokens.where(ApiToken.id != keep_api_token_id)
    session.execute(web)
    session.execute(tokens.values(revoked_at=now))


def _refuse_if_throttled(session: Session, *, username: str, user: User | None,
                         ip: str | None, now: datetime) -> None:
    wait = throttle.seconds_locked(session, username=username, ip=ip, now=now)
    if wait:
        record(session, actor=None, actor_name=username[:80], action="auth.login_throttled",
               entity_type="user", entity_id=user.id if user else None,
               summary=username[:80], ip=ip, after={"retry_after": wait})
        raise LoginThrottled(retry_after=wait)


def authenticate(session: Session, *, username: str, password: str, ip: str | None,
                 now: datetime | None = None) -> User:
    """Check a login. After too many failures in a row for the name or the address the
    attempt is refused unchecked (LoginThrottled); failures are audited (with the name
    tried) and raise LoginFailed; a success clears the name's failures."""
    now = now or utcnow()
    username = username.strip()
    user = find_user(session, username=username)
    _refuse_if_throttled(session, username=username, user=user, ip=ip, now=now)
    # An unknown name is checked against a dummy hash, so it costs what a known one does.
    ok = verify_password(user.password_hash if user else None, password)
    if not ok or user is None or not user.is_active:
        throttle.count_failure(session, username=username, ip=ip, now=now)
        record(
            session,
            actor=None,
            actor_name=username[:80],
            action="auth.login_failed",
            entity_type="user",
            entity_id=user.id if user else None,
            summary=username[:80],
            ip=ip,
        )
        raise LoginFailed()
    throttle.clear_account(session, username=username)
    return user


def change_own_password(session: Session, *, actor: User, current_password: str,
                        new_password: str, ip: str | None = None,
                        keep_web_session_id: int | None = None,
                        keep_api_token_id: int | None = None,
                        now: datetime | None = None) -> None:
    """The acting user changes their own password, proving the current one (only their
    own: there is no user to name). Their other web sessions and API tokens end. A wrong
    current password counts as a failed login, so a stolen session cannot guess it."""
    now = now or utcnow()
    _refuse_if_throttled(session, username=actor.username, user=actor, ip=ip, now=now)
    if not verify_password(actor.password_hash, current_password):
        throttle.count_failure(session, username=actor.username, ip=ip, now=now)
        record(session, actor=actor, action="auth.password_change_failed",
               entity_type="user", entity_id=actor.id, summary=actor.username, ip=ip)
        raise CurrentPasswordWrong()
    check_password(new_password, username=actor.username)
    user = get_user(session, user_id=actor.id)
    user.password_hash = hash_password(new_password)
    end_sessions(session, user_id=user.id, now=now, keep_web_session_id=keep_web_session_id,
                 keep_api_token_id=keep_api_token_id)
    record(session, actor=actor, action="user.password_change", entity_type="user",
           entity_id=user.id, summary=user.username, ip=ip,
           after={"password": "changed", "other_sessions_ended": True})
    session.flush()


def open_web_session(session: Session, *, user: User, hours: int) -> tuple[str, WebSession]:
    """Start a browser session; returns the cookie token (only its hash is stored)."""
    token = new_token()
    web_session = WebSession(
        token_hash=token_digest(token),
        csrf_token=new_token(),
        user_id=user.id,
        expires_at=utcnow() + timedelta(hours=hours),
    )
    session.add(web_session)
    session.flush()
    return token, web_session


def resolve_web_session(session: Session, *, token: str) -> WebSession | None:
    found = session.scalar(select(WebSession).where(WebSession.token_hash == token_digest(token)))
    if found is None or found.expires_at < utcnow():
        return None
    return found


def close_web_session(session: Session, *, token: str) -> None:
    session.execute(delete(WebSession).where(WebSession.token_hash == token_digest(token)))


def issue_api_token(session: Session, *, user: User, name: str,
                    expires_at: datetime | None = None) -> str:
    """Create a bearer token and return it; it is shown once and stored only as a hash.
    ``expires_at`` None: valid until revoked."""
    token = new_token("seci_")
    session.add(ApiToken(user_id=user.id, name=name[:80], token_hash=token_digest(token),
                         prefix=token[:12], expires_at=expires_at))
    record(
        session, actor=user, action="token.create", entity_type="user", entity_id=user.id,
        summary=name[:80], after={"expires_at": expires_at.isoformat() if expires_at else None},
    )
    session.flush()
    return token


def active_api_token(session: Session, *, token: str, now: datetime | None = None
                     ) -> tuple[ApiToken, User] | None:
    """The token and its user, if the token is neither revoked nor expired and the user
    is active."""
    now = now or utcnow()
    found = session.scalar(
        select(ApiToken).where(
            ApiToken.token_hash == token_digest(token), ApiToken.revoked_at.is_(None),
            or_(ApiToken.expires_at.is_(None), ApiToken.expires_at > now),
        )
    )
    if found is None:
        return None
    user = session.get(User, found.user_id)
    if user is None or not user.is_active:
        return None
    return found, user


def resolve_api_token(session: Session, *, token: str) -> User | None:
    found = active_api_token(session, token=token)
    return found[1] if found else None


def api_token_use_due(token: ApiToken, *, now: datetime) -> bool:
    """Whether this use should be written (at most once per TOKEN_USE_RESOLUTION)."""
    return token.last_used_at is None or now - token.last_used_at >= TOKEN_USE_RESOLUTION


def note_api_token_use(session: Session, *, token_id: int, now: datetime) -> None:
    """Record when a token was last used. A write: the caller's session must be a writer
    (on SQLite, ``begin_writing`` before its first read). The condition keeps processes
    that race on one token from writing it twice a minute."""
    session.execute(
        update(ApiToken)
        .where(ApiToken.id == token_id,
               or_(ApiToken.last_used_at.is_(None),
                   ApiToken.last_used_at <= now - TOKEN_USE_RESOLUTION))
        .values(last_used_at=now)
        .execution_options(synchronize_session=False)
    )


def list_api_tokens(session: Session, *, user: User) -> Sequence[ApiToken]:
    return session.scalars(
        select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.id.desc())
    ).all()


def revoke_api_token(session: Session, *, user: User, token_id: int) -> None:
    token = session.get(ApiToken, token_id)
    if token is None or token.user_id != user.id:
        raise UserNotFound(user=token_id)
    token.revoked_at = utcnow()
    record(session, actor=user, action="token.revoke", entity_type="user", entity_id=user.id,
           summary=token.name)


# --- queues ------------------------------------------------------------------------------

SEEDED_QUEUES: tuple[tuple[str, str], ...] = (
    ("A", "A"),
    ("A+", "A+"),
    ("B", "B"),
    ("话费专席", "话费专席"),
    ("数据专席", "数据专席"),
    ("投诉专席", "投诉专席"),
    ("VIP", "VIP"),
    ("全球通", "全球通"),
)


def list_queues(session: Session, *, include_archived: bool = False) -> Sequence[Queue]:
    query = select(Queue).order_by(Queue.position, Queue.id)
    if not include_archived:
        query = query.where(Queue.archived.is_(False))
    return session.scalars(query).all()


def queues_by_code(session: Session) -> dict[str, Queue]:
    return {q.code: q for q in session.scalars(select(Queue))}


# The business modules' table, named here so that accounts need not import the knowledge base.
_MODULES = table("modules", column("id"))


def _require_modules(session: Session, module_ids: Iterable[int]) -> None:
    """Module ids from a request must exist (else the link would break a foreign key)."""
    wanted = set(module_ids)
    known = set(session.scalars(select(_MODULES.c.id).where(_MODULES.c.id.in_(wanted)))
                ) if wanted else set()
    if unknown := sorted(wanted - known):
        raise FieldErrors([{"field": "module_ids", "code": "unknown_module", "value": m}
                           for m in unknown])


def _require_queues(session: Session, queue_ids: Iterable[int]) -> None:
    known = set(session.scalars(select(Queue.id)))
    for queue_id in queue_ids:
        if queue_id not in known:
            raise QueueNotFound(queue=queue_id)


def create_queue(
    session: Session, *, code: str, name: str | None = None, description: str = "",
    actor: User,
) -> Queue:
    if not actor.can(Perm.QUEUE_MANAGE):
        raise PermissionDenied()
    code = code.strip()
    if not code:
        raise QueueNotFound(queue=code)
    if code in queues_by_code(session):
        raise QueueCodeTaken(queue=code)
    position = len(queues_by_code(session))
    queue = Queue(code=code, name=(name or code).strip(), description=description,
                  position=position)
    session.add(queue)
    session.flush()
    record(session, actor=actor, action="queue.create", entity_type="queue", entity_id=queue.id,
           summary=code)
    return queue


def seed_queues(session: Session) -> None:
    """Create the eight queues of the domain if they are missing (idempotent)."""
    existing = queues_by_code(session)
    for position, (code, name) in enumerate(SEEDED_QUEUES):
        if code not in existing:
            session.add(Queue(code=code, name=name, position=position))
    session.flush()


SYSTEM_USERNAME = "system"


def system_actor() -> User:
    """The actor of command-line tools and background jobs that act for nobody in
    particular: every role, no login, never stored (its audit entries name "system").
    Whoever can run the command already holds the database; services still check its
    permissions like anyone's, so the rules stay in one place."""
    actor = User(username=SYSTEM_USERNAME, display_name="SECI", password_hash="!",  # noqa: S106 - no password can match
                 is_active=True, all_modules=True)
    actor.role_links = [UserRole(role=role.value) for role in Role]
    return actor
