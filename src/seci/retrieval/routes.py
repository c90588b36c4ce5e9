"""REST API of search: GET /api/v1/search, suggestions, the synonym table, analysis."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response
from pydantic import BaseModel, ConfigDict, Field

from seci.accounts.roles import Perm
from seci.core.clock import UtcDateTime
from seci.core.errors import PermissionDenied
from seci.core.http import CurrentUser, SessionDep, write_aside
from seci.knowledge.lookups import Lookups, load_lookups, queue_ids_for_codes
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
    confidence: float = Field(description="0–1; below the threshold the answer is no match")


class SearchRead(BaseModel):
    query: str
    confident: bool = Field(description="False means: no good match")
    hits: list[HitRead]


def _hit(hit: SearchHit, look: Lookups) -> HitRead:
    module_id = int(hit.module_path.strip("/").split("/")[-1])
    return HitRead(
        article_id=hit.article_id, code=hit.code,
        title="".join(s.text for s in hit.title),
        title_segments=[SegmentRead(text=s.text, hit=s.hit) for s in hit.title],
        snippet_segments=[SegmentRead(text=s.text, hit=s.hit) for s in hit.snippet],
        module_path=look.module_path(module_id), queues=look.queue_codes(hit.queue_ids),
        valid_to=hit.valid_to, score=round(hit.score, 4), confidence=round(hit.confidence, 4),
    )


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
    log: Annotated[bool, Query(description="Record the query in the search log (what was "
                               "asked, shown and then opened feeds the knowledge-gap "
                               "report and the learned ranker)")] = True,
) -> SearchRead:
    """Valid published knowledge for your queues, best first, with a calibrated confidence."""
    queue_id = queue_ids_for_codes(db, [queue])[0] if queue else None
    result = search(db, engine=request.app.state.search_engine, user=user, query=q,
                    module_id=module, queue_id=queue_id, limit=limit)
    if log:
        write_aside(request, db, lambda session: log_search(
            session, user=user, query=q, result=result, channel="api"), "search")
    look = load_lookups(db)
    return SearchRead(query=result.query, confident=result.confident,
                      hits=[_hit(h, look) for h in result.hits])


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


def _need_manage(user: CurrentUser) -> None:
    if not user.can(Perm.SYNONYMS_MANAGE):
        raise PermissionDenied()


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
    return AnalysisRead(normalized=normalize(text), tokens=engine.analyzer.tokens(text))
