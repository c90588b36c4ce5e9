"""Questions about another operator's business (issue 15).

A hotline answers for its own operator. "联通那边千兆宽带一年多少钱" shares every word but
the operator's name with the broadband tariff article, and search finds that article with
high confidence: the customer would get our price for their question about a competitor's.
So the assistant recognises a message that names another mainland operator — not to
port a number (携号转网 is our business whatever the operator) — and says it cannot answer
for that operator instead of answering.

Which operator is "ours" is read from the knowledge base: the one whose names its articles
mention, when one clearly dominates (``own_operator``). A knowledge base that names none,
or several alike, turns the rule off: it never guesses.
"""

from __future__ import annotations

import threading
import weakref
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from seci.retrieval.engine import SearchEngine
from seci.retrieval.text import normalize


@dataclass(frozen=True)
class Operator:
    name: str  # as a customer is told it
    hotline: str
    # Words that name the operator and nothing else in a hotline's conversations: bare
    # 移动 / 电信 are left out (移动支付, 电信诈骗, 工信部的电信申诉 are not operators).
    names: tuple[str, ...]


OPERATORS = (
    Operator("中国移动", "10086", ("中国移动", "移动公司", "移动营业厅", "移动的卡", "移动卡",
                                 "移动宽带", "10086")),
    Operator("中国联通", "10010", ("中国联通", "联通", "10010", "王卡")),
    Operator("中国电信", "10000", ("中国电信", "电信公司", "电信营业厅", "电信的卡", "电信卡",
                                 "电信宽带", "电信那边", "电信的宽带", "电信的套餐", "天翼",
                                 "翼支付")),
    Operator("中国广电", "10099", ("中国广电", "广电卡", "广电的卡", "广电5g", "广电手机卡",
                                 "广电号")),
)
# A customer porting a number names the other operator as the one they leave or join.
PORTING = ("携号转网", "携转", "转网", "转到", "转过来", "转去", "转入", "转出", "换到",
           "换成", "改成", "授权码")
# Ours when its names are in at least this many articles, and this many times as many as
# any other operator's.
MIN_ARTICLES = 3
DOMINANCE = 3


def operators_named(text: str) -> list[Operator]:
    """The operators ``text`` names, in the order of ``OPERATORS``."""
    normal = normalize(text).replace(" ", "")
    return [op for op in OPERATORS if any(name in normal for name in op.names)]


def own_operator(articles: Iterable[str]) -> Operator | None:
    """The operator the knowledge base speaks for: named in at least MIN_ARTICLES of the
    ``articles`` (each article's text) and DOMINANCE times as often as any other; else
    None."""
    counts: Counter[str] = Counter()
    for text in articles:
        counts.update(op.name for op in operators_named(text))
    ranked = counts.most_common(2)
    if not ranked or ranked[0][1] < MIN_ARTICLES:
        return None
    if len(ranked) > 1 and ranked[0][1] < DOMINANCE * ranked[1][1]:
        return None
    return next(op for op in OPERATORS if op.name == ranked[0][0])


def other_operator(message: str, own: Operator | None) -> Operator | None:
    """The other operator a message asks about, or None: when ours is unknown, when the
    message names ours too ("联通和移动哪个便宜" may still be ours to answer) or speaks of
    porting a number."""
    if own is None:
        return None
    named = operators_named(message)
    if not named or own in named:
        return None
    normal = normalize(message)
    if any(word in normal for word in PORTING):
        return None
    return named[0]


# Articles read to tell the operator: plenty for a majority, bounded on a large KB.
SAMPLE = 2_000


class OwnOperators:
    """Each engine's own operator, read again when its knowledge base changed (its
    watermark moved). Weakly keyed: an engine that is gone leaves nothing behind."""

    def __init__(self) -> None:
        self._known: weakref.WeakKeyDictionary[SearchEngine, tuple[int, Operator | None]] = \
            weakref.WeakKeyDictionary()
        self._lock = threading.Lock()

    def of(self, engine: SearchEngine) -> Operator | None:
        watermark = engine.watermark
        with self._lock:
            known = self._known.get(engine)
        if known is not None and known[0] == watermark:
            return known[1]
        texts = (" ".join((f.title, *f.examples, *f.details))
                 for f in engine.all_facts()[:SAMPLE])
        own = own_operator(texts)
        with self._lock:
            self._known[engine] = (watermark, own)
        return own
