"""HTML pages: a thin layer over the domain services."""

from fastapi import APIRouter

from seci.web.pages import (
    admin,
    assistant,
    assistant_hours,
    assistant_rules,
    auth,
    calibration,
    calls,
    certification,
    coaching,
    competency,
    exams,
    home,
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
    training,
)

router = APIRouter(include_in_schema=False)
for module in (auth, home, kb, search, situations, calibration, assistant, assistant_rules,
               assistant_hours, tacit, incentives, suggestions, linkage, calls, competency, exams,
               training, coaching, certification, mining, quality, inbox, admin):
    router.include_router(module.router)
