"""REST API of search: GET /api/v1/search, suggestions, the synonym table, the situation
lexicon, analysis."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request, Response
from pydantic import BaseModel, ConfigDict, Field

from seci.accounts.roles import Perm
from seci.core.clock import UtcDateTime
from seci.core.errors import PermissionDenied
from seci.core.http import CurrentUser, SessionDep, write_aside
from seci.knowledge.lookups import Lookups, load_lookups, queue_ids_for_codes
from seci.retrieval import log as search_log
from seci.retrieval import situation_rules as sit_rules
from seci.retrieval import synonyms as syn
from seci.retrieval.log import log_search
from seci.retrieval.service import SearchHit, search, suggest
from seci.retrieval.text import normalize, seed_synonyms

router = APIRouter(prefix="/api/v1", tags=["search"])


class SegmentRead(BaseModel):
    text: str
    hit: bool


class HitRead(BaseModel):
    article_id: int
    code: str
    title: str
    title_segments: list[SegmentRead]
    snippet_segments: list[SegmentRead]
    module_path: str
    queues: list[str]
    valid_to: date | None
    score: float
    best_match: bool = Field(
        description="The first hit when search is confident it is the right article: show "
                    "it as the best match (最佳匹配) and the other hits in their order")
    confidence: float = Field(
        description="0–1, calibrated for the first hit only: how likely it is the right "
                    "article (below 0.5 the result is 'no good match'). Runners-up get much "
                    "lower values by design (they are judged as second choices), so the "
                    "numbers do not fall with the rank and a good second hit may read 0.01: "
                    "do not show them as percentages; use `best_match` and the order")


class OutOfForceRead(BaseModel):
    """The article out of force on the day that answers best (no good valid match)."""

    article_id: int
    code: str
    title: str
    valid_from: date | None
    valid_to: date | None
    ended: bool = Field(description="True: it ended (valid_to); false: not yet in force")


class CorrectionRead(BaseModel):
    typed: str = Field(description="The words as typed, e.g. 款带")
    word: str = Field(description="The knowledge base's word of the same sound searched "
                      "instead, e.g. 宽带")


class SearchRead(BaseModel):
    query: str
    confident: bool = Field(description="False means: no good match")
    hits: list[HitRead]
    corrections: list[CorrectionRead] = Field(
        default_factory=list, description="Homophone typos (pinyin input) read as the "
        "knowledge base's words before searching: show 'searched for 宽带'")
    out_of_force: OutOfForceRead | None = Field(
        default=None, description="Without a good match: an article not valid today (an "
        "offer that ended or has not started) that answers best; tell the caller so rather "
        "than quote another article")


def _hit(hit: SearchHit, look: Lookups, best_match: bool) -> HitRead:
    module_id = int(hit.module_path.strip("/").split("/")[-1])
    return HitRead(
        article_id=hit.article_id, code=hit.code,
        title="".join(s.text for s in hit.title),
        title_segments=[SegmentRead(text=s.text, hit=s.hit) for s in hit.title],
        snippet_segments=[SegmentRead(text=s.text, hit=s.hit) for s in hit.snippet],
        module_path=look.module_path(module_id), queues=look.queue_codes(hit.queue_ids),
        valid_to=hit.valid_to, score=round(hit.score, 4), best_match=best_match,
        confidence=round(hit.confidence, 4),
    )


# The lock version a client last read: a stale one answers 409.
LockVersion = Annotated[int, Query(ge=0, description="As last read")]


@router.get("/search/suggest", response_model=list[str])
def suggest_queries(request: Request, db: SessionDep, user: CurrentUser,
                    q: Annotated[str, Query(max_length=500)] = "") -> list[str]:
    """Completions for the search box from titles and similar questions."""
    return suggest(db, engine=request.app.state.search_engine, user=user, prefix=q)


@router.get("/search", response_model=SearchRead)
def search_articles(
    request: Request, db: SessionDep, user: CurrentUser,
    q: Annotated[str, Query(min_length=1, max_length=500, description="What the customer said")],
    module: int | None = None, queue: str | None = None,
    limit: Annotated[int, Query(ge=1, le=50)] = 10,
    as_typed: Annotated[bool, Query(description="Search the words exactly as typed: no "
                                    "homophone typo is corrected (see `corrections`)")] = False,
    log: Annotated[bool, Query(description="Record the query in the search log (what was "
                               "asked, shown and then opened feeds the knowledge-gap "
                               "report and the learned ranker)")] = True,
) -> SearchRead:
    """Valid published knowledge for your queues, best first. The first hit is marked
    `best_match` when search is confident; `confident: false` means no good match."""
    queue_id = queue_ids_for_codes(db, [queue])[0] if queue else None
    result = search(db, engine=request.app.state.search_engine, user=user, query=q,
                    module_id=module, queue_id=queue_id, limit=limit, as_typed=as_typed)
    if log:
        write_aside(request, db, lambda session: log_search(
            session, user=user, query=q, result=result, channel="api"), "search")
    look = load_lookups(db)
    gone = result.out_of_force
    return SearchRead(query=result.query, confident=result.confident,
                      hits=[_hit(h, look, index == 0 and result.confident)
                            for index, h in enumerate(result.hits)],
                      corrections=[CorrectionRead(typed=c.typed, word=c.word)
                                   for c in result.corrections],
                      out_of_force=OutOfForceRead(
                          article_id=gone.article_id, code=gone.code, title=gone.title,
                          valid_from=gone.valid_from, valid_to=gone.valid_to,
                          ended=gone.ended) if gone else None)


# --- synonyms ------------------------------------------------------------------------------


class SynonymRuleRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    canonical: str
    variants: list[str]
    note: str
    lock_version: int
    updated_at: UtcDateTime


class SynonymRuleWrite(BaseModel):
    canonical: str = Field(description="The standard term every variant is rewritten to")
    variants: list[str] = Field(description="Other ways people say it")
    note: str = ""


class SynonymGroupRead(BaseModel):
    canonical: str
    variants: list[str]


class AnalysisRead(BaseModel):
    normalized: str
    tokens: list[str] = Field(description="Search tokens, synonyms rewritten to their term")
    prices: list[str] = Field(default_factory=list, description=(
        "Prices the articles state that the amounts the text names add to a search "
        "('九块九的流量包' → ['9.9']), each weighing twice a word"))


def _need_manage(user: CurrentUser) -> None:
    if not user.can(Perm.SYNONYMS_MANAGE):
        raise PermissionDenied()


class QueryStatRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    example: str = Field(description="The query as last typed")
    normalized: str
    searches: int
    zero_results: int = Field(description="Searches that found nothing")
    unsure: int = Field(description="Searches without a confident first hit")
    opened: int = Field(description="Searches after which an article was opened")
    last_at: UtcDateTime


class LearntWordingRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    example: str
    normalized: str
    article_id: int
    code: str
    title: str
    times: int
    last_at: UtcDateTime


class GapReportRead(BaseModel):
    days: int
    gaps: list[QueryStatRead] = Field(description="Queries that found nothing or nothing "
                                                  "confident, most frequent first")
    learnt: list[LearntWordingRead] = Field(
        description="Wordings found since: unsure queries and the article that answered "
                    "them (opened by an agent, picked by a customer, sent by an agent after "
                    "a hand-off), to add as similar questions")
    top: list[QueryStatRead] = Field(description="The most frequent queries")


@router.get("/search/gaps", response_model=GapReportRead)
def gap_report(db: SessionDep, user: CurrentUser,
               days: Annotated[int, Query(ge=1, le=365)] = 30) -> GapReportRead:
    """Knowledge gaps (知识缺口) of the last ``days``: staff with search insights."""
    report = search_log.gap_report(db, actor=user, days=days)
    return GapReportRead(
        days=report.days,
        gaps=[QueryStatRead.model_validate(g) for g in report.gaps],
        learnt=[LearntWordingRead.model_validate(w) for w in report.learnt],
        top=[QueryStatRead.model_validate(t) for t in report.top])


class LearntWordingDiscard(BaseModel):
    normalized: str = Field(min_length=1, max_length=500,
                            description="The wording as listed (`normalized`)")
    article_id: int


@router.post("/search/gaps/learnt/discard", status_code=204)
def discard_learnt_wording(db: SessionDep, user: CurrentUser, body: LearntWordingDiscard
                           ) -> Response:
    """"Not this article": the wording is no longer learnt as the article's question
    (editors; audited); 404 when no such pair is listed."""
    search_log.discard_learnt_wording(db, actor=user, normalized=body.normalized,
                                      article_id=body.article_id)
    return Response(status_code=204)


@router.get("/search/synonyms", response_model=list[SynonymRuleRead])
def list_synonym_rules(db: SessionDep, user: CurrentUser) -> list[SynonymRuleRead]:
    """Synonym groups managers added (the shipped table: /search/synonyms/shipped)."""
    _need_manage(user)
    return [SynonymRuleRead.model_validate(rule) for rule in syn.list_rules(db)]


@router.get("/search/synonyms/shipped", response_model=list[SynonymGroupRead])
def list_shipped_synonyms(user: CurrentUser) -> list[SynonymGroupRead]:
    """The synonym table SECI ships (read-only; rules added by managers come after it)."""
    _need_manage(user)
    return [SynonymGroupRead(canonical=g.canonical, variants=list(g.variants))
            for g in seed_synonyms()]


@router.post("/search/synonyms", response_model=SynonymRuleRead, status_code=201)
def create_synonym_rule(db: SessionDep, user: CurrentUser, body: SynonymRuleWrite
                        ) -> SynonymRuleRead:
    """Add a group; every server process applies it within a second, no restart."""
    rule = syn.create_rule(db, actor=user, data=syn.RuleInput(
        body.canonical, body.variants, body.note))
    return SynonymRuleRead.model_validate(rule)


@router.put("/search/synonyms/{rule_id}", response_model=SynonymRuleRead)
def update_synonym_rule(db: SessionDep, user: CurrentUser, rule_id: int,
                        body: SynonymRuleWrite,
                        lock_version: Annotated[int, Query(description="As last read")]
                        ) -> SynonymRuleRead:
    """Change a group; a stale ``lock_version`` answers 409."""
    rule = syn.update_rule(db, actor=user, rule_id=rule_id, expected_lock_version=lock_version,
                           data=syn.RuleInput(body.canonical, body.variants, body.note))
    return SynonymRuleRead.model_validate(rule)


@router.delete("/search/synonyms/{rule_id}", status_code=204)
def delete_synonym_rule(db: SessionDep, user: CurrentUser, rule_id: int,
                        lock_version: Annotated[int, Query(description="As last read")]
                        ) -> Response:
    syn.delete_rule(db, actor=user, rule_id=rule_id, expected_lock_version=lock_version)
    return Response(status_code=204)


@router.get("/search/analyze", response_model=AnalysisRead)
def analyze_text(request: Request, db: SessionDep, user: CurrentUser,
                 text: Annotated[str, Query(min_length=1, max_length=500)]) -> AnalysisRead:
    """How search reads a text: normalised form and tokens (to check a synonym works)."""
    _need_manage(user)
    engine = request.app.state.search_engine
    engine.sync(db)
    return AnalysisRead(normalized=normalize(text), tokens=engine.analyzer.tokens(text),
                        prices=list(engine.named_prices(text)))


# --- the situation lexicon -------------------------------------------------------------------


class SituationRead(BaseModel):
    key: str = Field(description="Stable identifier: shipped entries keep theirs, managers' "
                     "own entries get local-…")
    area: str
    pattern: str = Field(description="Groups of words: 'a|b + c|d ! excluded|…' (every group "
                         "must occur in the query, none of the excluded words)")
    concepts: list[str] = Field(description="Business terms added to a query the entry fires on")
    example: str
    note: str
    state: str = Field(description="shipped (as in the shipped file), edited (a shipped entry "
                       "a manager changed) or local (a manager's own)")
    enabled: bool
    lock_version: int = Field(description="Pass back when changing; 0: a shipped entry no "
                              "one changed yet")
    updated_at: UtcDateTime | None


class SituationWrite(BaseModel):
    pattern: str = Field(max_length=1000,
                         description="'换|新买 + 手机|机子 + 上不了网|没网 ! 宽带'")
    concepts: list[str] = Field(max_length=20, description="e.g. ['APN设置', '网络设置']")
    example: str = Field("", max_length=200,
                         description="A caller's sentence the entry must fire on")
    area: str = Field("", max_length=40)
    note: str = Field("", max_length=200)


class FiringRead(BaseModel):
    key: str
    area: str
    matched: list[str] = Field(description="The word found for each group of the pattern")
    concepts: list[str]


class TermRead(BaseModel):
    token: str
    weight: float = Field(description="Relative to one of the caller's own words (1.0)")


class SituationTrialRead(BaseModel):
    query: str
    tokens: list[str] = Field(description="The caller's words as search reads them")
    fired: list[FiringRead] = Field(description="Entries that fire, most specific first "
                                    "(those search uses)")
    added: list[TermRead] = Field(description="Concept tokens added to the query")
    expanded: str = Field(description="The query as search ranks it: the caller's tokens, then "
                          "the added concept tokens")


def _situation(entry: sit_rules.LexiconEntry) -> SituationRead:
    return SituationRead(key=entry.key, area=entry.area, pattern=entry.pattern,
                         concepts=list(entry.concepts), example=entry.example,
                         note=entry.note, state=entry.state, enabled=entry.enabled,
                         lock_version=entry.lock_version, updated_at=entry.updated_at)


def _entry_input(body: SituationWrite) -> sit_rules.EntryInput:
    return sit_rules.EntryInput(body.pattern, body.concepts, body.example, body.area,
                                body.note)


@router.get("/search/situations", response_model=list[SituationRead])
def list_situations(
    db: SessionDep, user: CurrentUser,
    text: Annotated[str, Query(max_length=200, description="Words of key, pattern, "
                               "concepts, example or note")] = "",
    area: Annotated[str, Query(max_length=40)] = "",
    state: Annotated[Literal["", "shipped", "edited", "local", "disabled"],
                     Query(description="Only entries in this state")] = "",
) -> list[SituationRead]:
    """The situation lexicon: shipped entries (as managers changed them), then managers' own."""
    return [_situation(e) for e in sit_rules.list_entries(db, actor=user, text=text,
                                                           area=area, state=state)]


@router.get("/search/situations/try", response_model=SituationTrialRead)
def try_situations(request: Request, db: SessionDep, user: CurrentUser,
                   q: Annotated[str, Query(min_length=1, max_length=500)]
                   ) -> SituationTrialRead:
    """Which entries fire on a query and how search expands it (the lexicon in force)."""
    engine = request.app.state.search_engine
    engine.sync(db)
    trial = sit_rules.try_query(actor=user, lexicon=engine.situations,
                                tokenize=engine.analyzer.tokens, query=q,
                                segment=engine.analyzer.cut)
    added = [TermRead(token=t, weight=round(w, 3)) for t, w in trial.expansion.terms]
    return SituationTrialRead(
        query=q, tokens=list(trial.query_tokens),
        fired=[FiringRead(key=f.situation.key, area=f.situation.area,
                          matched=list(f.matched), concepts=list(f.situation.concepts))
               for f in trial.expansion.firings],
        added=added, expanded=" ".join([*trial.query_tokens, *(t.token for t in added)]))


class SituationCheckWrite(BaseModel):
    lines: str = Field(
        max_length=sit_rules.MAX_CHECK_LINES * (sit_rules.MAX_CHECK_SENTENCE + 64),
        description="One caller's sentence a line: 'key<TAB>sentence' (the entry that "
                    "should fire, as two spreadsheet columns paste) or the sentence alone "
                    f"(out of scope: no entry should fire); at most "
                    f"{sit_rules.MAX_CHECK_LINES} lines")


class CheckedSentenceRead(BaseModel):
    line: int
    text: str
    key: str | None = Field(description="The entry that should fire; null: none should")
    outcome: sit_rules.Outcome
    fired: list[str] = Field(description="Every entry that fires, most specific first")
    stray: list[str] = Field(description="Entries that fire and share no concept with "
                             "the one that should: a wrong situation")


class SituationCheckRead(BaseModel):
    labelled: int
    out_of_scope: int
    fires_own_share: float | None = Field(description="Labelled sentences their entry "
                                          "fires on, as a share")
    stray_share: float | None = Field(description="Labelled sentences a wrong situation "
                                      "fires on, as a share")
    out_of_scope_fired_share: float | None = Field(description="Out-of-scope sentences "
                                                   "some entry fires on, as a share")
    sentences: list[CheckedSentenceRead]


@router.post("/search/situations/check", response_model=SituationCheckRead)
def check_situations(request: Request, db: SessionDep, user: CurrentUser,
                     body: SituationCheckWrite) -> SituationCheckRead:
    """Check the lexicon in force against callers' sentences: which entries fire on each,
    against the one that should (or none)."""
    engine = request.app.state.search_engine
    engine.sync(db)
    check = sit_rules.check_sentences(actor=user, lexicon=engine.situations,
                                      text=body.lines, segment=engine.analyzer.cut)
    figures = check.figures
    return SituationCheckRead(
        labelled=figures.labelled, out_of_scope=figures.out_of_scope,
        fires_own_share=figures.fires_own, stray_share=figures.stray,
        out_of_scope_fired_share=figures.out_of_scope_fired,
        sentences=[CheckedSentenceRead(line=s.line, text=s.text, key=s.key,
                                       outcome=s.outcome,
                                       fired=list(s.fired), stray=list(s.stray))
                   for s in check.sentences])


@router.get("/search/situations/{key}", response_model=SituationRead)
def get_situation(db: SessionDep, user: CurrentUser, key: str) -> SituationRead:
    return _situation(sit_rules.get_entry(db, actor=user, key=key))


@router.post("/search/situations", response_model=SituationRead, status_code=201)
def create_situation(db: SessionDep, user: CurrentUser, body: SituationWrite
                     ) -> SituationRead:
    """Add an entry; every server process uses it from its next search, no restart."""
    return _situation(sit_rules.create_entry(db, actor=user, data=_entry_input(body)))


@router.put("/search/situations/{key}", response_model=SituationRead)
def update_situation(db: SessionDep, user: CurrentUser, key: str, body: SituationWrite,
                     lock_version: LockVersion
                     ) -> SituationRead:
    """Change an entry (a shipped one is then 'edited'); a stale ``lock_version`` answers
    409."""
    return _situation(sit_rules.update_entry(db, actor=user, key=key,
                                             expected_lock_version=lock_version,
                                             data=_entry_input(body)))


@router.post("/search/situations/{key}/disable", response_model=SituationRead)
def disable_situation(db: SessionDep, user: CurrentUser, key: str,
                      lock_version: LockVersion
                      ) -> SituationRead:
    """Stop using an entry (kept, and kept disabled across upgrades)."""
    return _situation(sit_rules.set_enabled(db, actor=user, key=key,
                                            expected_lock_version=lock_version,
                                            enabled=False))


@router.post("/search/situations/{key}/enable", response_model=SituationRead)
def enable_situation(db: SessionDep, user: CurrentUser, key: str,
                     lock_version: LockVersion
                     ) -> SituationRead:
    return _situation(sit_rules.set_enabled(db, actor=user, key=key,
                                            expected_lock_version=lock_version,
                                            enabled=True))


@router.post("/search/situations/{key}/reset", response_model=SituationRead)
def reset_situation(db: SessionDep, user: CurrentUser, key: str,
                    lock_version: LockVersion
                    ) -> SituationRead:
    """A shipped entry back to its shipped content, enabled."""
    return _situation(sit_rules.reset_entry(db, actor=user, key=key,
                                            expected_lock_version=lock_version))
