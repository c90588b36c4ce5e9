"""REST API of the knowledge base under /api/v1."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Form, Query, Request, Response, UploadFile
from fastapi.responses import FileResponse
from starlette.concurrency import run_in_threadpool

from seci.accounts.models import User
from seci.accounts.roles import Perm
from seci.core.clock import today
from seci.core.config import get_settings
from seci.core.http import (
    CurrentUser,
    SessionDep,
    require,
    spooled_download,
    stored_file_response,
    write_aside,
)
from seci.knowledge import articles as svc
from seci.knowledge import attachments as files
from seci.knowledge import feedback as fb
from seci.knowledge import modules as mod
from seci.knowledge import push, queries, usage, versions
from seci.knowledge.access import validity_of
from seci.knowledge.exporting import (
    MEDIA_TYPES,
    ExportFormat,
    export_count,
    iter_export_records,
    record_export,
    write_export,
)
from seci.knowledge.importing import import_articles
from seci.knowledge.lookups import Lookups, load_lookups, queue_ids_for_codes
from seci.knowledge.models import Article, ArticleFeedback, ArticleVersion, Attachment
from seci.knowledge.render import render_markdown
from seci.knowledge.schemas import (
    ArticleContent,
    ArticleCreate,
    ArticleListItem,
    ArticlePage,
    ArticleRead,
    ArticleUpdate,
    AttachmentRead,
    ContentRead,
    CoverageRead,
    FeedbackCreate,
    FeedbackDecision,
    FeedbackRead,
    FieldDiffRead,
    ModuleCreate,
    ModuleRead,
    ModuleUpdate,
    NewKnowledgeRead,
    RetireRequest,
    ReviewDecision,
    RollbackRequest,
    Segment,
    SimilarQuestionAdd,
    VersionRead,
    VersionSummary,
    VoteRead,
    VoteRequest,
)
from seci.knowledge.upload import read_upload
from seci.knowledge.validation import ArticleFields, clean_text_list, normalise_body

router = APIRouter(prefix="/api/v1", tags=["knowledge"])

# Look-back and look-ahead windows, in days (a date computation must stay within years 1-9999)
MAX_DAYS = 36_500
ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"description": "Not logged in (problem details)"},
    403: {"description": "Permission denied (problem details)"},
    404: {"description": "Not found or not visible to you (problem details)"},
    409: {"description": "Conflict, e.g. stale edit or invalid transition (problem details)"},
    422: {"description": "Invalid input (problem details with `errors`)"},
}


# --- presentation ------------------------------------------------------------------------


def content_read(source: Article | ArticleVersion, look: Lookups) -> dict[str, Any]:
    return {
        "title": source.title,
        "body": source.body,
        "body_html": render_markdown(source.body),
        "customer_answer": source.customer_answer,
        "module_id": source.module_id,
        "module_path": look.module_path(source.module_id),
        "queues": look.queue_codes(source.queue_ids),
        "tags": list(source.tags),
        "similar_questions": list(source.similar_questions),
        "audience": source.audience,
        "valid_from": source.valid_from,
        "valid_to": source.valid_to,
    }


def version_read(version: ArticleVersion, look: Lookups, on: date | None = None) -> VersionRead:
    return VersionRead(
        **content_read(version, look),
        version_no=version.version_no,
        published_at=version.published_at,
        author=look.user_name(version.author_id),
        approved_by=look.user_name(version.approved_by_id),
        source=version.source,
        change_note=version.change_note,
        validity=validity_of(version.valid_from, version.valid_to, on or today()),
    )


def article_read(article: Article, access: svc.ArticleAccess, look: Lookups) -> ArticleRead:
    live = article.live_version if access.live else None
    return ArticleRead(
        id=article.id,
        code=article.code,
        status=article.status,
        validity=access.validity,
        owner=look.user_name(article.owner_id),
        lock_version=article.lock_version,
        latest_version_no=article.latest_version_no,
        view_count=article.view_count,
        helpful_count=article.helpful_count,
        unhelpful_count=article.unhelpful_count,
        review_comment=article.review_comment if access.working_copy else None,
        live=version_read(live, look) if live else None,
        working_copy=ContentRead(**content_read(article, look)) if access.working_copy else None,
    )


def list_item(article: Article, look: Lookups) -> ArticleListItem:
    shown: Article | ArticleVersion = article.live_version or article
    if article.status in {"draft", "in_review"} and article.live_version is None:
        shown = article
    return ArticleListItem(
        id=article.id, code=article.code, title=shown.title, status=article.status,
        validity=validity_of(shown.valid_from, shown.valid_to, today())
        if article.live_version else None,
        module_path=look.module_path(shown.module_id), queues=look.queue_codes(shown.queue_ids),
        updated_at=article.updated_at, valid_to=shown.valid_to,
    )


def fields_from(db: SessionDep, body: ArticleContent) -> ArticleFields:
    return ArticleFields(
        title=" ".join(body.title.split()),
        body=normalise_body(body.body),
        customer_answer=normalise_body(body.customer_answer).strip(),
        module_id=body.module_id,
        queue_ids=queue_ids_for_codes(db, body.queues),
        tags=clean_text_list(body.tags),
        similar_questions=clean_text_list(body.similar_questions),
        audience=body.audience,
        valid_from=body.valid_from,
        valid_to=body.valid_to,
    )


def _read(db: SessionDep, user: User, article_id: int) -> ArticleRead:
    article, access = svc.get_visible_article(db, user=user, article_id=article_id)
    look = load_lookups(db, [article.owner_id, *_version_people(article)])
    return article_read(article, access, look)


def _version_people(article: Article) -> list[int | None]:
    version = article.live_version
    return [version.author_id, version.approved_by_id] if version else []


# --- articles ----------------------------------------------------------------------------


@router.get("/articles", response_model=ArticlePage, responses=ERRORS)
def list_articles(
    db: SessionDep, user: CurrentUser,
    module: int | None = None, queue: str | None = None,
    status: str | None = Query(default=None, description="draft, in_review, published, retired"),
    validity: str | None = Query(default=None, description="valid, scheduled, expired"),
    text: str | None = None,
    expiring_within_days: int | None = Query(default=None, ge=0, le=MAX_DAYS),
    limit: int = Query(default=50, le=500), offset: int = 0,
) -> ArticlePage:
    """Articles you may see. Agents: valid knowledge of their queues only."""
    if expiring_within_days is not None:
        rows = queries.expiring_articles(db, user=user, days=expiring_within_days)
        look = load_lookups(db)
        return ArticlePage(total=len(rows), items=[list_item(a, look) for a in rows])
    queue_id = queue_ids_for_codes(db, [queue])[0] if queue else None
    rows, total = queries.list_articles(
        db, user=user, limit=limit, offset=offset,
        query=queries.ArticleQuery(module_id=module, queue_id=queue_id, status=status,
                               validity=validity, text=text),
    )
    look = load_lookups(db)
    return ArticlePage(total=total, items=[list_item(a, look) for a in rows])


@router.post("/articles", status_code=201, response_model=ArticleRead, responses=ERRORS)
def create_article(body: ArticleCreate, db: SessionDep, user: CurrentUser) -> ArticleRead:
    """Create a draft (知识编辑)."""
    article = svc.create_article(db, fields=fields_from(db, body), actor=user, code=body.code,
                                 owner_id=body.owner_id)
    return _read(db, user, article.id)


@router.get("/articles/{article_id}", response_model=ArticleRead, responses=ERRORS)
def get_article(article_id: int, request: Request, db: SessionDep,
                user: CurrentUser) -> ArticleRead:
    """One article: the live version and, for its editors, the working copy."""
    read = _read(db, user, article_id)
    request.app.state.view_counter.add(article_id)
    return read


@router.put("/articles/{article_id}", response_model=ArticleRead, responses=ERRORS)
def update_article(article_id: int, body: ArticleUpdate, db: SessionDep,
                   user: CurrentUser) -> ArticleRead:
    """Save the working copy. A stale ``lock_version`` gets 409 with the current content."""
    svc.update_article(db, article_id=article_id, fields=fields_from(db, body),
                       expected_lock_version=body.lock_version, actor=user,
                       owner_id=body.owner_id)
    return _read(db, user, article_id)


@router.post("/articles/{article_id}/similar-questions", response_model=ArticleRead,
             responses=ERRORS)
def add_similar_question(article_id: int, body: SimilarQuestionAdd, db: SessionDep,
                         user: CurrentUser) -> ArticleRead:
    """One more similar question on the working copy (a draft that goes through review;
    one the article holds already changes nothing)."""
    svc.add_similar_question(db, article_id=article_id, question=body.question, actor=user)
    return _read(db, user, article_id)


@router.post("/articles/{article_id}/submit", response_model=ArticleRead, responses=ERRORS)
def submit_article(article_id: int, db: SessionDep, user: CurrentUser) -> ArticleRead:
    svc.submit_article(db, article_id=article_id, actor=user)
    return _read(db, user, article_id)


@router.post("/articles/{article_id}/review", response_model=ArticleRead, responses=ERRORS)
def review_article(article_id: int, body: ReviewDecision, db: SessionDep,
                   user: CurrentUser) -> ArticleRead:
    """Approve (publishes a new version; never by its author) or reject with a comment."""
    if body.decision == "approve":
        svc.approve_article(db, article_id=article_id, actor=user, comment=body.comment,
                            notify_agents=body.notify_agents)
    else:
        svc.reject_article(db, article_id=article_id, actor=user, comment=body.comment)
    return _read(db, user, article_id)


@router.post("/articles/{article_id}/retire", response_model=ArticleRead, responses=ERRORS)
def retire_article(article_id: int, body: RetireRequest, db: SessionDep,
                   user: CurrentUser) -> ArticleRead:
    svc.retire_article(db, article_id=article_id, actor=user, reason=body.reason)
    return _read(db, user, article_id)


@router.post("/articles/{article_id}/rollback", response_model=ArticleRead, responses=ERRORS)
def rollback_article(article_id: int, body: RollbackRequest, db: SessionDep,
                     user: CurrentUser) -> ArticleRead:
    """Publish an earlier version's content again as a new version."""
    versions.rollback_article(db, article_id=article_id, version_no=body.version_no, actor=user)
    return _read(db, user, article_id)


@router.get("/articles/{article_id}/versions", response_model=list[VersionSummary],
            responses=ERRORS)
def list_versions(article_id: int, db: SessionDep, user: CurrentUser) -> list[VersionSummary]:
    rows = versions.list_versions(db, user=user, article_id=article_id)
    look = load_lookups(db, [u for v in rows for u in (v.author_id, v.approved_by_id)])
    return [
        VersionSummary(version_no=v.version_no, title=v.title, published_at=v.published_at,
                       author=look.user_name(v.author_id),
                       approved_by=look.user_name(v.approved_by_id), source=v.source,
                       change_note=v.change_note)
        for v in rows
    ]


@router.get("/articles/{article_id}/versions/{version_no}", response_model=VersionRead,
            responses=ERRORS)
def get_version(article_id: int, version_no: int, db: SessionDep,
                user: CurrentUser) -> VersionRead:
    version = versions.get_version(db, user=user, article_id=article_id, version_no=version_no)
    return version_read(version, load_lookups(db, [version.author_id, version.approved_by_id]))


@router.get("/articles/{article_id}/diff", response_model=list[FieldDiffRead], responses=ERRORS)
def diff_versions(article_id: int, db: SessionDep, user: CurrentUser,
                  from_version: Annotated[int, Query(alias="from")],
                  to_version: Annotated[int, Query(alias="to")]) -> list[FieldDiffRead]:
    """Character-level comparison of two versions, field by field."""
    diffs = versions.compare_versions(db, user=user, article_id=article_id,
                                      old_no=from_version, new_no=to_version)
    return [FieldDiffRead(field=d.field, changed=d.changed,
                          segments=[Segment(op=s.op, text=s.text) for s in d.segments])
            for d in diffs]


@router.post("/articles/{article_id}/vote", response_model=VoteRead, responses=ERRORS)
def vote(article_id: int, body: VoteRequest, db: SessionDep, user: CurrentUser) -> VoteRead:
    result = usage.vote(db, article_id=article_id, user=user, helpful=body.helpful)
    return VoteRead(helpful_count=result.helpful_count, unhelpful_count=result.unhelpful_count,
                    mine=result.mine)


# --- feedback ----------------------------------------------------------------------------


def feedback_read(item: ArticleFeedback, article: fb.FeedbackArticle) -> FeedbackRead:
    return FeedbackRead(
        id=item.id, article_id=article.id, article_code=article.code,
        article_title=article.title, version_no=item.version_no, kind=item.kind,
        comment=item.comment, status=item.status, response=item.response,
        fixed_version_no=item.fixed_version_no, created_at=item.created_at,
        handled_at=item.handled_at,
    )


@router.post("/articles/{article_id}/feedback", status_code=201, response_model=FeedbackRead,
             responses=ERRORS)
def flag_article(article_id: int, body: FeedbackCreate, db: SessionDep,
                 user: CurrentUser) -> FeedbackRead:
    """纠错: flag an article as wrong, outdated or unclear; it goes to the owner's inbox."""
    item = fb.flag_article(db, article_id=article_id, user=user, kind=body.kind,
                           comment=body.comment)
    return feedback_read(item, fb.feedback_article(db, user=user, article_id=article_id))


@router.get("/feedback/inbox", response_model=list[FeedbackRead], responses=ERRORS)
def feedback_inbox(db: SessionDep, user: CurrentUser,
                   include_closed: bool = False) -> list[FeedbackRead]:
    """Feedback on the articles you own."""
    return [feedback_read(f, a) for f, a in fb.owner_inbox(db, user=user,
                                                           include_closed=include_closed)]


@router.get("/feedback/mine", response_model=list[FeedbackRead], responses=ERRORS)
def my_feedback(db: SessionDep, user: CurrentUser) -> list[FeedbackRead]:
    """What you flagged and its outcome."""
    return [feedback_read(f, a) for f, a in fb.my_reports(db, user=user)]


@router.post("/feedback/{feedback_id}", response_model=FeedbackRead, responses=ERRORS)
def decide_feedback(feedback_id: int, body: FeedbackDecision, db: SessionDep,
                    user: CurrentUser) -> FeedbackRead:
    """Owner: accept (the next published version closes it as fixed) or decline with a reason."""
    if body.decision == "accept":
        item = fb.accept_feedback(db, feedback_id=feedback_id, user=user, response=body.response)
    else:
        item = fb.decline_feedback(db, feedback_id=feedback_id, user=user, reason=body.response)
    return feedback_read(item, fb.feedback_article(db, user=user, article_id=item.article_id))


# --- new knowledge -----------------------------------------------------------------------


@router.get("/new-knowledge", response_model=list[NewKnowledgeRead], responses=ERRORS)
def new_knowledge(db: SessionDep, user: CurrentUser,
                  days: int | None = Query(default=None, ge=1, le=MAX_DAYS)
                  ) -> list[NewKnowledgeRead]:
    """New and changed knowledge for your queues, unacknowledged first."""
    items = push.new_knowledge(db, user=user, days=days or get_settings().new_knowledge_days)
    return [
        NewKnowledgeRead(article_id=i.article.id, version_id=i.version.id, code=i.article.code,
                         title=i.version.title, version_no=i.version.version_no,
                         published_at=i.version.published_at, acknowledged_at=i.acked_at)
        for i in items
    ]


@router.post("/new-knowledge/{version_id}/ack", status_code=204, responses=ERRORS)
def acknowledge(version_id: int, db: SessionDep, user: CurrentUser) -> Response:
    push.acknowledge(db, user=user, version_id=version_id)
    return Response(status_code=204)


@router.get("/new-knowledge/coverage", response_model=list[CoverageRead], responses=ERRORS)
def ack_coverage(db: SessionDep, user: CurrentUser,
                 days: int | None = Query(default=None, ge=1, le=MAX_DAYS)
                 ) -> list[CoverageRead]:
    """Supervisors: who has not acknowledged recent knowledge of their queues."""
    rows = push.coverage(db, actor=user, days=days or get_settings().new_knowledge_days)
    return [
        CoverageRead(article_id=c.article.id, code=c.article.code, title=c.version.title,
                     version_no=c.version.version_no, expected=len(c.expected),
                     acknowledged=len(c.acknowledged), missing=[u.username for u in c.missing])
        for c in rows
    ]


# --- modules -----------------------------------------------------------------------------


def _module_tree(nodes: list[mod.ModuleNode]) -> list[ModuleRead]:
    return [
        ModuleRead(id=n.module.id, name=n.module.name, parent_id=n.module.parent_id,
                   path=n.module.path, archived=n.module.archived,
                   children=_module_tree(n.children))
        for n in nodes
    ]


@router.get("/modules", response_model=list[ModuleRead], responses=ERRORS)
def module_tree(db: SessionDep, _user: CurrentUser,
                include_archived: bool = False) -> list[ModuleRead]:
    return _module_tree(mod.build_tree(db, include_archived=include_archived))


@router.post("/modules", status_code=201, response_model=ModuleRead, responses=ERRORS)
def create_module(body: ModuleCreate, db: SessionDep,
                  user: Annotated[User, Depends(require(Perm.MODULE_MANAGE))]) -> ModuleRead:
    module = mod.create_module(db, name=body.name, parent_id=body.parent_id, actor=user)
    return ModuleRead(id=module.id, name=module.name, parent_id=module.parent_id,
                      path=module.path, archived=module.archived)


@router.patch("/modules/{module_id}", response_model=ModuleRead, responses=ERRORS)
def update_module(module_id: int, body: ModuleUpdate, db: SessionDep,
                  user: Annotated[User, Depends(require(Perm.MODULE_MANAGE))]) -> ModuleRead:
    """Rename, move (``parent_id`` or ``move_to_root``) or archive a module."""
    module = mod.get_module(db, module_id=module_id)
    if body.name is not None and body.name != module.name:
        module = mod.rename_module(db, module_id=module_id, name=body.name, actor=user)
    if body.move_to_root or (body.parent_id is not None and body.parent_id != module.parent_id):
        module = mod.move_module(db, module_id=module_id,
                                 new_parent_id=None if body.move_to_root else body.parent_id,
                                 actor=user)
    if body.archived is not None and body.archived != module.archived:
        module = mod.archive_module(db, module_id=module_id, archived=body.archived, actor=user)
    return ModuleRead(id=module.id, name=module.name, parent_id=module.parent_id,
                      path=module.path, archived=module.archived)


# --- import / export ---------------------------------------------------------------------


@router.post("/import", responses=ERRORS)
async def import_file(
    db: SessionDep,
    user: Annotated[User, Depends(require(Perm.KB_IMPORT))],
    file: Annotated[UploadFile, File(description=".xlsx, .csv (UTF-8/GBK), .jsonl, or a "
                                             "knowledge package .zip (export format=zip)")],
    dry_run: Annotated[bool, Form()] = False,
    as_draft: Annotated[bool, Form()] = False,
) -> dict[str, Any]:
    """Validate every row, then import all or nothing. Errors carry row, column and value."""
    limit = get_settings().import_max_bytes
    data = await read_upload(file, limit)
    # Parsing and validating take seconds for a large file: off the event loop.
    report = await run_in_threadpool(lambda: import_articles(
        db, data=data, filename=file.filename or "upload", actor=user, max_bytes=limit,
        dry_run=dry_run, as_draft=as_draft))
    return report.as_dict()


# --- images and files in articles ---------------------------------------------------------


def attachment_read(attachment: Attachment) -> AttachmentRead:
    return AttachmentRead(
        id=attachment.id, filename=attachment.filename, content_type=attachment.content_type,
        size_bytes=attachment.size_bytes, is_image=files.is_image(attachment),
        url=files.attachment_url(attachment), markdown=files.markdown_for(attachment))


@router.post("/attachments", status_code=201, responses=ERRORS | {
    413: {"description": "Larger than SECI_ATTACHMENT_MAX_BYTES (problem details)"},
    415: {"description": "Not an image or document SECI accepts (problem details)"}})
async def upload_attachment(
    db: SessionDep, user: CurrentUser,
    file: Annotated[UploadFile, File(description=(
        "PNG, JPEG, GIF, WebP; PDF, Word, Excel, PowerPoint, WPS/OpenDocument, TXT, CSV. "
        "The type is read from the content, not the name."))],
) -> AttachmentRead:
    """Keep an image or file for an article being written (editors). Put the answer's
    ``markdown`` into the body: saving the article links the two, and from then on those
    who may read the article may read the file."""
    data = await read_upload(file, get_settings().attachment_max_bytes,
                             check=files.check_attachment_size)
    # Hashing and writing up to the size limit: off the event loop.
    attachment = await run_in_threadpool(lambda: files.upload_attachment(
        db, actor=user, filename=file.filename or "file", data=data))
    return attachment_read(attachment)


@router.get("/attachments/{attachment_id}", response_class=FileResponse, responses=ERRORS | {
    200: {"description": "The file", "content": {"application/octet-stream": {
        "schema": {"type": "string", "format": "binary"}}}}})
def download_attachment(attachment_id: int, db: SessionDep, user: CurrentUser
                        ) -> FileResponse:
    """The file, to those who may read an article that uses it (404 otherwise)."""
    stored = files.open_attachment(db, user=user, attachment_id=attachment_id)
    return stored_file_response(stored.path, media_type=stored.attachment.content_type,
                                filename=stored.attachment.filename, inline=stored.inline)


@router.get("/export", response_class=Response, responses=ERRORS | {200: {
    "description": "The file, in the format asked for",
    "content": {media.split(";")[0]: {"schema": {"type": "string", "format": "binary"}}
                for media in MEDIA_TYPES.values()}}})
def export_file(request: Request, db: SessionDep,
                user: Annotated[User, Depends(require(Perm.KB_EXPORT))],
                format: ExportFormat = ExportFormat.JSONL, module: int | None = None
                ) -> Response:
    """All published articles in an import format; ``zip``: a knowledge package, the
    articles with the images and files they use (imported as it is by another SECI)."""
    # Read as a reader; the audit entry alone is written, in a short writer session (no
    # audit, no file: 503 database_busy rather than an export nobody recorded).
    count = export_count(db, actor=user, module_id=module)
    write_aside(request, db, lambda side: record_export(side, actor=user, fmt=format,
                                                        count=count),
                "export audit", required=True)
    records = iter_export_records(db, actor=user, module_id=module)
    return spooled_download(
        lambda out: write_export(db, actor=user, records=records, fmt=format, out=out),
        media_type=MEDIA_TYPES[format], filename=f"seci-articles.{format.value}")
