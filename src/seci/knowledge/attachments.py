"""Images and files in articles: upload, the store, who may read them.

Editors paste or upload images and attach files (a price list in Excel, a form in Word) while
writing an article. The bytes are checked (size, and the type the content really has, not the
name it came with), kept in the attachment store under their SHA-256 (one copy however often
they are used) and served only to those who may read an article that uses them:

- the uploader, until an article uses it (an unsaved draft's images);
- anyone who may read a version or the working copy of an article whose body referred to it;
- anyone at all when it belongs to a live, currently valid customer article: the smart
  assistant shows such a passage to customers, who hold no login.
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import filetype
from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from seci.accounts.models import User
from seci.accounts.roles import Perm
from seci.audit.service import record
from seci.core.clock import today
from seci.core.config import get_settings
from seci.core.errors import InvalidInput, NotFound, PermissionDenied, SeciError
from seci.core.i18n import N_
from seci.knowledge.access import can_see_working_copy, live_version_visible, validity_of
from seci.knowledge.models import (
    Article,
    ArticleAttachment,
    ArticleStatus,
    Attachment,
    Audience,
    Validity,
)

# What an article may carry. Images show inline; the rest are offered for download. No SVG
# or HTML: a browser would run the script inside them on SECI's origin.
IMAGE_TYPES = frozenset({"image/png", "image/jpeg", "image/gif", "image/webp"})
DOCUMENT_TYPES = frozenset({
    "application/pdf",
    "application/msword",
    "application/vnd.ms-excel",
    "application/vnd.ms-powerpoint",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "application/vnd.oasis.opendocument.text",
    "application/vnd.oasis.opendocument.spreadsheet",
})
TEXT_TYPES = {".txt": "text/plain", ".csv": "text/csv"}
# Shown in messages and the editor's file picker.
ACCEPTED_EXTENSIONS = (".png", ".jpg", ".jpeg", ".gif", ".webp", ".pdf", ".doc", ".docx",
                       ".xls", ".xlsx", ".ppt", ".pptx", ".odt", ".ods", ".txt", ".csv")

# Ids per IN (…) list: well below SQLite's and PostgreSQL's parameter limits.
_CHUNK = 500
# /kb/attachments/12 or /kb/attachments/12/价目表.xlsx, as the editor writes them into a body.
_REFERENCE = re.compile(r"(/kb/attachments/)(\d{1,12})(?=[/)\s\"'?#]|$)")


class AttachmentNotFound(NotFound):
    code = "attachment_not_found"
    message = N_("Attachment {attachment} not found.")


class AttachmentTooLarge(SeciError):
    code = "attachment_too_large"
    status_code = 413
    message = N_("The file is {size_mb} MB; an article's image or file may be at most "
                 "{limit_mb} MB.")


class AttachmentTypeRefused(SeciError):
    code = "attachment_type_refused"
    status_code = 415
    message = N_("{filename} is not an image (PNG, JPEG, GIF, WebP) or a document SECI "
                 "accepts (PDF, Word, Excel, PowerPoint, WPS/OpenDocument, TXT, CSV).")


class AttachmentEmpty(InvalidInput):
    code = "attachment_empty"
    message = N_("The file {filename} is empty.")


@dataclass(frozen=True)
class StoredFile:
    """What a route needs to send an attachment."""

    attachment: Attachment
    path: Path
    inline: bool  # images and PDFs open in the browser; the rest download


def store_dir() -> Path:
    settings = get_settings()
    return settings.attachment_dir or settings.data_dir / "attachments"


def _path_for(sha256: str) -> Path:
    return store_dir() / sha256[:2] / sha256


def _megabytes(size: int) -> str:
    return f"{size / 1024 / 1024:.1f}".rstrip("0").rstrip(".")


def check_attachment_size(size: int) -> None:
    """Before reading the whole upload: the limit is a setting (SECI_ATTACHMENT_MAX_BYTES)."""
    limit = get_settings().attachment_max_bytes
    if size > limit:
        raise AttachmentTooLarge(size_mb=_megabytes(size), limit_mb=_megabytes(limit))


def clean_filename(name: str) -> str:
    """The name as a reader will see it: no directories, no control characters, ≤ 200."""
    base = (name or "").replace("\\", "/").rsplit("/", 1)[-1]
    base = "".join(c for c in unicodedata.normalize("NFC", base)
                   if unicodedata.category(c)[0] != "C").strip().strip(".")
    return base[-200:] or "file"


def sniff_type(data: bytes, filename: str) -> str:
    """The content's real type from its first bytes; the name only tells text files apart
    (they have no signature) and must then be readable text."""
    kind = filetype.guess(data[:8192])
    if kind is not None:
        if kind.mime in IMAGE_TYPES or kind.mime in DOCUMENT_TYPES:
            return str(kind.mime)
        raise AttachmentTypeRefused(filename=filename)
    extension = Path(filename).suffix.lower()
    if extension in TEXT_TYPES and _is_text(data):
        return TEXT_TYPES[extension]
    raise AttachmentTypeRefused(filename=filename)


def _is_text(data: bytes) -> bool:
    if b"\x00" in data[:65536]:
        return False
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            data.decode(encoding)
            return True
        except UnicodeDecodeError:
            continue
    return False


def _write_once(sha256: str, data: bytes) -> None:
    """Content-addressed: a file already stored is not written again. Written to a temporary
    name and renamed, so a reader never sees half a file."""
    path = _path_for(sha256)
    if path.exists():
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".upload-")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def upload_attachment(session: Session, *, actor: User, filename: str, data: bytes
                      ) -> Attachment:
    """Keep an image or file an editor adds to an article they are writing."""
    if not actor.can(Perm.ARTICLE_EDIT):
        raise PermissionDenied()
    return _keep(session, actor=actor, checked=check_file(filename, data),
                 action="attachment.upload")


def _keep(session: Session, *, actor: User, checked: CheckedFile, action: str) -> Attachment:
    """The bytes in the store, a row naming them, the audit entry."""
    _write_once(checked.sha256, checked.data)
    attachment = Attachment(filename=checked.filename, content_type=checked.content_type,
                            size_bytes=len(checked.data), sha256=checked.sha256,
                            uploaded_by_id=actor.id)
    session.add(attachment)
    session.flush()
    record(session, actor=actor, action=action, entity_type="attachment",
           entity_id=attachment.id,
           summary=f"{checked.filename} ({checked.content_type}, {len(checked.data)} B)")
    return attachment


@dataclass(frozen=True)
class CheckedFile:
    """A file that passed the upload checks, not yet kept."""

    filename: str
    content_type: str
    sha256: str
    data: bytes


def check_file(filename: str, data: bytes) -> CheckedFile:
    """The checks every upload passes (size, not empty, the type its content has)."""
    name = clean_filename(filename)
    check_attachment_size(len(data))
    if not data:
        raise AttachmentEmpty(filename=name)
    return CheckedFile(name, sniff_type(data, name), hashlib.sha256(data).hexdigest(), data)


def kept_copies(session: Session, *, actor: User, checked: Sequence[CheckedFile]
                ) -> dict[tuple[str, str], Attachment]:
    """For each file, an attachment already kept with the same bytes and name that ``actor``
    may read, by (sha256, filename): an import uses it again instead of keeping a second
    row. One query for all of them (a package may bring thousands)."""
    wanted = {(c.sha256, c.filename) for c in checked}
    found: dict[tuple[str, str], Attachment] = {}
    hashes = sorted({sha for sha, _ in wanted})
    for start in range(0, len(hashes), _CHUNK):
        for attachment in session.scalars(select(Attachment).where(
                Attachment.sha256.in_(hashes[start:start + _CHUNK])).order_by(Attachment.id)):
            key = (attachment.sha256, attachment.filename)
            if key in wanted and key not in found and _may_read(session, actor, attachment):
                found[key] = attachment
    return found


def keep_imported_file(session: Session, *, actor: User, checked: CheckedFile) -> Attachment:
    """Keep a file a knowledge package brought (the importer counts as its uploader, so
    linking it to the imported articles is theirs to do)."""
    if not actor.can(Perm.KB_IMPORT):
        raise PermissionDenied()
    return _keep(session, actor=actor, checked=checked, action="attachment.import")


def readable_attachments(session: Session, *, actor: User, ids: set[int]
                         ) -> list[tuple[Attachment, Path]]:
    """Those of ``ids`` that ``actor`` may read, with where their bytes are kept (what an
    export carries, read as it is written); a row whose bytes are gone from the store is
    left out."""
    found = []
    for attachment in _attachments(session, ids):
        path = _path_for(attachment.sha256)
        if _may_read(session, actor, attachment) and path.is_file():
            found.append((attachment, path))
    return found


def _attachments(session: Session, ids: set[int]) -> list[Attachment]:
    """The rows of ``ids`` that exist, by id, a bounded IN (…) list at a time."""
    ordered = sorted(ids)
    return [attachment for start in range(0, len(ordered), _CHUNK)
            for attachment in session.scalars(select(Attachment).where(
                Attachment.id.in_(ordered[start:start + _CHUNK])).order_by(Attachment.id))]


def attachment_url(attachment: Attachment) -> str:
    """Where a body refers to it (a name in the URL would need escaping in Markdown; the
    download carries the name in its Content-Disposition)."""
    return f"/kb/attachments/{attachment.id}"


def is_image(attachment: Attachment) -> bool:
    return attachment.content_type in IMAGE_TYPES


def markdown_for(attachment: Attachment) -> str:
    """How the editor writes it into a body: an image, or a link with the file's name."""
    label = attachment.filename.replace("[", "(").replace("]", ")")
    url = attachment_url(attachment)
    return f"![{label}]({url})" if is_image(attachment) else f"[{label}]({url})"


def referenced_ids(*texts: str | None) -> set[int]:
    """The attachment ids the texts (a body, a customer answer) refer to."""
    return {int(m.group(2)) for text in texts if text for m in _REFERENCE.finditer(text)}


def rewrite_references(text: str, new_ids: Mapping[int, int]) -> str:
    """``text`` with each reference to an old id pointing at its new one (an import from
    another system; ids not in ``new_ids`` are left as they are)."""
    def replace(match: re.Match[str]) -> str:
        new = new_ids.get(int(match.group(2)))
        return match.group(0) if new is None else f"{match.group(1)}{new}"

    return _REFERENCE.sub(replace, text)


def link_imported(session: Session, *, uses: Mapping[int, set[int]], actor: User,
                  kept: set[int]) -> None:
    """Record the attachments imported articles use (article id → attachment ids) in bulk.
    ``kept``: those the import itself kept or matched, which the importer may read; any
    other is linked only if the importer may read it, as when an editor saves."""
    if not uses:
        return
    article_ids = sorted(uses)
    linked: set[tuple[int, int]] = set()
    for start in range(0, len(article_ids), _CHUNK):
        linked.update((article, attachment) for article, attachment in session.execute(select(
            ArticleAttachment.article_id, ArticleAttachment.attachment_id).where(
            ArticleAttachment.article_id.in_(article_ids[start:start + _CHUNK]))))
    others = set().union(*uses.values()) - kept
    readable = kept | {a.id for a in _attachments(session, others)
                       if _may_read(session, actor, a)}
    rows = [{"article_id": article, "attachment_id": attachment}
            for article, ids in sorted(uses.items()) for attachment in sorted(ids & readable)
            if (article, attachment) not in linked]
    if rows:
        session.execute(insert(ArticleAttachment), rows)
    session.flush()


def link_attachments(session: Session, *, article: Article, body: str, actor: User) -> None:
    """Record that the article uses the attachments its body refers to. Only attachments the
    actor may read themselves are linked: naming another article's file in a body must not
    open it to this article's readers."""
    wanted = referenced_ids(body)
    if not wanted:
        return
    linked = set(session.scalars(select(ArticleAttachment.attachment_id).where(
        ArticleAttachment.article_id == article.id)))
    for attachment in session.scalars(select(Attachment).where(
            Attachment.id.in_(wanted - linked))):
        if _may_read(session, actor, attachment):
            session.add(ArticleAttachment(article_id=article.id, attachment_id=attachment.id))
    session.flush()


def _articles_using(session: Session, attachment_id: int) -> list[Article]:
    return list(session.scalars(select(Article).join(
        ArticleAttachment, ArticleAttachment.article_id == Article.id).where(
        ArticleAttachment.attachment_id == attachment_id)))


def _public(article: Article) -> bool:
    """A live, valid customer article: what the assistant may show a customer."""
    version = article.live_version
    return (version is not None and article.status != ArticleStatus.RETIRED
            and version.audience == Audience.CUSTOMER
            and validity_of(version.valid_from, version.valid_to, today()) is Validity.VALID)


def _may_read(session: Session, user: User | None, attachment: Attachment) -> bool:
    articles = _articles_using(session, attachment.id)
    if any(_public(article) for article in articles):
        return True
    if user is None:
        return False
    if attachment.uploaded_by_id == user.id:
        return True
    on = today()
    return any(
        can_see_working_copy(session, user, article)
        or (article.live_version is not None
            and live_version_visible(user, article.live_version, article, on))
        for article in articles)


def open_attachment(session: Session, *, user: User | None, attachment_id: int) -> StoredFile:
    """The attachment if ``user`` (None: a customer without a login) may read it; otherwise
    404, so that an id says nothing about what exists."""
    attachment = session.get(Attachment, attachment_id)
    if attachment is None or not _may_read(session, user, attachment):
        raise AttachmentNotFound(attachment=attachment_id)
    path = _path_for(attachment.sha256)
    if not path.is_file():
        # The row outlived its bytes (a store restored without them): say so, never a 500.
        raise AttachmentNotFound(attachment=attachment_id)
    inline = is_image(attachment) or attachment.content_type == "application/pdf"
    return StoredFile(attachment=attachment, path=path, inline=inline)
