"""What is indexed of a published version: its tokens per field, and its filter facts."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from seci.knowledge.models import ArticleVersion
from seci.retrieval.text import Analyzer, char_ngrams, normalize, pinyin_bigrams, pinyin_keys

# Field weights of the lexical ranker: a hit in the title or in a similar question (the
# customer's own words) counts more than one in the body.
FIELD_BOOSTS = {"title": 3.0, "questions": 2.5, "tags": 1.5, "body": 1.0, "pinyin": 0.6,
                "grams": 0.4}


@dataclass(frozen=True)
class Tokens:
    title: str
    questions: str
    tags: str
    body: str
    pinyin: str
    grams: str

    def field(self, name: str) -> str:
        return str(getattr(self, name))


def tokenize_version(analyzer: Analyzer, version: ArticleVersion,
                     similar_questions: Sequence[str] | None = None) -> Tokens:
    """Space-joined tokens of each field (the index splits on whitespace).
    ``similar_questions``: index these instead of the version's (the calibration's engine
    leaves the questions it holds out unseen)."""
    similar = list(version.similar_questions if similar_questions is None else similar_questions)
    title = analyzer.tokens(version.title)
    questions = [t for q in similar for t in analyzer.tokens(q)]
    tags = [t for tag in version.tags for t in analyzer.tokens(tag)]
    # The customer answer (答复口径) is the article's text too: what a customer is told
    # must be found by the words it uses ("查询实时话费余额" when the body says 实时话费).
    body = analyzer.tokens("\n".join(filter(None, (version.customer_answer, version.body))))
    # Bigrams within the words as typed (stop words left out: '怎么' matches everything).
    short_text = " ".join(analyzer.raw_words(" ".join([version.title, *similar])))
    return Tokens(
        title=" ".join(title),
        questions=" ".join(questions),
        tags=" ".join(tags),
        body=" ".join(body),
        pinyin=" ".join(pinyin_keys(title + questions) + pinyin_bigrams(
            normalize(" ".join([version.title, *similar])))),
        grams=" ".join(char_ngrams(short_text, sizes=(2,))),
    )


def query_tokens(analyzer: Analyzer, query: str) -> Tokens:
    words = analyzer.tokens(query)
    return Tokens(
        title=" ".join(words), questions=" ".join(words), tags=" ".join(words),
        body=" ".join(words),
        pinyin=" ".join(pinyin_keys(words) + pinyin_bigrams(normalize(query))),
        grams=" ".join(char_ngrams(" ".join(analyzer.raw_words(query)), sizes=(2,))),
    )


@dataclass(frozen=True)
class Facts:
    """What filters need to know about an indexed version."""

    article_id: int
    version_id: int
    code: str
    title: str
    module_path: str  # '/1/4/9/'
    queue_ids: frozenset[int]
    audience: str
    valid_from: date | None
    valid_to: date | None
    examples: tuple[str, ...] = ()  # title and similar questions: labelled paraphrases
    details: tuple[str, ...] = ()  # short body sentences: weaker examples
    prices: tuple[str, ...] = ()  # the prices it states, as indexed ("199", "9.9")

    def valid_on(self, on: date) -> bool:
        return (self.valid_from is None or self.valid_from <= on) and (
            self.valid_to is None or self.valid_to >= on)
