"""Knowledge packages: articles with the images and files they use, exported as one .zip and
imported by this or another SECI (references rewritten to the ids kept here)."""

from __future__ import annotations

import io
import json
import zipfile

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from seci.core import http
from seci.knowledge import attachments as files
from seci.knowledge import package as pkg
from seci.knowledge.exporting import ExportFormat, export_articles
from seci.knowledge.importing import import_articles
from seci.knowledge.models import Article, ArticleAttachment, Attachment
from tests.factories import World, bearer, make_article
from tests.knowledge.test_attachments import PNG

LIMIT = 50 * 1024 * 1024


def _row(code: str, body: str, **extra: object) -> dict[str, object]:
    return {"code": code, "title": f"{code} 资费图示", "body": body, "module": "个人业务/资费套餐",
            "queues": ["A"], "audience": "customer"} | extra


def _package(rows: list[dict[str, object]], packed: list[pkg.PackedFile]) -> bytes:
    lines = "\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n"
    return pkg.write_package(lines.encode("utf-8"), packed)


def _import(db: Session, world: World, data: bytes, *, dry_run: bool = False,
            name: str = "知识包.zip") -> dict[str, object]:
    report = import_articles(db, data=data, filename=name, actor=world["manager"],
                             max_bytes=LIMIT, dry_run=dry_run)
    db.commit()
    return report.as_dict()


def _attachments(db: Session) -> int:
    return db.scalar(select(func.count()).select_from(Attachment)) or 0


def _body(db: Session, code: str) -> str:
    article = db.scalar(select(Article).where(Article.code == code))
    assert article is not None
    return article.body


def _linked(db: Session, code: str) -> set[int]:
    article = db.scalar(select(Article).where(Article.code == code))
    assert article is not None
    return set(db.scalars(select(ArticleAttachment.attachment_id).where(
        ArticleAttachment.article_id == article.id)))


def test_a_package_from_another_system_brings_its_images(db: Session, world: World) -> None:
    """Ids there mean nothing here: the file is kept under a new id, the body points at it,
    the article uses it, and a customer may open it (a live customer article)."""
    there = 987_654
    data = _package([_row("PK-1", f"### 资费\n![资费表](/kb/attachments/{there})\n详见上图")],
                    [pkg.PackedFile(there, "资费表-外部.png", "image/png", PNG)])
    report = _import(db, world, data)
    assert report["created"] == 1 and report["files_kept"] == 1
    assert report["format"] == "zip"
    [kept] = db.scalars(select(Attachment).where(Attachment.filename == "资费表-外部.png"))
    assert kept.id != there and kept.uploaded_by_id == world["manager"].id
    assert f"/kb/attachments/{kept.id})" in _body(db, "PK-1")
    assert _linked(db, "PK-1") == {kept.id}
    assert files.open_attachment(db, user=None, attachment_id=kept.id).path.read_bytes() == PNG


def test_export_then_import_changes_nothing(db: Session, world: World) -> None:
    image = files.upload_attachment(db, actor=world["editor"], filename="套餐对比.png", data=PNG)
    make_article(db, world, code="PK-2", audience="customer",
                 body=f"![套餐对比]({files.attachment_url(image)})")
    data = export_articles(db, actor=world["manager"], fmt=ExportFormat.ZIP)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        manifest = json.loads(archive.read(pkg.MANIFEST))
        assert [f["id"] for f in manifest["files"]] == [image.id]
        assert archive.read(f"{pkg.FILES_DIR}{image.id}") == PNG
    before = _attachments(db)
    report = _import(db, world, data)
    assert report["unchanged"] >= 1 and report["created"] == 0 and report["updated"] == 0
    assert _attachments(db) == before  # the same name and bytes: used again
    assert _body(db, "PK-2") == f"![套餐对比](/kb/attachments/{image.id})"


def test_a_reference_the_package_lacks_points_at_no_file(db: Session, world: World) -> None:
    """Left as it was, /kb/attachments/<id> would name whatever file has that id here and
    link it to the imported article for its readers."""
    someone_elses = files.upload_attachment(db, actor=world["editor"], filename="内部.png",
                                            data=PNG + b"x")
    make_article(db, world, code="PK-IN", audience="internal",
                 body=f"![内部]({files.attachment_url(someone_elses)})")
    report = _import(db, world, _package(
        [_row("PK-3", f"![图](/kb/attachments/{someone_elses.id})")], []))
    assert report["files_missing"] == 1 and report["files_kept"] == 0
    assert "/kb/attachments/0)" in _body(db, "PK-3")
    assert _linked(db, "PK-3") == set()


def test_a_dry_run_keeps_no_file(db: Session, world: World) -> None:
    before = _attachments(db)
    data = _package([_row("PK-4", "![图](/kb/attachments/5)")],
                    [pkg.PackedFile(5, "预览.png", "image/png", PNG + b"dry")])
    report = _import(db, world, data, dry_run=True)
    assert report["ok"] and report["created"] == 1 and report["files_kept"] == 1
    assert _attachments(db) == before
    assert db.scalar(select(Article).where(Article.code == "PK-4")) is None


def _zip(entries: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, content in entries.items():
            archive.writestr(name, content)
    return out.getvalue()


ROW = json.dumps(_row("PK-5", "![图](/kb/attachments/7)"), ensure_ascii=False).encode()


@pytest.mark.parametrize(("data", "error"), [
    (b"PK\x03\x04 not really a zip", pkg.NotAPackage),
    (_zip({"readme.txt": b"hello"}), pkg.NotAPackage),
    (_zip({pkg.ARTICLES: ROW, pkg.MANIFEST: b"{not json"}), pkg.BadManifest),
    (_zip({pkg.ARTICLES: ROW, pkg.MANIFEST: b'{"files": [{"id": 7, "path": "../../etc"}]}'}),
     pkg.BadManifest),
    (_zip({pkg.ARTICLES: ROW, pkg.MANIFEST: b'{"files": [{"id": 7, "path": "f/7", '
                                            b'"filename": "x.html"}]}',
           "f/7": b"<html><script>alert(1)</script></html>"}), pkg.PackedFileRefused),
    (_zip({pkg.ARTICLES: ROW, pkg.MANIFEST: b'{"files": [{"id": 7, "path": "f/7", '
                                            b'"filename": "x.png"}]}', "f/7": b""}),
     pkg.PackedFileRefused),
])
def test_a_bad_package_is_refused_and_nothing_is_kept(db: Session, world: World, data: bytes,
                                                      error: type[Exception]) -> None:
    before = _attachments(db)
    with pytest.raises(error):
        _import(db, world, data)
    db.rollback()
    assert _attachments(db) == before
    assert db.scalar(select(Article).where(Article.code == "PK-5")) is None


def test_a_package_that_unpacks_too_far_is_refused_before_it_is_read(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pkg, "MAX_ENTRIES", 2)
    with pytest.raises(pkg.PackageTooLarge):
        pkg.read_package(_zip({pkg.ARTICLES: ROW, "a": b"1", "b": b"2"}))


def test_a_file_over_the_attachment_limit_is_named(db: Session, world: World,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    from seci.core.config import get_settings

    monkeypatch.setattr(get_settings(), "attachment_max_bytes", 16)
    data = _package([_row("PK-6", "![图](/kb/attachments/8)")],
                    [pkg.PackedFile(8, "大图.png", "image/png", PNG)])
    with pytest.raises(pkg.PackedFileTooLarge) as raised:
        _import(db, world, data)
    assert raised.value.params["filename"] == "大图.png"


def test_the_api_exports_and_imports_a_package(client: TestClient, db: Session, world: World,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    image = files.upload_attachment(db, actor=world["editor"], filename="办理流程.png",
                                    data=PNG + b"api")
    make_article(db, world, code="PK-7", audience="customer",
                 body=f"![流程]({files.attachment_url(image)})")
    headers = bearer(db, world, "manager")
    # Larger than what is kept in memory: written to a temporary file, sent from there.
    monkeypatch.setattr(http, "SPOOL_BYTES", 64)
    exported = client.get("/api/v1/export", params={"format": "zip"}, headers=headers)
    assert exported.status_code == 200
    assert int(exported.headers["content-length"]) == len(exported.content) > 64
    assert exported.headers["content-type"] == "application/zip"
    assert 'filename="seci-articles.zip"' in exported.headers["content-disposition"]
    imported = client.post("/api/v1/import", headers=headers,
                           files={"file": ("seci-articles.zip", exported.content)})
    assert imported.status_code == 200, imported.text
    assert imported.json()["files_kept"] == 1 and imported.json()["created"] == 0
    broken = client.post("/api/v1/import", headers=headers,
                         files={"file": ("坏包.zip", b"not a zip at all")})
    assert broken.status_code == 422
    assert broken.json()["code"] == "package_not_a_zip"


def test_the_import_page_takes_a_package_and_says_what_it_kept(client: TestClient,
                                                               db: Session,
                                                               world: World) -> None:
    from tests.conftest import csrf_of
    from tests.factories import web_login

    web_login(client, "manager")
    page = client.get("/kb/import")
    assert 'href="/kb/export?format=zip"' in page.text and ".zip" in page.text
    data = _package([_row("PK-8", "![图](/kb/attachments/3)\n![图](/kb/attachments/4)")],
                    [pkg.PackedFile(3, "网页导入.png", "image/png", PNG + b"web")])
    response = client.post("/kb/import", data={"csrf_token": csrf_of(page.text)},
                           files={"file": ("知识包.zip", data, "application/zip")})
    assert response.status_code == 200, response.text
    assert 'id="report-files"' in response.text
    assert "图片和附件：保存 1 个。" in response.text and "1 个在正文中引用" in response.text
    exported = client.get("/kb/export", params={"format": "zip"})
    assert exported.status_code == 200 and exported.content[:2] == b"PK"


def test_a_jsonl_import_links_only_files_the_importer_may_read(db: Session,
                                                               world: World) -> None:
    """A spreadsheet or JSONL round trip within one system keeps its images readable; naming
    a file the importer may not read (an editor's unsaved upload) opens it to no one."""
    public = files.upload_attachment(db, actor=world["editor"], filename="公开.png",
                                     data=PNG + b"public")
    make_article(db, world, code="PK-PUB", audience="customer",
                 body=f"![公开]({files.attachment_url(public)})")
    private = files.upload_attachment(db, actor=world["editor"], filename="草稿.png",
                                      data=PNG + b"private")
    rows = [_row("PK-9", f"![a](/kb/attachments/{public.id})\n![b](/kb/attachments/{private.id})")]
    lines = "\n".join(json.dumps(r, ensure_ascii=False) for r in rows).encode("utf-8")
    report = _import(db, world, lines, name="知识.jsonl")
    assert report["created"] == 1 and report["files_kept"] == 0
    assert _linked(db, "PK-9") == {public.id}
    with pytest.raises(files.AttachmentNotFound):
        files.open_attachment(db, user=world["agent"], attachment_id=private.id)
