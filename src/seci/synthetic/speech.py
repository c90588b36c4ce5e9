"""Turn clean phrases into what a speech recogniser writes down, and fill per-call slots.

Callers' variants get Chongqing wording (什么→啥子, 怎么→咋个, 知道→晓得, 没有→莫得, 家里→屋头),
fillers (嗯, 那个, 就是说, 呃), stutters (我我, 那个那个), sentence-final particles (哦, 嘛, 噻),
homophone errors of the recogniser (流量→六量, 套餐→淘餐, 宽带→款待, 话费→花费, 积分→机份) and
punctuation that is missing, replaced by spaces or run on. Agents speak standard Mandarin into a
headset: their variants keep punctuation and have fewer recognition errors.

Variants are built once per generator (``variants``), so a call only picks from lists.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable
from typing import Final

_DIALECT: Final[tuple[tuple[str, tuple[str, ...]], ...]] = (
    ("为什么", ("为啥子", "为啥")),
    ("什么", ("啥子", "啥", "啥子")),
    ("怎么办", ("咋个办", "咋办")),
    ("怎么", ("咋个", "咋", "咋个")),
    ("不知道", ("不晓得",)),
    ("知道", ("晓得",)),
    ("没有", ("莫得", "没得")),
    ("家里", ("屋头", "屋里")),
    ("孩子", ("娃儿",)),
    ("一下", ("一哈",)),
    ("多少", ("好多",)),
    ("多久", ("好久",)),
    ("这样", ("这样子",)),
    ("哪里", ("哪点",)),
)
_HOMOPHONES: Final[dict[str, tuple[str, ...]]] = {
    "流量": ("六量", "留量", "流亮"), "套餐": ("淘餐", "套参"), "宽带": ("款待", "宽代"),
    "话费": ("花费", "化费"), "积分": ("机份", "积份"), "彩铃": ("彩领", "才铃"),
    "漫游": ("慢游",), "携号转网": ("携号转王", "鞋号转网"), "销户": ("消户",),
    "停机": ("挺机",), "发票": ("发飘",), "账单": ("帐单",), "充值": ("冲值",),
    "光猫": ("光毛",), "营业厅": ("营业听",), "加油包": ("加油宝",), "验证码": ("验证马",),
    "短信": ("短新",), "副卡": ("付卡",), "信号": ("新号",), "亲情网": ("亲情王",),
    "基站": ("鸡站",), "余额": ("于额",), "合约": ("和约",), "退订": ("推定",),
    "投诉": ("头诉",), "路由器": ("路由气",),
}
_HOMOPHONE_RE = re.compile("|".join(sorted(_HOMOPHONES, key=len, reverse=True)))
_FILLERS: Final = ("嗯", "那个", "就是说", "呃", "就是", "然后", "那个那个", "嗯嗯")
_LEADING_FILLERS: Final = ("嗯", "那个", "呃", "就是说", "那个那个", "嗯嗯")
_STUTTER_RE = re.compile("我想|我|就是|那个|这个|你们|我们")
_PARTICLES: Final = ("哦", "嘛", "噻", "哈", "嘞", "哦", "嘛")
_PUNCT_RE = re.compile("[，。？！；、,.?!;]")
_CLAUSE_RE = re.compile("[，。？！；,.?!;]")
_ENDINGS: Final = frozenset("哦嘛噻哈嘞呢吧啊了的吗不")


def _dialect(text: str, rnd: random.Random) -> str:
    for plain, local in _DIALECT:
        if plain in text and rnd.random() < 0.7:
            text = text.replace(plain, local[rnd.randrange(len(local))])
    if text.endswith("吗") and rnd.random() < 0.5:
        text = text[:-1] + "不"
    if text.startswith("可以") and rnd.random() < 0.7:
        text = "要得" + text[2:]
    return text


def _misrecognise(text: str, rnd: random.Random, rate: float) -> str:
    def swap(match: re.Match[str]) -> str:
        word = match.group(0)
        if rnd.random() >= rate:
            return word
        choices = _HOMOPHONES[word]
        return choices[rnd.randrange(len(choices))]

    return _HOMOPHONE_RE.sub(swap, text)


def _stutter(text: str, rnd: random.Random) -> str:
    found = list(_STUTTER_RE.finditer(text))
    if not found:
        return text
    match = found[rnd.randrange(len(found))]
    word = match.group(0)
    joiner = " " if rnd.random() < 0.3 else ""
    return text[:match.start()] + word + joiner + text[match.start():]


def _fill(text: str, rnd: random.Random) -> str:
    clauses = list(_CLAUSE_RE.finditer(text))
    if clauses and rnd.random() < 0.5:
        cut = clauses[rnd.randrange(len(clauses))].end()
        return text[:cut] + _FILLERS[rnd.randrange(len(_FILLERS))] + text[cut:]
    return _LEADING_FILLERS[rnd.randrange(len(_LEADING_FILLERS))] + "，" + text


def _speak_punctuation(text: str, rnd: random.Random) -> str:
    """What ASR does with clause breaks: spaces (most), nothing (run-on) or its own guess."""
    roll = rnd.random()
    if roll < 0.5:
        text = _PUNCT_RE.sub(" ", text).strip()
        return re.sub(" +", " ", text)
    if roll < 0.78:
        return _PUNCT_RE.sub("", text)
    text = text.replace(",", "，")
    return text if text[-1] in "。？！" else text + ("？" if rnd.random() < 0.3 else "。")


def customer_variant(text: str, rnd: random.Random) -> str:
    """One way a caller's sentence comes out of the recogniser."""
    if rnd.random() < 0.65:
        text = _dialect(text, rnd)
    if rnd.random() < 0.35:
        text = _fill(text, rnd)
    if rnd.random() < 0.18:
        text = _stutter(text, rnd)
    if rnd.random() < 0.3 and text[-1] not in _ENDINGS and text[-1] != "}" \
            and not text.endswith("谢谢"):
        text += _PARTICLES[rnd.randrange(len(_PARTICLES))]
    text = _misrecognise(text, rnd, 0.22)
    return _speak_punctuation(text, rnd)


def agent_variant(text: str, rnd: random.Random) -> str:
    """One way an agent's sentence comes out of the recogniser (cleaner than the caller's)."""
    if rnd.random() < 0.06:
        text = ("嗯，" if rnd.random() < 0.6 else "那个，") + text
    text = _misrecognise(text, rnd, 0.04)
    if rnd.random() < 0.12:
        text = re.sub(" +", " ", _PUNCT_RE.sub(" ", text)).strip()
    return text


def variants(texts: tuple[str, ...], rnd: random.Random, per_text: int,
             speaker: str) -> tuple[str, ...]:
    """Distinct spoken variants of each text (the text itself included for agents)."""
    make = customer_variant if speaker == "customer" else agent_variant
    out: dict[str, None] = {}
    for text in texts:
        if speaker == "agent":
            out[text] = None
        for _ in range(per_text):
            out[make(text, rnd)] = None
    return tuple(out)


# --- Personal data in realistic formats -----------------------------------------------------
_MOBILE_PREFIXES: Final = (
    "130", "131", "132", "133", "134", "135", "136", "137", "138", "139", "147", "150", "151",
    "152", "153", "155", "156", "157", "158", "159", "166", "173", "177", "180", "181", "182",
    "183", "184", "185", "186", "187", "188", "189", "191", "193", "195", "196", "197", "198",
    "199",
)
_CARD_BINS: Final = ("622202", "621700", "622848", "621483", "622588", "623668", "621226",
                     "622700", "621661", "622908")
_ID_WEIGHTS: Final = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK: Final = "10X98765432"


def _digits(rnd: random.Random, n: int) -> str:
    return f"{int(rnd.random() * 10 ** n):0{n}d}"


def mobile_number(rnd: random.Random) -> str:
    """An 11-digit mobile number as spoken: plain, 3-4-4 with spaces or dashes, or 7+4."""
    number = _MOBILE_PREFIXES[rnd.randrange(len(_MOBILE_PREFIXES))] + _digits(rnd, 8)
    roll = rnd.random()
    if roll < 0.55:
        return number
    if roll < 0.8:
        return f"{number[:3]} {number[3:7]} {number[7:]}"
    if roll < 0.92:
        return f"{number[:3]}-{number[3:7]}-{number[7:]}"
    return f"{number[:7]} {number[7:]}"


def id_checksum(first17: str) -> str:
    """GB 11643 check character (ISO 7064 MOD 11-2) of a resident ID number."""
    return _ID_CHECK[sum(int(c) * w for c, w in zip(first17, _ID_WEIGHTS, strict=True)) % 11]


def id_number(rnd: random.Random, region_code: str) -> str:
    """An 18-character resident ID number with a valid check character (X sometimes 'x')."""
    year = rnd.randrange(1950, 2006)
    body = f"{region_code}{year}{rnd.randrange(1, 13):02d}{rnd.randrange(1, 29):02d}"
    body += _digits(rnd, 3)
    check = id_checksum(body)
    if check == "X" and rnd.random() < 0.2:
        check = "x"
    return body + check


def luhn_digit(partial: str) -> str:
    """The Luhn check digit that completes ``partial``."""
    total = 0
    for i, c in enumerate(reversed(partial)):
        d = int(c)
        if i % 2 == 0:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return str((10 - total % 10) % 10)


def bank_card(rnd: random.Random) -> str:
    """A 16- or 19-digit UnionPay card number (valid Luhn digit), plain or in groups of four."""
    length = 19 if rnd.random() < 0.55 else 16
    partial = _CARD_BINS[rnd.randrange(len(_CARD_BINS))] + _digits(rnd, length - 7)
    number = partial + luhn_digit(partial)
    if rnd.random() < 0.4:
        return " ".join(number[i:i + 4] for i in range(0, length, 4))
    return number


# --- Per-call slot values -------------------------------------------------------------------
_SURNAMES: Final = ("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯"
                    "邓曹彭曾田董袁潘蒋蔡余杜叶程魏苏吕丁任沈姚卢谭廖冉向")
_GIVEN: Final = ("建国", "志强", "秀英", "桂兰", "明", "丽", "伟", "芳", "小红", "德华", "永红",
                 "海燕", "俊", "婷婷", "勇", "玉梅", "国平", "春燕", "涛", "雪梅")
_FEES: Final = ("38", "45.5", "58", "66", "88", "96.8", "103", "128", "136.5", "158", "199",
                "210", "268", "320")
_RENTS: Final = ("18", "38", "58", "88", "128", "129", "169", "199")
_SMALL: Final = ("3", "5", "6", "8", "9.9", "10", "12", "15", "20", "29.9")
_GB: Final = ("10", "20", "30", "40", "60", "80")
_WHEN: Final = ("昨天晚上", "今天早上", "前天", "今天上午", "昨天下午")
_COUNTRIES: Final = ("日本", "泰国", "韩国", "新加坡", "马来西亚", "越南")


class Slots(dict[str, str]):
    """Values for a call's ``{slot}`` placeholders, drawn on first use and kept for the call
    so the caller's figure and the agent's agree."""

    __slots__ = ("agent_no", "district", "month", "region_code", "rnd", "year")

    def __init__(self, rnd: random.Random, year: int, month: int, district: str,
                 region_code: str, agent_no: str) -> None:
        super().__init__()
        self.rnd = rnd
        self.year = year
        self.month = month
        self.district = district
        self.region_code = region_code
        self.agent_no = agent_no

    def __missing__(self, key: str) -> str:
        value = _MAKERS[key](self)
        self[key] = value
        return value

    def pick(self, options: tuple[str, ...] | str) -> str:
        return options[int(self.rnd.random() * len(options))]

    def below(self, n: int) -> int:
        return int(self.rnd.random() * n)


def _balance(s: Slots) -> str:
    return f"{s.rnd.random() * 150:.2f}"


def _gb_used(s: Slots) -> str:
    return f"{int(s['gb']) + s.rnd.random() * 6:.1f}"


def _ticket(s: Slots) -> str:
    return f"CQ{s.year}{s.month:02d}{1 + s.below(28):02d}{_digits(s.rnd, 6)}"


def _id6(s: Slots) -> str:
    return id_number(s.rnd, s.region_code)[-6:]


_MAKERS: Final[dict[str, Callable[[Slots], str]]] = {
    "fee": lambda s: s.pick(_FEES),
    "rent": lambda s: s.pick(_RENTS),
    "small": lambda s: s.pick(_SMALL),
    "balance": _balance,
    "gb": lambda s: s.pick(_GB),
    "gb_used": _gb_used,
    "day": lambda s: str(1 + s.below(28)),
    "month": lambda s: str(s.month if s.rnd.random() < 0.6 else (s.month - 2) % 12 + 1),
    "year": lambda s: str(s.year + 1 + s.below(2)),
    "months": lambda s: s.pick(("6", "12")),
    "days": lambda s: "15",
    "hours": lambda s: s.pick(("24", "24", "48", "72")),
    "hour": lambda s: str(14 + s.below(9)),
    "ticket": _ticket,
    "points": lambda s: str((12 + s.below(168)) * 100),
    "count": lambda s: str(2 + s.below(4)),
    "country": lambda s: s.pick(_COUNTRIES),
    "district": lambda s: s.district,
    "when": lambda s: s.pick(_WHEN),
    "agent_no": lambda s: s.agent_no,
    "title": lambda s: s.pick(_SURNAMES) + s.pick(("先生", "女士")),
    "cname": lambda s: s.pick(_SURNAMES) + s.pick(_GIVEN),
    "id6": _id6,
    "code": lambda s: _digits(s.rnd, 6),
    "id_number": lambda s: id_number(s.rnd, s.region_code),
    "phone": lambda s: mobile_number(s.rnd),
    "card": lambda s: bank_card(s.rnd),
}
SLOT_NAMES: Final = frozenset(_MAKERS)
