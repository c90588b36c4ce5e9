"""Reading what customers type: cleaning, choices by number, follow-ups, keyword rules,
phone numbers; and the customer-facing part of an article."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

from seci.assistant.errors import BadPhoneNumber, EmptyMessage, MessageTooLong
from seci.knowledge.agent_notes import AGENT_ONLY_HEADINGS as AGENT_ONLY_HEADINGS
from seci.knowledge.agent_notes import customer_text as customer_text
from seci.retrieval.courtesy import without_courtesy
from seci.retrieval.text import normalize

# A chat message, not a document: longer input is refused with a clear reply, so that
# nobody pastes a file into the chat and the search stays fast.
MAX_MESSAGE = 2000
# Search reads at most this much of a message (seci.retrieval.service.MAX_QUERY).
MAX_QUERY = 500

_KEEP_CONTROLS = {"\n", "\t"}


def clean_message(text: str) -> str:
    """The text worth storing: control characters, lone surrogates and other unprintable
    code points removed (PostgreSQL refuses NUL; a surrogate cannot be encoded), line
    breaks kept. Raises EmptyMessage or MessageTooLong with a clear reason."""
    kept = []
    for char in text:
        category = unicodedata.category(char)
        if char in _KEEP_CONTROLS or category[0] != "C":
            kept.append(char)
        elif category == "Cf" and char == "\u200d":
            kept.append(char)  # zero-width joiner holds emoji sequences together
    cleaned = "".join(kept).replace("\r", "").strip()
    if not cleaned or not any(c.isalnum() or unicodedata.category(c)[0] in "PS"
                              for c in cleaned):
        raise EmptyMessage()
    if len(cleaned) > MAX_MESSAGE:
        raise MessageTooLong(max=MAX_MESSAGE)
    return cleaned


def has_words(text: str) -> bool:
    """Something search can work with: a letter or a digit (not only emoji or punctuation)."""
    return any(c.isalnum() for c in text)


def query_of(text: str) -> str:
    """The part of a message that is searched: markup-like angle brackets dropped (a
    pasted <script> is not a question), squeezed, at most MAX_QUERY characters."""
    without_tags = re.sub(r"<[^>]{0,200}>", " ", text)
    return " ".join(without_tags.split())[:MAX_QUERY]


# --- choosing among offered articles ----------------------------------------------------

_NUMERALS = {"一": 1, "二": 2, "两": 2, "三": 3, "壹": 1, "贰": 2, "叁": 3}
_CHOICE = re.compile(
    r"^(?:我?(?:选|选择|要|是)?\s*)?(?:第\s*)?([1-9一二两三壹贰叁])\s*(?:个|条|项|种|号|吧|的)?$"
)

_YES = re.compile(r"^(是|是的|对|对的|嗯|嗯嗯|没错|就是这个|是这个)[啊呀。.!！]*$")


def parse_choice(text: str, titles: Sequence[str]) -> int | None:
    """The 0-based choice a reply names — "2", "第二个", "选3", "一", or a choice's title —
    or None when it is not a choice."""
    norm = normalize(text).strip(" 。.!！?？~～")
    match = _CHOICE.match(norm)
    if match:
        token = match.group(1)
        number = int(token) if token.isdigit() else _NUMERALS[token]
        return number - 1 if 1 <= number <= len(titles) else None
    for index, title in enumerate(titles):
        if norm and norm == normalize(title):
            return index
    if len(titles) == 1 and _YES.match(norm):
        return 0  # "您是想问: 1. …" with a single suggestion: "是的"
    return None


# --- follow-ups ------------------------------------------------------------------------

_FOLLOW_UP_START = re.compile(r"^(那|那么|那个|那如果|如果是|还有|另外|再问一下|顺便问一下|换成)")
_FOLLOW_UP_END = re.compile(r"(呢|的呢|咋办|怎么办)[?？。.!！]*$")
# Questions that only make sense about something already named.
_ASPECT_ONLY = re.compile(
    r"^(请问)?(那)?(这个|它|这)?(要|需要|得)?"
    r"(多少钱|收费吗?|怎么收费|资费(是)?多少|价格|费用|怎么办理|如何办理|怎么办|怎么开通|如何开通|"
    r"怎么取消|怎么退订|怎么关|在哪(里)?办(理)?|去哪(里)?办(理)?|要多久|多久(生效|到账)?|"
    r"什么时候生效|有效期(多久)?|需要什么(材料|证件)?|要带什么|能退吗|可以退吗|有优惠吗|"
    r"怎么(用|查|弄|操作)|规则(是什么)?)[?？。.!！啊呀呢吗]*$"
)
_CONTRAST = re.compile(r"^(那|那么|如果是|换成)?(?P<other>[^，,。？?]{1,8}?)(的)?呢[?？。]*$")
_SHORT = 12  # characters; longer messages stand on their own


def is_follow_up(text: str) -> bool:
    """A short message that leans on the conversation so far ("那国际的呢", "要多少钱")."""
    norm = normalize(text)
    if len(norm) > _SHORT:
        return False
    return bool(_FOLLOW_UP_START.search(norm) or _FOLLOW_UP_END.search(norm)
                or _ASPECT_ONLY.match(norm))


def contrast_of(text: str) -> str | None:
    """What a "那X的呢" follow-up asks about instead of the current topic (X), if anything."""
    norm = normalize(text)
    if len(norm) > _SHORT:
        return None
    match = _CONTRAST.match(norm)
    if not match:
        return None
    other = match.group("other").strip()
    return other if other and other not in {"这个", "那个", "这", "它", "其他"} else None


def follow_up_words(text: str) -> str:
    """The follow-up without its leaning words ("那国际的呢" → "国际")."""
    norm = normalize(text)
    norm = _FOLLOW_UP_START.sub("", norm)
    norm = re.sub(r"(的)?呢[?？。.!！]*$", "", norm)
    return norm.strip(" ，,。?？")


# --- rules ---------------------------------------------------------------------------------


# What makes a message a question rather than a statement or a demand: a question mark, a
# question word, or a yes-no ending (能退吗, 能退么, 有用没用, 能重新处理不). 么 only ends a
# question: inside a word it is 这么 / 那么 ("服务这么差，我要投诉！" demands).
_QUESTION = re.compile(
    r"[?？]|吗|呢|多久|多长时间|几天|多少(?!次)|哪|什么|啥|怎么|怎样|咋|如何|为何|为什么|是否|"
    r"能不能|可不可以|会不会|有没有|行不行|有用没用|(么|不|没)[。.!！]*$")


def is_question(text: str) -> bool:
    """Whether the message asks something ("投诉了多久给答复", "能重新处理不") rather than
    states or demands it ("我要投诉你们！")."""
    return _QUESTION.search(text) is not None


# A keyword rule's word prefixes: "=word" matches the whole message only; "!word" is an
# exception, a longer word the others must not be found inside ("妈的|!我妈的": 我妈的手机
# is no insult). Full-width ！ as an input method types it.
WHOLE_MESSAGE = "="
EXCEPTION = "!"
_EXCEPTION_MARKS = ("!", "！")
# What an exception leaves in the text: no keyword holds it, and words either side of it
# do not join into a new one.
_MASK = "\x00"


def keyword_prefix(word: str) -> tuple[str, str]:
    """A keyword rule's word (stripped) as (prefix, the word after it): "=人工" →
    ("=", "人工"), "！我妈的" → ("!", "我妈的"), "投诉" → ("", "投诉")."""
    if word.startswith(WHOLE_MESSAGE):
        return WHOLE_MESSAGE, word[1:]
    if word.startswith(_EXCEPTION_MARKS):
        return EXCEPTION, word[1:]
    return "", word


def keyword_entries(pattern: str) -> list[str]:
    """The words of a keyword rule, normalised like the text they are matched against,
    each with its prefix ("=" or "!", however typed)."""
    entries = []
    for prefix, word in (keyword_prefix(w.strip()) for w in pattern.split("|")):
        if word.strip():
            entries.append(prefix + normalize(word))
    return entries


def matches_keywords(text: str, pattern: str) -> str | None:
    """The first rule word found in the text ("=word": the whole message, or all of it
    but the greetings and thanks around it: "你好，人工" and "人工，谢谢" ask for a person as
    "人工" does), or None; a word found only inside one of the rule's exceptions ("!word")
    does not count."""
    norm = normalize(text)
    whole = {_bare(norm), _bare(normalize(without_courtesy(text)))}
    entries = keyword_entries(pattern)
    for entry in entries:
        if entry.startswith(EXCEPTION):
            norm = norm.replace(entry[1:], _MASK)
    for entry in entries:
        if entry.startswith(WHOLE_MESSAGE):
            if _bare(entry[1:]) in whole:
                return entry[1:]
        elif not entry.startswith(EXCEPTION) and entry in norm:
            return entry
    return None


def _bare(text: str) -> str:
    """Text without spaces, punctuation and symbols, as whole-message words compare it."""
    return re.sub(r"[\s\W_]+", "", text)


# --- phone numbers -------------------------------------------------------------------------

_MOBILE = re.compile(r"^1[3-9]\d{9}$")


def valid_mobile(raw: str) -> str:
    """A mainland mobile number as 11 digits (spaces, dashes and +86 allowed around it)."""
    digits = re.sub(r"[\s\-()（）]", "", unicodedata.normalize("NFKC", raw or ""))
    digits = re.sub(r"^(\+?86)", "", digits) if len(digits) > 11 else digits
    if not _MOBILE.match(digits):
        raise BadPhoneNumber()
    return digits


def mask_phone(phone: str) -> str:
    """138****1234: enough to recognise, not enough to call."""
    return phone[:3] + "****" + phone[-4:] if len(phone) >= 8 else "****"


# --- the customer-facing part of an article -----------------------------------------------

# The rule lives with the knowledge base (seci.knowledge.agent_notes): sections for agents
# (话术参考 …), lines marked 【坐席提示】/【内部】 and lines that speak to the agent are cut.


# --- short replies to an answer -------------------------------------------------------------

_NOT_HELPFUL = re.compile(
    r"^(没用|没有用|没解决|没有解决|未解决|不是这个|不是我要的|不对|不行|看不懂|不明白|还是不行)"
    r"[啊呀哦。.!！~～]*$")
_HELPFUL = re.compile(
    r"^(解决了|已解决|好的?谢谢|谢谢(你|您|啦)?|明白了|懂了|知道了|可以了|好了|ok|好的)"
    r"[啊呀哦。.!！~～]*$")


def feedback_in_words(text: str) -> bool | None:
    """A reply that only says the answer helped (True) or did not (False); else None."""
    norm = normalize(text).replace(" ", "")
    if _NOT_HELPFUL.match(norm):
        return False
    if _HELPFUL.match(norm):
        return True
    return None
