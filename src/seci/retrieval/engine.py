"""The search engine of one server process: an index that follows the article change feed.

Every process keeps its own in-memory index and applies the change feed
(``article_changes``) before answering and in the background, so a publish in one process
is searchable in all of them within a second, with no message broker and no full rebuild.
Tokens are cached in ``search_documents``: a restart re-reads them instead of segmenting
the whole knowledge base again.
"""

from __future__ import annotations

import gc
import hashlib
import logging
import math
import os
import re
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from functools import lru_cache
from importlib import resources

from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from seci.core.db import begin_writing, conflict_insert
from seci.knowledge.models import Article, ArticleChange, ArticleStatus, ArticleVersion, Module
from seci.retrieval.amounts import (
    Amount,
    PriceTable,
    price_terms,
    spoken_amounts,
    stated_prices,
)
from seci.retrieval.confidence import PRIOR, ConfidenceModel
from seci.retrieval.courtesy import without_courtesy
from seci.retrieval.coverage import CoverageIndex, article_text, question_text
from seci.retrieval.documents import Facts, Tokens, query_tokens, tokenize_version
from seci.retrieval.index import Filters, LexicalIndex
from seci.retrieval.log import answered_wordings, opened_after, opened_marker
from seci.retrieval.matcher import MAX_LINEAR_CLASSES, Example, Matcher
from seci.retrieval.models import SearchCalibration, SearchDocument, SynonymRule
from seci.retrieval.situation_models import SituationRule
from seci.retrieval.situation_rules import effective_situations
from seci.retrieval.situations import SituationLexicon, shipped_situations
from seci.retrieval.synonyms import effective_groups
from seci.retrieval.text import (
    Analyzer,
    default_analyzer,
    normalize,
    telecom_terms,
    wording_key,
)
from seci.retrieval.typos import Corrected, Correction, KnownWords, correct
from seci.retrieval.vectors import VectorRanker

logger = logging.getLogger("seci.retrieval")
_BATCH = 500


# Bumped when ``documents.tokenize_version`` reads other text: cached tokens are redone.
TOKENS_LAYOUT = "2026-12-07 customer answer in the body"


def analyzer_signature(analyzer: Analyzer) -> str:
    """Changes whenever tokens of the same text could change (dictionary, synonyms)."""
    payload = (repr(sorted(analyzer.synonym_map().items())) + analyzer.dictionary_version
               + TOKENS_LAYOUT)
    return hashlib.sha1(payload.encode(), usedforsecurity=False).hexdigest()


# Reciprocal-rank fusion: score = Σ weight / (RRF_K + rank). A small K lets a clear first
# place count; the matcher, trained on how customers phrase things, weighs more.
RRF_K = 5.0
LEXICAL_WEIGHT = 1.0
MATCHER_WEIGHT = 1.4
CANDIDATES = 30
# The first page of hits is re-ordered by fused score + COVERAGE_WEIGHT × their text's
# coverage of the question (``seci.retrieval.coverage``): a first place's fused score is
# ~0.2–0.4. Chosen on both dev sets (docs/search.md): depth 3 and 10 gave the same
# recall@1, 10 a better recall@5 on the situational set (0.947 → 0.960).
COVERAGE_WEIGHT = 0.2
COVERAGE_DEPTH = 10
_COVERED_FIELDS = ("title", "questions", "tags", "body")
# A price the caller named ("九块九的那个", ``retrieval.amounts``), found among those the
# articles state: a price names one offer more surely than a word does, so it weighs twice
# a word of the query. Dev sets (docs/search.md): 0.75 (a situation concept's weight) and
# 1.0 gained less; 2.0 also put one more second-KB question's article first and left none
# of its customer questions answered wrong (two before).
PRICE_WEIGHT = 2.0
# Search-log clicks retrain the matcher at most this often (seconds); KB changes at once.
LOG_RETRAIN_INTERVAL = 600.0


@dataclass(frozen=True)
class RankedArticle:
    facts: Facts
    score: float  # fused
    lexical_rank: int | None = None  # 1-based
    lexical_score: float = 0.0
    matcher_rank: int | None = None
    matcher_share: float = 0.0  # softmax share of the matcher's scores among candidates
    matcher_score: float | None = None  # the model's raw score (decision value or cosine)
    neural_rank: int | None = None  # the optional sentence-embedding ranking
    neural_score: float | None = None  # best cosine of the query with the article's texts
    neighbour_matcher: bool = False  # the matcher compares with examples (large KBs)
    coverage: float = 0.0  # share of the question's rare character pairs in the article


@dataclass(frozen=True)
class Candidates:
    """What the rankers found for one query, before fusion (``SearchEngine.candidates``)."""

    facts: Mapping[int, Facts]
    coverage: CoverageIndex
    lexical: list[tuple[int, float]]  # (article, BM25F), best first
    learned: list[tuple[int, float]]  # the matcher's (article or NONE_OF_THESE, score)
    floor: float  # the matcher's score of "none of these"
    neural: list[tuple[int, float]]
    neighbours: bool  # the matcher compares with examples
    question: str  # the query as coverage reads it
    code: str = ""  # the query as an article code (casefolded): such a hit stays first
    typed: tuple[str, ...] = ()  # the query's words as typed (``Analyzer.raw_words``)
    priced: tuple[str, ...] = ()  # stated prices the query's spoken amounts added ("199")
    # Homophone typos read as the knowledge base's words (款带 → 宽带, ``retrieval.typos``).
    corrections: tuple[Correction, ...] = ()
    read_as: str = ""  # the query as the rankers read it (its typos corrected)

    def recognised(self, filters: Filters) -> bool:
        """Whether the matcher scores an article ``filters`` accept at least as high as
        its "none of these" class (questions near a hotline but not its business: other
        companies, banks, jobs). A question it finds closer to those than to every article
        is not offered choices (``seci.assistant.dialogue.plausible_choices``). True
        without a matcher or without the class among its best scores: nothing to tell."""
        if not math.isfinite(self.floor):
            return True
        return any(score >= self.floor for aid, score in self.learned
                   if aid in self.facts and filters.accepts(self.facts[aid]))


@dataclass(frozen=True)
class _Lexical:
    """The lexical ranker's hits and the facts and coverage index read with them."""

    hits: list[tuple[int, float]]
    facts: Mapping[int, Facts]
    coverage: CoverageIndex
    priced: tuple[str, ...] = ()


def _lexical_pool() -> ThreadPoolExecutor:
    """Threads that run lexical queries alongside the matcher (``candidates``). The
    queries hold the engine's lock, so more threads would only wait for it; their
    caller never holds it while it waits for them. One pool per process: a forked child
    has none of its parent's threads."""
    return _pool_of(os.getpid())


@lru_cache(maxsize=1)
def _pool_of(process: int) -> ThreadPoolExecutor:
    return ThreadPoolExecutor(max_workers=4, thread_name_prefix="seci-lexical")


def _both_rankers(lexical_search: Callable[[], _Lexical], matcher: Matcher | None,
                  query: str) -> tuple[_Lexical, list[tuple[int, float]], float]:
    """The lexical hits, the matcher's best articles and its score of "none of these".
    tantivy searches without the GIL, so the lexical query runs in another thread while
    this one asks the matcher (at 100,000 articles each takes a few milliseconds)."""
    if matcher is None:
        return lexical_search(), [], -math.inf
    pending = _lexical_pool().submit(lexical_search)
    learned = matcher.top(query, CANDIDATES * 3)
    # An article the matcher ranks below "none of these" is no candidate of its own (it
    # still counts when the lexical ranker finds it).
    floor = next((score for aid, score in learned if aid == NONE_OF_THESE), -math.inf)
    return pending.result(), learned, floor


class SearchEngine:
    def __init__(self, analyzer: Analyzer | None = None, *, train_inline: bool = True,
                 vectors: VectorRanker | None = None, neural_weight: float = 2.0,
                 max_linear_classes: int = MAX_LINEAR_CLASSES, situations: bool = True
                 ) -> None:
        """``train_inline``: (re)train the matcher and encode new texts on the search call
        that finds them out of date; servers pass False and do both in ``BackgroundSync``.
        ``vectors``: the optional neural ranking (off unless configured).
        ``max_linear_classes``: above this many articles the matcher compares with examples
        instead of training a linear model (see ``seci.retrieval.matcher``).
        ``situations``: expand queries with the situation lexicon (False: the caller's words
        only, to measure without it or to test another ranker alone)."""
        self.analyzer = analyzer or default_analyzer()
        self.vectors = vectors
        self._neural_weight = neural_weight
        self._index = LexicalIndex()
        self._coverage = CoverageIndex()
        self._known_words = KnownWords()
        self._facts: dict[int, Facts] = {}
        self._prices = PriceTable()
        self._watermark = -1  # last applied change; -1: nothing built yet
        self._signature = analyzer_signature(self.analyzer)
        self._generation = self.analyzer.generation
        self._synonym_revision = -1  # managers' synonym rules applied; -1: not yet
        # The situation lexicon in force (shipped entries until the first sync reads the
        # managers' ones); swapped whole, never changed in place.
        self._use_situations = situations
        self.situations = SituationLexicon(shipped_situations() if situations else ())
        self._situation_revision = -1
        self._log_examples: list[Example] = []
        self._known_wordings: dict[str, int] = {}  # wording_key → the one article
        self._log_marker: tuple[int, int] | None = None
        self._log_loaded_at = -math.inf
        self._lock = threading.RLock()
        self._train_inline = train_inline
        self._matcher: Matcher | None = None
        self._matcher_stale = True
        self._matcher_weight = MATCHER_WEIGHT
        self._max_linear_classes = max_linear_classes
        # Similar questions left out of the index and the matcher, per article: only the
        # calibration's held-out copies (``held_out_copy``) have any.
        self._hidden: Mapping[int, frozenset[str]] = {}
        # The confidence model and the assistant's thresholds in force (swapped whole).
        self.confidence: ConfidenceModel = PRIOR
        self._calibration_seen = -1

    @classmethod
    def held_out_copy(cls, served: SearchEngine, session: Session, *,
                      hidden: Mapping[int, frozenset[str]], log_examples: Sequence[Example]
                      ) -> SearchEngine:
        """A private engine over the knowledge base ``served`` indexes, with the similar
        questions in ``hidden`` and every search-log example not in ``log_examples`` left
        out: the engine a calibration asks its held-out questions (they must be unseen,
        as a caller's words are). Same analyzer, situations and matcher form; no neural
        ranking; it trains inline and never follows the change feed."""
        copy = cls(served.analyzer, max_linear_classes=served._max_linear_classes,
                   situations=False)
        copy.situations = served.situations
        copy._hidden = hidden
        copy._log_examples = list(log_examples)
        copy._rebuild(session, served._watermark)
        return copy

    # --- following the change feed --------------------------------------------------------

    def sync(self, session: Session) -> int:
        """Apply changes published since the last sync; returns the number of articles."""
        # Both markers in one round trip: every search asks, so it is kept to one.
        latest_change, revision, situation_revision, calibration = session.execute(select(
            select(func.max(ArticleChange.id)).scalar_subquery(),
            select(func.max(SynonymRule.revision)).scalar_subquery(),
            select(func.max(SituationRule.revision)).scalar_subquery(),
            select(func.max(SearchCalibration.id)).scalar_subquery(),
        )).one()
        latest = latest_change or 0
        with self._lock:
            self._apply_calibration(session, calibration or 0)
            self._apply_synonym_rules(session, revision or 0)
            self._apply_situations(session, situation_revision or 0)
            if self._train_inline:
                self.refresh_log_examples(session)
            if self._watermark < 0 or latest < self._watermark or self._stale_signature():
                return self._rebuild(session, latest)
            if latest == self._watermark:
                return 0
            changed = list(session.scalars(
                select(ArticleChange.article_id).distinct()
                .where(ArticleChange.id > self._watermark, ArticleChange.id <= latest)
            ))
            self._refresh(session, changed)
            self._watermark = latest
            self._matcher_stale = True
            return len(changed)

    def _apply_calibration(self, session: Session, newest: int) -> None:
        """The newest fitted calibration (``seci.retrieval.served_calibration``) once it
        appears; until then, or while every fit found too few questions, the prior."""
        if newest == self._calibration_seen:
            return
        self._calibration_seen = newest
        row = session.scalars(select(SearchCalibration)
                              .where(SearchCalibration.status == "fitted")
                              .order_by(SearchCalibration.id.desc()).limit(1)).first()
        self.confidence = PRIOR if row is None else ConfidenceModel.fitted(
            calibration_id=row.id, kind=row.matcher_kind, coefficients=row.coefficients,
            thresholds=row.thresholds)

    def _apply_synonym_rules(self, session: Session, revision: int) -> None:
        """Managers' synonym rules as of ``revision`` (their highest, read at each sync); a
        change makes the signature stale, which re-tokenises the knowledge base."""
        if revision != self._synonym_revision or self.analyzer.generation != self._generation:
            self.analyzer.set_synonyms(effective_groups(session))
            self._synonym_revision = revision

    def _apply_situations(self, session: Session, revision: int) -> None:
        """The situation lexicon as of ``revision`` (managers' entries over the shipped
        ones). It expands queries, so nothing is re-indexed; its example sentences are the
        matcher's, so the matcher retrains."""
        if self._use_situations and revision != self._situation_revision:
            self.situations = SituationLexicon(effective_situations(session))
            self._situation_revision = revision
            self._matcher_stale = True

    def refresh_log_examples(self, session: Session, min_interval: float = 0.0) -> bool:
        """Reload (query, opened article) pairs from the search log when it grew, at most
        every ``min_interval`` seconds (each reload retrains the matcher)."""
        now = time.monotonic()
        if now - self._log_loaded_at < min_interval:
            return False
        marker = opened_marker(session)
        if marker == self._log_marker:
            return False
        examples = [Example(query, article_id) for query, article_id in opened_after(session)]
        answered = known_wordings(Example(query, article_id)
                                  for query, article_id in answered_wordings(session))
        with self._lock:
            self._log_examples = examples
            self._known_wordings = answered
            self._log_marker = marker
            self._log_loaded_at = now
            self._matcher_stale = True
        return True

    def _stale_signature(self) -> bool:
        if self.analyzer.generation == self._generation:
            return False
        self._generation = self.analyzer.generation
        current = analyzer_signature(self.analyzer)
        if current != self._signature:
            self._signature = current
            return True
        return False

    def _rebuild(self, session: Session, latest: int) -> int:
        ids = list(session.scalars(
            select(Article.id).where(Article.live_version_id.is_not(None),
                                     Article.status != ArticleStatus.RETIRED)
        ))
        self._index = LexicalIndex()
        self._coverage = CoverageIndex()
        self._known_words = KnownWords(self._terms())
        self._facts = {}
        self._prices = PriceTable()
        if self.vectors is not None:
            self.vectors.retain(ids)
        for start in range(0, len(ids), _BATCH):
            self._refresh(session, ids[start:start + _BATCH])
        self._watermark = latest
        self._matcher_stale = True
        logger.info("search index built: %d articles", len(self._facts))
        return len(ids)

    def _terms(self) -> list[str]:
        """The words SECI knows besides the articles': the synonym table's (its standard
        terms and their variants) and the telecom dictionary's."""
        return [*self.analyzer.synonym_map(), *(word for word, _ in telecom_terms())]

    def _refresh(self, session: Session, article_ids: Sequence[int]) -> None:
        rows = session.execute(
            select(Article.id, Article.status, ArticleVersion, Module.path)
            .join(ArticleVersion, ArticleVersion.id == Article.live_version_id)
            .join(Module, Module.id == ArticleVersion.module_id)
            .where(Article.id.in_(article_ids))
        ).all()
        live = [(version, path) for _, status, version, path in rows
                if status != ArticleStatus.RETIRED]
        gone = set(article_ids) - {version.article_id for version, _ in live}
        if gone:
            self._index.remove(sorted(gone))
            for article_id in gone:
                if (old := self._facts.pop(article_id, None)) is not None:
                    self._prices.remove(old.prices)
                self._coverage.remove(article_id)
                self._known_words.remove(article_id)
            if self.vectors is not None:
                self.vectors.remove(gone)
        tokens = self._tokens_for(session, [version for version, _ in live])
        documents = []
        for version, path in live:
            similar = tuple(version.similar_questions)
            if hidden := self._hidden.get(version.article_id):
                similar = tuple(q for q in similar if q not in hidden)
                tokens[version.id] = tokenize_version(self.analyzer, version, similar)
            facts = Facts(
                article_id=version.article_id, version_id=version.id, code=version.code,
                title=version.title, module_path=path, queue_ids=frozenset(version.queue_ids),
                audience=version.audience, valid_from=version.valid_from,
                valid_to=version.valid_to,
                examples=(version.title, *similar),
                details=body_sentences(version.body),
                prices=stated_prices("\n".join(filter(None, (
                    version.title, version.customer_answer, version.body)))),
            )
            if (old := self._facts.get(facts.article_id)) is not None:
                self._prices.remove(old.prices)
            self._facts[facts.article_id] = facts
            self._prices.add(facts.prices)
            covered = [tokens[version.id].field(name) for name in _COVERED_FIELDS]
            self._coverage.upsert(facts.article_id, article_text(covered))
            # Body words too: without them the situational dev set lost two typo questions.
            self._known_words.upsert(facts.article_id, " ".join(covered))
            documents.append((facts, tokens[version.id]))
        self._index.upsert(documents)
        if self.vectors is not None:
            # Servers encode in the background thread (encode_pending), never under the lock.
            self.vectors.update(session, [(v.article_id, v.id, [v.title, *v.similar_questions])
                                          for v, _ in live], encode=self._train_inline)

    def _tokens_for(self, session: Session, versions: Iterable[ArticleVersion]
                    ) -> dict[int, Tokens]:
        """Cached tokens, segmenting (and caching) only versions seen for the first time."""
        by_id = {v.id: v for v in versions}
        found: dict[int, Tokens] = {}
        for doc in session.scalars(select(SearchDocument).where(
                SearchDocument.version_id.in_(list(by_id)),
                SearchDocument.signature == self._signature)):
            found[doc.version_id] = Tokens(doc.title, doc.questions, doc.tags, doc.body,
                                           doc.pinyin, doc.grams)
        missing = [v for vid, v in by_id.items() if vid not in found]
        if missing:
            fresh = {v.id: tokenize_version(self.analyzer, v) for v in missing}
            self._store_tokens(session, {v.id: (v.article_id, fresh[v.id]) for v in missing})
            found.update(fresh)
        return found

    def _store_tokens(self, session: Session, tokens: dict[int, tuple[int, Tokens]]) -> None:
        rows = [
            {"version_id": vid, "signature": self._signature, "article_id": aid,
             "title": t.title, "questions": t.questions, "tags": t.tags, "body": t.body,
             "pinyin": t.pinyin, "grams": t.grams}
            for vid, (aid, t) in tokens.items()
        ]
        insert = conflict_insert(session)
        # Another process may have cached the same version meanwhile: keep either copy. The
        # cache is an optimisation: when the database is busy with another writer (SQLite
        # allows one), the search answers with the fresh tokens and caches them next time.
        try:
            with session.begin_nested():
                session.execute(insert(SearchDocument).on_conflict_do_nothing(), rows)
        except OperationalError as error:
            logger.info("token cache not written this time: %s", error.orig)

    # --- answering ------------------------------------------------------------------------

    def facts(self, article_id: int) -> Facts | None:
        return self._facts.get(article_id)

    def all_facts(self) -> list[Facts]:
        with self._lock:
            return list(self._facts.values())

    @property
    def watermark(self) -> int:
        """The last article change applied (-1: nothing built yet)."""
        return self._watermark

    def log_examples(self) -> list[Example]:
        """The search log's (query, opened article) pairs the matcher learns from."""
        with self._lock:
            return list(self._log_examples)

    def known_answer(self, normalized: str) -> int | None:
        """The article that settled the ``normalized`` query word for word (punctuation,
        spaces and the greetings around it aside, ``wording_key``) for an earlier customer
        (``log.answered_wordings``, ``known_wordings``), if any."""
        return self._known_wordings.get(wording_key(normalized))

    def matcher_kind(self) -> str:
        """'linear' or 'neighbours': the form the matcher has (or will have) for this KB."""
        matcher = self._matcher
        if matcher is not None and not self._matcher_stale:
            return matcher.kind
        # The matcher's classes: the articles and "none of these".
        return "linear" if len(self._facts) + 1 <= self._max_linear_classes else "neighbours"

    def train_matcher(self) -> bool:
        """Fit the matcher on the current facts if they changed since the last fit."""
        with self._lock:
            if not self._matcher_stale:
                return False
            all_facts = list(self._facts.values())
            situations = self.situations
            # What agents opened after a query: paraphrases in their own words.
            logged = [e for e in self._log_examples if e.label in self._facts]
            questions = sum(len(facts.examples) for facts in self._facts.values()) + len(logged)
            self._matcher_weight = matcher_weight(questions / max(len(self._facts), 1))
            self._matcher_stale = False
        # Outside the lock: it reads every article's questions (seconds at 100k articles).
        situational = situation_examples(all_facts, situations)
        matcher = Matcher(training_examples(all_facts, logged, situational),
                          self.analyzer.tokens, max_linear_classes=self._max_linear_classes
                          ) if _two_labels(all_facts, logged, situational) else None
        with self._lock:
            self._matcher = matcher
        return True

    def rank(self, query: str, filters: Filters, limit: int, *, situations: bool = True
             ) -> list[RankedArticle]:
        """Lexical and learned rankings fused (reciprocal rank), best first. With
        ``situations`` the lexical query also holds the concepts of the situation lexicon's
        entries that fire on the query, weighted below the caller's words."""
        return self.view(self.candidates(query, filters, limit, situations=situations),
                         filters, limit)

    def named_prices(self, query: str) -> tuple[str, ...]:
        """The prices the articles state that search adds to ``query`` for the amounts it
        names ("一百九十多那个" → ("199",)), each at PRICE_WEIGHT: what a manager sees when
        trying a query."""
        amounts = spoken_amounts(query)
        if not amounts:
            return ()
        own_words = self.analyzer.tokens(query)
        with self._lock:
            return self._priced(amounts, own_words)

    def _priced(self, amounts: list[Amount], own_words: list[str]) -> tuple[str, ...]:
        """Called with the lock held: the price table changes with the index."""
        return price_terms(amounts, self._prices.values, already=own_words)

    def candidates(self, query: str, filters: Filters, limit: int = CANDIDATES, *,
                   situations: bool = True, depth: int = 1, as_typed: bool = False
                   ) -> Candidates:
        """Every ranker's candidates under ``filters``, to be fused by ``view`` for these
        filters or narrower ones: one lexical query and one matcher pass serve, say, staff
        search over the valid knowledge and its second look at knowledge out of force.
        ``limit``: the most hits a view will ask for. ``depth``: how many times the usual
        number of lexical and neural candidates to keep, so that a narrower view still
        finds its own. ``as_typed``: no homophone typo is corrected (the user asked for
        the words as typed). Never called with the engine's lock held: the lexical query takes it
        in another thread."""
        if self._train_inline and self._matcher_stale:
            self.train_matcher()
        # "你好，请问一下，…？谢谢": the question without the greeting and thanks around it.
        query = without_courtesy(query)
        code = query.strip()
        corrected = Corrected(query) if as_typed else self.corrected(query)
        query = corrected.text
        tokens = query_tokens(self.analyzer, query)
        expansion = self.situations.expand(query, self.analyzer.tokens,
                                           segment=self.analyzer.cut) if situations else None
        extra = expansion.terms if expansion else ()
        amounts = spoken_amounts(query)
        # Segmented here, not under the lock: only a query naming a price needs its words.
        own_words = self.analyzer.tokens(query) if amounts else []

        def lexical_search() -> _Lexical:
            with self._lock:
                # The prices the articles state within those the caller named ("一百九十多
                # 那个" → 199), added like the situation lexicon's concepts (PRICE_WEIGHT).
                priced = self._priced(amounts, own_words)
                found = [(aid, score) for aid, score in
                         self._index.search(tokens, filters, max(limit, CANDIDATES) * depth,
                                            code=code,
                                            extra=(*extra, *((t, PRICE_WEIGHT) for t in priced)))
                         if aid in self._facts]
                return _Lexical(found, self._facts, self._coverage, priced)

        # The matcher in force when the search starts (swapped whole, never changed): it
        # may be a retrain older or newer than the index, as it always may be.
        matcher = self._matcher
        found, learned, floor = _both_rankers(lexical_search, matcher, query)
        lexical, facts, coverage = found.hits, found.facts, found.coverage
        typed = self.analyzer.raw_words(query)
        neural: list[tuple[int, float]] = []
        if self.vectors is not None and self._neural_weight > 0:
            neural = self.vectors.top(
                query, CANDIDATES * depth,
                lambda aid: aid in facts and filters.accepts(facts[aid]))
        return Candidates(
            facts=facts, coverage=coverage, lexical=lexical, learned=learned, floor=floor,
            neural=neural, neighbours=matcher is not None and matcher.kind == "neighbours",
            # The words as typed and as search reads them (synonyms rewritten; the query's
            # title field holds them all): 上网费 covers an article saying 上网费 or 流量费.
            question=question_text(typed, tokens.title.split()),
            code=code.casefold(), typed=tuple(typed), priced=found.priced,
            corrections=corrected.corrections, read_as=query)

    def corrected(self, query: str) -> Corrected:
        """The query with its homophone typos read as the knowledge base's words
        (``seci.retrieval.typos``): 款带 → 宽带. Unchanged when there are none."""
        # Without the engine's lock (a sync may hold it for long): the known words are read
        # by lookups, as the coverage index is, and a rebuild swaps them whole.
        found = correct(normalize(query), self._known_words, cut=self.analyzer.cut,
                        holds_pair=self._coverage.holds_pair)
        return found if found.corrections else Corrected(query)

    def view(self, candidates: Candidates, filters: Filters, limit: int
             ) -> list[RankedArticle]:
        """The candidates ``filters`` accept, fused and re-ranked by coverage, best first:
        the same ranking as if the rankers had been asked under ``filters`` themselves."""
        facts = candidates.facts

        def accepted(ranking: Sequence[tuple[int, float]]) -> list[tuple[int, float]]:
            return [(aid, score) for aid, score in ranking
                    if aid in facts and filters.accepts(facts[aid])]

        lexical = accepted(candidates.lexical)[:max(limit, CANDIDATES)]
        found = {aid for aid, _ in lexical}
        learned = [(aid, score) for aid, score in accepted(candidates.learned)
                   if score >= candidates.floor or aid in found][:CANDIDATES]
        neural = accepted(candidates.neural)[:CANDIDATES]
        fused = fuse(facts, lexical, learned, self._matcher_weight, neural,
                     self._neural_weight, neighbours=candidates.neighbours)
        return by_coverage(candidates.coverage, candidates.question,
                           fused[:max(limit, COVERAGE_DEPTH)], code=candidates.code)[:limit]

    def __len__(self) -> int:
        return len(self._facts)


def by_coverage(index: CoverageIndex, question: str, ranked: list[RankedArticle], *,
                code: str = "") -> list[RankedArticle]:
    """Each hit's coverage of the question; the first ``COVERAGE_DEPTH`` re-ordered by
    fused score + ``COVERAGE_WEIGHT`` × coverage. An article whose code is the query
    (``code``, casefolded) stays first: an agent who types 知识编号 wants that article. The
    places keep their fused scores (the first place's score is the best fused score,
    whichever hit now holds it): what reads scores (the confidence's margin, the
    assistant's runner-up ratio) sees the same spread as without coverage, and scores
    still fall with the rank."""
    weights = index.weights(question)
    covered = [replace(item, coverage=index.coverage(weights, item.facts.article_id))
               for item in ranked]
    head = covered[:COVERAGE_DEPTH]
    reordered = sorted(head, key=lambda r: (bool(code) and r.facts.code.casefold() != code,
                                            -(r.score + COVERAGE_WEIGHT * r.coverage),
                                            r.facts.article_id))
    return [replace(item, score=place.score)
            for item, place in zip(reordered, head, strict=True)] + covered[COVERAGE_DEPTH:]


# A situation's caller sentence teaches the matcher the articles naming one of its concepts
# only when few do (a concept many articles name tells none apart): at most this many, and
# this share of the knowledge base (a small one: only an article of its own).
SITUATION_EXAMPLE_ARTICLES = 3
SITUATION_EXAMPLE_SHARE = 0.05


def situation_examples(all_facts: Sequence[Facts], lexicon: SituationLexicon
                       ) -> list[Example]:
    """The situation lexicon's example sentences (how callers describe a situation) as
    weak examples of the articles whose title or similar questions name one of the entry's
    concepts, when few articles do (``SITUATION_EXAMPLE_ARTICLES``, ``_SHARE``): the
    matcher learns that 换了手机上不了网 is asked of the APN article, in callers' words no
    article has. On the dev sets (KB cut to 3 similar questions): recall@1 0.781 → 0.796
    (situational), 0.935 → 0.944 (dev)."""
    with_example = [s for s in lexicon.situations if s.example]
    by_first: dict[str, set[str]] = {}
    for situation in with_example:
        for concept in situation.concepts:
            if concept := normalize(concept):
                by_first.setdefault(concept[0], set()).add(concept)
    holders: dict[str, set[int]] = {}
    most = min(SITUATION_EXAMPLE_ARTICLES,
               max(1, round(SITUATION_EXAMPLE_SHARE * len(all_facts))))
    for facts in all_facts:
        text = normalize(" ".join(facts.examples))
        for position, char in enumerate(text):
            for concept in by_first.get(char, ()):
                if text.startswith(concept, position):
                    holders.setdefault(concept, set()).add(facts.article_id)
    found: list[Example] = []
    for situation in with_example:
        naming = set().union(*(holders.get(normalize(c), set()) for c in situation.concepts))
        if 0 < len(naming) <= most:
            found.extend(Example(situation.example, aid) for aid in sorted(naming))
    return found


# The matcher's extra class of unrelated questions (never an article id, never returned).
NONE_OF_THESE = -1


def training_examples(all_facts: Iterable[Facts], logged: Iterable[Example],
                      situational: Iterable[Example]) -> Iterator[Example]:
    """What the matcher learns from, one at a time: every article's title, similar
    questions and body lines, the search log's pairs, the background questions ("none of
    these"), the situation lexicon's sentences. A generator: at 100,000 articles a list
    of these 1.7 million objects was ~180 MiB of the training's peak."""
    for facts in all_facts:
        for text in (*facts.examples, *facts.details):
            if text.strip():
                yield Example(text, facts.article_id)
    yield from logged
    yield from (Example(text, NONE_OF_THESE) for text in background_questions())
    yield from situational


def _two_labels(all_facts: Iterable[Facts], logged: Iterable[Example],
                situational: Iterable[Example]) -> bool:
    """Whether ``training_examples`` holds two classes at least (a matcher needs two):
    read from the same generator, stopping at the second label, so that the two never
    disagree about what the matcher learns from."""
    first: int | None = None
    for example in training_examples(all_facts, logged, situational):
        if first is None:
            first = example.label
        elif example.label != first:
            return True
    return False


@lru_cache(maxsize=1)
def background_questions() -> tuple[str, ...]:
    """Questions no hotline article answers (data/background.txt)."""
    text = (resources.files("seci.retrieval") / "data" / "background.txt").read_text("utf-8")
    return tuple(line.strip() for line in text.splitlines()
                 if line.strip() and not line.startswith("#"))


def known_wordings(examples: Iterable[Example]) -> dict[str, int]:
    """Wordings an answer settled, each with its article, when every label of the wording
    names the same one (``wording_key``: punctuation, spaces, greetings aside). A wording two
    articles answered is left to the rankers."""
    labels: dict[str, set[int]] = {}
    for example in examples:
        key = wording_key(example.text)
        if key:
            labels.setdefault(key, set()).add(example.label)
    return {key: next(iter(found)) for key, found in labels.items() if len(found) == 1}


def matcher_weight(questions_per_article: float) -> float:
    """Trust the matcher as far as it has examples: with a handful of similar questions per
    article BM25 knows more; with a hundred (a KB that learned from its search log) the
    matcher clearly wins."""
    return min(2.0, 0.3 + 0.15 * math.sqrt(questions_per_article))


def body_sentences(body: str, most: int = 12) -> tuple[str, ...]:
    """Short lines of the body as weak training examples: details that tell sibling
    articles apart ('结案标准', '首次联系时限')."""
    lines = []
    for raw in re.split(r"[\n。；;！!？?]", body):
        line = raw.strip(" #-*|>\t")
        if 4 <= len(line) <= 80:
            lines.append(line)
    return tuple(lines[:most])


def fuse(facts: Mapping[int, Facts], lexical: Sequence[tuple[int, float]],
         learned: Sequence[tuple[int, float]], weight: float = MATCHER_WEIGHT,
         neural: Sequence[tuple[int, float]] = (), neural_weight: float = 1.0,
         *, neighbours: bool = False) -> list[RankedArticle]:
    """Weighted reciprocal-rank fusion of the rankings."""
    lexical_rank = {aid: i + 1 for i, (aid, _) in enumerate(lexical)}
    lexical_score = dict(lexical)
    learned_rank = {aid: i + 1 for i, (aid, _) in enumerate(learned)}
    learned_score = dict(learned)
    shares = _softmax({aid: score for aid, score in learned})
    neural_rank = {aid: i + 1 for i, (aid, _) in enumerate(neural)}
    neural_score = dict(neural)
    fused = []
    for aid in lexical_rank.keys() | learned_rank.keys() | neural_rank.keys():
        score = 0.0
        if aid in lexical_rank:
            score += LEXICAL_WEIGHT / (RRF_K + lexical_rank[aid])
        if aid in learned_rank:
            score += weight / (RRF_K + learned_rank[aid])
        if aid in neural_rank:
            score += neural_weight / (RRF_K + neural_rank[aid])
        fused.append(RankedArticle(
            facts[aid], score, lexical_rank.get(aid), lexical_score.get(aid, 0.0),
            learned_rank.get(aid), shares.get(aid, 0.0), learned_score.get(aid),
            neural_rank.get(aid), neural_score.get(aid), neighbours))
    return sorted(fused, key=lambda r: (-r.score, r.facts.article_id))


def _softmax(scores: dict[int, float], temperature: float = 0.25) -> dict[int, float]:
    if not scores:
        return {}
    top = max(scores.values())
    weights = {aid: math.exp((s - top) / temperature) for aid, s in scores.items()}
    total = sum(weights.values())
    return {aid: w / total for aid, w in weights.items()}

class BackgroundSync:
    """Applies the change feed every ``interval`` seconds in a thread of its own, so that
    large imports are indexed before anyone searches for them."""

    def __init__(self, engine: SearchEngine, session_factory: sessionmaker[Session],
                 interval: float = 0.5,
                 housekeeping: Callable[[Session, SearchEngine], object] | None = None,
                 housekeeping_every: float = 60.0) -> None:
        """``housekeeping``: called with a session and the engine every
        ``housekeeping_every`` seconds after a sync (the app queues calibration refits)."""
        self._engine = engine
        self._housekeeping = housekeeping
        self._housekeeping_every = housekeeping_every
        self._housekeeping_at = -math.inf
        self._session_factory = session_factory
        self._interval = interval
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        if self._thread is None:
            self._stop.clear()
            self._thread = threading.Thread(target=self._run, name="seci-search-sync",
                                            daemon=True)
            self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=10)
            self._thread = None

    def _run(self) -> None:
        vectors = self._engine.vectors
        if vectors is not None:
            vectors.warm_up()  # load the model here, not in the first search
        while not self._stop.wait(self._interval):
            try:
                with self._session_factory.begin() as session:
                    rebuilt = self._engine.sync(session) > 0
                    self._engine.refresh_log_examples(session, LOG_RETRAIN_INTERVAL)
                self._housekeep()
                if self._engine.train_matcher() or rebuilt:
                    settle_heap()
                while vectors is not None and not self._stop.is_set():
                    with self._session_factory.begin() as session:
                        if vectors.encode_pending(session) == 0:
                            break
            except Exception:
                logger.exception("search index sync failed; retrying")


    def _housekeep(self) -> None:
        now = time.monotonic()
        if self._housekeeping is None or now - self._housekeeping_at < self._housekeeping_every:
            return
        self._housekeeping_at = now
        # Housekeeping reads, then may write (queue a job): on SQLite it must hold the write
        # lock from the start, or another process's commit in between fails its write.
        with self._session_factory() as session:
            begin_writing(session)
            self._housekeeping(session, self._engine)
            session.commit()


def settle_heap() -> None:
    """Take what the index and the matcher keep (hundreds of thousands of objects) out of
    the cyclic garbage collector's full scans: each scan froze the whole process for
    ~160 ms, a stall every few seconds under load. Objects built later are scanned as
    usual; only cyclic garbage among the frozen ones would stay (refcounting frees the
    rest), so the heap is collected first."""
    gc.collect()
    gc.freeze()


def suggestions(engine: SearchEngine, prefix: str, filters: Filters, limit: int = 8
                ) -> list[str]:
    """Titles and similar questions containing what was typed so far (valid, visible)."""
    needle = normalize(prefix)
    if not needle:
        return []
    found: dict[str, None] = {}
    for facts in engine.all_facts():
        if not filters.accepts(facts):
            continue
        for text in facts.examples:
            if needle in normalize(text):
                found.setdefault(text, None)
                if len(found) >= limit:
                    return list(found)
    return list(found)
