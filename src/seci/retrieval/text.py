"""The Chinese text pipeline: one place for normalising, cleaning and segmenting text.

Imports, indexing, queries and mining all call these functions, never a copy of them:

- ``normalize``: NFKC (full-width → half-width), glued pinyin annotations removed
  (``移動(dòng)`` → ``移動``), traditional → simplified with mainland vocabulary (OpenCC
  ``tw2sp``: 寬頻 → 宽带), Latin case-folded, whitespace collapsed.
- ``clean_scraped``: drops the spam, navigation and tag lines that scraped pages carry.
- ``Analyzer.tokens``: jieba segmentation (its Rust port, rjieba: ~30x faster) with SECI's
  telecom dictionary (and, below it, terms derived from THUOCL), synonyms rewritten to
  their canonical term (上网费 → 流量费), then rare words of an open-wordnet synonym set to
  its common word (住址 → 地址), stop words dropped.
- ``char_ngrams`` and ``pinyin_keys``: typo tolerance (homophones typed with pinyin input,
  花费余额 for 话费余额, meet on the same pinyin).
"""

from __future__ import annotations

import hashlib
import logging
import re
import threading
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from itertools import pairwise
from pathlib import Path
from typing import Any

from seci.retrieval.courtesy import without_courtesy

logger = logging.getLogger("seci.retrieval")

_CJK = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_PINYIN_LETTERS = "a-zA-Zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜüńňǹḿ"
# '移動(dòng)', '業(yè)', also a truncated '(w' at the end of a line.
_GLUED_PINYIN = re.compile(rf"(?<=[{_CJK}])[(（][{_PINYIN_LETTERS}]{{1,7}}(?:[)）]|$)",
                           re.MULTILINE)
_SPACES = re.compile(r"\s+")
_HAS_CJK = re.compile(rf"[{_CJK}]")


@lru_cache
def _converter() -> object:
    import opencc

    # Characters only: OpenCC's Taiwan phrase table also rewrites 呼叫 → 调用, which would
    # turn every 呼叫中心 into nonsense; the few Taiwan words that matter are mapped below.
    return opencc.OpenCC("t2s")


# Taiwan / Hong Kong vocabulary (after character conversion) → mainland telecom words.
_REGIONAL_WORDS = {
    "宽频": "宽带", "软体": "软件", "网路": "网络", "简讯": "短信", "行动电话": "手机",
    "手提电话": "手机", "资料流量": "流量", "数据漫游": "漫游", "预付卡": "充值卡",
    "门号": "号码", "电信业者": "运营商", "营运商": "运营商", "资费方案": "套餐",
}
_REGIONAL = re.compile("|".join(sorted(map(re.escape, _REGIONAL_WORDS), key=len, reverse=True)))


def strip_glued_pinyin(text: str) -> str:
    return _GLUED_PINYIN.sub("", text)


def to_simplified(text: str) -> str:
    """Traditional characters to simplified ones, regional telecom words to mainland ones."""
    simplified = str(_converter().convert(text))  # type: ignore[attr-defined]
    return _REGIONAL.sub(lambda match: _REGIONAL_WORDS[match.group(0)], simplified)


def wording_key(normalized: str) -> str:
    """A normalised wording without its punctuation and spaces, nor the greetings and
    thanks around it (``courtesy``), to tell whether two questions are the same words:
    "我还剩多少钱？", "我还剩多少钱" and "你好，我还剩多少钱？谢谢" are."""
    return re.sub(r"[\W_]+", "", without_courtesy(normalized))


def normalize(text: str) -> str:
    """The canonical form of any text before it is compared with other text."""
    text = unicodedata.normalize("NFKC", text or "")
    text = strip_glued_pinyin(text)
    text = to_simplified(text)
    return _SPACES.sub(" ", text.casefold()).strip()


# --- scraped pages ------------------------------------------------------------------------

# Words that only occur in injected spam (adult sites, link farms) and in page chrome.
_SPAM_MARKERS = (
    "婷婷", "蜜桃", "久久", "国产", "精品", "一级", "欧美大片", "狠狠", "蜘蛛池", "av",
)
_CHROME_MARKERS = (
    "上一篇", "下一篇", "相关文章", "推荐文章", "热门标签", "版权所有", "icp备", "公网安备",
    "责任编辑", "链接已复制", "本文关键词", "声明：本文", "声明:本文", "全部栏目", "全 部 栏 目",
    "主页 >", "首页 >", "摘自", "本页收集", "下面列出", "<menuitem", "<form", "<tbody", "©",
    "蜘蛛池", "标签:", "关键词:",
)
_ARTICLE_LIST_LINE = re.compile(r"\d{4}-\d{2}-\d{2}\s*\|\s*$")  # "标题 2010-09-01 |"
_LIST_SPLIT = re.compile(r"[|｜,，、;；\s]+")


def _is_tag_or_place_list(line: str) -> bool:
    """Menus, tag clouds and keyword lists: many short items and no sentence.

    '玉溪 临沧 三门峡 …', '沾化县| 洪雅县| …', '企业400电话 网络优化推广 …', or a trailing
    keyword list such as '标题 浅谈,热线,运营,隐,性知识,'.
    """
    items = [item for item in _LIST_SPLIT.split(line) if item]
    sentence = re.search(r"[。：:？?！!]", line)
    if len(items) >= 5 and not sentence:
        if sum(len(item) <= 5 for item in items) / len(items) >= 0.8:
            return True
        if len(items) >= 6 and sum(len(item) <= 8 for item in items) / len(items) >= 0.8:
            return True
    tail = [item for item in re.split(r"[,，]", line.rsplit(" ", 1)[-1]) if item]
    return len(tail) >= 4 and all(len(item) <= 3 for item in tail)


def _is_spam(line: str) -> bool:
    return sum(marker in line for marker in _SPAM_MARKERS) >= 2


def _is_chrome(line: str) -> bool:
    if any(marker in line for marker in _CHROME_MARKERS):
        return True
    if _ARTICLE_LIST_LINE.search(line):
        return True
    stripped = line.lstrip("•·*-– ").strip()
    # Bulleted navigation items: short and without sentence punctuation.
    return line.lstrip().startswith("•") and len(stripped) <= 12


def clean_scraped(text: str) -> str:
    """The readable article of a scraped page: normalised, without spam and page chrome."""
    kept: list[str] = []
    seen: set[str] = set()
    for raw in (text or "").splitlines():
        line = normalize(raw)
        if not line or not _HAS_CJK.search(line):
            if line and kept and kept[-1] != "":
                kept.append("")
            continue
        if _is_spam(line) or _is_chrome(line) or _is_tag_or_place_list(line):
            continue
        if line in seen:  # scraped pages often repeat the article body
            continue
        seen.add(line)
        kept.append(line)
    return "\n".join(kept).strip()


# --- synonyms and segmentation ------------------------------------------------------------


@dataclass(frozen=True)
class SynonymGroup:
    canonical: str
    variants: tuple[str, ...]


def parse_synonym_lines(lines: Iterable[str]) -> list[SynonymGroup]:
    """'canonical|variant|variant' per line; blank lines and '#' comments ignored."""
    groups = []
    for line in lines:
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        terms = [normalize(term) for term in line.split("|") if term.strip()]
        if len(terms) >= 2:
            groups.append(SynonymGroup(terms[0], tuple(dict.fromkeys(terms[1:]))))
    return groups


def seed_synonyms() -> list[SynonymGroup]:
    text = (resources.files("seci.retrieval") / "data" / "synonyms.txt").read_text("utf-8")
    return parse_synonym_lines(text.splitlines())


@lru_cache(maxsize=1)
def telecom_terms() -> tuple[tuple[str, int], ...]:
    """SECI's telecom dictionary (word, frequency), normalised. Read once: every analyzer
    and every index build (its known words, ``seci.retrieval.typos``) asks for it."""
    text = (resources.files("seci.retrieval") / "data" / "telecom_terms.txt").read_text("utf-8")
    terms = []
    for line in text.splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            parts = line.split()
            terms.append((normalize(parts[0]), int(parts[1]) if len(parts) > 1 else 2000))
    return tuple(terms)


def _data_lines(name: str) -> list[str]:
    """Lines of a shipped data file without '#' comment lines and blank lines."""
    text = (resources.files("seci.retrieval") / "data" / name).read_text("utf-8")
    return [line.strip() for line in text.splitlines()
            if line.strip() and not line.lstrip().startswith("#")]


def lexicon_terms() -> list[tuple[str, int]]:
    """Terms derived from THUOCL (``lexicon_terms.txt``, built by scripts/build_lexicons.py):
    (word, jieba frequency), already normalised."""
    return [(word, int(freq)) for word, freq in (line.split()[:2]
                                                 for line in _data_lines("lexicon_terms.txt"))]


def lexicon_synonym_sets() -> list[tuple[str, ...]]:
    """Synonym sets derived from the Chinese Open Wordnet (``lexicon_synonyms.txt``): the
    representative (a common word), then the rarer words rewritten to it; normalised."""
    return [tuple(line.split("|")) for line in _data_lines("lexicon_synonyms.txt")]


def _lexicon_digest() -> str:
    digest = hashlib.sha1(usedforsecurity=False)
    for name in ("lexicon_terms.txt", "lexicon_synonyms.txt"):
        digest.update((resources.files("seci.retrieval") / "data" / name).read_bytes())
    return digest.hexdigest()[:10]


def _stop_words() -> frozenset[str]:
    text = (resources.files("seci.retrieval") / "data" / "stopwords.txt").read_text("utf-8")
    return frozenset(word for line in text.splitlines() if not line.startswith("#")
                     for word in line.split())


STOP_WORDS = _stop_words()
# Bump when segmentation rules change, so that cached search tokens are rebuilt.
DICTIONARY_REVISION = "5"  # 4: the Rust port of jieba (rjieba); 5: pinyin bigrams
# Frequency given to synonym terms: high enough that segmentation keeps them whole.
SYNONYM_TERM_FREQ = 3000
_TOKEN_CHARS = re.compile(rf"[{_CJK}0-9a-z]")


class Analyzer:
    """Segments text into search tokens with the telecom dictionary and synonyms.

    One instance per process (``default_analyzer``); ``set_synonyms`` swaps the synonym
    table at run time, so edits by managers apply without a restart.

    Two tiers of dictionaries, SECI's own always on top:

    - words: THUOCL-derived terms are loaded first, SECI's telecom terms and synonym terms
      after them (a word in both gets SECI's frequency);
    - synonyms: curated and managers' groups (``set_synonyms``) rewrite a variant to its
      canonical term. Open-wordnet sets come below them: a set's rare words are rewritten to
      its common word, except where a curated group holds the word or the common word (the
      group alone decides what those mean), and words inside longer words are not looked
      for. ``lexicon=False`` leaves both lexicons out.
    """

    def __init__(self, groups: Sequence[SynonymGroup] | None = None,
                 cache_dir: Path | None = None, *, lexicon: bool = True) -> None:
        # ``cache_dir`` is kept for callers; the Rust segmenter builds its prefix dictionary
        # in ~70 ms and needs no cache on disk.
        del cache_dir
        self._lock = threading.Lock()
        extra = lexicon_terms() if lexicon else []
        terms = telecom_terms()
        # Order matters: a word listed twice keeps its last frequency, so SECI's terms win.
        self._base_words: tuple[tuple[str, int], ...] = (*extra, *terms)
        self._lexicon_sets = lexicon_synonym_sets() if lexicon else []
        self.dictionary_version = f"{DICTIONARY_REVISION}:{len(terms)}" + (
            f":lexicon-{_lexicon_digest()}" if lexicon else "")
        self._canonical: dict[str, str] = {}
        self._term_scan: re.Pattern[str] | None = None
        self._lexicon_map: dict[str, str] = {}
        self._segmenter = self._new_segmenter(())
        self.set_synonyms(groups if groups is not None else seed_synonyms())
        _pinyin_key("话费")  # loads pypinyin's dictionaries now, not in the first search

    def _new_segmenter(self, synonym_terms: Iterable[str]) -> Any:
        """A segmenter with jieba's dictionary, SECI's words and the synonym terms. A new one
        per synonym table: never mutated once in use, so searching threads need no lock,
        and terms of deleted groups do not linger."""
        import rjieba

        segmenter = rjieba.Jieba()
        for word, freq in self._base_words:
            segmenter.add_word(word, freq, None)
        for term in synonym_terms:
            segmenter.add_word(term, SYNONYM_TERM_FREQ, None)
        return segmenter

    def set_synonyms(self, groups: Sequence[SynonymGroup]) -> None:
        mapping: dict[str, str] = {}
        for group in groups:
            for term in (group.canonical, *group.variants):
                if len(term) >= 2:
                    mapping.setdefault(term, group.canonical)
            for variant in group.variants:
                mapping[variant] = group.canonical
        segmenter = self._new_segmenter(term for term in mapping if len(term) >= 2)
        lexicon_map = self._lexicon_mapping(mapping)
        # Synonym terms inside longer words ('套餐外流量费' holds '流量费') are found by
        # scanning the text, since segmentation keeps the longer word whole.
        terms = sorted((t for t in mapping if len(t) >= 2), key=len, reverse=True)
        term_scan = re.compile("|".join(map(re.escape, terms))) if terms else None
        with self._lock:
            self._segmenter = segmenter
            self._canonical = mapping
            self._lexicon_map = lexicon_map
            self._term_scan = term_scan
            # Bumped on every change, so engines notice a new table without hashing it.
            self.generation = getattr(self, "generation", 0) + 1

    def _lexicon_mapping(self, curated: dict[str, str]) -> dict[str, str]:
        """Rare word → the common word of its open-wordnet set, without the words of curated
        groups: their group alone decides what they mean."""
        mapping: dict[str, str] = {}
        for representative, *members in self._lexicon_sets:
            if representative in curated:
                continue
            for word in members:
                if word not in curated:
                    mapping.setdefault(word, representative)
        return mapping

    def lexicon_synonym(self, token: str) -> str | None:
        """The common word an open-wordnet set rewrites the token to, if any (never for
        words of curated groups, which ``canonical`` handles)."""
        return self._lexicon_map.get(token)

    def synonym_map(self) -> dict[str, str]:
        return dict(self._canonical)

    def canonical(self, token: str) -> str:
        return self._canonical.get(token, token)

    def cut(self, text: str) -> list[str]:
        """The text's dictionary words, every character kept (no normalising, no stop
        words removed): pieces that cover the text in order. Without the segmenter's
        guessed words (HMM), which would join a typo to its neighbours (流两老)."""
        return list(self._segmenter.cut(text, False))

    def raw_words(self, text: str) -> list[str]:
        """The words of the text as typed (normalised, not canonical), for highlighting."""
        stripped = (w.strip() for w in self._segmenter.cut(normalize(text)))
        return [w for w in stripped if w and w not in STOP_WORDS and _TOKEN_CHARS.search(w)]

    def tokens(self, text: str, *, normalized: bool = False) -> list[str]:
        """Search tokens: segmented for search (long words and their parts), canonical
        (curated groups first, then the open-wordnet sets), without stop words and
        punctuation."""
        text = text if normalized else normalize(text)
        canonical, lexicon_map, term_scan = self._canonical, self._lexicon_map, self._term_scan
        result: list[str] = []
        for token in self._segmenter.cut_for_search(text):
            token = token.strip()
            if not token or token in STOP_WORDS or not _TOKEN_CHARS.search(token):
                continue
            token = canonical.get(token, token)
            result.append(lexicon_map.get(token, token))
        if term_scan is not None:
            seen = set(result)
            for match in term_scan.finditer(text):
                term = canonical[match.group(0)]
                if term not in seen:
                    seen.add(term)
                    result.append(term)
        return result


_default: Analyzer | None = None
_default_lock = threading.Lock()


def default_analyzer() -> Analyzer:
    """The process-wide analyzer, built on first use (jieba loads its dictionary once)."""
    global _default
    if _default is None:
        with _default_lock:
            if _default is None:
                from seci.core.config import get_settings

                _default = Analyzer(cache_dir=get_settings().data_dir / "cache")
    return _default


def char_ngrams(text: str, sizes: Sequence[int] = (1, 2)) -> list[str]:
    """Character n-grams of the CJK and alphanumeric runs of normalised text."""
    grams: list[str] = []
    for run in re.findall(rf"[{_CJK}0-9a-z]+", text):
        for size in sizes:
            grams.extend(run[i:i + size] for i in range(len(run) - size + 1))
    return grams


def pinyin_keys(tokens: Sequence[str]) -> list[str]:
    """Toneless pinyin of each Chinese token: 话费 and 花费 both become 'huafei'."""
    return [_pinyin_key(token) for token in tokens if len(token) >= 2 and _HAS_CJK.search(token)]


def pinyin_bigrams(text: str) -> list[str]:
    """Toneless pinyin of adjacent Chinese characters of normalised text, whatever the
    segmentation: a homophone typo that splits a word (菜铃 for 彩铃, 积份 for 积分) still
    shares 'cai_ling' with it."""
    grams: list[str] = []
    for run in _CJK_RUN.findall(text):
        syllables = [_pinyin_key(char) for char in run]
        grams.extend(f"{a}_{b}" for a, b in pairwise(syllables))
    return grams


_CJK_RUN = re.compile(rf"[{_CJK}]+")


def pinyin_key(text: str) -> str:
    """Toneless pinyin of Chinese text read as a whole, syllables run together: 款带 and
    宽带 both 'kuandai', 曝光 'baoguang'."""
    return _pinyin_key(text)


def character_sounds(text: str) -> list[str]:
    """Toneless pinyin of each character alone (cached per character: cheap enough for
    every window of a query): 款带 and 宽带 both ['kuan', 'dai']. A polyphonic character
    reads as its most common sound (重 'zhong' in 重复 too), the same on both sides of a
    comparison."""
    return [_pinyin_key(char) for char in text]


@lru_cache(maxsize=200_000)
def _pinyin_key(token: str) -> str:
    # A KB's vocabulary is small next to its text: caching makes pinyin nearly free.
    from pypinyin import lazy_pinyin

    return "".join(lazy_pinyin(token))
