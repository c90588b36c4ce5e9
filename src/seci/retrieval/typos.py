"""Homophone typos corrected to the knowledge base's own words.

Callers and agents type with pinyin input and pick the wrong character of the same sound:
款带 for 宽带, 收废 for 收费, 流两 for 流量, 携号转往 for 携号转网. The rankers tolerate
some of it (pinyin keys and pinyin bigrams in BM25 and the matcher, ``seci.retrieval.text``),
but the matcher reads characters first, so a typo makes a question look unfamiliar: search
may still find the article, while the assistant, unsure, answers less often.

Before the rankers read a query, each run of Chinese characters is looked at in windows of
four, three and two characters, longest first. A window is rewritten to the knowledge
base's word of the same toneless pinyin (the one most articles hold) when:

- it is no word of the knowledge base itself, nor a word of the segmenter's dictionary,
  nor part of one (笔记本 stays whole, so 记本 is never read as 基本): a typo is what the
  dictionary cannot make a word of (a window may hold a whole word and more: 携号专网
  holds 专网 and is read as 携号转网);
- it holds no function character or common modifier (``COMMON_CHARACTERS``: 才用了 is not
  采用, 开几天 is not 开机, 新号 is not 信号);
- the knowledge base does not hold it as written (every pair of adjacent characters in it
  occurs in some article: then it is the knowledge base's own wording, not a typo);
- the word differs from it in one character (two in a window of four).

Chosen on the dev sets only (docs/search.md, "Homophone typos"): situational recall@1
0.806 → 0.816 (its typo style 0.808 → 0.848), assistant right 71.6 → 73.2 % (one more wrong
answer); nothing lost on the demo dev set or on the second KB's dev half.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import numpy as np

from seci.retrieval.text import character_sounds, pinyin_key

MIN_WORD = 2
MAX_WORD = 4
# A window holding one of these is left alone: function words and common modifiers form
# real phrases with their neighbours whose sound happens to be a word's (才用 / 采用,
# 开几 / 开机, 新号 / 信号, 到帐 / 到账 is handled by the synonym table instead).
COMMON_CHARACTERS = frozenset(
    "才几一了会好哪全的是在不也都就还又要能可我你他她它这那个些吗呢吧啊么呀嘛和与或把被给让"
    "新老大小多少上下有没过来去到用说看想跟对从得地着之其此每各某该本另别")
_CJK_RUN = re.compile(r"[\u4e00-\u9fff]+")
_WORD = re.compile(rf"[\u4e00-\u9fff]{{{MIN_WORD},{MAX_WORD}}}")
# Such a word among space-separated tokens (a whole token).
_TOKEN_WORD = re.compile(rf"(?<!\S){_WORD.pattern}(?!\S)")


@dataclass(frozen=True)
class Correction:
    """A window of the query as typed and the knowledge base's word it was read as."""

    typed: str
    word: str


@dataclass(frozen=True)
class Corrected:
    text: str
    corrections: tuple[Correction, ...] = ()


class KnownWords:
    """The words (2–4 Chinese characters) of the indexed articles' search tokens, counted
    by the articles holding them, and ``terms`` SECI knows besides (the synonym table's
    and the telecom dictionary's: 详单 although the articles' tokens say 通话详单), each
    found by its toneless pinyin. Kept up to date article by article with the index.
    Each article's words are kept as an array of word numbers (4 bytes a word: about
    40 MB at 100,000 articles), so that an update or a removal can take them back."""

    def __init__(self, terms: Iterable[str] = ()) -> None:
        self._number: dict[str, int] = {}
        self._words: list[str] = []
        # Per word number: the articles holding it (an array that doubles as words come:
        # an article's counts change in one step, not word by word).
        self._counts = np.zeros(1024, dtype=np.int32)
        self._by_sound: dict[str, set[int]] = {}
        self._of_article: dict[int, np.ndarray] = {}
        # A term counts as held by one article more than hold it.
        self._terms = frozenset(self._number_of(t) for t in terms if _WORD.fullmatch(t))

    def upsert(self, article_id: int, tokens: str) -> None:
        """Count the words of an article's ``tokens`` (its search tokens, separated by
        spaces) instead of those it held before."""
        self.remove(article_id)
        # One pass over the text (a body repeats its words: distinct ones are numbered).
        words = set(_TOKEN_WORD.findall(tokens))
        numbers = list(map(self._number.get, words))
        if None in numbers:  # a word not seen before: numbered (and its sounds read) now
            numbers = list(map(self._number_of, words))
        held = np.array(numbers, dtype=np.uint32)
        self._of_article[article_id] = held
        self._counts[held] += 1  # distinct numbers: one increment each

    def remove(self, article_id: int) -> None:
        numbers = self._of_article.pop(article_id, None)
        if numbers is not None:
            self._counts[numbers] -= 1

    def _number_of(self, word: str) -> int:
        number = self._number.get(word)
        if number is None:
            # The lists first, then the lookups that lead to them: a search reading the
            # words meanwhile (no lock) never finds a number the lists do not hold yet.
            number = len(self._words)
            if number == len(self._counts):
                grown = np.zeros(2 * number, dtype=np.int32)
                grown[:number] = self._counts
                self._counts = grown
            self._words.append(word)
            self._number[word] = number
            # Read as a word (曝光 'baoguang') and character by character as query windows
            # are read (重复 'zhongfu'): a polyphonic character matches either way.
            for sound in {pinyin_key(word), _sound(word)}:
                self._by_sound.setdefault(sound, set()).add(number)
        return number

    def _held(self, number: int) -> int:
        return int(self._counts[number]) + (number in self._terms)

    def holders(self, word: str) -> int:
        """How many articles hold ``word`` (one more for a term SECI knows besides)."""
        number = self._number.get(word)
        return 0 if number is None else self._held(number)

    def __contains__(self, word: object) -> bool:
        return isinstance(word, str) and self.holders(word) > 0

    def sounding_like(self, text: str, sound: str | None = None) -> str | None:
        """The known word of ``text``'s toneless pinyin (``sound``, if already read) that
        most articles hold (ties: the first in code-point order), or None."""
        key = _sound(text) if sound is None else sound
        # A copy taken at once (under the GIL): the index may add a word meanwhile.
        numbers = tuple(self._by_sound.get(key, ()))
        held = [(-self._held(n), self._words[n]) for n in numbers if self._held(n) > 0]
        return min(held)[1] if held else None


def correct(text: str, known: KnownWords, *, cut: Callable[[str], list[str]],
            holds_pair: Callable[[str], bool]) -> Corrected:
    """``text`` with its homophone typos rewritten to known words (see the module doc).
    ``cut``: the analyzer's dictionary segmentation (no guessed words); ``holds_pair``:
    whether some article holds two characters side by side."""
    corrections: list[Correction] = []
    pieces: list[str] = []
    position = 0
    for match in _CJK_RUN.finditer(text):
        fixed, found = _correct_run(match.group(0), known, cut, holds_pair)
        pieces.extend((text[position:match.start()], fixed))
        position = match.end()
        corrections.extend(found)
    pieces.append(text[position:])
    return Corrected("".join(pieces), tuple(corrections)) if corrections else Corrected(text)


def _sound(word: str) -> str:
    return "".join(character_sounds(word))


def _correct_run(run: str, known: KnownWords, cut: Callable[[str], list[str]],
                 holds_pair: Callable[[str], bool]) -> tuple[str, list[Correction]]:
    words = _dictionary_words(run, known, cut)
    syllables = character_sounds(run)  # a window's sound is its characters' syllables
    chars = list(run)
    taken = [False] * len(run)  # part of a known word or of a correction already
    found: list[Correction] = []
    for size in range(MAX_WORD, MIN_WORD - 1, -1):
        for start in range(len(run) - size + 1):
            end = start + size
            if any(taken[start:end]) or _splits_or_is(words, start, end):
                continue
            window = run[start:end]
            if window in known:
                taken[start:end] = [True] * size
                continue
            word = _typo_of(window, "".join(syllables[start:end]), known, holds_pair)
            if word is not None:
                chars[start:end] = list(word)
                taken[start:end] = [True] * size
                found.append(Correction(window, word))
    return "".join(chars), found


def _dictionary_words(run: str, known: KnownWords, cut: Callable[[str], list[str]]
                      ) -> list[tuple[int, int]]:
    """The spans of the dictionary words (two characters or more) the knowledge base does
    not hold: real words, not typos (a known word is found as a window instead)."""
    spans, position = [], 0
    for piece in cut(run):
        if len(piece) > 1 and piece not in known:
            spans.append((position, position + len(piece)))
        position += len(piece)
    return spans


def _splits_or_is(words: list[tuple[int, int]], start: int, end: int) -> bool:
    """Whether the window is a dictionary word or cuts through one (笔记本's 记本). A
    window holding a whole word and more may be a typo of a longer word: 携号专网 holds
    the word 专网 and sounds like 携号转网."""
    return any((a, b) == (start, end) or (a < end and b > start and not start <= a < b <= end)
               for a, b in words)


def _typo_of(window: str, sound: str, known: KnownWords, holds_pair: Callable[[str], bool]
             ) -> str | None:
    """The known word ``window`` (read as ``sound``) is a typo of, or None."""
    if COMMON_CHARACTERS.intersection(window):
        return None
    if all(holds_pair(window[i:i + 2]) for i in range(len(window) - 1)):
        return None  # the knowledge base writes it so
    word = known.sounding_like(window, sound)
    if word is None or word == window or len(word) != len(window):
        return None
    differing = sum(a != b for a, b in zip(window, word, strict=True))
    return word if differing <= (2 if len(window) == MAX_WORD else 1) else None
