"""Pages for managers and admins: import/export, module tree, audit log, users, queues."""

from __future__ import annotations

from datetime import timedelta

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from seci.accounts import service as accounts
from seci.accounts.roles import Perm, Role
from seci.audit.objects import describe_objects
from seci.audit.service import AuditFilter, distinct_actions, list_events
from seci.core.clock import today, utcnow
from seci.core.config import get_settings
from seci.core.errors import PermissionDenied, SeciError
from seci.core.http import CurrentUser, SessionDep, spooled_download, write_aside
from seci.core.i18n import gettext
from seci.core.messages import LABELS, describe_error, describe_problem
from seci.knowledge import modules as mod
from seci.knowledge.exporting import (
    MEDIA_TYPES,
    ExportFormat,
    export_count,
    iter_export_records,
    record_export,
    write_export,
)
from seci.knowledge.importing import ImportRejected, import_articles
from seci.knowledge.tabular import COLUMNS, TEMPLATE_EXAMPLE, FileFormat
from seci.knowledge.upload import read_upload
from seci.web.exports import TemplateFormat, import_template_response
from seci.web.pages.common import Form, field, ids, optional_int, redirect
from seci.web.templating import render

router = APIRouter(include_in_schema=False)


def _need(user: CurrentUser, perm: Perm) -> None:
    if not user.can(perm):
        raise PermissionDenied()


# --- import / export ---------------------------------------------------------------------


@router.get("/kb/import", response_class=HTMLResponse)
def import_page(request: Request, user: CurrentUser) -> HTMLResponse:
    _need(user, Perm.KB_IMPORT)
    return render(request, "kb/import.html", {"report": None}, user=user)


@router.get("/kb/import/template")
def import_template(user: CurrentUser, format: TemplateFormat = FileFormat.XLSX) -> Response:
    """The article import file with its headers and one example row."""
    _need(user, Perm.KB_IMPORT)
    return import_template_response(COLUMNS, TEMPLATE_EXAMPLE, FileFormat(format),
                                    gettext("Article import template"))


@router.post("/kb/import", response_class=HTMLResponse)
async def import_upload(request: Request, db: SessionDep, user: CurrentUser,
                        form: Form) -> HTMLResponse:
    _need(user, Perm.KB_IMPORT)
    upload = form.get("file")
    dry_run = field(form, "dry_run") == "on"
    as_draft = field(form, "as_draft") == "on"
    if not isinstance(upload, UploadFile) or not upload.filename:
        return render(request, "kb/import.html", {
            "report": None, "file_error": gettext("Choose a file to import.")},
            user=user, status_code=422)
    limit = get_settings().import_max_bytes
    try:
        data = await read_upload(upload, limit)
        filename = upload.filename
        # Parsing and validating a large workbook takes seconds: off the event loop, so
        # the server keeps answering everyone else meanwhile.
        report = await run_in_threadpool(lambda: import_articles(
            db, data=data, filename=filename, actor=user, max_bytes=limit, dry_run=dry_run,
            as_draft=as_draft))
    except ImportRejected as rejected:
        db.rollback()
        return _import_result(request, user, rejected.report.as_dict(), status_code=422)
    except SeciError as error:
        db.rollback()
        message = describe_error(error)
        return render(request, "kb/import.html", {"report": None, "file_error": message},
                      user=user, status_code=error.status_code)
    return _import_result(request, user, report.as_dict(),
                          status_code=200 if report.ok else 422)


def _import_result(request: Request, user: CurrentUser, report: dict[str, object],
                   status_code: int) -> HTMLResponse:
    errors = report.get("errors", [])
    assert isinstance(errors, list)
    for error in errors:
        error["message"] = describe_problem(error)
    return render(request, "kb/import.html", {"report": report}, user=user,
                  status_code=status_code)


@router.get("/kb/export")
def export(request: Request, db: SessionDep, user: CurrentUser,
           format: ExportFormat = ExportFormat.XLSX) -> Response:
    _need(user, Perm.KB_EXPORT)
    # Read as a reader; only the audit entry is written, in a short writer session.
    count = export_count(db, actor=user)
    write_aside(request, db, lambda side: record_export(side, actor=user, fmt=format,
                                                        count=count),
                "export audit", required=True)
    records = iter_export_records(db, actor=user)
    stamp = today().strftime("%Y%m%d")  # the centre's calendar day
    return spooled_download(
        lambda out: write_export(db, actor=user, records=records, fmt=format, out=out),
        media_type=MEDIA_TYPES[format], filename=f"seci-kb-{stamp}.{format.value}")


# --- business modules --------------------------------------------------------------------


@router.get("/kb/modules", response_class=HTMLResponse)
def modules_page(request: Request, db: SessionDep, user: CurrentUser) -> HTMLResponse:
    _need(user, Perm.MODULE_MANAGE)
    return render(request, "kb/modules.html", {
        "tree": mod.build_tree(db, include_archived=True),
        "all": mod.all_modules(db, include_archived=False),
        "look_modules": mod.module_names_by_id(db),
    }, user=user)


@router.post("/kb/modules")
def module_action(db: SessionDep, user: CurrentUser, form: Form) -> Response:
    _need(user, Perm.MODULE_MANAGE)
    action = field(form, "action")
    target = field(form, "module_id")
    module_id = int(target) if target.isdigit() else None
    parent = field(form, "parent_id")
    parent_id = int(parent) if parent.isdigit() else None
    if action == "create":
        mod.create_module(db, name=field(form, "name"), parent_id=parent_id, actor=user)
    elif module_id is None:
        raise PermissionDenied()
    elif action == "rename":
        mod.rename_module(db, module_id=module_id, name=field(form, "name"), actor=user)
    elif action == "move":
        mod.move_module(db, module_id=module_id, new_parent_id=parent_id, actor=user)
    elif action in {"archive", "restore"}:
        mod.archive_module(db, module_id=module_id, archived=action == "archive", actor=user)
    return redirect("/kb/modules", "module_saved")


# --- audit -------------------------------------------------------------------------------


# Where an audit entry's object is shown (when describe_objects says its reader may open it).
AUDIT_OBJECT_PAGES: dict[str, str] = {
    "article": "/kb/articles/{id}", "user": "/admin/users/{id}", "module": "/kb/modules",
    "queue": "/admin/queues", "contribution": "/tacit/contributions/{id}",
    "suggestion": "/suggestions/{id}", "notice": "/notices/{id}",
}


@router.get("/audit", response_class=HTMLResponse)
def audit_page(request: Request, db: SessionDep, user: CurrentUser,
               action: str | None = None, actor: str | None = None,
               entity_type: str | None = None, entity_id: str | None = None,
               days: str | None = None, page: str | None = None) -> HTMLResponse:
    _need(user, Perm.AUDIT_VIEW)
    page_no = max(optional_int(page) or 1, 1)
    period = optional_int(days)
    since = utcnow() - timedelta(days=period) if period else None
    rows, total = list_events(db, actor=user, filters=AuditFilter(
        action=action or None, actor=actor or None, entity_type=entity_type or None,
        entity_id=entity_id or None, since=since), limit=50, offset=(page_no - 1) * 50)
    return render(request, "audit/log.html", {
        "events": rows, "total": total, "page": page_no, "pages": max(1, -(-total // 50)),
        "objects": describe_objects(db, actor=user, events=rows),
        "object_pages": AUDIT_OBJECT_PAGES, "entity_types": sorted(LABELS["audit_entity"]),
        "actions": distinct_actions(db, actor=user),
        "filters": {"action": action or "", "actor": actor or "",
                    "entity_type": entity_type or "", "entity_id": entity_id or "",
                    "days": period or ""},
    }, user=user)


# --- users and queues --------------------------------------------------------------------


@router.get("/admin/users", response_class=HTMLResponse)
def users_page(request: Request, db: SessionDep, user: CurrentUser) -> HTMLResponse:
    _need(user, Perm.USER_MANAGE)
    return render(request, "admin/users.html", {
        "users": accounts.list_users(db), "queues": accounts.list_queues(db),
        "roles": list(Role), "modules": mod.module_names_by_id(db),
    }, user=user)


@router.post("/admin/users")
def create_user(db: SessionDep, user: CurrentUser, form: Form) -> Response:
    _need(user, Perm.USER_MANAGE)
    created = accounts.create_user(
        db, username=field(form, "username"), password=field(form, "password"),
        display_name=field(form, "display_name") or None,
        roles=accounts.parse_roles(form.getlist("roles")),  # type: ignore[arg-type]
        queue_ids=ids(form, "queue_ids"),
        team=field(form, "team") or None, actor=user,
    )
    return redirect(f"/admin/users/{created.id}", "user_saved")


def _user_page(request: Request, db: SessionDep, user: CurrentUser, user_id: int, *,
               error: str | None = None, status_code: int = 200) -> HTMLResponse:
    return render(request, "admin/user_edit.html", {
        "subject": accounts.get_user(db, user_id=user_id), "queues": accounts.list_queues(db),
        "roles": list(Role), "tree": mod.build_tree(db), "error": error,
    }, user=user, status_code=status_code)


@router.get("/admin/users/{user_id}", response_class=HTMLResponse)
def user_page(request: Request, user_id: int, db: SessionDep,
              user: CurrentUser) -> HTMLResponse:
    _need(user, Perm.USER_MANAGE)
    return _user_page(request, db, user, user_id)


@router.post("/admin/users/{user_id}")
def update_user(request: Request, user_id: int, db: SessionDep, user: CurrentUser,
                form: Form) -> Response:
    _need(user, Perm.USER_MANAGE)
    password = field(form, "password")
    try:
        accounts.update_user(db, user_id=user_id, actor=user, changes=accounts.UserChanges(
            display_name=field(form, "display_name"),
            team=field(form, "team"),
            roles=accounts.parse_roles(form.getlist("roles")),  # type: ignore[arg-type]
            queue_ids=set(ids(form, "queue_ids")),
            module_ids=set(ids(form, "module_ids")),
            all_modules=field(form, "all_modules") == "on",
            is_active=field(form, "is_active") == "on",
            password=password or None,
        ))
    except SeciError as error:
        # E.g. the queue gate (an agent not certified for a queue): said on the same page.
        if error.status_code in (403, 404):
            raise
        db.rollback()
        return _user_page(request, db, user, user_id, error=describe_error(error),
                          status_code=error.status_code)
    return redirect(f"/admin/users/{user_id}", "user_saved")


@router.get("/admin/queues", response_class=HTMLResponse)
def queues_page(request: Request, db: SessionDep, user: CurrentUser) -> HTMLResponse:
    _need(user, Perm.QUEUE_MANAGE)
    return render(request, "admin/queues.html", {"queues": accounts.list_queues(db)}, user=user)


@router.post("/admin/queues")
def create_queue(db: SessionDep, user: CurrentUser, form: Form) -> Response:
    _need(user, Perm.QUEUE_MANAGE)
    accounts.create_queue(db, code=field(form, "code"), name=field(form, "name") or None,
                          description=field(form, "description"), actor=user)
    return redirect("/admin/queues", "queue_saved")
