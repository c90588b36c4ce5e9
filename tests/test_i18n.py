"""Every user-facing string goes through the catalog, and the catalog is complete."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir

from seci.core.i18n import catalog

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
    return found


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
