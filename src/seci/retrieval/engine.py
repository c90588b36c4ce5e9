"""The search engine of one server process: an index that follows the article change feed.

Every process keeps its own in-memory index and applies the change feed
(``article_changes``) before answering and in the background, so a publish in one process
is searchable in all of them within a second, with no message broker and no full rebuild.
Tokens are cached in ``search_documents``: a restart re-reads them instead of segmenting
the whole knowledge base again.
"""

from __future__ import annotations

import hashlib
import logging
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session, sessionmaker

from seci.knowledge.models import Article, ArticleChange, ArticleStatus, ArticleVersion, Module
from seci.retrieval.documents import Facts, Tokens, query_tokens, tokenize_version
from seci.retrieval.index import Filters, LexicalIndex
from seci.retrieval.models import SearchDocument
from seci.retrieval.text import Analyzer, default_analyzer

logger = logging.getLogger("seci.retrieval")
_BATCH = 500


def analyzer_signature(analyzer: Analyzer) -> str:
    """Changes whenever tokens of the same text could change (dictionary, synonyms)."""
    payload = repr(sorted(analyzer.synonym_map().items())) + analyzer.dictionary_version
    return hashlib.sha1(payload.encode(), usedforsecurity=False).hexdigest()


@dataclass(frozen=True)
class RankedArticle:
    facts: Facts
    score: float


class SearchEngine:
    def __init__(self, analyzer: Analyzer | None = None) -> None:
        self.analyzer = analyzer or default_analyzer()
        self._index = LexicalIndex()
        self._facts: dict[int, Facts] = {}
        self._watermark = -1  # last applied change; -1: nothing built yet
        self._signature = analyzer_signature(self.analyzer)
        self._lock = threading.RLock()

    # --- following the change feed --------------------------------------------------------

    def sync(self, session: Session) -> int:
        """Apply changes published since the last sync; returns the number of articles."""
        latest = session.scalar(select(func.max(ArticleChange.id))) or 0
        with self._lock:
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
            return len(changed)

    def _stale_signature(self) -> bool:
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
        self._facts = {}
        for start in range(0, len(ids), _BATCH):
            self._refresh(session, ids[start:start + _BATCH])
        self._watermark = latest
        logger.info("search index built: %d articles", len(self._facts))
        return len(ids)

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
                self._facts.pop(article_id, None)
        tokens = self._tokens_for(session, [version for version, _ in live])
        documents = []
        for version, path in live:
            facts = Facts(
                article_id=version.article_id, version_id=version.id, code=version.code,
                title=version.title, module_path=path, queue_ids=frozenset(version.queue_ids),
                audience=version.audience, valid_from=version.valid_from,
                valid_to=version.valid_to,
            )
            self._facts[facts.article_id] = facts
            documents.append((facts, tokens[version.id]))
        self._index.upsert(documents)

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
        dialect = session.get_bind().dialect.name
        insert = pg_insert if dialect == "postgresql" else sqlite_insert
        # Another process may have cached the same version meanwhile: keep either copy.
        session.execute(insert(SearchDocument).on_conflict_do_nothing(), rows)

    # --- answering ------------------------------------------------------------------------

    def facts(self, article_id: int) -> Facts | None:
        return self._facts.get(article_id)

    def rank(self, query: str, filters: Filters, limit: int) -> list[RankedArticle]:
        tokens = query_tokens(self.analyzer, query)
        with self._lock:
            hits = self._index.search(tokens, filters, limit)
            return [RankedArticle(self._facts[aid], score) for aid, score in hits
                    if aid in self._facts]

    def __len__(self) -> int:
        return len(self._facts)


class BackgroundSync:
    """Applies the change feed every ``interval`` seconds in a thread of its own, so that
    large imports are indexed before anyone searches for them."""

    def __init__(self, engine: SearchEngine, session_factory: sessionmaker[Session],
                 interval: float = 0.5) -> None:
        self._engine = engine
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
        while not self._stop.wait(self._interval):
            try:
                with self._session_factory.begin() as session:
                    self._engine.sync(session)
            except Exception:
                logger.exception("search index sync failed; retrying")
