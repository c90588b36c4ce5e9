"""REST API of search: GET /api/v1/search."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, Field

from seci.core.http import CurrentUser, SessionDep
from seci.knowledge.lookups import Lookups, load_lookups, queue_ids_for_codes
from seci.retrieval.service import SearchHit, search, suggest

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
) -> SearchRead:
    """Valid published knowledge for your queues, best first, with a calibrated confidence."""
    queue_id = queue_ids_for_codes(db, [queue])[0] if queue else None
    result = search(db, engine=request.app.state.search_engine, user=user, query=q,
                    module_id=module, queue_id=queue_id, limit=limit)
    look = load_lookups(db)
    return SearchRead(query=result.query, confident=result.confident,
                      hits=[_hit(h, look) for h in result.hits])
