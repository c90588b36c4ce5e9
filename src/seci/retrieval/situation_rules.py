"""Managers' situation lexicon (检索 > 情境词库): add, edit, disable and try entries.

The shipped lexicon (``data/situations.txt``) is the base and is never copied into the
database; managers' own entries and their changes to shipped entries are rows of
``search_situations`` keyed by the entry's key (see ``SituationRule``). Every write takes the
next ``revision``; each server process rebuilds its lexicon when it sees a higher one (see
``SearchEngine.sync``), so an edit applies everywhere on the next search, without a restart
and without re-indexing (the lexicon acts on queries only).

Only knowledge managers and administrators (``Perm.SYNONYMS_MANAGE``, the permission of the
search vocabulary) read or change it; every function that does takes the ``actor``.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from seci.accounts.models import User
from seci.accounts.roles import Perm
from seci.audit.service import record
from seci.core.errors import Conflict, FieldErrors, NotFound, PermissionDenied
from seci.core.i18n import N_
from seci.retrieval.situation_models import SituationRule
from seci.retrieval.situations import (
    MAX_ALTERNATIVE,
    MAX_CONCEPT,
    MAX_CONCEPTS,
    MAX_SLOTS,
    MIN_SINGLE_SLOT,
    Expansion,
    PatternError,
    Segment,
    Situation,
    SituationLexicon,
    parse_concepts,
    parse_pattern,
    shipped_situations,
)
from seci.retrieval.text import normalize

logger = logging.getLogger("seci.retrieval")

MAX_AREA = 40
MAX_EXAMPLE = 200
MAX_NOTE = 200
SHIPPED, LOCAL = "shipped", "local"


class StaleSituation(Conflict):
    code = "stale_situation"
    message = N_("Someone else changed this lexicon entry meanwhile; reload and try again.")


@dataclass(frozen=True)
class EntryInput:
    pattern: str
    concepts: str | Sequence[str]
    example: str = ""
    area: str = ""
    note: str = ""


@dataclass(frozen=True)
class LexiconEntry:
    """An entry as managers see it: content in force and where it comes from."""

    key: str
    area: str
    pattern: str
    concepts: tuple[str, ...]
    example: str
    note: str
    state: str  # 'shipped' (as in the file), 'edited' (shipped, changed), 'local' (own)
    enabled: bool
    lock_version: int  # 0: no change stored yet (a shipped entry as shipped)
    updated_at: datetime | None = None


@dataclass(frozen=True)
class Trial:
    """What the lexicon does to a query: the entries that fire, the concept tokens added."""

    query: str
    expansion: Expansion
    query_tokens: tuple[str, ...]
    # Prices the articles state that the query's spoken amounts add ("九块九" → 9.9),
    # each at ``engine.PRICE_WEIGHT``: shown beside the concepts so a manager sees them.
    prices: tuple[str, ...] = ()


def _need_manage(actor: User) -> None:
    if not actor.can(Perm.SYNONYMS_MANAGE):
        raise PermissionDenied()


def current_revision(session: Session) -> int:
    """The highest revision: changes whenever any entry is written."""
    return session.scalar(select(func.max(SituationRule.revision))) or 0


# --- what is in force ----------------------------------------------------------------------


def _row_situation(row: SituationRule) -> Situation | None:
    try:
        return Situation(row.key, parse_pattern(row.pattern), parse_concepts(row.concepts),
                         row.example, row.area)
    except PatternError as error:  # stored before a rule got stricter: left out, not fatal
        logger.warning("situation %s left out: %s", row.key, error)
        return None


def effective_situations(session: Session,
                         shipped: Sequence[Situation] | None = None) -> list[Situation]:
    """The entries in force: the shipped ones as managers changed them, then their own."""
    rows = {row.key: row for row in session.scalars(select(SituationRule))}
    found: list[Situation | None] = []
    for situation in shipped if shipped is not None else shipped_situations():
        row = rows.pop(situation.key, None)
        if row is None:
            found.append(situation)
        elif row.enabled:
            found.append(_row_situation(row) if row.own_content else situation)
    for row in sorted(rows.values(), key=lambda r: r.id):
        # Local entries; a shipped key no longer shipped keeps a manager's edited content.
        if row.enabled and (row.origin == LOCAL or row.own_content):
            found.append(_row_situation(row))
    return [situation for situation in found if situation is not None]


def _entry(situation: Situation | None, row: SituationRule | None) -> LexiconEntry:
    if row is not None and (row.own_content or situation is None):
        state = LOCAL if row.origin == LOCAL else "edited"
        return LexiconEntry(row.key, row.area, row.pattern, tuple(row.concepts), row.example,
                            row.note, state, row.enabled, row.lock_version, row.updated_at)
    assert situation is not None
    return LexiconEntry(situation.key, situation.area, str(situation.pattern),
                        situation.concepts, situation.example,
                        row.note if row is not None else "", SHIPPED,
                        row.enabled if row is not None else True,
                        row.lock_version if row is not None else 0,
                        row.updated_at if row is not None else None)


def list_entries(session: Session, *, actor: User, text: str = "", area: str = "",
                 state: str = "") -> list[LexiconEntry]:
    """Every entry, shipped ones first in file order, then managers' own; ``text`` filters
    on key, words, concepts and example, ``state`` on shipped|edited|local|disabled."""
    _need_manage(actor)
    rows = {row.key: row for row in session.scalars(select(SituationRule))}
    entries = [_entry(s, rows.pop(s.key, None)) for s in shipped_situations()]
    entries.extend(_entry(None, row) for row in sorted(rows.values(), key=lambda r: r.id)
                   if row.origin == LOCAL or row.own_content)
    needle = normalize(text)
    return [e for e in entries
            if (not needle or needle in normalize(" ".join(
                (e.key, e.pattern, " ".join(e.concepts), e.example, e.note))))
            and (not area or e.area == area)
            and (not state or (state == "disabled" and not e.enabled)
                 or (state == e.state and e.enabled))]


def areas(session: Session) -> list[str]:
    """The areas in use, shipped ones first."""
    found = dict.fromkeys(s.area for s in shipped_situations())
    found.update(dict.fromkeys(session.scalars(
        select(SituationRule.area).where(SituationRule.origin == LOCAL).distinct())))
    return [area for area in found if area]


def get_entry(session: Session, *, actor: User, key: str) -> LexiconEntry:
    _need_manage(actor)
    row = session.scalar(select(SituationRule).where(SituationRule.key == key))
    shipped = _shipped(key)
    if shipped is None and (row is None or not (row.origin == LOCAL or row.own_content)):
        raise NotFound()
    return _entry(shipped, row)


def _shipped(key: str) -> Situation | None:
    return next((s for s in shipped_situations() if s.key == key), None)


# --- changes ---------------------------------------------------------------------------------


def _clean(data: EntryInput) -> tuple[Situation, str]:
    """The entry as it will be stored (normalised), or FieldErrors naming every problem."""
    problems: list[dict[str, object]] = []
    pattern = concepts = None
    try:
        pattern = parse_pattern(data.pattern)
    except PatternError as error:
        problems.append(_pattern_problem("pattern", error))
    try:
        concepts = parse_concepts(data.concepts)
    except PatternError as error:
        problems.append(_pattern_problem("concepts", error))
    area = normalize(data.area)
    if len(area) > MAX_AREA:
        problems.append({"field": "area", "code": "too_long", "max": MAX_AREA})
    example = (data.example or "").strip()
    if len(example) > MAX_EXAMPLE:
        problems.append({"field": "example", "code": "too_long", "max": MAX_EXAMPLE})
    note = (data.note or "").strip()
    if len(note) > MAX_NOTE:
        problems.append({"field": "note", "code": "too_long", "max": MAX_NOTE})
    if pattern is not None and concepts is not None and example and not problems:
        probe = Situation("probe", pattern, concepts)
        if not SituationLexicon([probe]).match(example):
            problems.append({"field": "example", "code": "example_does_not_fire",
                             "value": example})
    if problems or pattern is None or concepts is None:
        raise FieldErrors(problems)
    return Situation("", pattern, concepts, example, area), note


def _pattern_problem(field: str, error: PatternError) -> dict[str, object]:
    codes: dict[str, dict[str, object]] = {
        "pattern_empty": {"code": "required"},
        "pattern_too_many_slots": {"code": "pattern_too_many_slots", "max": MAX_SLOTS},
        "pattern_word_too_long": {"code": "too_long", "max": MAX_ALTERNATIVE,
                                  "value": error.value},
        "pattern_single_slot_too_short": {"code": "pattern_single_slot_too_short",
                                          "min": MIN_SINGLE_SLOT, "value": error.value},
        "concepts_empty": {"code": "required"},
        "concepts_too_many": {"code": "too_many", "max": MAX_CONCEPTS},
        "concept_too_long": {"code": "too_long", "max": MAX_CONCEPT, "value": error.value},
    }
    return {"field": field, **codes.get(error.code, {"code": error.code, "value": error.value})}


def _stamp(session: Session, row: SituationRule, actor: User) -> None:
    with session.no_autoflush:  # a new row has no revision yet
        row.revision = current_revision(session) + 1
    row.updated_by_id = actor.id
    try:
        with session.begin_nested():
            session.flush()
    except IntegrityError:  # another writer took the same revision (or key) meanwhile
        raise StaleSituation() from None


def _store(row: SituationRule, clean: Situation, note: str) -> None:
    row.own_content = True
    row.pattern = str(clean.pattern)
    row.concepts = list(clean.concepts)
    row.example = clean.example
    row.area = clean.area
    row.note = note


def _snapshot(entry: LexiconEntry) -> dict[str, object]:
    return {"pattern": entry.pattern, "concepts": list(entry.concepts),
            "example": entry.example, "area": entry.area, "note": entry.note,
            "enabled": entry.enabled, "state": entry.state}


def create_entry(session: Session, *, actor: User, data: EntryInput) -> LexiconEntry:
    """A manager's own entry (key ``local-…``), in force at once."""
    _need_manage(actor)
    clean, note = _clean(data)
    row = SituationRule(key=f"local-{uuid.uuid4().hex[:10]}", origin=LOCAL, enabled=True,
                        lock_version=1)
    _store(row, clean, note)
    session.add(row)
    _stamp(session, row, actor)
    entry = _entry(None, row)
    record(session, actor=actor, action="situation.create", entity_type="situation",
           entity_id=row.id, summary=_summary(entry), after=_snapshot(entry))
    return entry


def _row_for_change(session: Session, key: str, expected_lock_version: int
                    ) -> tuple[SituationRule, Situation | None, LexiconEntry]:
    """The row a change is written to (a new one for a shipped entry changed the first
    time), the shipped entry and the entry before the change."""
    row = session.scalar(select(SituationRule).where(SituationRule.key == key))
    shipped = _shipped(key)
    if shipped is None and (row is None or not (row.origin == LOCAL or row.own_content)):
        raise NotFound()
    before = _entry(shipped, row)
    if (row.lock_version if row is not None else 0) != expected_lock_version:
        raise StaleSituation()
    if row is None:
        row = SituationRule(key=key, origin=SHIPPED, own_content=False, enabled=True,
                            lock_version=0, area=shipped.area if shipped else "")
        session.add(row)
    row.lock_version += 1
    return row, shipped, before


def update_entry(session: Session, *, actor: User, key: str, expected_lock_version: int,
                 data: EntryInput) -> LexiconEntry:
    """Change an entry; a shipped one keeps its key and is then shown as edited."""
    _need_manage(actor)
    clean, note = _clean(data)
    row, shipped, before = _row_for_change(session, key, expected_lock_version)
    _store(row, clean, note)
    _stamp(session, row, actor)
    entry = _entry(shipped, row)
    record(session, actor=actor, action="situation.update", entity_type="situation",
           entity_id=row.id, summary=_summary(entry), before=_snapshot(before),
           after=_snapshot(entry))
    return entry


def set_enabled(session: Session, *, actor: User, key: str, expected_lock_version: int,
                enabled: bool) -> LexiconEntry:
    """Disable an entry (kept, shown as disabled) or enable it again."""
    _need_manage(actor)
    row, shipped, before = _row_for_change(session, key, expected_lock_version)
    row.enabled = enabled
    _stamp(session, row, actor)
    entry = _entry(shipped, row)
    record(session, actor=actor, action="situation.enable" if enabled else "situation.disable",
           entity_type="situation", entity_id=row.id, summary=_summary(entry),
           before=_snapshot(before), after=_snapshot(entry))
    return entry


def reset_entry(session: Session, *, actor: User, key: str,
                expected_lock_version: int) -> LexiconEntry:
    """A shipped entry back to the shipped content, enabled (the row stays, for the audit
    trail and the revision sequence)."""
    _need_manage(actor)
    if _shipped(key) is None:
        raise NotFound()
    row, shipped, before = _row_for_change(session, key, expected_lock_version)
    row.own_content, row.enabled = False, True
    _stamp(session, row, actor)
    entry = _entry(shipped, row)
    record(session, actor=actor, action="situation.reset", entity_type="situation",
           entity_id=row.id, summary=_summary(entry), before=_snapshot(before),
           after=_snapshot(entry))
    return entry


def _summary(entry: LexiconEntry) -> str:
    return f"{entry.key}: {entry.pattern} => {' '.join(entry.concepts)}"[:300]


def try_query(*, actor: User, lexicon: SituationLexicon, tokenize: Callable[[str], list[str]],
              query: str, segment: Segment | None = None,
              prices: Callable[[str], tuple[str, ...]] | None = None) -> Trial:
    """The entries that fire on ``query`` and the expanded query, as search uses them
    (``lexicon``: the search engine's, after a sync; ``segment``: its analyzer's ``cut``;
    ``prices``: its ``named_prices``)."""
    _need_manage(actor)
    return Trial(query, lexicon.expand(query, tokenize, segment=segment),
                 tuple(tokenize(query)), prices(query) if prices else ())


# --- checking the lexicon against callers' sentences ------------------------------------------

# Lines one check reads: matching costs ~0.3 ms a sentence, so a check stays well under a
# second in the request (a day of a hotline's distinct questions is a few thousand).
MAX_CHECK_LINES = 2000
MAX_CHECK_SENTENCE = 500
# What a sentence's check found (``CheckedSentence.outcome``): labelled, its entry fired or
# not; out of scope, nothing fired or something did.
Outcome = Literal["fired", "missed", "silent", "fired_out_of_scope"]


@dataclass(frozen=True)
class CheckedSentence:
    """One caller's sentence as the lexicon in force reads it."""

    line: int
    text: str
    key: str | None  # the entry it should fire; None: no entry should (out of scope)
    fired: tuple[str, ...]  # every entry that fires, most specific first
    # Entries that fire and share no concept with ``key``'s: a wrong situation.
    stray: tuple[str, ...] = ()

    @property
    def outcome(self) -> Outcome:
        if self.key is None:
            return "fired_out_of_scope" if self.fired else "silent"
        return "fired" if self.key in self.fired else "missed"


@dataclass(frozen=True)
class CheckFigures:
    labelled: int  # sentences with the entry that should fire
    out_of_scope: int  # sentences no entry should fire on
    fires_own: float | None  # ``fires_own_share``
    stray: float | None  # ``stray_share``
    out_of_scope_fired: float | None  # ``out_of_scope_fired_share``


@dataclass(frozen=True)
class SentenceCheck:
    sentences: tuple[CheckedSentence, ...]

    @property
    def problems(self) -> list[CheckedSentence]:
        """Missed, fired out of scope, or firing a wrong situation: what a manager fixes."""
        return [s for s in self.sentences
                if s.outcome in ("missed", "fired_out_of_scope") or s.stray]

    @property
    def figures(self) -> CheckFigures:
        found = self.sentences
        return CheckFigures(sum(s.key is not None for s in found),
                            sum(s.key is None for s in found), fires_own_share(found),
                            stray_share(found), out_of_scope_fired_share(found))


def fires_own_share(sentences: Sequence[CheckedSentence]) -> float | None:
    """|{s labelled with an entry : the entry fires on s}| / |{s labelled}|; None when no
    sentence is labelled."""
    labelled = [s for s in sentences if s.key is not None]
    return sum(s.outcome == "fired" for s in labelled) / len(labelled) if labelled else None


def stray_share(sentences: Sequence[CheckedSentence]) -> float | None:
    """|{s labelled : an entry sharing no concept with s's entry fires on s}| /
    |{s labelled}|; None when no sentence is labelled."""
    labelled = [s for s in sentences if s.key is not None]
    return sum(bool(s.stray) for s in labelled) / len(labelled) if labelled else None


def out_of_scope_fired_share(sentences: Sequence[CheckedSentence]) -> float | None:
    """|{s out of scope : some entry fires on s}| / |{s out of scope}|; None when there is
    no out-of-scope sentence."""
    outside = [s for s in sentences if s.key is None]
    return sum(bool(s.fired) for s in outside) / len(outside) if outside else None


def parse_check_lines(text: str, known: Sequence[str]) -> list[tuple[int, str | None, str]]:
    """``key<TAB>sentence`` lines (two columns pasted from a spreadsheet) and bare sentences
    (out of scope: no entry should fire; so is a ``-`` key) → (line, key, sentence). Blank
    lines are skipped. FieldErrors name every bad line: an entry not in force, a sentence
    too long, too many lines."""
    rows: list[tuple[int, str | None, str]] = []
    problems: list[dict[str, object]] = []
    keys = set(known)
    for number, raw in enumerate(text.splitlines(), start=1):
        key, tab, sentence = raw.partition("\t")
        if not tab:
            key, sentence = "", key
        key, sentence = key.strip(), sentence.strip()
        if not sentence:
            continue
        if key not in ("", "-") and key not in keys:
            problems.append({"field": "lines", "code": "unknown_situation", "line": number,
                             "value": key[:60]})
        elif len(sentence) > MAX_CHECK_SENTENCE:
            problems.append({"field": "lines", "code": "line_too_long", "line": number,
                             "max": MAX_CHECK_SENTENCE})
        rows.append((number, key if key not in ("", "-") else None, sentence))
    if len(rows) > MAX_CHECK_LINES:
        problems.insert(0, {"field": "lines", "code": "too_many", "max": MAX_CHECK_LINES})
    if not rows and not problems:
        problems.append({"field": "lines", "code": "required"})
    if problems:
        raise FieldErrors(problems[:20])
    return rows


def check_sentences(*, actor: User, lexicon: SituationLexicon, text: str,
                    segment: Segment | None = None) -> SentenceCheck:
    """Which entries of ``lexicon`` (the search engine's, after a sync) fire on each of
    callers' sentences (``parse_check_lines``), against the entry each should fire, or
    none: how managers see where the patterns miss callers' words or fire on the wrong
    situation (evaluation/lexicon holds SECI's own such sentences)."""
    _need_manage(actor)
    concepts = {s.key: set(s.concepts) for s in lexicon.situations}
    checked = []
    for line, key, sentence in parse_check_lines(text, list(concepts)):
        fired = tuple(f.situation.key for f in lexicon.match(sentence, limit=None,
                                                              segment=segment))
        own = concepts.get(key or "", set())
        stray = tuple(k for k in fired if key is not None and k != key
                      and not concepts[k] & own)
        checked.append(CheckedSentence(line, sentence, key, fired, stray))
    return SentenceCheck(tuple(checked))
