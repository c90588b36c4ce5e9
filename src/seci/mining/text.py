"""What mining reads in a transcript, through the text pipeline search uses (normalisation:
full-width forms, traditional characters, glued pinyin; segmentation with the telecom
dictionary): the agent's clauses (candidate scripts), the customer's words (topics,
bursts), and whether the agent hedged, escalated or promised a call-back (gaps).

Where the transcript has the turns' start times, each clause also gets the silence after
the turn it was said in: the gap to the next turn beyond the time its characters take to
say (``SPEAKING_MS_PER_CHAR``). A lookup that times out or a transfer to the back office is
followed by minutes of it; an explanation by a second.

Clauses are compared in a canonical form: figures masked ("58元" → "#元", so one script
with different amounts is one clause), fillers at the start dropped (嗯, 那个, 呃 …). ASR
homophones (六量 for 流量) are grouped later by their pinyin (``groups``).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from seci.retrieval.text import default_analyzer, normalize

MIN_CLAUSE = 4  # characters: shorter clauses (好的, 嗯嗯) say nothing on their own
MAX_CLAUSE = 40
_CLAUSE_SPLIT = re.compile(r"[，。！？；,.!?;：:\s…~～、]+")
_FILLERS = re.compile(r"^(?:嗯+|呃+|啊+|哦+|噢+|额+|那个|这个|就是说|就是|然后|对|好的|好|喂)+")
_FIGURES = re.compile(r"[0-9]+(?:\.[0-9]+)?|[零〇一二三四五六七八九十百千万两幺]{2,}")
_CJK = re.compile(r"[\u4e00-\u9fff]")
JOIN = "。"
SPEAKING_MS_PER_CHAR = 300  # Mandarin at a call-centre pace, pauses inside the turn included
MAX_SILENCE_S = 65_535  # stored as uint16

HEDGE, ESCALATE, CALLBACK = 1, 2, 4
_KIND_BITS = {"hedge": HEDGE, "escalate": ESCALATE, "callback": CALLBACK}


@lru_cache(maxsize=1 << 18)  # scripts repeat across calls: most clauses are hashed before
def stable_hash(text: str) -> int:
    """A 63-bit hash that is the same in every process and release (Python's ``hash`` of a
    string changes per process): the key a clause or word is stored under."""
    digest = hashlib.blake2b(text.encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big") >> 1


def clauses_of(normalized: str) -> list[str]:
    """The canonical clauses of already normalised agent text."""
    found = []
    for piece in _CLAUSE_SPLIT.split(normalized):
        clause = _FIGURES.sub("#", _FILLERS.sub("", piece))
        if MIN_CLAUSE <= len(clause) <= MAX_CLAUSE and _CJK.search(clause):
            found.append(clause)
    return found


@dataclass(frozen=True)
class HedgeLexicon:
    phrases: tuple[tuple[str, int], ...]

    def flags(self, normalized: str) -> int:
        bits = 0
        for phrase, bit in self.phrases:
            if bit & ~bits and phrase in normalized:
                bits |= bit
        return bits


@lru_cache
def hedge_lexicon() -> HedgeLexicon:
    """SECI's list of hedging, escalating and call-back wording (data/hedges.txt)."""
    text = (resources.files("seci.mining") / "data" / "hedges.txt").read_text("utf-8")
    phrases = []
    for line in text.splitlines():
        if line.strip() and not line.startswith("#"):
            kind, _, phrase = line.partition("|")
            phrases.append((normalize(phrase), _KIND_BITS[kind.strip()]))
    return HedgeLexicon(tuple(phrases))


@dataclass(frozen=True)
class CallText:
    """What one call contributes: its agent clauses with where in the call each was first
    said (0 = the first clause, 1 = the last), customer words, hedge flags."""

    agent_clauses: list[str]
    positions: list[float]
    silences: list[int]  # seconds of silence after the turn each clause was said in
    customer_words: list[str]
    flags: int
    question: str  # the customer's first substantial turn, for examples
    spoken_chars: int = 0  # both sides, as transcribed


def read_call(turns: Sequence[Sequence[object]]) -> CallText:
    """From stored turns ``[[speaker, text, start_ms], ...]`` (speaker "a" or "c"; the
    start may be missing)."""
    customer = [str(t[1]) for t in turns if t[0] == "c"]
    words = [w for w in default_analyzer().raw_words(JOIN.join(customer))
             if len(w) >= 2 and _CJK.search(w)]
    question = next((c for c in customer if len(c) >= 8), customer[0] if customer else "")
    clauses: list[str] = []
    silences: list[int] = []
    agent_at = [index for index, turn in enumerate(turns) if turn[0] == "a"]
    agent_turns = normalize_each([str(turns[i][1]) for i in agent_at])
    for index, normalized in zip(agent_at, agent_turns, strict=True):
        said = clauses_of(normalized)
        clauses.extend(said)
        silences.extend([silence_after(turns, index)] * len(said))
    last = max(len(clauses) - 1, 1)
    return CallText(clauses, [i / last for i in range(len(clauses))], silences, words,
                    hedge_lexicon().flags(JOIN.join(agent_turns)), question[:120],
                    sum(len(str(t[1])) for t in turns))


_TURN_MARK = "\ue000"  # a private-use character: nothing normalises it or writes it
_TURN_SEPARATOR = f"\n{_TURN_MARK}\n"  # line ends kept: glued pinyin may end a turn


def normalize_each(texts: Sequence[str]) -> list[str]:
    """``[normalize(t) for t in texts]`` in one call of ``normalize`` (its conversions cost
    mostly per call: a call's dozen agent turns at once take a third of the time)."""
    if len(texts) < 2 or any(_TURN_MARK in t for t in texts):
        return [normalize(t) for t in texts]
    pieces = [p.strip() for p in normalize(_TURN_SEPARATOR.join(texts)).split(_TURN_MARK)]
    return pieces if len(pieces) == len(texts) else [normalize(t) for t in texts]


def silence_after(turns: Sequence[Sequence[object]], index: int) -> int:
    """Whole seconds between the end of turn ``index`` (its start plus its characters at
    speaking pace) and the start of the next turn; 0 without start times."""
    if index + 1 >= len(turns):
        return 0
    start, following = _start_of(turns[index]), _start_of(turns[index + 1])
    if start is None or following is None:
        return 0
    speaking = len(str(turns[index][1])) * SPEAKING_MS_PER_CHAR
    return min(max(following - start - speaking, 0) // 1000, MAX_SILENCE_S)


def _start_of(turn: Sequence[object]) -> int | None:
    value = turn[2] if len(turn) > 2 else None
    return int(value) if isinstance(value, int | float) else None


def unique_hashes(texts: Iterable[str]) -> list[int]:
    return sorted({stable_hash(t) for t in texts})
