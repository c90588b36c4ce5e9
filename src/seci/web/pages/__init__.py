"""HTML pages: a thin layer over the domain services."""

from fastapi import APIRouter

from seci.web.pages import admin, auth, inbox, kb, linkage, search, suggestions

router = APIRouter(include_in_schema=False)
for module in (auth, kb, search, suggestions, linkage, inbox, admin):
    router.include_router(module.router)
