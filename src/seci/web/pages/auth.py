"""Login, logout, language and the user's own account page."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from seci.accounts import service
from seci.accounts.errors import LoginFailed
from seci.core.config import get_settings
from seci.core.http import LOCALE_COOKIE, SESSION_COOKIE, CurrentUser, SessionDep, client_ip
from seci.core.i18n import LOCALES, gettext
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
        user = service.authenticate(db, username=username, password=password,
                                    ip=client_ip(request))
    except LoginFailed:
        db.commit()  # keep the audit record of the failure
        return render(request, "login.html", {
            "next": next_url, "username": username,
            "error": gettext("Wrong username or password."),
        }, status_code=401)
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


@router.get("/account", response_class=HTMLResponse)
def account_page(request: Request, db: SessionDep, user: CurrentUser) -> HTMLResponse:
    return render(request, "account.html", {
        "tokens": service.list_api_tokens(db, user=user), "new_token": None,
    }, user=user)


@router.post("/account/tokens", response_class=HTMLResponse)
def create_token(request: Request, db: SessionDep, user: CurrentUser, form: Form
                 ) -> HTMLResponse:
    token = service.issue_api_token(db, user=user, name=field(form, "name") or "api")
    # Shown once, in the response body, never in a URL.
    return render(request, "account.html", {
        "tokens": service.list_api_tokens(db, user=user), "new_token": token,
        "flash": gettext("API token created. Copy it now: it is shown only once."),
    }, user=user)


@router.post("/account/tokens/{token_id}/revoke")
def revoke_token(token_id: int, db: SessionDep, user: CurrentUser, _form: Form) -> Response:
    service.revoke_api_token(db, user=user, token_id=token_id)
    return redirect("/account", "saved")
