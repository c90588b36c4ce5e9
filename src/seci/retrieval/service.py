"""Search as a user may see it: filters from their role and queues, hits with highlights."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from seci.accounts.models import User
from seci.accounts.roles import Perm
from seci.core.clock import today, utcnow
from seci.core.errors import InvalidInput
from seci.core.i18n import N_
from seci.core.pii import mask_digits, mask_personal_numbers
from seci.knowledge.agent_notes import customer_text
from seci.knowledge.models import ArticleVersion
from seci.knowledge.render import plain_snippet
from seci.retrieval.confidence import (
    PRIOR,
    PRIOR_THRESHOLDS,
    Thresholds,
    confidence_of,
    known_wording_first,
    sure_runner_up_first,
)
from seci.retrieval.documents import Facts
from seci.retrieval.engine import (
    CANDIDATES,
    Candidates,
    RankedArticle,
    SearchEngine,
    suggestions,
)
from seci.retrieval.index import Filters
from seci.retrieval.log import frequent_queries
from seci.retrieval.text import normalize
from seci.retrieval.typos import Correction

MAX_QUERY = 500
SNIPPET = 110
# Heads a snippet taken from the customer answer rather than the body.
ANSWER_LABEL = "答复口径："
# The prior's "no good match" line (a calibrated 0.5 is "more likely right than wrong");
# a fit on the served KB sets its own (SearchResult.thresholds).
NO_MATCH_BELOW = PRIOR_THRESHOLDS.answer


class QueryTooLong(InvalidInput):
    code = "query_too_long"
    message = N_("The search text is too long (at most {max} characters).")


@dataclass(frozen=True)
class Segment:
    text: str
    hit: bool


@dataclass(frozen=True)
class SearchHit:
    article_id: int
    code: str
    title: list[Segment]
    snippet: list[Segment]
    module_path: str
    queue_ids: frozenset[int]
    valid_to: date | None
    score: float
    confidence: float


@dataclass(frozen=True)
class SearchResult:
    query: str
    hits: list[SearchHit]
    confident: bool  # the best hit is a good match
    # The assistant's thresholds for these hits (the served calibration's, or the prior's).
    thresholds: Thresholds = PRIOR_THRESHOLDS
    # No good match among the valid knowledge, but an article out of force answers best.
    out_of_force: OutOfForce | None = None
    # The matcher finds the query nearer an article than its "none of these" class
    # (``Candidates.recognised``): only then may the assistant offer choices.
    recognised: bool = True
    # Homophone typos the query was read with (款带 → 宽带, ``seci.retrieval.typos``).
    corrections: tuple[Correction, ...] = ()


@dataclass(frozen=True)
class OutOfForce:
    """An article that is not valid on the day (an offer that ended, one not yet started)
    and answers the query best: staff are told, so that they do not quote another."""

    article_id: int
    code: str
    title: str
    valid_from: date | None
    valid_to: date | None
    ended: bool


def coefficients_for(neighbour_matcher: bool) -> Mapping[str, float]:
    """The prior's coefficients (``seci eval calibrate`` compares against them)."""
    return PRIOR.coefficients_for(neighbour_matcher)


def queue_filter(user: User, requested: int | None) -> frozenset[int] | None:
    """Agents search their own queues; staff who read every queue may pick any or none."""
    if user.can(Perm.KB_READ_ALL_QUEUES):
        return frozenset({requested}) if requested is not None else None
    own = frozenset(user.queue_ids)
    return own & {requested} if requested is not None else own


def filters_for(user: User | None, *, module_id: int | None = None,
                queue_id: int | None = None, on: date | None = None,
                audience: str | None = None) -> Filters:
    """What a user may find: valid on the day, their queues, customer-visible for customers."""
    return Filters(
        on=on or today(),
        queue_ids=queue_filter(user, queue_id) if user is not None else None,
        module_id=module_id,
        audience="customer" if user is None else audience,
    )


# A scheme, "www." or a host name (labels with dots, ending in a 2+ letter TLD), in text
# folded to ASCII (full-width ｗｗｗ．, ：／／ are common in phishing lines).
_URL = re.compile(r"[a-z][a-z0-9+.\-]*://|www\.|(?<![a-z0-9\-])[a-z0-9\-]+(?:\.[a-z0-9\-]+)*"
                  r"\.[a-z]{2,}(?![a-z0-9\-])", re.IGNORECASE)
# Phone-like digit runs shorter than the personal numbers mask_personal_numbers masks (11+):
# a landline without its area code (7–8 digits), a 400/800 number (10). Shorter runs are
# prices, amounts and service numbers like 10086, which queries need.
_PHONE_LIKE = re.compile(r"(?<![0-9A-Za-z])\d(?:[ \-]?\d){6,}(?![0-9A-Za-z])")


def suggestion_text(text: str) -> str | None:
    """``text`` fit to suggest: None with a link in it (agents would take a suggestion for
    vetted and may pass it on), else with phone numbers and long digit runs masked."""
    if _URL.search(unicodedata.normalize("NFKC", text)):
        return None
    masked = mask_personal_numbers(text).text
    return _PHONE_LIKE.sub(lambda m: mask_digits(re.sub(r"[ \-]", "", m.group(0))), masked)


def suggest(session: Session, *, engine: SearchEngine, user: User, prefix: str,
            limit: int = 8) -> list[str]:
    """Completions: frequent staff queries of the last 30 days first (masked), then titles
    and similar questions the user may see; nothing with a link."""
    engine.sync(session)
    prefix = prefix[:MAX_QUERY]
    # Asked for more than shown: some may be dropped for a link.
    queries = frequent_queries(session, prefix=prefix, limit=10,
                               since=utcnow() - timedelta(days=30))
    found = dict.fromkeys([t for t in map(suggestion_text, queries) if t][:3])
    for text in suggestions(engine, prefix, filters_for(user), 2 * limit):
        if (shown := suggestion_text(text)) is not None:
            found.setdefault(shown, None)
    return list(found)[:limit]


def highlight_terms(words: Iterable[str]) -> set[str]:
    """The words worth marking in titles and snippets: a single Chinese character (多 of
    一百九十多, 用, 开) is marked only when the query has no longer word, else every 多
    in a body lights up; single Latin letters and digits never."""
    usable = {w for w in words if w and (len(w) >= 2 or not w.isascii())}
    if any(len(w) >= 2 for w in usable):
        usable = {w for w in usable if len(w) >= 2}
    return usable


def highlight(text: str, terms: set[str]) -> list[Segment]:
    """Split text into hit and non-hit segments (longest terms first)."""
    usable = sorted(highlight_terms(terms), key=len, reverse=True)
    if not usable or not text:
        return [Segment(text, False)] if text else []
    pattern = re.compile("|".join(re.escape(t) for t in usable), re.IGNORECASE)
    segments: list[Segment] = []
    position = 0
    for match in pattern.finditer(text):
        if match.start() > position:
            segments.append(Segment(text[position:match.start()], False))
        segments.append(Segment(match.group(0), True))
        position = match.end()
    if position < len(text):
        segments.append(Segment(text[position:], False))
    return segments


def _snippet(body: str, terms: set[str], answer: str = "") -> str:
    """The window of the body around the first query word it holds; when only the
    customer answer (答复口径, searched with the body) holds one, that answer's window,
    marked as such: agents quote from snippets."""
    text = plain_snippet(body, length=5000)
    first = _first_term(text, terms)
    if first is None and answer:
        # Read as plain text like the body: an editor may format the answer too.
        plain_answer = plain_snippet(answer, length=5000)
        if (in_answer := _first_term(plain_answer, terms)) is not None:
            return f"{ANSWER_LABEL}{_window(plain_answer, in_answer)}"
    return _window(text, first or 0)


def _highlighted_snippet(texts: tuple[str, str | None] | None, terms: set[str]
                         ) -> list[Segment]:
    """A hit's snippet from its (body, customer answer), highlighted; none unread."""
    if texts is None:
        return []
    body, answer = texts
    return highlight(_snippet(body, terms, answer or ""), terms)


def _first_term(text: str, terms: set[str]) -> int | None:
    lowered = text.lower()
    return min((i for t in terms if t and (i := lowered.find(t)) >= 0), default=None)


def _window(text: str, first: int) -> str:
    start = max(0, first - 20)
    window = text[start:start + SNIPPET]
    return ("…" if start else "") + window + ("…" if start + SNIPPET < len(text) else "")


def search(session: Session, *, engine: SearchEngine, user: User | None, query: str,
           module_id: int | None = None, queue_id: int | None = None, limit: int = 10,
           on: date | None = None, audience: str | None = None,
           snippets: bool = True, synced: bool = False, as_typed: bool = False
           ) -> SearchResult:
    """Valid published knowledge matching ``query`` that ``user`` may see, best first.

    ``user=None`` searches as a customer: customer-visible articles of every queue.
    ``snippets=False`` skips what only a result list shows (highlighted titles, snippets
    from the bodies): the assistant decides on ids and confidence alone. ``synced``: the
    caller brought the engine up to date in this request already (the assistant, once
    per message, however many searches its reply takes). ``as_typed``: search the words
    exactly as typed, no homophone typo corrected (款带 stays 款带).
    """
    if len(query) > MAX_QUERY:
        raise QueryTooLong(max=MAX_QUERY)
    if not synced:
        engine.sync(session)
    filters = filters_for(user, module_id=module_id, queue_id=queue_id, on=on,
                          audience=audience)
    # Staff search may look at knowledge out of force too (below): one pass of the rankers
    # over the knowledge of any day serves both views.
    wider = replace(filters, any_day=True) if user is not None else filters
    candidates = engine.candidates(query, wider, limit, depth=1 if user is None else 2,
                                   as_typed=as_typed)
    # The words the rankers read: a typo corrected (款带 → 宽带) is what titles show.
    terms = engine.analyzer.tokens(candidates.read_as or query)
    model = engine.confidence
    normalized = normalize(query)
    known = engine.known_answer(normalized)
    # The article that settled these very words before goes first from wherever the
    # rankers put it: the view then looks as deep as they do.
    view = engine.view(candidates, filters,
                       limit if known is None else max(limit, CANDIDATES))
    ranked, confidences = (known_wording_first(view, len(set(terms)), model, known)
                           or sure_runner_up_first(view[:limit], len(set(terms)), model))
    ranked, confidences = ranked[:limit], confidences[:limit]
    thresholds = model.thresholds_for(bool(ranked) and ranked[0].neighbour_matcher)
    # Without snippets: no bodies read, titles as they are (empty terms highlight nothing).
    # The query's words, and the prices its spoken amounts stand for ("一百九十多" → 199):
    # agents see why a plan was found and quote the price from the snippet.
    marked = highlight_terms((*terms, *candidates.typed, *candidates.priced)) \
        if snippets else set()
    # A customer's snippets come from the customer text: agent-only notes never show. Only
    # the bodies are read (whole versions as objects cost ~0.5 ms a search at 100k).
    texts = {
        article_id: (body if user is not None else customer_text(body), answer)
        for article_id, body, answer in session.execute(
            select(ArticleVersion.article_id, ArticleVersion.body,
                   ArticleVersion.customer_answer)
            .where(ArticleVersion.id.in_([r.facts.version_id for r in ranked])))
    } if ranked and snippets else {}
    hits = [
        SearchHit(
            article_id=r.facts.article_id, code=r.facts.code,
            title=highlight(r.facts.title, marked),
            snippet=_highlighted_snippet(texts.get(r.facts.article_id), marked),
            module_path=r.facts.module_path, queue_ids=r.facts.queue_ids,
            valid_to=r.facts.valid_to, score=r.score, confidence=conf,
        )
        for r, conf in zip(ranked, confidences, strict=True)
    ]
    confident = bool(hits) and hits[0].confidence >= thresholds.answer
    return SearchResult(query=normalized, hits=hits, confident=confident,
                        thresholds=thresholds, recognised=candidates.recognised(filters),
                        corrections=candidates.corrections,
                        out_of_force=None if confident or user is None
                        else best_out_of_force(engine, candidates, filters, len(set(terms))))


def best_out_of_force(engine: SearchEngine, candidates: Candidates, filters: Filters,
                      terms: int) -> OutOfForce | None:
    """When nothing valid matches well: the best article among those valid on any day (with
    the same queues, module and audience), if it is out of force on the day and as sure as
    the assistant must be to offer a choice."""
    facts = surest_of(engine, engine.view(candidates, replace(filters, any_day=True), 3), terms)
    if facts is None or facts.valid_on(filters.on):
        return None
    ended = facts.valid_to is not None and facts.valid_to < filters.on
    return OutOfForce(facts.article_id, facts.code, facts.title, facts.valid_from,
                      facts.valid_to, ended)


def surest_of_all(engine: SearchEngine, query: str, filters: Filters, terms: int, *,
                  sure: bool = False) -> Facts | None:
    """The best article under ``filters`` if the served calibration is as sure of it as the
    assistant must be to offer a choice (``sure``: to answer); else None. Staff search and
    the assistant ask it over knowledge a plain search leaves out (out of force, agent-only),
    so that a vague message never names such an article."""
    return surest_of(engine, engine.rank(query, filters, 3), terms, sure=sure)


def surest_of(engine: SearchEngine, ranked: Sequence[RankedArticle], terms: int, *,
              sure: bool = False) -> Facts | None:
    """The first of ``ranked`` if the served calibration is as sure of it as offering a
    choice needs (``sure``: as answering needs); else None."""
    if not ranked:
        return None
    model = engine.confidence
    [confidence, *_] = confidence_of(ranked, terms, model)
    thresholds = model.thresholds_for(ranked[0].neighbour_matcher)
    return ranked[0].facts if confidence >= (
        thresholds.answer if sure else thresholds.choices) else None
