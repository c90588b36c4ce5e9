"""Login, logout, language and the user's own account page."""

from __future__ import annotations

from datetime import timedelta

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from seci.accounts import service
from seci.accounts.errors import CurrentPasswordWrong, LoginFailed, LoginThrottled, WeakPassword
from seci.core.clock import utcnow
from seci.core.config import get_settings
from seci.core.http import LOCALE_COOKIE, SESSION_COOKIE, CurrentUser, SessionDep, client_ip
from seci.core.i18n import LOCALES, gettext
from seci.core.messages import describe_error
from seci.web.pages.common import Form, field, redirect, safe_next
from seci.web.templating import render

router = APIRouter(include_in_schema=False)


@router.get("/login", response_class=HTMLResponse)
def login_page(request: Request, next: str = "/") -> HTMLResponse:
    return render(request, "login.html", {"next": safe_next(next)})


@router.post("/login")
async def login(request: Request, db: SessionDep) -> Response:
    # No session yet, so no CSRF token: SameSite=Lax cookies and a fresh session id on every
    # login keep login CSRF harmless.
    form = await request.form()
    username, password = str(form.get("username", "")), str(form.get("password", ""))
    next_url = safe_next(str(form.get("next", "/")))
    try:
        # Verifying an argon2 hash costs tens of milliseconds of CPU: in a worker thread,
        # not on the event loop that serves everyone else.
        user = await run_in_threadpool(lambda: service.authenticate(
            db, username=username, password=password, ip=client_ip(request)))
    except LoginFailed:
        db.commit()  # keep the audit record and the count of the failure
        return render(request, "login.html", {
            "next": next_url, "username": username,
            "error": gettext("Wrong username or password."),
        }, status_code=401)
    except LoginThrottled as throttled:
        db.commit()  # keep the audit record of the refusal
        refused = render(request, "login.html", {
            "next": next_url, "username": username, "error": describe_error(throttled),
        }, status_code=429)
        refused.headers.update(throttled.headers())
        return refused
    settings = get_settings()
    token, _ = service.open_web_session(db, user=user, hours=settings.session_hours)
    response = RedirectResponse(next_url, status_code=303)
    response.set_cookie(SESSION_COOKIE, token, httponly=True, samesite="lax",
                        secure=settings.cookie_secure, max_age=settings.session_hours * 3600)
    if user.locale in LOCALES:
        response.set_cookie(LOCALE_COOKIE, user.locale, samesite="lax",
                            max_age=365 * 24 * 3600)
    return response


@router.post("/logout")
def logout(request: Request, db: SessionDep, _form: Form) -> Response:
    token = request.cookies.get(SESSION_COOKIE)
    if token:
        service.close_web_session(db, token=token)
    response = redirect("/login", "logged_out")
    response.delete_cookie(SESSION_COOKIE)
    return response


@router.get("/lang/{locale}")
def switch_language(locale: str, request: Request, back: str = "/") -> Response:
    """Switching language changes only a display preference, so a GET link is fine."""
    response = RedirectResponse(safe_next(back), status_code=303)
    if locale in LOCALES:
        response.set_cookie(LOCALE_COOKIE, locale, samesite="lax", max_age=365 * 24 * 3600)
    return response


# Lifetimes offered for a new token on the account page (days; 0: until revoked).
TOKEN_DAYS = (30, 90, 365, 0)


def _account(request: Request, db: SessionDep, user: CurrentUser, *, status_code: int = 200,
             **context: object) -> HTMLResponse:
    return render(request, "account.html", {
        "tokens": service.list_api_tokens(db, user=user), "new_token": None,
        "token_days": TOKEN_DAYS, "now": utcnow(), "password_error": None, **context,
    }, user=user, status_code=status_code)


@router.get("/account", response_class=HTMLResponse)
def account_page(request: Request, db: SessionDep, user: CurrentUser) -> HTMLResponse:
    return _account(request, db, user)


@router.post("/account/tokens", response_class=HTMLResponse)
def create_token(request: Request, db: SessionDep, user: CurrentUser, form: Form
                 ) -> HTMLResponse:
    days = field(form, "days")
    expires_at = (utcnow() + timedelta(days=int(days))
                  if days.isdigit() and int(days) in TOKEN_DAYS and int(days) else None)
    token = service.issue_api_token(db, user=user, name=field(form, "name") or "api",
                                    expires_at=expires_at)
    # Shown once, in the response body, never in a URL.
    return _account(request, db, user, new_token=token,
                    flash=gettext("API token created. Copy it now: it is shown only once."))


@router.post("/account/password", response_class=HTMLResponse)
def change_password(request: Request, db: SessionDep, user: CurrentUser, form: Form
                    ) -> Response:
    """The user's own password; their other sessions and API tokens end, this one stays."""
    new = field(form, "new_password")
    try:
        if new != field(form, "confirm_password"):
            return _account(request, db, user, status_code=422,
                            password_error=gettext("The two new passwords differ."))
        service.change_own_password(
            db, actor=user, current_password=field(form, "current_password"),
            new_password=new, ip=client_ip(request),
            keep_web_session_id=getattr(request.state, "web_session_id", None))
    except (CurrentPasswordWrong, LoginThrottled, WeakPassword) as error:
        if error.keeps_changes:
            db.commit()  # the failure counts towards the login throttle and is audited
        else:
            db.rollback()
        response = _account(request, db, user, status_code=error.status_code,
                            password_error=describe_error(error))
        response.headers.update(error.headers())
        return response
    return redirect("/account", "password_changed")


@router.post("/account/tokens/{token_id}/revoke")
def revoke_token(token_id: int, db: SessionDep, user: CurrentUser, _form: Form) -> Response:
    service.revoke_api_token(db, user=user, token_id=token_id)
    return redirect("/account", "saved")
