"""Knowledge-base pages: browse, read, edit, review, feedback, new knowledge."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import FileResponse, HTMLResponse, Response
from starlette.datastructures import FormData

from seci.accounts.models import User
from seci.accounts.roles import Perm
from seci.accounts.service import list_queues, list_users
from seci.core.clock import today
from seci.core.config import get_settings
from seci.core.errors import FieldErrors, PermissionDenied
from seci.core.http import CurrentUser, SessionDep, optional_user, stored_file_response
from seci.core.messages import describe_error, describe_problem
from seci.knowledge import articles as svc
from seci.knowledge import attachments as files
from seci.knowledge import feedback as fb
from seci.knowledge import modules as mod
from seci.knowledge import push, queries, usage, versions
from seci.knowledge.agent_notes import render_marked
from seci.knowledge.diff import diff_fields
from seci.knowledge.errors import RejectNeedsComment, StaleEdit
from seci.knowledge.lookups import load_lookups
from seci.knowledge.models import Article, ArticleStatus, ArticleVersion
from seci.knowledge.validation import (
    ArticleFields,
    FieldProblem,
    clean_text_list,
    date_problem,
    normalise_body,
    parse_date,
)
from seci.web.pages.common import Form, field, ids, optional_int, redirect
from seci.web.templating import agent_only_label, render

router = APIRouter(include_in_schema=False)
PAGE_SIZE = 30


# --- browsing (the home page: pages/home.py) -----------------------------------------


@router.get("/kb", response_class=HTMLResponse)
def browse(request: Request, db: SessionDep, user: CurrentUser, module: str | None = None,
           queue: str | None = None, status: str | None = None, validity: str | None = None,
           q: str | None = None, page: str | None = None) -> HTMLResponse:
    page_no = max(optional_int(page) or 1, 1)
    module_id, queue_id = optional_int(module), optional_int(queue)
    status, validity = status or None, validity or None
    if status and not user.can(Perm.KB_SEE_EXPIRED) and not user.can(Perm.ARTICLE_EDIT):
        status = None
    rows, total = queries.list_articles(
        db, user=user, limit=PAGE_SIZE, offset=(page_no - 1) * PAGE_SIZE,
        query=queries.ArticleQuery(module_id=module_id, queue_id=queue_id, status=status,
                               validity=validity, text=q),
    )
    look = load_lookups(db)
    return render(request, "kb/browse.html", {
        "tree": mod.build_tree(db, counts=queries.count_live_by_module(db, user=user)),
        "articles": rows, "total": total, "page": page_no, "pages": max(1, -(-total // PAGE_SIZE)),
        "look": look, "queues": list_queues(db), "today": today(),
        "filters": {"module": module_id, "queue": queue_id, "status": status, "validity": validity,
                    "q": q or ""},
        "heading_crumbs": look.crumbs(module_id) if module_id else [],
    }, user=user)


def _shown(article: Article) -> Article | ArticleVersion:
    return article.live_version or article


@router.get("/kb/articles/{article_id}", response_class=HTMLResponse)
def article_page(request: Request, article_id: int, db: SessionDep,
                 user: CurrentUser) -> HTMLResponse:
    article, access = svc.get_visible_article(db, user=user, article_id=article_id)
    request.app.state.view_counter.add(article_id)
    live = article.live_version if access.live else None
    history = versions.list_versions(db, user=user, article_id=article_id)
    people = [article.owner_id, article.updated_by_id, *(v.author_id for v in history),
              *(v.approved_by_id for v in history)]
    feedback = fb.feedback_for_article(db, user=user, article=article)
    must_ack = live is not None and push.is_unread(
        db, user=user, version_id=live.id, days=get_settings().new_knowledge_days)
    return render(request, "kb/article.html", {
        "article": article, "access": access, "live": live,
        "pending": access.working_copy and article.status in {ArticleStatus.DRAFT,
                                                              ArticleStatus.IN_REVIEW},
        "history": history, "feedback": feedback, "must_ack": must_ack,
        "look": load_lookups(db, people + [f.reporter_id for f in feedback]),
    }, user=user)


@router.get("/kb/articles/{article_id}/draft", response_class=HTMLResponse)
def working_copy_page(request: Request, article_id: int, db: SessionDep,
                      user: CurrentUser) -> HTMLResponse:
    """The pending revision, what it changes against the live version and, after a send
    back, since then (for review)."""
    return _working_copy(request, db, user, article_id)


def _working_copy(request: Request, db: SessionDep, user: CurrentUser, article_id: int, *,
                  review_error: str | None = None, status_code: int = 200) -> HTMLResponse:
    article, access = svc.get_visible_article(db, user=user, article_id=article_id)
    diffs = versions.compare_working_copy(db, user=user, article_id=article_id)
    since = versions.changes_since_rejection(db, user=user, article_id=article_id)
    return render(request, "kb/draft.html", {
        "article": article, "access": access, "diffs": diffs, "since_rejection": since,
        "review_error": review_error,
        "look": load_lookups(db, [article.owner_id, article.updated_by_id,
                                  article.submitted_by_id]),
    }, user=user, status_code=status_code)


@router.get("/kb/articles/{article_id}/versions/{version_no}", response_class=HTMLResponse)
def version_page(request: Request, article_id: int, version_no: int, db: SessionDep,
                 user: CurrentUser) -> HTMLResponse:
    article, access = svc.get_visible_article(db, user=user, article_id=article_id)
    version = versions.get_version(db, user=user, article_id=article_id, version_no=version_no)
    return render(request, "kb/version.html", {
        "article": article, "access": access, "version": version,
        "look": load_lookups(db, [version.author_id, version.approved_by_id]),
    }, user=user)


@router.get("/kb/articles/{article_id}/diff", response_class=HTMLResponse)
def diff_page(request: Request, article_id: int, db: SessionDep, user: CurrentUser,
              a: int | None = None, b: int | None = None) -> HTMLResponse:
    article, _ = svc.get_visible_article(db, user=user, article_id=article_id)
    history = versions.list_versions(db, user=user, article_id=article_id)
    numbers = sorted(v.version_no for v in history)
    new_no = b or (numbers[-1] if numbers else 1)
    old_no = a or (numbers[-2] if len(numbers) > 1 else new_no)
    diffs = versions.compare_versions(db, user=user, article_id=article_id, old_no=old_no,
                                      new_no=new_no)
    return render(request, "kb/diff.html", {
        "article": article, "diffs": diffs, "numbers": numbers, "a": old_no, "b": new_no,
    }, user=user)


# --- editing -----------------------------------------------------------------------------


def _fields_from_form(db: SessionDep, form: FormData) -> tuple[ArticleFields,
                                                                list[FieldProblem]]:
    """Parse the editor form; date and queue problems are reported like other field errors."""
    problems: list[FieldProblem] = []
    dates: dict[str, date | None] = {}
    for name in ("valid_from", "valid_to"):
        try:
            dates[name] = parse_date(field(form, name))
        except ValueError as error:
            problems.append(FieldProblem(name, date_problem(error), field(form, name)))
            dates[name] = None
    module_text = field(form, "module_id")
    fields = ArticleFields(
        title=" ".join(field(form, "title").split()),
        body=normalise_body(field(form, "body")),
        customer_answer=normalise_body(field(form, "customer_answer")).strip(),
        module_id=int(module_text) if module_text.isdigit() else None,
        queue_ids=sorted(set(ids(form, "queue_ids"))),
        tags=clean_text_list(field(form, "tags"), separators=",，;；、|\n"),
        similar_questions=clean_text_list(field(form, "similar_questions"), separators="\n"),
        audience=field(form, "audience", "customer"),
        valid_from=dates["valid_from"],
        valid_to=dates["valid_to"],
    )
    return fields, problems


def _editor(request: Request, db: SessionDep, user: User, *, article: Article | None,
            form_values: dict[str, object], errors: list[dict[str, object]] | None = None,
            conflict: dict[str, object] | None = None, status_code: int = 200) -> HTMLResponse:
    scope_tree = mod.build_tree(db)
    return render(request, "kb/edit.html", {
        "article": article, "values": form_values, "tree": scope_tree,
        "queues": list_queues(db), "errors": errors or [],
        "error_text": [describe_problem(e) for e in errors or []],
        "conflict": conflict, "owners": [u for u in list_users(db)
                                         if u.can(Perm.ARTICLE_EDIT) and u.is_active],
        "look": load_lookups(db),
        "attachment_accept": ",".join(files.ACCEPTED_EXTENSIONS),
    }, user=user, status_code=status_code)


def _values_from(source: Article) -> dict[str, object]:
    return {
        "code": source.code, "title": source.title, "body": source.body,
        "customer_answer": source.customer_answer, "module_id": source.module_id,
        "queue_ids": list(source.queue_ids),
        "tags": "，".join(source.tags), "similar_questions": "\n".join(source.similar_questions),
        "audience": source.audience,
        "valid_from": source.valid_from.isoformat() if source.valid_from else "",
        "valid_to": source.valid_to.isoformat() if source.valid_to else "",
        "lock_version": source.lock_version, "owner_id": source.owner_id,
    }


def _values_from_form(form: FormData) -> dict[str, object]:
    values: dict[str, object] = {k: field(form, k) for k in (
        "code", "title", "body", "customer_answer", "module_id", "tags", "similar_questions",
        "audience", "valid_from", "valid_to", "lock_version", "owner_id")}
    values["queue_ids"] = ids(form, "queue_ids")
    values["module_id"] = int(str(values["module_id"])) if str(values["module_id"]).isdigit() \
        else None
    values["owner_id"] = int(str(values["owner_id"])) if str(values["owner_id"]).isdigit() \
        else None
    return values


@router.get("/kb/new-article", response_class=HTMLResponse)
def new_article_page(request: Request, db: SessionDep, user: CurrentUser,
                     module: int | None = None, title: str = "", question: str = ""
                     ) -> HTMLResponse:
    """The editor for a new draft; ``title``/``question`` prefill it from a knowledge gap."""
    if not user.can(Perm.ARTICLE_EDIT):
        raise PermissionDenied()
    return _editor(request, db, user, article=None, form_values={
        "module_id": module, "audience": "customer", "queue_ids": [], "owner_id": user.id,
        "title": title[:200], "similar_questions": question[:500]})


@router.post("/kb/articles", response_model=None)
def create_article(request: Request, db: SessionDep, user: CurrentUser,
                   form: Form) -> Response:
    fields, problems = _fields_from_form(db, form)
    owner = field(form, "owner_id")
    try:
        if problems:
            raise FieldErrors([p.as_dict() for p in problems])
        article = svc.create_article(db, fields=fields, actor=user, code=field(form, "code"),
                                     owner_id=int(owner) if owner.isdigit() else None)
    except FieldErrors as error:
        return _editor(request, db, user, article=None, form_values=_values_from_form(form),
                       errors=error.errors, status_code=422)
    if field(form, "action") == "submit":
        svc.submit_article(db, article_id=article.id, actor=user)
        return redirect(f"/kb/articles/{article.id}", "submitted")
    return redirect(f"/kb/articles/{article.id}", "created")


@router.get("/kb/articles/{article_id}/edit", response_class=HTMLResponse)
def edit_page(request: Request, article_id: int, db: SessionDep,
              user: CurrentUser) -> HTMLResponse:
    article, access = svc.get_visible_article(db, user=user, article_id=article_id)
    if not access.edit:
        raise PermissionDenied()
    return _editor(request, db, user, article=article, form_values=_values_from(article))


@router.post("/kb/articles/{article_id}/edit", response_model=None)
def save_article(request: Request, article_id: int, db: SessionDep, user: CurrentUser,
                 form: Form) -> Response:
    article = svc.get_article(db, article_id=article_id)
    fields, problems = _fields_from_form(db, form)
    lock = field(form, "lock_version")
    owner = field(form, "owner_id")
    try:
        if problems:
            raise FieldErrors([p.as_dict() for p in problems])
        svc.update_article(db, article_id=article_id, fields=fields,
                           expected_lock_version=int(lock) if lock.isdigit() else -1,
                           actor=user, owner_id=int(owner) if owner.isdigit() else None)
    except FieldErrors as error:
        return _editor(request, db, user, article=article, form_values=_values_from_form(form),
                       errors=error.errors, status_code=422)
    except StaleEdit as error:
        # Nothing is lost: the editor gets their own text back beside the other person's.
        db.rollback()
        current = svc.get_article(db, article_id=article_id)
        values = _values_from_form(form)
        values["lock_version"] = current.lock_version
        mine = {"title": fields.title, "body": fields.body,
                "customer_answer": fields.customer_answer,
                "tags": "\n".join(fields.tags),
                "similar_questions": "\n".join(fields.similar_questions)}
        theirs = {"title": current.title, "body": current.body,
                  "customer_answer": current.customer_answer,
                  "tags": "\n".join(current.tags),
                  "similar_questions": "\n".join(current.similar_questions)}
        return _editor(request, db, user, article=current, form_values=values,
                       conflict={"who": str(error.params.get("user")),
                                 "updated_at": current.updated_at,
                                 "diffs": [d for d in diff_fields(theirs, mine) if d.changed]},
                       status_code=409)
    if field(form, "action") == "submit":
        svc.submit_article(db, article_id=article_id, actor=user)
        return redirect(f"/kb/articles/{article_id}", "submitted")
    return redirect(f"/kb/articles/{article_id}", "saved")


@router.get("/kb/attachments/{attachment_id}", response_class=FileResponse)
@router.get("/kb/attachments/{attachment_id}/{filename}", response_class=FileResponse)
def attachment(attachment_id: int, db: SessionDep,
               user: Annotated[User | None, Depends(optional_user)]) -> FileResponse:
    """An article's image or file; without a login only those of live customer articles
    (the smart assistant shows them). The name in the path is for people and is ignored."""
    stored = files.open_attachment(db, user=user, attachment_id=attachment_id)
    return stored_file_response(stored.path, media_type=stored.attachment.content_type,
                                filename=stored.attachment.filename, inline=stored.inline)


@router.post("/kb/preview", response_class=HTMLResponse)
def preview(user: CurrentUser, form: Form) -> HTMLResponse:
    """Rendered Markdown for the editor's preview pane (same sanitiser as the article page),
    agent-only parts marked as on the article page."""
    return HTMLResponse(render_marked(field(form, "body"), agent_only_label()))


# --- lifecycle actions -------------------------------------------------------------------


@router.post("/kb/articles/{article_id}/submit")
def submit(article_id: int, db: SessionDep, user: CurrentUser, form: Form) -> Response:
    lock = field(form, "lock_version")
    svc.submit_article(db, article_id=article_id, actor=user,
                       expected_lock_version=int(lock) if lock.isdigit() else None)
    return redirect(f"/kb/articles/{article_id}", "submitted")


@router.post("/kb/articles/{article_id}/review")
def review(request: Request, article_id: int, db: SessionDep, user: CurrentUser,
           form: Form) -> Response:
    comment = field(form, "comment")
    if field(form, "decision") == "approve":
        svc.approve_article(db, article_id=article_id, actor=user, comment=comment,
                            notify_agents=field(form, "notify_agents", "on") == "on")
        return redirect(f"/kb/articles/{article_id}", "approved")
    try:
        svc.reject_article(db, article_id=article_id, actor=user, comment=comment)
    except RejectNeedsComment as error:
        # Asked on the same page, next to the comment box, not on an error page.
        db.rollback()
        return _working_copy(request, db, user, article_id,
                             review_error=describe_error(error), status_code=422)
    return redirect("/kb/review", "rejected")


@router.post("/kb/articles/{article_id}/retire")
def retire(article_id: int, db: SessionDep, user: CurrentUser, form: Form) -> Response:
    svc.retire_article(db, article_id=article_id, actor=user, reason=field(form, "reason"))
    return redirect(f"/kb/articles/{article_id}", "retired")


@router.post("/kb/articles/{article_id}/rollback")
def rollback(article_id: int, db: SessionDep, user: CurrentUser, form: Form) -> Response:
    number = field(form, "version_no")
    versions.rollback_article(db, article_id=article_id,
                              version_no=int(number) if number.isdigit() else 0, actor=user)
    return redirect(f"/kb/articles/{article_id}", "rolled_back")


@router.post("/kb/articles/{article_id}/flag")
def flag(article_id: int, db: SessionDep, user: CurrentUser, form: Form) -> Response:
    fb.flag_article(db, article_id=article_id, user=user, kind=field(form, "kind"),
                    comment=field(form, "comment"))
    return redirect(f"/kb/articles/{article_id}", "flagged")


@router.post("/kb/articles/{article_id}/vote")
def vote(article_id: int, db: SessionDep, user: CurrentUser, form: Form) -> Response:
    usage.vote(db, article_id=article_id, user=user, helpful=field(form, "helpful") == "yes")
    return redirect(f"/kb/articles/{article_id}", "voted")


@router.post("/kb/ack/{version_id}")
def acknowledge(version_id: int, db: SessionDep, user: CurrentUser, form: Form) -> Response:
    push.acknowledge(db, user=user, version_id=version_id)
    back = field(form, "back")
    return redirect(back if back.startswith("/kb") else "/kb/new", "acked")


# --- work lists --------------------------------------------------------------------------


@router.get("/kb/review", response_class=HTMLResponse)
def review_list(request: Request, db: SessionDep, user: CurrentUser) -> HTMLResponse:
    if not user.can(Perm.ARTICLE_REVIEW):
        raise PermissionDenied()
    rows = queries.review_queue(db, user=user)
    return render(request, "kb/review.html", {
        "articles": rows,
        "look": load_lookups(db, [a.submitted_by_id for a in rows]),
    }, user=user)


@router.get("/kb/drafts", response_class=HTMLResponse)
def drafts(request: Request, db: SessionDep, user: CurrentUser) -> HTMLResponse:
    if not user.can(Perm.ARTICLE_EDIT):
        raise PermissionDenied()
    rows, _ = queries.list_articles(db, user=user, query=queries.ArticleQuery(
        status=ArticleStatus.DRAFT), limit=200)
    return render(request, "kb/drafts.html", {
        "articles": rows, "look": load_lookups(db, [a.updated_by_id for a in rows]),
    }, user=user)


@router.get("/kb/expiring", response_class=HTMLResponse)
def expiring(request: Request, db: SessionDep, user: CurrentUser, days: int = 30
             ) -> HTMLResponse:
    days = min(max(days, 1), queries.MAX_EXPIRING_DAYS)
    rows = queries.expiring_articles(db, user=user, days=days)  # refuses who may not see
    return render(request, "kb/expiring.html", {
        "articles": rows, "days": days, "today": today(),
        "look": load_lookups(db, [a.owner_id for a in rows]),
    }, user=user)


@router.get("/kb/feedback", response_class=HTMLResponse)
def feedback_inbox(request: Request, db: SessionDep, user: CurrentUser,
                   closed: bool = False) -> HTMLResponse:
    inbox = fb.owner_inbox(db, user=user, include_closed=closed)
    mine = fb.my_reports(db, user=user)
    people = [f.reporter_id for f, _ in inbox] + [f.handled_by_id for f, _ in mine]
    return render(request, "kb/feedback.html", {
        "inbox": inbox, "mine": mine, "closed": closed, "look": load_lookups(db, people),
    }, user=user)


@router.post("/kb/feedback/{feedback_id}/accept")
def accept_feedback(feedback_id: int, db: SessionDep, user: CurrentUser,
                    form: Form) -> Response:
    item = fb.accept_feedback(db, feedback_id=feedback_id, user=user,
                              response=field(form, "response"))
    return redirect(f"/kb/articles/{item.article_id}/edit", "accepted")


@router.post("/kb/feedback/{feedback_id}/decline")
def decline_feedback(feedback_id: int, db: SessionDep, user: CurrentUser,
                     form: Form) -> Response:
    fb.decline_feedback(db, feedback_id=feedback_id, user=user, reason=field(form, "response"))
    return redirect("/kb/feedback", "declined")


@router.get("/kb/new", response_class=HTMLResponse)
def new_knowledge(request: Request, db: SessionDep, user: CurrentUser) -> HTMLResponse:
    days = get_settings().new_knowledge_days
    return render(request, "kb/new.html", {
        "items": push.new_knowledge(db, user=user, days=days), "days": days,
        "look": load_lookups(db),
    }, user=user)


@router.get("/kb/coverage", response_class=HTMLResponse)
def coverage(request: Request, db: SessionDep, user: CurrentUser) -> HTMLResponse:
    days = get_settings().new_knowledge_days
    return render(request, "kb/coverage.html", {
        "rows": push.coverage(db, actor=user, days=days), "days": days,
    }, user=user)
