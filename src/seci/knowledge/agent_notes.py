"""Agent-only parts of an article (坐席提示): what agents read and customers never do.

Hotline knowledge is written for the phone: a customer article holds the answer and, in
between, notes for the agent ("请提醒客户…", the phrasing to use, what to record in the
ticket). One rule decides which parts those are (docs/import-format.md, "Agent-only
parts"); the article page and the editor's preview mark them, and everything a customer
gets (the assistant's answers, an agent's inserted answer, search as a customer) leaves
them out.

A part is agent-only when it is

1. **a section for agents**: a Markdown heading containing 话术, 坐席, 内部, 工单 or 系统操作
   (``### 话术参考``, ``## 坐席提示``) and everything under it, up to the next heading of
   the same or a higher level;
2. **marked**: a line opening — after a list bullet, a number or ``>`` — with a marker
   in 【】 or [] naming 坐席, 内部, 话术 or 工单 (【坐席提示】, 【内部】, 【坐席】, 【仅坐席可见】),
   or with such a word and a colon (``坐席提示：``, ``内部：``); the lines indented under it
   belong to it. A marker alone on its line marks the block below it, up to the next
   blank line or heading;
3. **a line that speaks to the agent about the customer**, marked or not: it tells the
   agent to do something to the customer (提醒客户, 告知客户, 引导客户, 建议客户, 请客户,
   协助客户, 安抚客户, 帮客户; 向客户说明/解释/推荐/确认…, 与客户协商/沟通…) or names the
   agent (坐席, but not 人工坐席, which customers are offered). "系统向客户发送短信" is
   not such a line. Such a line is wrongly worded for a customer even when
   its content is harmless; editors see it marked and may reword it ("请您…").
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from html import escape

from seci.knowledge.render import render_markdown

# Words that make a heading or a marker agent-only.
AGENT_ONLY_HEADINGS = ("话术", "坐席", "内部", "工单", "系统操作")
_MARKER_WORDS = "坐席|内部|话术|工单|员工|系统操作"

_HEADING = re.compile(r"^\s{0,3}(#{1,6})\s*(.+?)\s*#*\s*$")
# List bullets, numbers, quote marks and bold before a marker.
_LEAD = r"^(?P<indent>\s*)(?:[-*+]\s+|\d{1,3}[.)]\s+|\d{1,3}、\s*|>\s*)*(?:\*\*|__)?\s*"
_MARKER = re.compile(
    _LEAD
    + r"(?:[【\[［]\s*[^】\]］\n]{0,12}?(?:" + _MARKER_WORDS + r")[^】\]］\n]{0,12}?\s*[】\]］]"
    + r"|(?:" + _MARKER_WORDS + r")[\u4e00-\u9fff]{0,4}\s*[:：])"
    + r"(?:\*\*|__)?(?P<rest>.*)$"
)
_TO_THE_AGENT = re.compile(
    r"(?:提醒|告知|告诉|引导|建议|请|协助|安抚|帮|劝导|指导)客户(?!经理|端|服务中心)"
    r"|(?:向|与|跟|和)[\u4e00-\u9fff]{0,3}?客户(?:说明|解释|致歉|道歉|推荐|介绍|确认|核实|核对|询问|索要|"
    r"说|讲|表示|协商|沟通|约定)"
    r"|(?<!人工)坐席"
)


@dataclass(frozen=True)
class Part:
    """A run of lines of the body, all for customers or all for agents only."""

    text: str
    agent_only: bool


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" \t"))


def _line_flags(lines: list[str]) -> list[bool]:
    """Per line: agent-only or not (rules 1–3 of the module docstring)."""
    flags = [False] * len(lines)
    section_level = 0  # inside an agent-only section opened by a heading of this level
    block = False  # inside the block of a marker that stood alone on its line
    marked_indent: int | None = None  # lines indented deeper belong to the marked line
    for index, line in enumerate(lines):
        heading = _HEADING.match(line)
        if heading:
            level = len(heading.group(1))
            block, marked_indent = False, None
            if section_level and level > section_level:
                flags[index] = True
                continue
            section_level = level if any(word in heading.group(2)
                                         for word in AGENT_ONLY_HEADINGS) else 0
            flags[index] = bool(section_level)
            continue
        if section_level:
            flags[index] = True
            continue
        if not line.strip():
            block, marked_indent = False, None
            continue
        if block:
            flags[index] = True
            continue
        if marked_indent is not None and _indent(line) > marked_indent:
            flags[index] = True
            continue
        marked_indent = None
        marker = _MARKER.match(line)
        if marker:
            flags[index] = True
            if marker.group("rest").strip(" *_"):
                marked_indent = len(marker.group("indent"))
            else:
                block = True
            continue
        if _TO_THE_AGENT.search(line):
            flags[index] = True
            marked_indent = _indent(line)
    return flags


def split_parts(body: str) -> list[Part]:
    """The body as consecutive runs of customer and agent-only lines."""
    lines = (body or "").splitlines()
    flags = _line_flags(lines)
    parts: list[Part] = []
    start = 0
    for index in range(1, len(lines) + 1):
        if index == len(lines) or flags[index] != flags[start]:
            parts.append(Part("\n".join(lines[start:index]), flags[start]))
            start = index
    return [p for p in parts if p.text.strip()]


def has_agent_notes(body: str) -> bool:
    return any(flag for flag in _line_flags((body or "").splitlines()))


def _without_empty_headings(lines: list[str]) -> list[str]:
    """Headings whose whole section went to agents are left out too."""
    kept: list[str] = []
    # Bottom-up: a heading stays when something other than a heading of its level or a
    # higher one follows it before the end.
    next_level: int | None = None  # level of the next kept non-blank line if a heading
    has_following = False
    for line in reversed(lines):
        heading = _HEADING.match(line)
        if heading:
            level = len(heading.group(1))
            if not has_following or (next_level is not None and next_level <= level):
                continue
            next_level = level
            kept.append(line)
            continue
        if line.strip():
            next_level = None
            has_following = True
        kept.append(line)
    return list(reversed(kept))


def customer_text(body: str) -> str:
    """The body without its agent-only parts: what a customer may read."""
    lines = (body or "").splitlines()
    flags = _line_flags(lines)
    kept = _without_empty_headings([line for line, flag in zip(lines, flags, strict=True)
                                    if not flag])
    text = "\n".join(kept).strip()
    return re.sub(r"\n{3,}", "\n\n", text)


def render_marked(body: str, label: str) -> str:
    """The body as HTML for agents, agent-only parts in a marked block headed ``label``.

    Each part is rendered (and sanitised) on its own; the wrapper is SECI's own markup."""
    html = []
    for part in split_parts(body):
        rendered = render_markdown(part.text)
        if part.agent_only:
            html.append(f'<div class="agent-only"><p class="agent-only-label">'
                        f"{escape(label)}</p>{rendered}</div>")
        else:
            html.append(rendered)
    return "".join(html)
