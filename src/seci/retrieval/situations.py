"""The situation lexicon: what callers describe, mapped to the business concepts articles name.

Callers describe what happened, not the product: 换了手机上不了网 is about APN/network
settings, 同事之间打短号 about the company short-number group (集团V网), 帮我妈交话费 about
paying for another number (代付). An entry says which words, found together in a query,
describe a situation, and which concepts it is about; search adds those concepts to the
query with a lower weight than the caller's own words (``SearchEngine.rank``).

**Format** (``data/situations.txt``, and managers' entries in the same syntax)::

    [area]
    key: slot + slot + … [! excluded|excluded…] => concept concept … ; example

A slot is a set of alternatives separated by ``|``; ``!`` starts the words that must not
occur; concepts are separated by spaces; the example is a caller's sentence the entry must
fire on (checked by the tests and when a manager saves an entry).

**Matching rule** (``SituationLexicon.match``): the query is normalised (``normalize``:
full-width, traditional characters, case) and its blanks are removed; an alternative *occurs*
when it is a substring of that text, or, for an alternative of two or more Chinese characters
without a particle (了, 的 …), when its toneless pinyin is a run of the query's and at least
half of its characters are there as typed (款带 meets 宽带, 显示 never meets 闲时), and, given
the analyzer's segmenter, it is not part of a longer dictionary word (新家 never meets the 新加
of 新加坡); excluded words count only literally. An entry fires when **every slot has an
alternative that occurs, in any order and anywhere in the query**, and no excluded word occurs.
Callers never say a pattern verbatim, so patterns are key-word co-occurrence, not phrases: {换,
新买} + {手机, 机子} + {上不了网, 没网, 打不开 …}. A word belongs to one slot only; a pattern
of a single slot must use alternatives of three characters or more (a two-character word alone
is the synonym table's job). When several entries fire, the most specific ones are kept (more
slots, then more characters matched), at most ``MAX_FIRINGS``.

**Expansion** (``SituationLexicon.expand``): the search tokens of the kept entries'
concepts that the query does not already hold are added to the lexical ranker's query,
each with ``CONCEPT_WEIGHT`` of a caller's word, and never more, together, than
``CONCEPT_SHARE`` times the caller's words. The learned matcher keeps the caller's words
alone (feeding it the concepts measured worse, see docs/search.md); it learns from the
entries' example sentences instead, as examples of the few articles naming an entry's
concept (``engine.situation_examples``).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources

from seci.retrieval.text import normalize, to_simplified

# Weight of a concept token relative to one of the caller's words in the lexical ranker
# (each field keeps its own boost on top). Chosen on the dev set (docs/search.md): 0.5,
# 0.75 and 1.0 gave recall@1 0.912, 0.921, 0.917 on the demo KB and 0.866, 0.875, 0.884 on
# it cut to two similar questions an article, where long statements lost most at 1.0.
CONCEPT_WEIGHT = 0.75
# Together the added concepts weigh at most this many times the caller's own words.
CONCEPT_SHARE = 1.0
# Entries kept when several fire: the most specific ones.
MAX_FIRINGS = 3
MAX_ALTERNATIVE = 20
MAX_SLOTS = 6
MAX_CONCEPTS = 8
MAX_CONCEPT = 20
MIN_SINGLE_SLOT = 3  # characters of each alternative when the pattern has one slot
PINYIN_MIN_CHARS = 2  # Chinese characters an alternative needs to match by its pinyin

# A word segmenter (the analyzer's ``cut``): text → its words, in order, covering it.
Segment = Callable[[str], Iterable[str]]

_CJK = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_CJK_CHAR = re.compile(rf"[{_CJK}]")
_BLANKS = re.compile(r"\s+")
# Grammatical particles: an alternative holding one matches literally only.
_PARTICLES = re.compile("[了的得地着过吗呢啊吧么嘛呀哦啦]")
_KEY = re.compile(r"^[a-z0-9][a-z0-9._-]{0,59}$")
_AREA = re.compile(r"^\[(.+)\]$")


class PatternError(ValueError):
    """A pattern, concept list or entry line that cannot be used; ``code`` says why."""

    def __init__(self, code: str, value: str = "") -> None:
        super().__init__(f"{code}: {value}" if value else code)
        self.code = code
        self.value = value


@dataclass(frozen=True)
class Pattern:
    slots: tuple[tuple[str, ...], ...]
    excluded: tuple[str, ...] = ()

    def __str__(self) -> str:
        text = " + ".join("|".join(slot) for slot in self.slots)
        return text + (" ! " + "|".join(self.excluded) if self.excluded else "")


@dataclass(frozen=True)
class Situation:
    key: str
    pattern: Pattern
    concepts: tuple[str, ...]
    example: str = ""
    area: str = ""


@dataclass(frozen=True)
class Firing:
    situation: Situation
    matched: tuple[str, ...]  # the alternative found for each slot

    @property
    def specificity(self) -> tuple[int, int]:
        return len(self.matched), sum(len(word) for word in self.matched)


@dataclass(frozen=True)
class Expansion:
    """What the lexicon adds to a query: the entries that fired and the concept tokens
    with their weight (tokens the query already has are not added again)."""

    firings: tuple[Firing, ...] = ()
    terms: tuple[tuple[str, float], ...] = field(default=())

    def text(self) -> str:
        return " ".join(term for term, _ in self.terms)


def _terms(text: str) -> tuple[str, ...]:
    return tuple(dict.fromkeys(term for term in (_BLANKS.sub("", normalize(part))
                                                 for part in text.split("|")) if term))


def parse_pattern(text: str) -> Pattern:
    """``a|b + c|d ! e|f`` → Pattern; raises PatternError with a code."""
    text = normalize(text)
    body, _, excluded_text = text.partition("!")
    slots = tuple(slot for slot in (_terms(part) for part in body.split("+")) if slot)
    excluded = _terms(excluded_text)
    if not slots:
        raise PatternError("pattern_empty")
    if len(slots) > MAX_SLOTS:
        raise PatternError("pattern_too_many_slots", str(MAX_SLOTS))
    for word in (*(w for slot in slots for w in slot), *excluded):
        if len(word) > MAX_ALTERNATIVE:
            raise PatternError("pattern_word_too_long", word)
    seen: set[str] = set()
    for slot in slots:
        if repeated := seen & set(slot):
            raise PatternError("pattern_word_repeated", sorted(repeated)[0])
        seen.update(slot)
    if len(slots) == 1 and any(len(word) < MIN_SINGLE_SLOT for word in slots[0]):
        short = next(word for word in slots[0] if len(word) < MIN_SINGLE_SLOT)
        raise PatternError("pattern_single_slot_too_short", short)
    return Pattern(slots, excluded)


def parse_concepts(text: str | Iterable[str]) -> tuple[str, ...]:
    """Concepts separated by spaces, '|', commas or 、 (or already a list)."""
    parts = re.split(r"[|,，、;；\s]+", text) if isinstance(text, str) else list(text)
    # As typed (full-width folded, simplified), not case-folded: managers read them.
    concepts = tuple(dict.fromkeys(c for c in (
        to_simplified(unicodedata.normalize("NFKC", p)).replace(" ", "") for p in parts) if c))
    if not concepts:
        raise PatternError("concepts_empty")
    if len(concepts) > MAX_CONCEPTS:
        raise PatternError("concepts_too_many", str(MAX_CONCEPTS))
    for concept in concepts:
        if len(concept) > MAX_CONCEPT:
            raise PatternError("concept_too_long", concept)
    return concepts


def parse_line(line: str, area: str = "") -> Situation:
    """``key: pattern => concepts ; example`` → Situation."""
    head, arrow, tail = line.partition("=>")
    key, colon, pattern = head.partition(":")
    if not arrow or not colon:
        raise PatternError("line_malformed", line)
    concepts, _, example = tail.partition(";")
    key = key.strip()
    if not _KEY.match(key):
        raise PatternError("key_malformed", key)
    return Situation(key, parse_pattern(pattern), parse_concepts(concepts),
                     example.strip(), area)


def parse_lexicon(lines: Iterable[str]) -> list[Situation]:
    """Entries of a lexicon file; ``[area]`` lines name the area of the entries after them,
    '#' starts a comment line. Raises PatternError naming the line."""
    area = ""
    found: list[Situation] = []
    keys: set[str] = set()
    for number, raw in enumerate(lines, start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if heading := _AREA.match(line):
            area = heading.group(1).strip()
            continue
        try:
            situation = parse_line(line, area)
        except PatternError as error:
            raise PatternError(error.code, f"line {number}: {error.value}") from None
        if situation.key in keys:
            raise PatternError("key_taken", f"line {number}: {situation.key}")
        keys.add(situation.key)
        found.append(situation)
    return found


@lru_cache(maxsize=1)
def shipped_situations() -> tuple[Situation, ...]:
    """The lexicon SECI ships (``data/situations.txt``)."""
    text = (resources.files("seci.retrieval") / "data" / "situations.txt").read_text("utf-8")
    return tuple(parse_lexicon(text.splitlines()))


# --- matching -------------------------------------------------------------------------------


@lru_cache(maxsize=20_000)
def _syllable(char: str) -> str:
    """Toneless pinyin of one Chinese character (its most common reading), else the
    character itself."""
    if not _CJK_CHAR.match(char):
        return char
    from pypinyin import lazy_pinyin

    return "".join(lazy_pinyin(char)) or char


def _sounds(text: str) -> tuple[str, dict[int, int]]:
    """The text as syllables, one per character, padded by blanks (' kuan dai mi ma '),
    and where each syllable starts in it → the index of its character."""
    joined, starts = " ", {}
    for index, char in enumerate(text):
        starts[len(joined) - 1] = index
        joined += _syllable(char) + " "
    return joined, starts


def _sounds_like(word: str, sound: str, text: str, sounds: tuple[str, dict[int, int]],
                 inside_word: Callable[[int, int], bool] = lambda _start, _end: False
                 ) -> bool:
    """``word`` (whose syllables are ``sound``) is in ``text`` by its pinyin, with at least
    half of its characters as typed, and not as part of a longer word of the text
    (``inside_word``): a homophone typo changes a character, not the word (款带 meets 宽带;
    显示 does not meet 闲时; 新家 does not meet 新加坡)."""
    joined, starts = sounds
    need = (len(word) + 1) // 2
    position = joined.find(sound)
    while position >= 0:
        start = starts[position]
        span = text[start:start + len(word)]
        if sum(a == b for a, b in zip(span, word, strict=False)) >= need \
                and not inside_word(start, start + len(word)):
            return True
        position = joined.find(sound, position + 1)
    return False


def longer_words(text: str, segment: Segment | None) -> Callable[[int, int], bool]:
    """Whether the span [start, end) of ``text`` lies inside one word of ``segment``'s
    that is longer than the span (新加 inside 新加坡): such a span is part of another
    word, not a typo of the lexicon's. Without a segmenter, never."""
    if segment is None:
        return lambda _start, _end: False
    word_of: dict[int, tuple[int, int]] = {}
    position = 0
    for piece in segment(text):
        if len(piece) > 2:
            for index in range(position, position + len(piece)):
                word_of[index] = (position, position + len(piece))
        position += len(piece)

    def inside(start: int, end: int) -> bool:
        word = word_of.get(start)
        return word is not None and word[0] <= start and end <= word[1] \
            and word[1] - word[0] > end - start
    return inside


def matching_text(query: str) -> str:
    """The query as patterns see it: normalised, blanks removed."""
    return _BLANKS.sub("", normalize(query))


class SituationLexicon:
    """The entries in force, ready to match queries (immutable; build a new one to change)."""

    def __init__(self, situations: Sequence[Situation]) -> None:
        self.situations = tuple(situations)
        alternatives = {a for s in self.situations for slot in s.pattern.slots for a in slot}
        words = alternatives | {w for s in self.situations for w in s.pattern.excluded}
        # Alternatives of two or more Chinese characters also meet by their pinyin, unless
        # they hold a particle (小了 would meet 销了); excluded words only literally.
        self._sounds = {w: _sounds(w)[0] for w in alternatives
                        if len(_CJK_CHAR.findall(w)) >= PINYIN_MIN_CHARS
                        and not _PARTICLES.search(w)}
        # Indexes that keep a query to a few hundred comparisons: words by their first
        # character, sounds by their first syllable, entries by the words of their slots.
        self._by_char: dict[str, list[str]] = {}
        for word in sorted(words):
            self._by_char.setdefault(word[0], []).append(word)
        self._by_syllable: dict[str, list[tuple[str, str]]] = {}
        for word, sound in self._sounds.items():
            self._by_syllable.setdefault(sound.split()[0], []).append((word, sound))
        self._by_word: dict[str, list[int]] = {}
        for index, situation in enumerate(self.situations):
            for word in {w for slot in situation.pattern.slots for w in slot}:
                self._by_word.setdefault(word, []).append(index)

    def __len__(self) -> int:
        return len(self.situations)

    def occurring(self, query: str, segment: Segment | None = None) -> set[str]:
        """The lexicon's words that occur in the query (literally or by their pinyin; with
        ``segment``, a word segmenter, not by the pinyin of part of a longer word)."""
        text = matching_text(query)
        if not text:
            return set()
        found = {w for char in set(text) for w in self._by_char.get(char, ()) if w in text}
        if self._sounds and _CJK_CHAR.search(text):
            sounds = _sounds(text)
            inside_word: Callable[[int, int], bool] | None = None
            for syllable in set(sounds[0].split()):
                for word, sound in self._by_syllable.get(syllable, ()):
                    if word in found or sound not in sounds[0]:
                        continue
                    # Segmented only when a word sounds alike (most queries: never).
                    inside_word = inside_word or longer_words(text, segment)
                    if _sounds_like(word, sound, text, sounds, inside_word):
                        found.add(word)
        return found

    def match(self, query: str, limit: int | None = MAX_FIRINGS,
              segment: Segment | None = None) -> list[Firing]:
        """The entries that fire on the query, most specific first (see the module doc)."""
        found = self.occurring(query, segment)
        if not found:
            return []
        candidates = sorted({i for w in found for i in self._by_word.get(w, ())})
        firings = []
        for situation in (self.situations[i] for i in candidates):
            pattern = situation.pattern
            if any(w in found for w in pattern.excluded):
                continue
            matched = []
            for slot in pattern.slots:
                word = max((w for w in slot if w in found), key=len, default="")
                if not word:
                    break
                matched.append(word)
            else:
                firings.append(Firing(situation, tuple(matched)))
        firings.sort(key=lambda f: (-f.specificity[0], -f.specificity[1], f.situation.key))
        return firings if limit is None else firings[:limit]

    def expand(self, query: str, tokenize: Callable[[str], list[str]],
               weight: float = CONCEPT_WEIGHT, segment: Segment | None = None) -> Expansion:
        """The concept tokens to add to the query (``tokenize``: the analyzer's tokens;
        ``segment``: its word segmenter, see ``occurring``)."""
        firings = self.match(query, segment=segment)
        if not firings:
            return Expansion()
        own = set(tokenize(query))
        added = list(dict.fromkeys(token for firing in firings
                                   for concept in firing.situation.concepts
                                   for token in tokenize(concept) if token not in own))
        if not added:
            return Expansion(tuple(firings))
        # Together the concepts never weigh more than CONCEPT_SHARE of the caller's words.
        each = min(weight, CONCEPT_SHARE * max(len(own), 1) / len(added))
        return Expansion(tuple(firings), tuple((token, each) for token in added))
