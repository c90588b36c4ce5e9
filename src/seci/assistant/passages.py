"""What of an article answers a customer's question: its customer answer (答复口径) when it
has one, otherwise the section(s) of its customer text that match the question — not the
whole article. The customer may then ask for the full text ("查看完整内容").

Sections are the article's Markdown sections at its top heading level (text before the
first heading is a section of its own). Each is scored against the question:

- the aspects asked about (多少钱 → a 资费/价格 section, 怎么开通 → 办理渠道/流程, 多久 →
  时间/时限 …) named in the heading;
- the other words of the question (search tokens, synonyms applied) found in the
  section, each weighted by how few sections hold it (a word every section has decides
  little), twice in the heading; words of the title count only in a heading.

The best section is sent, with the next best when it scores nearly as well (a question
about two aspects); when nothing in the question singles out a section, the first one (the
overview, 业务说明) is sent.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from seci.retrieval.text import Analyzer

_HEADING = re.compile(r"^\s{0,3}(#{1,6})\s*(.+?)\s*#*\s*$")
# An aspect the question asks about → words of the headings that answer it.
_ASPECTS: tuple[tuple[re.Pattern[str], tuple[str, ...]], ...] = (
    (re.compile(r"多少钱|几块|几元|收费|收钱|费用|资费|价格|价钱|贵|便宜|月租|扣费|怎么算|计费|优惠"),
     ("资费", "价格", "费用", "收费", "标准", "月租", "计费", "价", "活动内容", "优惠")),
    (re.compile(r"怎么办|咋办|(怎么|咋|如何)(开|弄|订|退|取消|关|申请|操作|用|办|买)|办理|开通|"
                r"订购|申请|取消|退订|关闭|在哪|哪里|渠道|去哪|流程|步骤|手续"),
     ("办理", "渠道", "流程", "方式", "步骤", "开通", "退订", "取消", "申请", "操作")),
    (re.compile(r"查|查询|看一下|看看"), ("查询", "渠道")),
    (re.compile(r"条件|能不能|能否|可以吗|可不可以|资格|要求|需要什么|带什么|材料|证件"),
     ("条件", "要求", "资格", "材料", "所需")),
    (re.compile(r"多久|多长时间|什么时候|几天|几号|到账|生效|期限|有效期|时间|时限"),
     ("时间", "时限", "到账", "生效", "期限", "有效期", "时效")),
    (re.compile(r"坏了|故障|不能用|用不了|上不了|没信号|断网|连不上|网速慢|卡|打不通|报修"),
     ("故障", "排查", "报修", "处理")),
    (re.compile(r"注意|限制|风险|影响"), ("注意",)),
)
# What naming the aspect in a heading adds (a rare word of the question weighs about 1–2).
ASPECT_WEIGHT = 0.8
# A runner-up section is sent too when it scores at least this share of the best.
SECOND_SECTION_RATIO = 0.8
MAX_SECTIONS = 2


@dataclass(frozen=True)
class Section:
    heading: str  # without the #s; "" for the text before the first heading
    text: str  # the section's Markdown, heading line included


@dataclass(frozen=True)
class Passage:
    text: str
    partial: bool  # more of the article's customer text is available
    from_answer: bool = False  # the article's customer answer (答复口径)


def sections(text: str) -> list[Section]:
    """The Markdown split at its top heading level (sub-sections stay with their parent)."""
    lines = (text or "").splitlines()
    levels = [len(m.group(1)) for line in lines if (m := _HEADING.match(line))]
    if not levels:
        return [Section("", text.strip())] if text.strip() else []
    top = min(levels)
    found: list[Section] = []
    heading, current = "", list[str]()
    for line in lines:
        match = _HEADING.match(line)
        if match and len(match.group(1)) == top:
            if "\n".join(current).strip():
                found.append(Section(heading, "\n".join(current).strip()))
            heading, current = match.group(2), [line]
        else:
            current.append(line)
    if "\n".join(current).strip():
        found.append(Section(heading, "\n".join(current).strip()))
    return found


def _aspects(question: str) -> tuple[str, list[tuple[str, ...]]]:
    """The question without its aspect words ("国际漫游怎么开通" → "国际漫游"), and the
    heading words of each aspect it asks about."""
    asked: list[tuple[str, ...]] = []
    rest = question
    for pattern, heading_words in _ASPECTS:
        if pattern.search(rest):
            asked.append(heading_words)
            rest = pattern.sub(" ", rest)
    return rest, asked


def _scores(parts: list[Section], question: str, analyzer: Analyzer,
            title: str) -> list[float]:
    # The aspect words say what is asked about a subject ("怎么开通"); a section that
    # merely mentions them ("默认开通") does not answer it: they count in headings only
    # (as every word does: "到账" → 到账时间).
    rest, aspects = _aspects(question)
    # Words of the title are what the whole article is about: they single out a section
    # only in its heading (a title may name two subjects: 缴费充值与电子发票).
    title_tokens = set(analyzer.tokens(title))
    every_word = list(dict.fromkeys(analyzer.tokens(question)))
    content_words = set(analyzer.tokens(rest))
    held = [set(analyzer.tokens(p.text)) for p in parts]
    heads = [set(analyzer.tokens(p.heading)) for p in parts]
    scores = []
    for index, part in enumerate(parts):
        score = 0.0
        for token in every_word:
            if token not in held[index]:
                continue
            holders = sum(1 for tokens in held if token in tokens)
            weight = math.log((1 + len(parts)) / holders)
            if token in heads[index]:
                score += 2 * weight
            elif token in content_words and token not in title_tokens:
                score += weight
        score += ASPECT_WEIGHT * sum(1 for words in aspects
                                     if any(word in part.heading for word in words))
        scores.append(score)
    return scores


def best_passage(text: str, question: str, *, analyzer: Analyzer, title: str = ""
                 ) -> Passage:
    """The section(s) of ``text`` (an article's customer text) that answer ``question``."""
    parts = sections(text)
    if len(parts) <= 1:
        return Passage(text.strip(), partial=False)
    scores = _scores(parts, question, analyzer, title)
    best = max(scores)
    if best <= 0:
        return Passage(parts[0].text, partial=True)
    ranked = sorted(range(len(parts)), key=lambda i: (-scores[i], i))
    chosen = [ranked[0]] + [i for i in ranked[1:MAX_SECTIONS]
                            if scores[i] >= best * SECOND_SECTION_RATIO]
    shown = [parts[i].text for i in sorted(chosen)]
    return Passage("\n\n".join(shown), partial=len(chosen) < len(parts))


def answer_for(*, customer_answer: str, body: str, question: str, analyzer: Analyzer,
               title: str = "") -> Passage:
    """What to tell a customer: the customer answer when the article has one, otherwise
    the passage of its customer text (``body``, agent-only parts already cut) that answers
    the question."""
    if customer_answer.strip():
        return Passage(customer_answer.strip(), partial=bool(body.strip()), from_answer=True)
    return best_passage(body, question, analyzer=analyzer, title=title)
