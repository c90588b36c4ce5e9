"""The lexical ranker: BM25 over tokenised fields with weights, in a tantivy index.

tantivy (a Lucene-like engine in Rust) keeps the index in memory here, updates it
document by document and answers filtered BM25 queries in about a millisecond at 100k
documents. Filters (queues, module subtree, audience, validity dates) are part of the query.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

import tantivy

from seci.retrieval.documents import FIELD_BOOSTS, Facts, Tokens

_OPEN_FROM = 0  # no valid_from: valid since always
_OPEN_TO = 99_999_999  # no valid_to: valid forever
_FIELDS = tuple(FIELD_BOOSTS)
_WORD_FIELDS = frozenset({"title", "questions", "tags", "body"})


def _day(value: date | None, default: int) -> int:
    return value.toordinal() if value is not None else default


def _schema() -> tantivy.Schema:
    builder = tantivy.SchemaBuilder()
    builder.add_integer_field("aid", stored=True, indexed=True, fast=True)
    for name in _FIELDS:
        builder.add_text_field(name, stored=False, tokenizer_name="whitespace",
                               index_option="freq")
    builder.add_text_field("code", stored=False, tokenizer_name="raw")  # 知识编号, exact
    builder.add_text_field("queues", stored=False, tokenizer_name="raw")
    builder.add_text_field("modules", stored=False, tokenizer_name="raw")
    builder.add_text_field("audience", stored=False, tokenizer_name="raw")
    builder.add_integer_field("valid_from", stored=False, indexed=True, fast=True)
    builder.add_integer_field("valid_to", stored=False, indexed=True, fast=True)
    return builder.build()


@dataclass(frozen=True)
class Filters:
    on: date
    queue_ids: frozenset[int] | None = None  # any of these; None: every queue
    module_id: int | None = None  # subtree
    audience: str | None = None  # 'customer' for the assistant and customers
    # Articles to leave out (calibration asks "what if the right article were missing?").
    exclude: frozenset[int] = frozenset()
    # Valid or not on ``on`` (the assistant asks whether an ended offer answers best).
    any_day: bool = False

    def accepts(self, facts: Facts) -> bool:
        """The same filter in Python, for candidates that do not come from the index."""
        if facts.article_id in self.exclude:
            return False
        if not self.any_day and not facts.valid_on(self.on):
            return False
        if self.queue_ids is not None and not (facts.queue_ids & self.queue_ids):
            return False
        if self.module_id is not None and f"/{self.module_id}/" not in facts.module_path:
            return False
        return self.audience is None or facts.audience == self.audience


class LexicalIndex:
    """Thread-safe in-memory BM25F index of the live knowledge."""

    def __init__(self) -> None:
        self._schema = _schema()
        self._index = tantivy.Index(self._schema)
        self._writer = self._index.writer(heap_size=64_000_000, num_threads=1)
        self._lock = threading.Lock()

    def upsert(self, documents: Iterable[tuple[Facts, Tokens]]) -> int:
        """Add or replace documents (one commit for the whole batch)."""
        count = 0
        with self._lock:
            for facts, tokens in documents:
                self._writer.delete_documents_by_term("aid", facts.article_id)
                self._writer.add_document(self._document(facts, tokens))
                count += 1
            if count:
                self._commit()
        return count

    def remove(self, article_ids: Sequence[int]) -> None:
        with self._lock:
            for article_id in article_ids:
                self._writer.delete_documents_by_term("aid", article_id)
            if article_ids:
                self._commit()

    def _commit(self) -> None:
        self._writer.commit()
        self._index.reload()

    def _document(self, facts: Facts, tokens: Tokens) -> tantivy.Document:
        modules = [f"m{part}" for part in facts.module_path.strip("/").split("/") if part]
        return tantivy.Document(
            aid=facts.article_id,
            code=facts.code.casefold(),
            queues=[f"q{q}" for q in sorted(facts.queue_ids)] or ["q-none"],
            modules=modules or ["m-none"],
            audience=facts.audience,
            valid_from=_day(facts.valid_from, _OPEN_FROM),
            valid_to=_day(facts.valid_to, _OPEN_TO),
            **{name: tokens.field(name) for name in _FIELDS},
        )

    def _filter_clauses(self, filters: Filters) -> list[tuple[tantivy.Occur, tantivy.Query]]:
        schema = self._schema
        day = filters.on.toordinal()
        clauses = [] if filters.any_day else [
            tantivy.Query.range_query(schema, "valid_from", tantivy.FieldType.Integer,
                                      None, day),
            tantivy.Query.range_query(schema, "valid_to", tantivy.FieldType.Integer,
                                      day, None),
        ]
        if filters.queue_ids is not None:
            clauses.append(tantivy.Query.term_set_query(
                schema, "queues", [f"q{q}" for q in sorted(filters.queue_ids)] or ["q-none"]))
        if filters.module_id is not None:
            clauses.append(tantivy.Query.term_query(schema, "modules", f"m{filters.module_id}"))
        if filters.audience is not None:
            clauses.append(tantivy.Query.term_query(schema, "audience", filters.audience))
        return [(tantivy.Occur.Must, tantivy.Query.const_score_query(c, 0.0)) for c in clauses]

    def search(self, tokens: Tokens, filters: Filters, limit: int, code: str = "",
               extra: Sequence[tuple[str, float]] = ()) -> list[tuple[int, float]]:
        """(article id, BM25F score), best first; an exact article code wins outright.
        ``extra``: (token, weight) added to the query in the word fields with their boost
        times the weight (the situation lexicon's concepts, see ``situations.py``)."""
        should = []
        if code:
            exact = tantivy.Query.term_query(self._schema, "code", code.casefold())
            should.append((tantivy.Occur.Should, tantivy.Query.boost_query(exact, 50.0)))
        for name, boost in FIELD_BOOSTS.items():
            for term in dict.fromkeys(tokens.field(name).split()):
                query = tantivy.Query.term_query(self._schema, name, term)
                should.append((tantivy.Occur.Should, tantivy.Query.boost_query(query, boost)))
            if name in _WORD_FIELDS:
                for term, weight in extra:
                    query = tantivy.Query.term_query(self._schema, name, term)
                    should.append((tantivy.Occur.Should,
                                   tantivy.Query.boost_query(query, boost * weight)))
        if not should:
            return []
        query = tantivy.Query.boolean_query(
            [(tantivy.Occur.Must, tantivy.Query.boolean_query(should)),
             *self._filter_clauses(filters)]
        )
        searcher = self._index.searcher()
        hits = searcher.search(query, limit).hits
        return [(int(searcher.doc(address)["aid"][0]), float(score))
                for score, address in hits]

    def __len__(self) -> int:
        return int(self._index.searcher().num_docs)
