"""Images and files in articles: what is accepted, where the bytes go, and who may read them
(the uploader; readers of an article that uses them; anyone for a live customer article)."""

from __future__ import annotations

import base64
import io
import zipfile
from datetime import date

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from seci.core.config import get_settings
from seci.core.errors import PermissionDenied
from seci.knowledge import articles as kb
from seci.knowledge import attachments as files
from seci.knowledge.models import ArticleAttachment, Attachment
from tests.factories import World, bearer, fields, make_article, revise

PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAQAAAADCAIAAAA7ljmRAAAAFklEQVR4nGP4z8DAwMDAxMDAwMDAAAANHQEDasKb"
    "6QAAAABJRU5ErkJggg==")
SVG = b"<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>"


def _xlsx() -> bytes:
    """The smallest zip Office would call a workbook (what the type check reads)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as book:
        book.writestr("[Content_Types].xml", "<Types/>")
        book.writestr("xl/workbook.xml", "<workbook/>")
    return out.getvalue()


def _upload(db: Session, world: World, name: str = "截图.png", data: bytes = PNG,
            who: str = "editor") -> Attachment:
    return files.upload_attachment(db, actor=world[who], filename=name, data=data)


# --- what is accepted ------------------------------------------------------------------


@pytest.mark.parametrize(("name", "data", "expected"), [
    ("截图.png", PNG, "image/png"),
    ("价目表.xlsx", _xlsx(), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    ("话术.pdf", b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\n", "application/pdf"),
    ("资费.csv", "套餐,月费\n300M,50\n".encode("gb18030"), "text/csv"),
    ("说明.txt", "携号转网须在网满120天".encode(), "text/plain"),
    ("named-wrong.jpg", PNG, "image/png"),  # the content decides, not the name
])
def test_the_type_is_read_from_the_content(name: str, data: bytes, expected: str) -> None:
    assert files.sniff_type(data, name) == expected


@pytest.mark.parametrize(("name", "data"), [
    ("logo.svg", SVG),             # script on SECI's origin
    ("logo.png", SVG),             # … under an image's name
    ("page.html", b"<html><script>1</script></html>"),
    ("tool.exe", b"MZ\x90\x00\x03" + b"\x00" * 64),
    ("notes.txt", b"\x00\x01binary\x00"),  # text files must be text
    ("archive.zip", b"PK\x03\x04" + b"\x00" * 40),
])
def test_what_could_run_or_is_not_a_document_is_refused(name: str, data: bytes) -> None:
    with pytest.raises(files.AttachmentTypeRefused):
        files.sniff_type(data, name)


def test_a_file_over_the_limit_is_refused_before_it_is_kept(
        db: Session, world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(get_settings(), "attachment_max_bytes", len(PNG) - 1)
    with pytest.raises(files.AttachmentTooLarge):
        _upload(db, world)
    assert db.scalar(select(Attachment.id)) is None


def test_an_empty_file_is_refused(db: Session, world: World) -> None:
    with pytest.raises(files.AttachmentEmpty):
        _upload(db, world, data=b"")


def test_only_those_who_write_articles_may_upload(db: Session, world: World) -> None:
    with pytest.raises(PermissionDenied):
        _upload(db, world, who="agent")


@pytest.mark.parametrize(("given", "kept"), [
    ("C:\\Users\\李\\Desktop\\资费表.xlsx", "资费表.xlsx"),
    ("../../etc/passwd", "passwd"),
    ("a\x00b\u202e.png", "ab.png"),
    ("", "file"),
])
def test_the_name_loses_directories_and_control_characters(given: str, kept: str) -> None:
    assert files.clean_filename(given) == kept


def test_the_bytes_are_kept_once_under_their_hash(db: Session, world: World) -> None:
    first, second = _upload(db, world, "a.png"), _upload(db, world, "b.png")
    assert first.id != second.id and first.sha256 == second.sha256
    stored = files.store_dir() / first.sha256[:2] / first.sha256
    assert stored.read_bytes() == PNG
    assert files.markdown_for(first) == f"![a.png](/kb/attachments/{first.id})"
    sheet = _upload(db, world, "价目表[2026].xlsx", _xlsx())
    assert files.markdown_for(sheet) == f"[价目表(2026).xlsx](/kb/attachments/{sheet.id})"


# --- who may read ----------------------------------------------------------------------


def _readable(db: Session, user: object, attachment: Attachment) -> bool:
    try:
        files.open_attachment(db, user=user, attachment_id=attachment.id)  # type: ignore[arg-type]
    except files.AttachmentNotFound:
        return False
    return True


def test_before_an_article_uses_it_only_its_uploader_reads_it(db: Session,
                                                              world: World) -> None:
    image = _upload(db, world)
    assert _readable(db, world["editor"], image)
    assert not _readable(db, world["agent"], image)
    assert not _readable(db, world["reviewer"], image)
    assert not _readable(db, None, image)


def test_readers_of_the_article_read_it_and_an_internal_one_stays_inside(
        db: Session, world: World) -> None:
    image = _upload(db, world)
    body = f"### 截图\n![截图]({files.attachment_url(image)})"
    make_article(db, world, code="AT-1", body=body, audience="internal")
    assert _readable(db, world["agent"], image)  # an agent of queue A reads the article
    assert not _readable(db, world["agent_data"], image)  # 数据专席 does not
    assert not _readable(db, None, image)  # internal: never to a customer


def test_a_live_customer_article_shows_its_images_to_customers(db: Session,
                                                              world: World) -> None:
    image = _upload(db, world)
    article = make_article(db, world, code="AT-2", audience="customer",
                           body=f"![示意图](/kb/attachments/{image.id})")
    assert _readable(db, None, image)
    revise(db, world, article, valid_to=date(2020, 1, 1))  # expired: no longer public
    assert not _readable(db, None, image)


def test_a_draft_shows_its_images_to_its_writers_and_reviewers_only(
        db: Session, world: World) -> None:
    image = _upload(db, world)
    kb.create_article(db, fields=fields(world, body=f"![图](/kb/attachments/{image.id})"),
                      actor=world["editor"], code="AT-3")
    assert _readable(db, world["reviewer"], image)
    assert not _readable(db, world["agent"], image)
    assert not _readable(db, None, image)


def test_naming_someone_elses_file_in_a_body_does_not_open_it(db: Session,
                                                              world: World) -> None:
    private = _upload(db, world, who="manager")  # not used by any article yet
    article = make_article(db, world, code="AT-4", audience="customer",
                           body=f"![偷看](/kb/attachments/{private.id})")
    assert db.scalar(select(ArticleAttachment).where(
        ArticleAttachment.article_id == article.id)) is None
    assert not _readable(db, None, private)
    assert not _readable(db, world["agent"], private)


def test_a_later_version_without_the_image_keeps_it_for_the_old_one(db: Session,
                                                                   world: World) -> None:
    image = _upload(db, world)
    article = make_article(db, world, code="AT-5", audience="internal",
                           body=f"![图](/kb/attachments/{image.id})")
    revise(db, world, article, body="### 新版\n不再用图。")
    assert _readable(db, world["agent"], image)


def test_bytes_missing_from_the_store_are_a_404_not_a_500(db: Session, world: World) -> None:
    image = _upload(db, world, data=PNG + b"unique")
    (files.store_dir() / image.sha256[:2] / image.sha256).unlink()
    assert not _readable(db, world["editor"], image)


def test_references_are_found_in_markdown_and_links() -> None:
    body = ("![a](/kb/attachments/3) [b](/kb/attachments/14/价目表.xlsx) "
            "/kb/attachments/15\n/kb/attachments/16x /kb/attachments/")
    assert files.referenced_ids(body) == {3, 14, 15}


# --- through HTTP ----------------------------------------------------------------------


def test_the_api_uploads_and_serves_with_problem_details(client: TestClient, db: Session,
                                                         world: World) -> None:
    editor = bearer(db, world, "editor")
    made = client.post("/api/v1/attachments", headers=editor,
                       files={"file": ("截图.png", PNG, "image/png")})
    assert made.status_code == 201, made.text
    saved = made.json()
    assert saved["is_image"] and saved["markdown"] == f"![截图.png]({saved['url']})"
    got = client.get(f"/api/v1/attachments/{saved['id']}", headers=editor)
    assert got.status_code == 200 and got.content == PNG
    assert got.headers["content-type"] == "image/png"
    assert got.headers["content-disposition"].startswith("inline")
    assert "private" in got.headers["cache-control"]
    page = client.get(saved["url"], headers=editor)
    assert page.status_code == 200 and page.content == PNG

    refused = client.post("/api/v1/attachments", headers=editor,
                          files={"file": ("logo.png", SVG, "image/png")})
    assert refused.status_code == 415
    assert refused.headers["content-type"].startswith("application/problem+json")
    assert refused.json()["code"] == "attachment_type_refused"
    assert "logo.png" in refused.json()["detail"]

    other = client.get(f"/api/v1/attachments/{saved['id']}", headers=bearer(db, world, "agent"))
    assert other.status_code == 404
    assert client.get(f"/kb/attachments/{saved['id']}").status_code == 404
    assert client.get("/kb/attachments/999999").status_code == 404


def test_a_document_downloads_under_its_name(client: TestClient, db: Session,
                                             world: World) -> None:
    editor = bearer(db, world, "editor")
    made = client.post("/api/v1/attachments", headers=editor,
                       files={"file": ("宽带资费表.xlsx", _xlsx(), "application/octet-stream")})
    got = client.get(made.json()["url"], headers=editor)
    disposition = got.headers["content-disposition"]
    assert disposition.startswith("attachment") and "%E5%AE%BD" in disposition


def test_an_upload_over_the_limit_is_a_413(client: TestClient, db: Session, world: World,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(get_settings(), "attachment_max_bytes", 10)
    response = client.post("/api/v1/attachments", headers=bearer(db, world, "editor"),
                           files={"file": ("截图.png", PNG, "image/png")})
    assert response.status_code == 413
    assert response.json()["code"] == "attachment_too_large"
