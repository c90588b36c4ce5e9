"""HTML pages: a thin layer over the domain services."""

from fastapi import APIRouter

from seci.web.pages import (
    admin,
    assistant,
    assistant_hours,
    assistant_rules,
    auth,
    calls,
    competency,
    inbox,
    incentives,
    kb,
    linkage,
    mining,
    quality,
    search,
    situations,
    suggestions,
    tacit,
)

router = APIRouter(include_in_schema=False)
for module in (auth, kb, search, situations, assistant, assistant_rules, assistant_hours, tacit,
               incentives, suggestions, linkage, calls, competency, mining, quality, inbox, admin):
    router.include_router(module.router)
