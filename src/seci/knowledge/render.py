"""Markdown to safe HTML.

markdown-it escapes raw HTML (html=False) and refuses javascript: links; nh3 then keeps
only an allow-list of tags and attributes, so a body can never inject script.
"""

from __future__ import annotations

import re
from functools import lru_cache

import nh3
from markdown_it import MarkdownIt

_ALLOWED_TAGS = {
    "p", "br", "hr", "strong", "em", "del", "s", "code", "pre", "blockquote",
    "ul", "ol", "li", "h1", "h2", "h3", "h4", "h5", "h6",
    "table", "thead", "tbody", "tr", "th", "td", "a", "img", "span",
}
_ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title"},
    "th": {"style"},
    "td": {"style"},
    "ol": {"start"},
}


@lru_cache
def _markdown() -> MarkdownIt:
    return MarkdownIt("commonmark", {"html": False, "linkify": False, "breaks": True}).enable(
        ["table", "strikethrough"]
    )


# Chat transcripts and streams render the same answers over and over.
@lru_cache(maxsize=256)
def render_markdown(text: str) -> str:
    html = _markdown().render(text or "")
    return nh3.clean(
        html,
        tags=_ALLOWED_TAGS,
        attributes=_ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto", "tel"},
        link_rel="noopener noreferrer",
        filter_style_properties={"text-align"},
    )


# Markdown that opens a line: headings, quotes, bullets, list numbers ("1. ", "2) ") and a
# table row's first pipe. Only the markup: the text after it — "300M" in "| 300M | 50元/月 |",
# "2026年" in "2026年7月1日起" — is what agents read and quote.
_LINE_MARKUP = re.compile(r"^\s*(?:#{1,6}\s+|>\s*|[-*+]\s+|\d{1,3}[.)]\s+|\|\s*)*")
# A table's header separator (|---|:---:|) says nothing.
_TABLE_RULE = re.compile(r"^\s*\|?\s*:?-{2,}:?\s*(?:\|\s*:?-{2,}:?\s*)*\|?\s*$")


def plain_snippet(text: str, length: int = 120) -> str:
    """First characters of a body without Markdown punctuation, for lists."""
    stripped = " ".join(
        _LINE_MARKUP.sub("", line) for line in (text or "").splitlines()
        if not _TABLE_RULE.match(line)
    )
    stripped = stripped.replace("**", "").replace("`", "").replace("|", " ")
    stripped = " ".join(stripped.split())
    return stripped if len(stripped) <= length else stripped[: length - 1] + "…"
