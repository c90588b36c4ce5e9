"""HTTP plumbing shared by every domain's routes: DB session, current user, permissions.

Only route modules and the web layer import this; services stay free of FastAPI.
"""

from __future__ import annotations

import logging
import tempfile
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path
from typing import Annotated, BinaryIO

from fastapi import Depends, Request
from fastapi.responses import FileResponse, StreamingResponse
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from seci.accounts.models import User
from seci.accounts.roles import Perm
from seci.accounts.service import (
    active_api_token,
    api_token_use_due,
    note_api_token_use,
    resolve_web_session,
)
from seci.core.clock import utcnow
from seci.core.db import begin_writing, is_writing
from seci.core.errors import NotAuthenticated, PermissionDenied, SeciError
from seci.core.security import tokens_match

SESSION_COOKIE = "seci_session"
LOCALE_COOKIE = "seci_lang"
CSRF_HEADER = "x-csrf-token"
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
READS_FIRST_FLAG = "seci_reads_first"  # request.state: see reading_first
logger = logging.getLogger("seci.web")


class CsrfFailed(PermissionDenied):
    code = "csrf_failed"
    message = "The form has expired or did not come from SECI; reload the page and try again."


def _begins_as_writer(request: Request) -> bool:
    return (request.method in UNSAFE_METHODS
            and not getattr(request.state, READS_FIRST_FLAG, False))


def get_db(request: Request) -> Iterator[Session]:
    """One session per request, committed before the response is sent.

    A request with an unsafe method is a writer from its first statement
    (``begin_writing``): on SQLite a transaction that has read (the login's session
    lookup) and then writes fails at once with "database is locked" when another writer
    committed in between; a writer instead waits its turn. Requests whose body is large
    have been read by then (FastAPI parses the body before it resolves dependencies), so
    the wait covers the route's work only. A no-op on PostgreSQL."""
    session: Session = request.app.state.sessionmaker()
    try:
        if _begins_as_writer(request):
            begin_writing(session)
        yield session
        session.commit()
    except SeciError as error:
        if error.keeps_changes:
            session.commit()
        else:
            session.rollback()
        raise
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


# scope="function": the commit above runs before the response leaves, so a failed commit
# can never be reported as success.
SessionDep = Annotated[Session, Depends(get_db, scope="function")]


def writing(db: SessionDep) -> None:
    """For a safe-method route that nevertheless writes (an audited transcript view, an
    inbox that assigns): take the write lock before the route's first read, as unsafe
    methods do. Use as ``dependencies=WRITES`` so that it is resolved before the user is
    looked up."""
    begin_writing(db)


WRITES = [Depends(writing)]


def reading_first(request: Request) -> None:
    """For an unsafe route with slow work before its write (an upload copied to disk):
    the request begins as a reader, so that the login's lookup and the CSRF check hold no
    write lock meanwhile; the route calls ``start_writing`` just before it writes. Use as
    ``dependencies=READS_FIRST`` (resolved before the session is opened)."""
    setattr(request.state, READS_FIRST_FLAG, True)


READS_FIRST = [Depends(reading_first)]


def start_writing(db: Session) -> None:
    """End the reading a ``READS_FIRST`` request has done and begin again as a writer
    (``begin_writing``), so that its write queues rather than fails (a transaction that
    has read cannot take SQLite's write lock once someone else has committed). Blocks
    while another writer works: call it off the event loop."""
    db.commit()
    begin_writing(db)


def client_ip(request: Request) -> str | None:
    return request.client.host if request.client else None


def _bearer_token(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


def optional_user(request: Request, db: SessionDep) -> User | None:
    """The user behind a bearer token or a session cookie, or None."""
    token = _bearer_token(request)
    if token is not None:
        found = active_api_token(db, token=token)
        if found is None:
            raise NotAuthenticated()
        api_token, token_user = found
        now = utcnow()
        if api_token_use_due(api_token, now=now):
            _note_token_use(request, db, api_token.id, now)
        request.state.auth_kind = "token"
        request.state.api_token_id = api_token.id
        return token_user
    cookie = request.cookies.get(SESSION_COOKIE)
    if not cookie:
        return None
    web_session = resolve_web_session(db, token=cookie)
    if web_session is None:
        return None
    user = db.get(User, web_session.user_id)
    if user is None or not user.is_active:
        return None
    request.state.auth_kind = "cookie"
    request.state.csrf_token = web_session.csrf_token
    request.state.web_session_id = web_session.id
    if request.method in UNSAFE_METHODS and request.url.path.startswith("/api/"):
        verify_csrf(request, request.headers.get(CSRF_HEADER))
    return user


def write_aside(request: Request, db: Session, work: Callable[[Session], object],
                what: str, *, required: bool = False) -> None:
    """A small write a reading request makes (a search logged, a token's use noted): in
    the request's own transaction when that is a writer, else in a short writer session
    of its own, after the reading is done. On SQLite a reader's transaction cannot turn
    into a write once another writer has committed ("database is locked" — 56 % of
    result clicks were refused that way under load), and making every search a writer
    would queue all searches behind each other. Best effort: a database busy past the
    timeout skips the write, never the answer — unless the write is ``required`` (an
    export's audit entry: no audit, no file), when the error goes on to the caller (503
    ``database_busy``)."""
    # PostgreSQL writes in any transaction (a second connection per search would only
    # drain the pool); so does a request that already is a writer.
    if (db.get_bind().dialect.name != "sqlite" or _begins_as_writer(request)
            or is_writing(db)):
        work(db)
        return
    try:
        with request.app.state.sessionmaker() as side:
            begin_writing(side)
            work(side)
            side.commit()
    except OperationalError:
        if required:
            raise
        logger.warning("%s not recorded (database busy)", what)


def _note_token_use(request: Request, db: Session, token_id: int, now: datetime) -> None:
    """Record a token's use (at most once a minute)."""
    write_aside(request, db, lambda session: note_api_token_use(session, token_id=token_id,
                                                                now=now),
                f"token {token_id}: last use")


def verify_csrf(request: Request, submitted: str | None) -> None:
    """Cookie-authenticated writes must echo the session's CSRF token."""
    expected = getattr(request.state, "csrf_token", None)
    if not expected or not submitted or not tokens_match(expected, submitted):
        raise CsrfFailed()


def current_user(user: Annotated[User | None, Depends(optional_user)]) -> User:
    if user is None:
        raise NotAuthenticated()
    return user


CurrentUser = Annotated[User, Depends(current_user)]


def require(perm: Perm) -> Callable[[User], User]:
    """Dependency factory: the current user, if they hold ``perm`` (else 403)."""

    def check(user: CurrentUser) -> User:
        if not user.can(perm):
            raise PermissionDenied()
        return user

    return check


def stored_file_response(path: Path, *, media_type: str, filename: str, inline: bool
                         ) -> FileResponse:
    """A kept file (an article's image or attachment): shown in the browser when ``inline``,
    else downloaded; cached by this browser only, since who may read it is per user."""
    return FileResponse(path, media_type=media_type, filename=filename,
                        content_disposition_type="inline" if inline else "attachment",
                        headers={"Cache-Control": "private, max-age=3600"})


# A download up to this size is built in memory; a larger one spills to a temporary file.
SPOOL_BYTES = 16 * 1024 * 1024
DOWNLOAD_CHUNK = 256 * 1024


def spooled_download(fill: Callable[[BinaryIO], object], *, media_type: str, filename: str
                     ) -> StreamingResponse:
    """A generated file (an export) as a download: ``fill`` writes it into a temporary
    file, in memory up to ``SPOOL_BYTES`` and on disk beyond, which is then sent in chunks
    and closed (removed) when sent or when the client goes away. ``fill`` runs before
    the response exists, so its errors are answered like any other."""
    spool = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)  # noqa: SIM115 - closed below
    try:
        fill(spool)  # type: ignore[arg-type]
        size = spool.tell()
        spool.seek(0)
    except BaseException:
        spool.close()
        raise

    def chunks() -> Iterator[bytes]:
        try:
            while chunk := spool.read(DOWNLOAD_CHUNK):
                yield chunk
        finally:
            spool.close()

    return StreamingResponse(chunks(), media_type=media_type, headers={
        "Content-Disposition": f'attachment; filename="{filename}"',
        "Content-Length": str(size)})
