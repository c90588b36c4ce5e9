"""HTML pages: a thin layer over the domain services."""

from fastapi import APIRouter

from seci.web.pages import admin, auth, incentives, kb, search, tacit

router = APIRouter(include_in_schema=False)
for module in (auth, kb, search, tacit, incentives, admin):
    router.include_router(module.router)
