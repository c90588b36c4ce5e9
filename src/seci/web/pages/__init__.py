"""HTML pages: a thin layer over the domain services."""

from fastapi import APIRouter

from seci.web.pages import (
    admin,
    assistant,
    auth,
    inbox,
    incentives,
    kb,
    linkage,
    search,
    suggestions,
    tacit,
)

router = APIRouter(include_in_schema=False)
for module in (auth, kb, search, assistant, tacit, incentives, suggestions, linkage, inbox,
               admin):
    router.include_router(module.router)
