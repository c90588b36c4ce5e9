"""Amounts of money: the prices articles state and the prices callers name.

Callers name plans and offers by their price, and say it the way it is spoken: "一百九十多
那个打包的" (the 199 bundle), "九块九的流量包" (9.9 元), "一百多块那档", "十几块钱的卡".
The knowledge base writes digits ("199元/月", "9.9元"), so neither the words nor their
characters meet. Search reads each amount a caller names as the range of prices it stands
for and adds the prices the knowledge base states within that range to the query, as
the situation lexicon's concepts are added (``SearchEngine.candidates``).

Chinese numerals are read with ``cn2an`` (a maintained converter of Chinese numerals);
what a spoken amount means (多, 几, 来, 以内 …) is read here.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import cn2an

from seci.retrieval.text import normalize

# A price an article states: digits followed by 元 or 块 (the token search indexes is the
# digits as written: "9.9元" → "9.9"; full-width digits as NFKC reads them). Read from the
# raw text: normalising every body again cost a first build of 100,000 articles 26 s.
_STATED = re.compile(r"([0-9０-９]+(?:[.．][0-9０-９]+)?)\s*[元块]")
_HALF_WIDTH = str.maketrans("０１２３４５６７８９．", "0123456789.")
_CHINESE_DIGITS = "零〇一二两三四五六七八九十百千万"
_SPOKEN = re.compile(
    rf"(?P<number>[0-9]+(?:\.[0-9]+)?|[{_CHINESE_DIGITS}]+)"
    r"(?P<about>多|几|来)?"
    r"(?P<unit>块钱|块|元|圆)?"
    rf"(?P<tenths>[0-9一二三四五六七八九](?![0-9{_CHINESE_DIGITS}]))?"
    r"(?P<bound>以内|以下|之内|以上|左右)?")
# What follows a number that counts something other than money (三个月, 二十G, 一百分钟).
_NOT_MONEY = re.compile(r"^(?:个|g|m|k|兆|分|条|次|天|月|年|号|岁|点|张|小时|周|倍|%|折|人|位|"
                        r"部|台|秒|楼|层|公里|米|斤|期|集|路|级|星)")
# 一百九, 两千五: the last digit stands for tens (hundreds) and the rest is left unsaid.
_ABBREVIATED = re.compile(r"[百千万][一二两三四五六七八九]$")
# A number spoken without 块 or 元 is read as a price only from this size (plans, bundles):
# smaller ones are counts far more often (两张卡, 五个人).
MIN_BARE_PRICE = 100
# A spoken range matching more stated prices than this says nothing about which article:
# "二十块以内" may be any of a dozen small fees.
MAX_MATCHED = 3


@dataclass(frozen=True)
class Amount:
    """The prices a spoken amount may stand for (inclusive bounds)."""

    low: float
    high: float

    def holds(self, value: float) -> bool:
        return self.low <= value <= self.high


def stated_prices(text: str) -> tuple[str, ...]:
    """The prices ``text`` states, as search indexes them ("月租199元，9.9元/天" →
    ("199", "9.9")), each once."""
    if "元" not in text and "块" not in text:
        return ()
    return tuple(dict.fromkeys(m.group(1).translate(_HALF_WIDTH)
                               for m in _STATED.finditer(text)))


def _value(number: str) -> float | None:
    if number[0].isdigit():
        return float(number)
    try:
        return float(cn2an.cn2an(number, "smart"))
    except (ValueError, KeyError, IndexError):  # not a numeral cn2an reads ("两两")
        return None


def _step(value: float) -> float:
    """What 多 / 几 adds to a round number: 一百多 → up to 200, 一百九十多 → up to 200,
    十几 → up to 20."""
    whole = int(value)
    if whole < 10 or whole != value:
        return 1.0
    zeros = len(str(whole)) - len(str(whole).rstrip("0"))
    return float(10 ** zeros)


def spoken_amounts(text: str) -> list[Amount]:
    """The amounts of money ``text`` names, each as the range of prices it stands for:
    "九块九" → 9.9; "一百多块" → 100–199; "一百九十多那个" → 190–199; "一百九 套餐"
    (the tens said, the rest left unsaid) → 190–199; "二十来块" → 16–24; "二十块以内" →
    0–20. Counts (三个月, 二十G) and small bare numbers (两张) are not amounts."""
    text = normalize(text)
    amounts = []
    for match in _SPOKEN.finditer(text):
        amount = _amount(match, text[match.end():])
        if amount is not None:
            amounts.append(amount)
    return amounts


def _amount(match: re.Match[str], rest: str) -> Amount | None:
    number, about, unit = match["number"], match["about"], match["unit"]
    tenths, bound = match["tenths"], match["bound"]
    value = _value(number)
    if value is None or _NOT_MONEY.match(rest) or (not unit and tenths):
        return None
    spoken = not number[0].isdigit()
    # A bare number is a price only when large and spoken (一百九), or with 多 / 几
    # (190多); "199" as typed already meets "199" in the articles.
    if not unit and (value < MIN_BARE_PRICE or not (spoken or about)):
        return None
    if unit and tenths and not about:
        decimal = _value(tenths)
        return Amount(value + decimal / 10, value + decimal / 10) if decimal is not None \
            else None
    if about in ("多", "几"):
        low, high = value, value + _step(value) - 0.01
    elif about == "来":
        low, high = value * 0.8, value * 1.2
    elif spoken and _ABBREVIATED.search(number):
        low, high = value, value + _step(value) - 0.01  # 一百九 (190) said of a 199 plan
    else:
        low = high = value
    if bound in ("以内", "以下", "之内"):
        low = 0.0
    elif bound == "以上":
        high = math.inf
    elif bound == "左右":
        low, high = min(low, value * 0.8), max(high, value * 1.2)
    return Amount(low, high)


def price_terms(amounts: Iterable[Amount], stated: Mapping[str, float],
                already: Iterable[str] = ()) -> tuple[str, ...]:
    """The stated prices (index token → value) within the amounts a caller named, unless
    the query holds them already; none when more than MAX_MATCHED would be added."""
    asked = list(amounts)
    if not asked:
        return ()
    own = set(already)
    found = sorted(token for token, value in stated.items()
                   if token not in own and any(a.holds(value) for a in asked))
    return tuple(found) if len(found) <= MAX_MATCHED else ()


class PriceTable:
    """The prices the indexed articles state (index token → value), counted by article so
    that an edit or a retirement takes an article's prices out again."""

    def __init__(self) -> None:
        self._articles: dict[str, int] = {}
        self.values: dict[str, float] = {}

    def add(self, prices: Iterable[str]) -> None:
        for token in prices:
            self._articles[token] = self._articles.get(token, 0) + 1
            self.values[token] = float(token)

    def remove(self, prices: Iterable[str]) -> None:
        for token in prices:
            left = self._articles.get(token, 0) - 1
            if left > 0:
                self._articles[token] = left
            else:
                self._articles.pop(token, None)
                self.values.pop(token, None)
