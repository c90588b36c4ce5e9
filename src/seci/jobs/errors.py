"""Errors of the job service."""

from __future__ import annotations

from seci.core.errors import NotFound
from seci.core.i18n import N_


class JobNotFound(NotFound):
    code = "job_not_found"
    message = N_("No such job, or it is not yours to see.")
