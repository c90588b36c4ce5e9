"""Every user-facing string goes through the catalog, and the catalog is complete."""

from __future__ import annotations

import ast
import re
from enum import StrEnum
from html.parser import HTMLParser
from pathlib import Path
from typing import ClassVar

import pytest
import typer.main
from babel.messages.extract import extract_from_dir
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from seci.cli import app as cli_app
from seci.cli_locale import help_messages
from seci.core.i18n import catalog
from seci.core.messages import LABELS
from seci.knowledge import articles as kb
from tests.factories import World, make_article, revise, web_login

ROOT = Path(__file__).resolve().parents[1]
SOURCE = ROOT / "src" / "seci"
METHOD_MAP = [("**.py", "python"), ("web/templates/**.html", "jinja2")]
OPTIONS = {"web/templates/**.html": {"extensions": "jinja2.ext.i18n"}}
KEYWORDS = {"_": None, "gettext": None, "N_": None, "ngettext": (1, 2)}
PLACEHOLDER = re.compile(r"\{(\w+)\}")
CJK = re.compile(r"[\u4e00-\u9fff]")


def _source_messages() -> set[str]:
    found: set[str] = set()
    for _file, _line, message, _comments, _context in extract_from_dir(
            str(SOURCE), METHOD_MAP, options_map=OPTIONS, keywords=KEYWORDS):
        for text in message if isinstance(message, tuple) else (message,):
            if text:
                found.add(text)
    # The command line's help: docstrings and help=, translated by seci.cli_locale.
    return found | help_messages(typer.main.get_command(cli_app))


@pytest.fixture(scope="module")
def zh() -> dict[str, str]:
    return catalog("zh_CN")


def test_every_source_message_has_a_chinese_translation(zh: dict[str, str]) -> None:
    missing = sorted(m for m in _source_messages() if m not in zh)
    assert missing == [], "run scripts/i18n-update and translate: " + "; ".join(missing[:20])


def test_translations_keep_their_placeholders(zh: dict[str, str]) -> None:
    wrong = [msgid for msgid, text in zh.items()
             if set(PLACEHOLDER.findall(msgid)) != set(PLACEHOLDER.findall(text))]
    assert wrong == []


def test_templates_hold_no_untranslated_chinese() -> None:
    """Chinese belongs in the catalog; a template may only carry it inside _( … )."""
    offenders = []
    for template in (SOURCE / "web" / "templates").rglob("*.html"):
        text = re.sub(r"_\(\s*(['\"]).*?\1", "", template.read_text(encoding="utf-8"),
                      flags=re.S)
        text = text.replace("　", "")  # the full-width indent space of the module picker
        if CJK.search(text):
            offenders.append(template.name)
    assert offenders == []


# --- values and codes, not only template strings -----------------------------------------

CODE_LIKE = re.compile(r"^[a-z][a-z0-9]*(?:[._][a-z0-9]+)+$")
WORD = re.compile(r"^[a-z][a-z0-9_]*$")


def _audited_codes() -> tuple[set[str], set[str]]:
    """Every audit action and object type the source records (seci.audit.service.record's
    keywords), constant or one of the spelled-out families written with a variable."""
    actions: set[str] = set()
    entities: set[str] = set()
    for path in SOURCE.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            keywords = {k.arg: k.value for k in node.keywords}
            if "action" in keywords and "entity_type" in keywords:
                for key, found, shape in (("action", actions, CODE_LIKE),
                                          ("entity_type", entities, WORD)):
                    for value in ast.walk(keywords[key]):
                        if isinstance(value, ast.Constant) and isinstance(value.value, str) \
                                and shape.match(value.value):
                            found.add(value.value)
            if keywords.get("audit_action") is not None:
                value = keywords["audit_action"]
                if isinstance(value, ast.Constant) and isinstance(value.value, str):
                    actions.add(value.value)
    # Written with a variable: f"contribution.{status}", f"qa.appeal_{decision}", …
    from seci.quality.models import AppealDecision
    from seci.tacit.models import Status

    actions |= {f"contribution.{s}" for s in Status}
    actions |= {f"qa.appeal_{d}" for d in AppealDecision}
    actions |= {"user.role_change", "user.update"}
    return actions, entities


def _code_sets() -> list[tuple[str, dict[str, str], set[str]]]:
    """(kind, its word list, every code of that kind a page may show)."""
    from seci.accounts.roles import Role
    from seci.assistant import models as assistant
    from seci.jobs.models import JobStatus
    from seci.knowledge.models import (
        ArticleStatus,
        Audience,
        FeedbackKind,
        FeedbackStatus,
        Validity,
    )
    from seci.linkage.chain import PostStatus
    from seci.linkage.models import Post
    from seci.quality.models import AppealDecision, ScoreStatus
    from seci.roster.models import Stage
    from seci.stats.funnel import FunnelPosition
    from seci.suggestions.models import Department, SuggestionStatus
    from seci.tacit import models as tacit
    from seci.web.pages.quality import QA_LABELS

    def codes(enum: type[StrEnum]) -> set[str]:
        return {str(member) for member in enum}

    actions, entities = _audited_codes()
    reasons = set(LABELS["tacit_reason_note"])
    return [
        ("audience", LABELS["audience"], codes(Audience)),
        ("status", LABELS["status"], codes(ArticleStatus) | codes(assistant.Status)),
        ("role", LABELS["role"], codes(Role)),
        ("validity", LABELS["validity"], codes(Validity)),
        ("feedback_kind", LABELS["feedback_kind"], codes(FeedbackKind)),
        ("feedback_status", LABELS["feedback_status"], codes(FeedbackStatus)),
        ("conversation_status", LABELS["conversation_status"], codes(assistant.Status)),
        ("handoff_reason", LABELS["handoff_reason"], codes(assistant.HandoffReason)),
        ("rule_kind", LABELS["rule_kind"], codes(assistant.RuleKind)),
        ("tacit_status", LABELS["tacit_status"], codes(tacit.Status)),
        ("tacit_step", LABELS["tacit_step"], codes(tacit.Step)),
        ("tacit_kind", LABELS["tacit_kind"], codes(tacit.Kind)),
        ("tacit_category", LABELS["tacit_category"], codes(tacit.Category)),
        ("tacit_source", LABELS["tacit_source"], codes(tacit.Source)),
        ("tacit_evaluation", LABELS["tacit_evaluation"], codes(tacit.EvaluationStatus)),
        ("tacit_verdict", LABELS["tacit_verdict"], codes(tacit.Verdict)),
        ("tacit_honour", LABELS["tacit_honour"], codes(tacit.HonourKind)),
        ("tacit_issue", LABELS["tacit_issue"], codes(tacit.IssueStatus)),
        ("tacit_reason", LABELS["tacit_reason"], reasons),
        ("suggestion_status", LABELS["suggestion_status"], codes(SuggestionStatus)),
        ("department", LABELS["department"], codes(Department)),
        ("stage", LABELS["stage"], codes(Stage)),
        ("job_status", LABELS["job_status"], codes(JobStatus)),
        ("post", LABELS["post"], codes(Post)),
        ("post_status", LABELS["post_status"], codes(PostStatus)),
        ("funnel_position", LABELS["funnel_position"], codes(FunnelPosition)),
        ("qa status", QA_LABELS["status"], codes(ScoreStatus)),
        ("qa decision", QA_LABELS["decision"], codes(AppealDecision)),
        ("audit_action", LABELS["audit_action"], actions),
        ("audit_entity", LABELS["audit_entity"], entities),
    ]


def test_the_audit_scan_finds_the_codes_it_must() -> None:
    actions, entities = _audited_codes()
    assert {"article.approve", "points.award", "qa.appeal_upheld", "module.archive",
            "contribution.follow_up", "evaluation.figures"} <= actions
    assert {"article", "user", "contribution", "point_rule"} <= entities


def test_every_code_a_page_shows_has_a_word_in_both_languages(zh: dict[str, str]) -> None:
    """Audiences, statuses, roles, reasons, audit actions …: each code has its English
    word (not the code again) and that word its Chinese translation."""
    problems = []
    for kind, words, codes in _code_sets():
        for code in sorted(codes):
            english = words.get(code)
            if english is None:
                problems.append(f"{kind}: no word for {code!r}")
            elif CODE_LIKE.match(english):
                problems.append(f"{kind}: the word for {code!r} is a code")
            elif not CJK.search(zh.get(english, "")):
                problems.append(f"{kind}: {english!r} ({code}) has no Chinese translation")
    assert problems == []


# Identifier-like tokens in what a reader sees: snake_case or dotted codes.
TOKEN = re.compile(r"(?<![\w./@-])([a-z][a-z0-9]*(?:[._][a-z0-9]+)+)(?![\w/@-])")
WORDS = re.compile(r"(?<![\w./@-])([a-z][a-z0-9_]*)(?![\w/@-]|\.\w)")
FILE_NAME = re.compile(r"\.(jsonl|csv|xlsx|json|txt|ndjson|tar\.gz)$")


def _file_columns() -> set[str]:
    """The header names import files are written with (the import pages list them)."""
    from seci.calls.columns import CALL_COLUMNS, TRANSCRIPT_COLUMNS
    from seci.knowledge.tabular import COLUMNS
    from seci.roster.importing import ROSTER_COLUMNS

    return {*COLUMNS, *CALL_COLUMNS.names, *TRANSCRIPT_COLUMNS.names, *ROSTER_COLUMNS.names}


class VisibleText(HTMLParser):
    """Text a reader sees (and placeholders, titles, labels); not scripts, not the inside
    of elements marked translate="no" (identifiers such as a situation's key, the audit
    entry's recorded data)."""

    HIDDEN: ClassVar[frozenset[str]] = frozenset({"script", "style", "template"})
    VOID: ClassVar[frozenset[str]] = frozenset({
        "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
        "track", "wbr"})

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[bool] = []
        self.parts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        hidden = (tag in self.HIDDEN or values.get("translate") == "no"
                  or any(self.stack))
        if not hidden:
            self.parts += [v for k, v in attrs
                           if k in {"placeholder", "title", "aria-label"} and v]
        if tag not in self.VOID:
            self.stack.append(hidden)

    def handle_endtag(self, tag: str) -> None:
        if tag not in self.VOID and self.stack:
            self.stack.pop()

    def handle_data(self, data: str) -> None:
        if not any(self.stack):
            self.parts.append(data)


def developer_text(html: str, allowed: set[str], codes: frozenset[str] = frozenset()
                   ) -> set[str]:
    """Code-like tokens in the visible text, and bare words that are one of ``codes``
    (an enum's value such as ``customer`` or ``in_review``, shown instead of its word)."""
    parser = VisibleText()
    parser.feed(html)
    found = set()
    for part in parser.parts:
        found |= {t for t in TOKEN.findall(part) if not FILE_NAME.search(t)}
        found |= {w for w in WORDS.findall(part) if w in codes}
    return found - allowed


def _shown_codes() -> frozenset[str]:
    """The lowercase values of the code sets above (customer, internal, draft …)."""
    return frozenset(code for _kind, _words, codes in _code_sets() for code in codes
                     if WORD.match(code))


def test_the_page_scan_sees_codes_and_skips_marked_identifiers() -> None:
    html = ('<p>审核 <code>article.approve</code></p><td>contribution_submitted +5</td>'
            '<script>var a_b = 1;</script><code translate="no">plan.effective</code>'
            '<span>calls.jsonl seci.example@mail.com</span><input placeholder="new_code">')
    assert developer_text(html, set()) == {"article.approve", "contribution_submitted",
                                           "new_code"}
    assert developer_text("<td>客户 customer</td><p>hello</p>", set(),
                          frozenset({"customer"})) == {"customer"}


def test_key_pages_show_no_developer_text_in_chinese(client: TestClient, db: Session) -> None:
    """The demo hotline's pages, as each role sees them in zh_CN: no snake_case or dotted
    code in the visible text (audit actions, point reasons, audiences …)."""
    from seci.demo.loader import DEMO_PASSWORD, load_demo
    from seci.knowledge.models import Article

    load_demo(db)
    db.commit()
    articles = db.scalars(select(Article).order_by(Article.id).limit(4)).all()
    pages = {
        "agent": ["/", "/kb", "/kb/new", "/kb/feedback", "/account", "/tacit",
                  "/tacit/leaderboard", "/tacit/points", "/tacit/honours", "/suggestions",
                  "/inbox", "/notices", "/qa/mine", "/calls/me", "/competency/me", "/chat",
                  *(f"/kb/articles/{a.id}" for a in articles)],
        "reviewer": ["/kb/review", "/audit", "/qa", "/qa/appeals", "/qa/scores",
                     "/qa/scorecards", *(f"/kb/articles/{a.id}/diff" for a in articles)],
        "manager": ["/", "/audit", "/audit?page=2", "/tacit/points", "/suggestions/stats",
                    "/suggestions/inbox", "/kb/import", "/kb/modules", "/kb/coverage",
                    "/kb/gaps", "/kb/situations", "/kb/synonyms", "/tacit",
                    "/assistant/rules", "/assistant/hours", "/mining", "/notices",
                    "/competency", "/competency/certification", "/competency/stages"],
        "analyst": ["/calls", "/calls/dashboard", "/calls/team", "/calls/list",
                    "/calls/import", "/calls/thresholds", "/calls/report"],
        "admin": ["/admin/users", "/admin/queues", "/audit"],
        "supervisor": ["/", "/calls/team", "/competency", "/assistant/inbox",
                       "/assistant/callbacks", "/competency/certification",
                       "/competency/stages"],
        "editor": ["/", "/kb/drafts", "/kb/expiring"],
    }
    for article in articles:  # the review page of a pending revision shows the diff
        if article.status == "in_review":
            pages["reviewer"].append(f"/kb/articles/{article.id}/draft")
    allowed = _file_columns()
    codes = _shown_codes()
    # Words a page legitimately shows as they are: the audience values an import file
    # holds (customer, internal), and the lexicon's English terms (callback, promotion).
    allowed_on = {"/kb/import": {"customer", "internal"}, "/kb/synonyms": codes}
    found: dict[str, set[str]] = {}
    for username, urls in pages.items():
        client.cookies.clear()
        login = client.post("/login", data={"username": username, "password": DEMO_PASSWORD,
                                            "next": "/"}, follow_redirects=False)
        assert login.status_code == 303
        for url in urls:
            page = client.get(url)
            assert page.status_code == 200, (username, url)
            for token in developer_text(page.text, allowed | allowed_on.get(url, set()),
                                        codes):
                found.setdefault(token, set()).add(f"{username} {url}")
    assert found == {}


def test_the_diff_and_review_pages_show_the_audience_in_words(client: TestClient, db: Session,
                                                            world: World) -> None:
    """"customer" → "internal" reads 客户可见 → 仅内部 (compared whole, not letter by letter),
    on the version comparison and on the reviewer's view of a pending revision."""
    article = make_article(db, world, audience="customer")
    revise(db, world, article, audience="internal")
    revise(db, world, article, reviewer=None, audience="customer", title="国际漫游开通说明（新）")
    kb.submit_article(db, article_id=article.id, actor=world["editor"])
    db.commit()
    web_login(client, "reviewer")
    for url in (f"/kb/articles/{article.id}/diff?a=1&b=2", f"/kb/articles/{article.id}/draft"):
        page = client.get(url)
        assert page.status_code == 200, url
        assert "<del>客户可见</del>" in page.text or "<del>仅内部</del>" in page.text, url
        assert developer_text(page.text, set(), frozenset({"customer", "internal"})) == set()
